"""SHACL shapes, the validation engine (kg.check), `kg validate` and `kg convert --validate`."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
import rdflib.collection
from rdflib.namespace import RDF, SH

from kg.check import SHAPES_DIR, Dataset, Shapes, parse_rdf, validate_dataset
from kg.mapping import MappingContext, map_record
from kg.mapping.codes import PUBLICATION_TYPES
from kg.rdf import IRI
from tests.conftest import CORPORA, ROOT, SEEDS, corpus_files, run_kg

FIXTURES = CORPORA / "shapes"
EDGE_RECORDS = FIXTURES / "edge_records.json"
KGT = rdflib.Namespace("urn:kg-test:")
KGSH = rdflib.Namespace("https://w3id.org/librecat-kg/shapes#")
DBO_ADVISOR = rdflib.URIRef("http://dbpedia.org/ontology/doctoralAdvisor")


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


def test_shared_record_without_supervisor_is_reported():
    """Record 2737391 of the shared LibreCat data is a doctoral thesis without supervisor: a real data gap."""
    result = run_kg("validate", CORPORA / "librecat_repo_devel_publications.json", "-f", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert [(v["shape"], v["focus"]) for v in violations] == [
        (str(KGSH.DoctoralThesisSupervisor), "https://repository.example.org/record/2737391")
    ]
    assert violations[0]["records"] == ["https://repository.example.org/record/2737391"]


# --------------------------------------------------------------------------- deliberately broken graphs


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory) -> rdflib.Graph:
    """The seeds and edge records converted, as an rdflib graph to break on purpose."""
    path = tmp_path_factory.mktemp("seed") / "seed.nt"
    result = run_kg("convert", SEEDS, EDGE_RECORDS, "-o", path, "--institution", "Edge Institute")
    assert result.returncode == 0, result.stderr.decode()
    return rdflib.Graph().parse(path, format="nt")


def broken(seed_graph: rdflib.Graph, remove=(), add=()) -> rdflib.Graph:
    graph = rdflib.Graph()
    for triple in seed_graph:
        graph.add(triple)
    for pattern in remove:
        graph.remove(pattern)
    for triple in add:
        graph.add(triple)
    return graph


FOAF_NAME = rdflib.URIRef("http://xmlns.com/foaf/0.1/name")
GRANT_NUMBER = rdflib.URIRef("http://purl.org/cerif/frapo/hasGrantNumber")
THS = rdflib.URIRef("http://id.loc.gov/vocabulary/relators/ths")
ISSN = rdflib.URIRef("http://purl.org/ontology/bibo/issn")
BASE = "https://repository.example.org"
LAMPERT = rdflib.URIRef(f"{BASE}/person/40C20FD2-F248-11E8-B48F-1D18A9856A87")
GRANT = rdflib.URIRef(f"{BASE}/grant/h2020/665385")
ARTICLE = rdflib.URIRef(f"{BASE}/record/e1")
THESIS = rdflib.URIRef(f"{BASE}/record/13074")
ADVISOR = rdflib.URIRef(f"{BASE}/person/aa1")
STUDENT = rdflib.URIRef(f"{BASE}/person/ds1")

BROKEN = {
    "person without a name": (
        {"remove": [(LAMPERT, FOAF_NAME, None)]},
        KGSH.PersonName,
        LAMPERT,
        [f"{BASE}/record/13074"],
    ),
    "grant without a number": (
        {"remove": [(GRANT, GRANT_NUMBER, None)]},
        KGSH.GrantNumber,
        GRANT,
        [f"{BASE}/record/13074"],
    ),
    "doctoral thesis without supervisor": (
        {"remove": [(THESIS, THS, None)]},
        KGSH.DoctoralThesisSupervisor,
        THESIS,
        [f"{BASE}/record/13074"],
    ),
    "ISSN on an article": (
        {"add": [(ARTICLE, ISSN, rdflib.Literal("1234-5679"))]},
        KGSH.RecordIssn,
        ARTICLE,
        [f"{BASE}/record/e1"],
    ),
    "advisor cycle": (
        {"add": [(ADVISOR, DBO_ADVISOR, STUDENT)]},
        KGSH.AdvisorCycle,
        STUDENT,
        [f"{BASE}/record/e11"],
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_graph_gives_expected_report_and_exit_status_1(seed_graph, tmp_path, name):
    changes, shape, focus, records = BROKEN[name]
    path = tmp_path / "broken.ttl"
    broken(seed_graph, **changes).serialize(path, format="turtle")
    result = run_kg("validate", path, "-f", "json")
    assert result.returncode == 1, result.stderr.decode()
    report = json.loads(result.stdout)
    assert not report["conforms"]
    hits = [r for r in report["results"] if r["shape"] == str(shape) and r["focus"] == str(focus)]
    assert hits, [(r["shape"], r["focus"]) for r in report["results"]]
    assert hits[0]["severity"] == "Violation"
    assert hits[0]["records"] == records
    text = run_kg("validate", path)
    assert text.returncode == 1
    assert hits[0]["message"] in text.stdout.decode()


def test_unbroken_seed_graph_conforms(seed_graph, tmp_path):
    path = tmp_path / "seed.ttl"
    seed_graph.serialize(path, format="turtle")
    assert run_kg("validate", path).returncode == 0


def test_advisor_cycle_is_found_only_in_the_whole_graph(shapes, seed_graph):
    """Per-record mode skips the SPARQL constraint; whole-graph mode finds the cycle."""
    graph = broken(seed_graph, add=[(ADVISOR, DBO_ADVISOR, STUDENT)])
    whole, _ = shapes.validate(graph, whole=True)
    per_record, _ = shapes.validate(graph, whole=False)
    assert str(KGSH.AdvisorCycle) in {f.shape for f in whole}
    assert str(KGSH.AdvisorCycle) not in {f.shape for f in per_record}


# --------------------------------------------------------------------------- report formats and attribution


def test_text_report_groups_by_record_and_shape(seed_graph, tmp_path):
    path = tmp_path / "broken.ttl"
    broken(seed_graph, remove=[(LAMPERT, FOAF_NAME, None), (THESIS, THS, None)]).serialize(path, format="turtle")
    out = run_kg("validate", path).stdout.decode()
    lines = out.splitlines()
    header = lines.index(f"record 13074 <{BASE}/record/13074>")
    block = lines[header + 1 : header + 7]
    assert "  Violation: doctoral thesis supervisor" in block
    assert "  Violation: person name" in block
    assert re.search(r"\d+ records, \d+ triples: 2 violations, \d+ warnings: does not conform", lines[-1])


def test_turtle_report_is_a_standard_shacl_validation_report(seed_graph, tmp_path):
    path = tmp_path / "broken.ttl"
    broken(seed_graph, remove=[(GRANT, GRANT_NUMBER, None)]).serialize(path, format="turtle")
    result = run_kg("validate", path, "-f", "ttl")
    assert result.returncode == 1
    report = rdflib.Graph().parse(data=result.stdout.decode(), format="turtle")
    node = report.value(None, RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is False
    results = list(report.objects(node, SH.result))
    assert any(
        report.value(r, SH.sourceShape) == KGSH.GrantNumber and report.value(r, SH.focusNode) == GRANT for r in results
    )


def test_warnings_alone_conform_in_every_format():
    """The edge records give warnings only: exit 0, and sh:conforms true in the standard report."""
    result = run_kg("validate", EDGE_RECORDS, "-f", "ttl")
    assert result.returncode == 0
    report = rdflib.Graph().parse(data=result.stdout.decode(), format="turtle")
    node = report.value(None, RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is True
    severities = {report.value(r, SH.resultSeverity) for r in report.objects(node, SH.result)}
    assert severities == {SH.Warning}


def test_quads_are_attributed_to_their_named_graph(shapes, tmp_path):
    """In N-Quads a shared node is attributed to the record graphs that describe it."""
    output = tmp_path / "seeds.nq"
    assert run_kg("convert", SEEDS, "-o", output).returncode == 0
    text = output.read_text().replace(f'<{LAMPERT}> <{FOAF_NAME}> "Christoph Lampert" ', "# removed ")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("# removed"))
    dataset = Dataset()
    broken_path = tmp_path / "broken.nq"
    broken_path.write_text(text + "\n")
    dataset.add_quads(parse_rdf(broken_path))
    report = validate_dataset(dataset, shapes)
    [finding] = report.violations
    assert finding.focus == str(LAMPERT)
    assert finding.records == [f"{BASE}/record/13074"]


def test_per_record_check_maps_results_to_problems(shapes):
    record = json.loads(SEEDS.read_text())[0]
    graph = map_record(record, MappingContext())
    supervisor = next(o for s, p, o in graph.triples() if p == str(THS))
    graph.shared = [t for t in graph.shared if not (t[0] == supervisor and t[1] == str(FOAF_NAME))]
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


def test_unparseable_data_file_names_file_and_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b "unterminated .\n')
    result = run_kg("validate", path)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert f"{path}:2:" in message and "Traceback" not in message


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
        assert message.startswith(f"kg: error: {shapes_dir}: unusable shapes: MinCountConstraintComponent")
        assert "Traceback" not in message


def test_missing_shapes_folder_and_missing_input_are_unusable(tmp_path):
    result = run_kg("validate", SEEDS, "--shapes", tmp_path / "nowhere")
    assert result.returncode == 2 and "shapes folder not found" in result.stderr.decode()
    result = run_kg("validate", tmp_path / "nothing.ttl")
    assert result.returncode == 2 and "nothing.ttl" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


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
