"""`kg validate` (kg/validate.py): whole-graph validation, report formats, attribution, exit statuses."""

from __future__ import annotations

import json
import re

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from kg.check import Dataset, Shapes, parse_rdf, validate_dataset
from tests.conftest import CORPORA, SEEDS, run_kg

EDGE_RECORDS = CORPORA / "shapes" / "edge_records.json"
KGSH = rdflib.Namespace("https://w3id.org/librecat-kg/shapes#")
DBO_ADVISOR = rdflib.URIRef("http://dbpedia.org/ontology/doctoralAdvisor")


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return Shapes()


# --------------------------------------------------------------------------- real data


def test_shared_records_conform():
    """Every shared LibreCat record conforms. Record 2737391 is a dissertation without supervisor
    and without a stated degree: doctoral by type, so it is kept, but the supervisor rule only
    binds theses whose record states the doctorate."""
    result = run_kg("validate", CORPORA / "librecat_repo_devel_publications.json", "-f", "json")
    assert result.returncode == 0, result.stdout.decode()
    report = json.loads(result.stdout)
    assert [r for r in report["results"] if r["severity"] == "Violation"] == []


def test_stated_doctorate_without_supervisor_is_a_violation(tmp_path):
    records = json.loads((CORPORA / "librecat_repo_devel_publications.json").read_text())
    thesis = next(r for r in records if r["_id"] == "2737391")
    path = tmp_path / "thesis.json"
    path.write_text(json.dumps([dict(thesis, degree_awarded="PhD")]))
    result = run_kg("validate", path, "-f", "json")
    assert result.returncode == 1
    violations = [r for r in json.loads(result.stdout)["results"] if r["severity"] == "Violation"]
    assert [(v["shape"], v["focus"]) for v in violations] == [
        (str(KGSH.DoctoralThesisSupervisor), "https://repository.example.org/record/2737391")
    ]


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


def test_unparseable_data_file_names_file_and_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b "unterminated .\n')
    result = run_kg("validate", path)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert f"{path}:2:" in message and "Traceback" not in message


def test_missing_shapes_folder_and_missing_input_are_unusable(tmp_path):
    result = run_kg("validate", SEEDS, "--shapes", tmp_path / "nowhere")
    assert result.returncode == 2 and "shapes folder not found" in result.stderr.decode()
    result = run_kg("validate", tmp_path / "nothing.ttl")
    assert result.returncode == 2 and "nothing.ttl" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
