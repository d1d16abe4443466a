"""kg.fastcheck: the compiled checker reports exactly what pyshacl (kg.check.Shapes) reports, record by record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import rdflib

from kg.check import Shapes, parse_rdf, record_graph_to_rdflib
from kg.fastcheck import FastShapes, from_rdflib
from kg.generate import write_corpus
from kg.mapping import MappingContext, map_record
from kg.mapping.fields import MappingError
from kg.mapping.model import RecordGraph
from kg.rdf import IRI, XSD, Literal
from kg.read import read_records
from tests.conftest import CORPORA, ROOT, corpus_files, run_kg

FIXTURES = CORPORA / "shapes"
RDF_TYPE = IRI("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FOAF = "http://xmlns.com/foaf/0.1/"
BIBO = "http://purl.org/ontology/bibo/"
DCTERMS = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return Shapes()


@pytest.fixture(scope="module")
def fast() -> FastShapes:
    return FastShapes()


def keys(findings: Iterable) -> list[tuple]:
    """Every result, problem by problem: what kg.check.problems_of turns into a Problem (plus the shape)."""
    return sorted((f.focus, f.path or "", f.value or "", f.shape, f.severity, f.message) for f in findings)


def assert_same(shapes: Shapes, fast: FastShapes, graph: RecordGraph, label: str) -> int:
    expected = shapes.validate(record_graph_to_rdflib(graph), whole=False)[0]
    found = fast.findings(graph)
    assert keys(found) == keys(expected), label
    assert shapes.check_record(graph) == fast.check_record(graph), label
    return len(expected)


def mapped_graphs(paths: Iterable[Path]) -> list[RecordGraph]:
    context = MappingContext()
    graphs = []
    for item in read_records([str(path) for path in paths]):
        if item.record is None:
            continue
        try:
            graphs.append(map_record(item.record, context))
        except MappingError:
            continue  # a reject, not a graph
    return graphs


CORPUS_GRAPHS = mapped_graphs([*corpus_files(), CORPORA / "genealogy.json", FIXTURES / "edge_records.json"])


def test_default_shapes_compile_except_the_whole_graph_cycle_check(fast):
    assert fast.supported, fast.unsupported
    assert fast.whole_graph_only == ["https://w3id.org/librecat-kg/shapes#AdvisorCycle"]
    assert len(fast.shapes) == len(Shapes().info) - 1


def test_same_results_as_pyshacl_on_every_test_corpus(shapes, fast):
    assert len(CORPUS_GRAPHS) > 30
    for graph in CORPUS_GRAPHS:
        assert_same(shapes, fast, graph, graph.record_id)


def test_same_results_on_a_generated_corpus(shapes, fast, tmp_path):
    """Per record on part of it (pyshacl takes ~10 ms a record), and over the union of 800 record graphs."""
    path = tmp_path / "corpus.jsonl"
    write_corpus(2000, str(path), seed=11)
    graphs = mapped_graphs([path])
    results = sum(assert_same(shapes, fast, graph, graph.record_id) for graph in graphs[:150])
    assert results > 0, "the generated corpus plants flaws: some records must have results"
    union = [triple for graph in graphs[:800] for triple in graph.triples()]
    data = rdflib.Graph()
    for subject, predicate, obj in union:
        data.add((rdflib.URIRef(subject), rdflib.URIRef(predicate), record_graph_to_rdflib_term(obj)))
    expected = shapes.validate(data, whole=False)[0]
    assert keys(fast.findings_of_triples(union)) == keys(expected)


def record_graph_to_rdflib_term(term):  # type: ignore[no-untyped-def]
    from kg.check import to_rdflib

    return to_rdflib(term)


# --------------------------------------------------------------------------- shape fixtures


def fixture_graphs() -> dict[str, rdflib.Graph]:
    graphs: dict[str, rdflib.Graph] = defaultdict(rdflib.Graph)
    for path in sorted(FIXTURES.glob("*.trig")):
        for subject, predicate, obj, name in parse_rdf(path):
            if name is not None:
                graphs[str(name)].add((subject, predicate, obj))
    return dict(graphs)


def test_same_results_on_every_shape_fixture(shapes, fast):
    """The fixtures give every shape a conforming and a violating case (blank nodes included)."""
    graphs = fixture_graphs()
    assert len(graphs) > 50
    with_results = 0
    for name, data in sorted(graphs.items()):
        expected = shapes.validate(data, whole=False)[0]
        triples = [(from_rdflib(s), str(p), from_rdflib(o)) for s, p, o in data]
        assert keys(fast.findings_of_triples(triples)) == keys(expected), name
        with_results += bool(expected)
    assert with_results > 40


# --------------------------------------------------------------------------- deliberately broken records


def _edit(graph: RecordGraph, change: Callable[[list], list]) -> RecordGraph:
    broken = RecordGraph(graph.record_id, graph.iri)
    broken.own = change(list(graph.triples()))
    broken.shared = []
    return broken


def drop_names(triples: list) -> list:
    return [t for t in triples if t[1] not in (FOAF + "name", DCTERMS + "title")]


def literal_for_iri(triples: list) -> list:
    return [(s, p, Literal(o) if type(o) is IRI and p != RDF_TYPE else o) for s, p, o in triples]


def iri_for_literal(triples: list) -> list:
    return [(s, p, IRI("https://example.org/value") if type(o) is not IRI else o) for s, p, o in triples]


def issn_on_everything(triples: list) -> list:
    subjects = {s for s, _, _ in triples}
    extra = [(s, IRI(BIBO + "issn"), Literal("1234-567")) for s in subjects]
    extra += [(s, IRI(BIBO + "isbn"), Literal("978-3-16", None, "en")) for s in subjects]
    return triples + extra


def ill_typed(triples: list) -> list:
    return [(s, p, Literal("2020-13-45", o[1]) if type(o) is not IRI and o[1] else o) for s, p, o in triples]


def wrong_datatypes(triples: list) -> list:
    """Typed literals lose their type, plain ones gain a language tag or become integers."""
    changed = []
    for number, (s, p, o) in enumerate(triples):
        if type(o) is not IRI:
            if o[1]:
                o = Literal(o[0])
            elif number % 2:
                o = Literal(o[0], None, "en")
            else:
                o = Literal("007", XSD + "integer")
        changed.append((s, p, o))
    return changed


def drop_types(triples: list) -> list:
    return [t for t in triples if t[1] != RDF_TYPE or number_of(t[2]) % 2]


def number_of(term: object) -> int:
    return sum(map(ord, str(term)))


def confuse_classes(triples: list) -> list:
    """Records typed person, people typed organisation, self-links, second COAR types and degrees."""
    subjects = sorted({s for s, _, _ in triples})
    extra = []
    for s in subjects:
        extra.append((s, RDF_TYPE, IRI(FOAF + "Person")))
        extra.append((s, RDF_TYPE, IRI(FOAF + "Organization")))
        extra.append((s, IRI(DCTERMS + "isPartOf"), s))
        extra.append((s, IRI(DCTERMS + "type"), IRI("http://purl.org/coar/resource_type/c_6501")))
        extra.append((s, IRI(BIBO + "degree"), IRI("http://purl.org/ontology/bibo/degrees/ms")))
        extra.append((s, IRI("http://www.w3.org/2002/07/owl#sameAs"), IRI("https://orcid.org/0000")))
    return triples + extra


def drop_every_third(triples: list) -> list:
    return [t for number, t in enumerate(triples) if number % 3]


MUTATIONS = [
    drop_names,
    literal_for_iri,
    iri_for_literal,
    issn_on_everything,
    ill_typed,
    wrong_datatypes,
    drop_types,
    confuse_classes,
    drop_every_third,
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_same_results_on_broken_records(shapes, fast, mutation):
    results = 0
    for graph in CORPUS_GRAPHS[::2]:
        results += assert_same(shapes, fast, _edit(graph, mutation), f"{graph.record_id} ({mutation.__name__})")
    assert results > 0, "the mutation must break something"


# --------------------------------------------------------------------------- features kg's own shapes do not use

OTHER_FEATURES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix ex: <https://example.org/shapes#> .

ex:Authored a sh:PropertyShape ; sh:targetClass foaf:Person ; sh:path [ sh:inversePath dcterms:creator ] ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:BlankNodeOrIRI ; sh:class bibo:Document ;
    sh:severity sh:Warning ; sh:message "A person wrote one record here." .
ex:TitleCase a sh:PropertyShape ; sh:targetSubjectsOf dcterms:title ; sh:path dcterms:title ;
    sh:pattern "^the" ; sh:flags "i" ; sh:datatype rdfs:Literal ; sh:severity sh:Info ; sh:message "Starts with the." .
ex:English a sh:PropertyShape ; sh:targetClass bibo:Document ; sh:path dcterms:title ;
    sh:datatype rdf:langString ; sh:message "Titles are language-tagged." .
ex:Article a sh:PropertyShape ; sh:targetClass bibo:Document ; sh:path rdf:type ;
    sh:hasValue bibo:AcademicArticle ; sh:message "An article." .
ex:FewTypes a sh:PropertyShape ; sh:targetClass bibo:Document ; sh:path rdf:type ;
    sh:qualifiedValueShape [ sh:nodeKind sh:IRI ; sh:not [ sh:in ( bibo:Document ) ] ] ; sh:qualifiedMaxCount 1 ;
    sh:message "At most one specific class." .
ex:Nobody a sh:NodeShape ; sh:targetNode <https://repository.example.org/nobody> ;
    sh:or ( [ sh:path foaf:name ; sh:minCount 1 ] [ sh:class foaf:Agent ] ) ; sh:message "Nobody is named." .
"""


