"""SHACL shapes (one conforming and one violating fixture each), the engine (kg.check), kg convert --validate."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
import rdflib.collection
from rdflib.namespace import RDF, SH

from kg.check import SHAPES_DIR, Shapes, parse_rdf
from kg.mapping import MappingContext, map_record
from kg.mapping.codes import PUBLICATION_TYPES
from kg.rdf import IRI
from tests.conftest import CORPORA, ROOT, SEEDS, corpus_files, run_kg

FIXTURES = CORPORA / "shapes"
EDGE_RECORDS = FIXTURES / "edge_records.json"
KGT = rdflib.Namespace("urn:kg-test:")
KGSH = rdflib.Namespace("https://w3id.org/librecat-kg/shapes#")
BASE = "https://repository.example.org"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
THS = "http://id.loc.gov/vocabulary/relators/ths"


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return Shapes()


# --------------------------------------------------------------------------- fixtures per shape


def load_cases() -> tuple[dict[str, rdflib.Graph], dict[str, tuple[str, str]]]:
    """Named graphs of every fixture file, and the manifest of bad cases: case → (shape, focus)."""
    graphs: dict[str, rdflib.Graph] = defaultdict(rdflib.Graph)
    manifest = rdflib.Graph()
    for path in sorted(FIXTURES.glob("*.trig")):
        for subject, predicate, obj, name in parse_rdf(path):
            (graphs[str(name)] if name is not None else manifest).add((subject, predicate, obj))
    bad = {}
    for case in set(manifest.subjects(KGT.shape, None)):
        bad[str(case)] = (str(manifest.value(case, KGT.shape)), str(manifest.value(case, KGT.focus)))
    return dict(graphs), bad


GRAPHS, BAD = load_cases()
OK = sorted(name for name in GRAPHS if name.startswith("urn:kg-test:ok:"))


def focus_nodes(shapes_graph: rdflib.Graph, shape: rdflib.URIRef, data: rdflib.Graph) -> set:
    """The nodes a shape targets in *data* (the target kinds kg's shapes use)."""
    nodes: set = set()
    for cls in shapes_graph.objects(shape, SH.targetClass):
        nodes.update(data.subjects(RDF.type, cls))
    for predicate in shapes_graph.objects(shape, SH.targetSubjectsOf):
        nodes.update(data.subjects(predicate, None))
    for predicate in shapes_graph.objects(shape, SH.targetObjectsOf):
        nodes.update(data.objects(None, predicate))
    nodes.update(shapes_graph.objects(shape, SH.targetNode))
    return nodes


def test_every_shape_has_a_name_message_and_severity(shapes):
    for iri, info in shapes.info.items():
        assert info.name and info.name != iri, iri
        assert info.message.endswith("."), f"{iri}: sh:message should be a plain English sentence"
        assert shapes.graph.value(rdflib.URIRef(iri), SH.severity) is not None, f"{iri}: no deliberate sh:severity"


def test_every_shape_has_a_conforming_and_a_violating_fixture(shapes):
    violated = {shape for shape, _ in BAD.values()}
    missing_bad = sorted(set(shapes.info) - violated)
    assert not missing_bad, f"shapes without a violating fixture: {missing_bad}"
    missing_ok = [
        iri for iri in shapes.info if not any(focus_nodes(shapes.graph, rdflib.URIRef(iri), GRAPHS[ok]) for ok in OK)
    ]
    assert not missing_ok, f"shapes without a focus node in any conforming fixture: {missing_ok}"


@pytest.mark.parametrize("case", OK)
def test_conforming_fixture_has_no_results(shapes, case):
    findings, _ = shapes.validate(GRAPHS[case])
    assert [(f.shape_name, f.focus, f.message) for f in findings] == []


@pytest.mark.parametrize("case", sorted(BAD))
def test_violating_fixture_gives_the_intended_message_on_the_intended_node(shapes, case):
    shape, focus = BAD[case]
    assert case in GRAPHS, f"{case} is in the manifest but has no graph"
    findings, _ = shapes.validate(GRAPHS[case])
    info = shapes.info[shape]
    matching = [f for f in findings if f.shape == shape and f.focus == focus]
    assert matching, f"{case}: no result of {shape} on {focus}; got {[(f.shape, f.focus) for f in findings]}"
    assert {f.message for f in matching} == {info.message}
    assert {f.severity for f in matching} == {info.severity}


# --------------------------------------------------------------------------- the converter's output


@pytest.mark.parametrize("corpus", [*corpus_files(), EDGE_RECORDS], ids=lambda p: p.name)
def test_converter_output_with_validate_conforms(corpus, tmp_path):
    """Every corpus, converted with --validate, gives a dump that conforms as a whole graph."""
    output, rejects = tmp_path / "out.nq", tmp_path / "rejects.jsonl"
    converted = run_kg("convert", "--validate", corpus, "-o", output, "--rejects", rejects)
    assert converted.returncode in (0, 1), converted.stderr.decode()
    if output.stat().st_size == 0:
        pytest.skip(f"{corpus.name} holds no publication records")
    validated = run_kg("validate", output)
    assert validated.returncode == 0, validated.stdout.decode() + validated.stderr.decode()


def test_edge_records_conform_without_any_reject(tmp_path):
    """The edge-case corpus exercises every type family; none of it may break a shape."""
    output = tmp_path / "edge.ttl"
    converted = run_kg("convert", "--validate", EDGE_RECORDS, "-o", output, "--institution", "Edge Institute")
    assert converted.returncode == 0, converted.stderr.decode()
    report = json.loads(run_kg("validate", output, "-f", "json").stdout)
    assert report["conforms"] and report["violations"] == 0
    assert report["records"] == len(json.loads(EDGE_RECORDS.read_text()))


@pytest.mark.parametrize("record_type", sorted(PUBLICATION_TYPES))
def test_every_publication_type_the_mapper_knows_conforms(shapes, record_type):
    """A guard against the mapping and the shapes drifting apart (a new type, a changed COAR code)."""
    record = {
        "_id": "t1",
        "type": record_type,
        "status": "public",
        "title": "A title",
        "year": "2020",
        "author": [{"first_name": "Ann", "last_name": "Author", "id": "a1"}],
        "supervisor": [{"first_name": "Sue", "last_name": "Supervisor", "id": "s1"}]
        if record_type == "dissertation"
        else [],
        "publisher": "Some Publisher",
        "publication": "Some Venue",
        "conference": {"name": "Some Conference"},
        "main_file_link": [{"url": "https://example.org/data", "open_access": "1"}],
    }
    violations, _warnings = shapes.check_record(map_record(record, MappingContext()))
    assert violations == []


def test_specific_classes_in_the_shapes_are_the_mappers(shapes):
    specific = shapes.graph.value(KGSH.RecordSpecificType, SH.qualifiedValueShape)
    listed = set(rdflib.collection.Collection(shapes.graph, shapes.graph.value(specific, SH["in"])))
    assert listed == {rdflib.URIRef(cls) for cls, _ in PUBLICATION_TYPES.values()}


def test_seed_dissertations_conform_per_record(shapes):
    """The ISTA seeds map to graphs without any result in per-record mode, warnings included."""
    context = MappingContext()
    for record in json.loads(SEEDS.read_text()):
        violations, warnings = shapes.check_record(map_record(record, context))
        assert violations == [] and warnings == []


# --------------------------------------------------------------------------- deliberately broken graphs


# --------------------------------------------------------------------------- report formats and attribution


def test_per_record_check_maps_results_to_problems(shapes):
    record = json.loads(SEEDS.read_text())[0]
    graph = map_record(record, MappingContext())
    supervisor = next(o for s, p, o in graph.triples() if p == str(THS))
    graph.shared = [tuple(t for t in d if not (t[0] == supervisor and t[1] == str(FOAF_NAME))) for d in graph.shared]
    graph.own.append((graph.iri, IRI("http://purl.org/ontology/bibo/issn"), ("2663-337X", None, None)))
    violations, warnings = shapes.check_record(graph)
    assert warnings == []
    reasons = {(v.field, v.reason) for v in violations}
    assert ("foaf:name of <" + supervisor + ">", "A person needs a name (foaf:name, plain text).") in reasons
    assert any(reason.startswith("An ISSN belongs on the journal") for _, reason in reasons)
    assert {v.record for v in violations} == {graph.record_id}


# --------------------------------------------------------------------------- kg convert --validate


@pytest.mark.parametrize("batch", ["1", "500", "3"])
def test_convert_validate_rejects_violations_and_lists_warnings(tmp_path, batch):
    """Per record (batch 1) and batched validation reject the same records for the same reasons."""
    records = json.loads(EDGE_RECORDS.read_text())
    # A person known only by ORCID has no name: both records naming them break kgsh:PersonName.
    nameless = {"orcid": "0000-0002-1825-0097"}
    records[0]["author"].append(nameless)
    records[6]["author"] = [nameless]
    source = tmp_path / "records.json"
    source.write_text(json.dumps(records))
    output, rejects = tmp_path / "out.ttl", tmp_path / "rejects.jsonl"
    result = run_kg("convert", "--validate", "--validate-batch", batch, source, "-o", output, "--rejects", rejects)
    assert result.returncode == 1
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["record"], r["field"]) for r in rejected] == [("e1", "shacl"), ("e7", "shacl")]
    for reject in rejected:
        assert reject["reason"] == (
            f"foaf:name of <{BASE}/person/orcid/0000-0002-1825-0097>: A person needs a name (foaf:name, plain text)."
        )
        assert reject["source"] == str(source)
    stderr = result.stderr.decode()
    assert "warning: record e17, dcterms:issued: The publication has no issued date" in stderr
    assert f"read {len(records)} records: {len(records) - 2} written, 2 rejected" in stderr
    dump = output.read_text()
    assert f"<{BASE}/record/e1> a " not in dump and f"<{BASE}/record/e7> a " not in dump
    assert f"<{BASE}/record/e2> a " in dump
    without = run_kg("convert", source, "-o", tmp_path / "plain.ttl")
    assert without.returncode == 0