def test_same_results_with_other_core_features(tmp_path):
    """Inverse paths, sh:targetNode, sh:flags, top-level sh:hasValue, sh:qualifiedMaxCount, other node kinds."""
    (tmp_path / "other.ttl").write_text(OTHER_FEATURES, encoding="utf-8")
    shapes, fast = Shapes(tmp_path), FastShapes(tmp_path)
    assert fast.supported, fast.unsupported
    results = 0
    for graph in CORPUS_GRAPHS:
        for variant in (graph, _edit(graph, wrong_datatypes), _edit(graph, confuse_classes)):
            results += assert_same(shapes, fast, variant, graph.record_id)
    assert results > 0


# --------------------------------------------------------------------------- unsupported shapes and the CLI


def test_unsupported_features_are_named(tmp_path):
    (tmp_path / "odd.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:Short a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:label ; sh:maxLength 3 ;
    sh:message "Too long." .
ex:Named a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:label ; sh:minCount 1 ;
    sh:message "No label." .
""",
        encoding="utf-8",
    )
    fast = FastShapes(tmp_path)
    assert not fast.supported
    assert fast.unsupported == ["https://example.org/Short: sh:maxLength"]
    assert [shape.iri for shape in fast.shapes] == ["https://example.org/Named"]


STRICT_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix ex: <https://example.org/shapes#> .
ex:English a sh:PropertyShape ; sh:targetClass bibo:Document ; sh:path dcterms:title ;
    sh:datatype rdf:langString ; sh:message "Titles are language-tagged." .
ex:Article a sh:PropertyShape ; sh:targetClass bibo:Document ; sh:path rdf:type ;
    sh:hasValue bibo:AcademicArticle ; sh:severity sh:Warning ; sh:message "An article." .
"""


@pytest.mark.parametrize("strict", [False, True], ids=["kg shapes", "stricter shapes"])
def test_convert_validates_with_the_fast_engine_or_pyshacl(tmp_path, strict):
    """Same output and rejects from both engines, in one process or two (each record alone: --validate-batch 1)."""
    edge = CORPORA / "edge_cases.json"
    shapes_options: list = []
    if strict:
        (tmp_path / "shapes").mkdir()
        (tmp_path / "shapes" / "strict.ttl").write_text(STRICT_SHAPES, encoding="utf-8")
        shapes_options = ["--shapes", tmp_path / "shapes"]
    outputs = {}
    for validator, jobs in (("fast", "1"), ("fast", "2"), ("pyshacl", "1")):
        result = run_kg(
            "convert",
            edge,
            "-o",
            tmp_path / f"{validator}{jobs}.nt",
            "--validate",
            "--validator",
            validator,
            "--jobs",
            jobs,
            "--rejects",
            tmp_path / f"{validator}{jobs}.rejects.jsonl",
            "--validate-batch",
            "1",
            *shapes_options,
        )
        assert result.returncode in (0, 1), result.stderr.decode()
        outputs[validator + jobs] = (
            result.returncode,
            (tmp_path / f"{validator}{jobs}.nt").read_bytes(),
            (tmp_path / f"{validator}{jobs}.rejects.jsonl").read_bytes(),
        )
    assert (b"Titles are language-tagged." in outputs["pyshacl1"][2]) == strict
    assert outputs["fast1"] == outputs["pyshacl1"] == outputs["fast2"]


def test_convert_falls_back_to_pyshacl_for_unsupported_shapes(tmp_path):
    shapes_dir = tmp_path / "shapes"
    shapes_dir.mkdir()
    (shapes_dir / "title.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix ex: <https://example.org/> .
ex:ShortTitle a sh:PropertyShape ; sh:targetClass bibo:Document ; sh:path dcterms:title ; sh:maxLength 5 ;
    sh:severity sh:Violation ; sh:message "Title too long." .
""",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.jsonl"
    result = run_kg(
        "convert",
        ROOT / "examples" / "ista-dissertations.json",
        "-o",
        tmp_path / "out.nt",
        "--shapes",
        shapes_dir,
        "--rejects",
        rejects,
        "-q",
    )
    stderr = result.stderr.decode()
    assert "pyshacl" in stderr and "sh:maxLength" in stderr
    assert result.returncode == 1 and "Title too long." in rejects.read_text()