# --------------------------------------------------------------------------- unusable input


def test_unparseable_shapes_file_names_file_and_line(tmp_path):
    shapes_dir = tmp_path / "shapes"
    shapes_dir.mkdir()
    for source in SHAPES_DIR.glob("*.ttl"):
        (shapes_dir / source.name).write_text(source.read_text())
    (shapes_dir / "person.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\nkgsh:Person a sh:NodeShape .\n"
    )
    for command in (["validate", SEEDS], ["convert", "--validate", SEEDS, "-o", tmp_path / "out.ttl"]):
        result = run_kg(*command, "--shapes", shapes_dir)
        assert result.returncode == 2
        message = result.stderr.decode()
        assert f"{shapes_dir / 'person.ttl'}:2:" in message and "Traceback" not in message


def test_malformed_shape_is_unusable_not_a_traceback(tmp_path):
    shapes_dir = tmp_path / "shapes"
    shapes_dir.mkdir()
    (shapes_dir / "bad.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        '<urn:x:S> a sh:PropertyShape ; sh:targetClass foaf:Person ; sh:path foaf:name ; sh:minCount "x" .\n'
    )
    for command in (["validate", SEEDS], ["convert", "--validate", SEEDS, "-o", tmp_path / "out.ttl"]):
        result = run_kg(*command, "--shapes", shapes_dir)
        assert result.returncode == 2
        message = result.stderr.decode()
        assert f"kg: error: {shapes_dir}: unusable shapes: MinCountConstraintComponent" in message
        assert "Traceback" not in message


def test_other_shapes_can_be_used(tmp_path):
    shapes_dir = tmp_path / "shapes"
    shapes_dir.mkdir()
    (shapes_dir / "strict.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix bibo: <http://purl.org/ontology/bibo/> .\n"
        "<urn:x:NeedsIsbn> a sh:PropertyShape ; sh:targetClass bibo:Thesis ; sh:path bibo:isbn ; sh:minCount 1 ;\n"
        '  sh:name "thesis ISBN" ; sh:severity sh:Violation ; sh:message "A thesis needs an ISBN here." .\n'
    )
    result = run_kg("validate", SEEDS, "--shapes", shapes_dir)
    assert result.returncode == 1
    assert "A thesis needs an ISBN here." in result.stdout.decode()


def test_shapes_are_package_data():
    """An installed kg finds its shapes: they live in the package and pyproject ships them."""
    assert SHAPES_DIR.parent == ROOT / "kg"
    assert "shapes/*.ttl" in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / "shapes").resolve() == SHAPES_DIR
    assert sorted(p.name for p in SHAPES_DIR.glob("*.ttl")) == sorted(
        p.name for p in Path(ROOT / "shapes").glob("*.ttl")
    )
