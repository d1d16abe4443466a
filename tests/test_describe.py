"""VoID + DCAT + PROV-O descriptions: beside every dump, in a graph of their own in every store."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime

import pyoxigraph as ox
import pytest
import rdflib
from conftest import PUBLICATIONS, SEEDS, run_kg, sparql_select

from kg import __version__
from kg.describe import description_path

BASE = "https://repository.example.org"
RECORDS = f"{BASE}/record/"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DATASET = rdflib.URIRef(f"{BASE}/kg/dataset")
# rdflib's own parsers use its deprecated APIs internally.
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated, use Dataset:DeprecationWarning")


def void_figures(graph: rdflib.Graph) -> tuple[int, int, dict[str, int]]:
    triples = int(graph.value(DATASET, VOID.triples))
    entities = int(graph.value(DATASET, VOID.entities))
    classes = {
        str(graph.value(part, VOID["class"])): int(graph.value(part, VOID.entities))
        for part in graph.objects(DATASET, VOID.classPartition)
    }
    return triples, entities, classes


COUNTS = """
SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {scope} }} }}
"""


@pytest.mark.parametrize("name", ["graph.ttl", "graph.nq", "graph.jsonld", "graph.nt.gz"])
def test_convert_writes_a_description_beside_the_dump(tmp_path, name, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dump = tmp_path / name
    result = run_kg("convert", SEEDS, PUBLICATIONS, "-o", dump, "-q")
    assert result.returncode == 0, result.stderr.decode()
    described = tmp_path / "graph.void.ttl"
    assert description_path(str(dump)) == str(described)
    graph = rdflib.Graph().parse(described, format="turtle")

    # Counts, checked against rdflib (an independent parser and SPARQL engine) on the dump itself.
    data = rdflib.Dataset()
    fmt = {"ttl": "turtle", "nq": "nquads", "jsonld": "json-ld", "gz": "nt"}[name.rsplit(".", 1)[1]]
    if name.endswith(".gz"):
        import gzip

        data.parse(data=gzip.decompress(dump.read_bytes()).decode(), format=fmt)
    else:
        data.parse(dump, format=fmt)
    union = {(s, p, o) for s, p, o, _ in data.quads((None, None, None, None))}
    typed = {(s, o) for s, p, o in union if p == rdflib.RDF.type}
    triples, entities, classes = void_figures(graph)
    assert triples == len(union)
    assert entities == len({s for s, _ in typed})
    assert classes == {str(c): len({s for s, c2 in typed if c2 == c}) for c in {c for _, c in typed}}

    # The distribution: the very bytes of the dump.
    (dist,) = graph.objects(DATASET, DCAT.distribution)
    assert int(graph.value(dist, DCAT.byteSize)) == dump.stat().st_size
    checksum = graph.value(dist, SPDX.checksum)
    assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256) in graph
    assert graph.value(DATASET, DCT.license) is not None and graph.value(DATASET, DCT.title) is not None
    if name.endswith(".gz"):
        assert graph.value(dist, DCAT.compressFormat) is not None

    # Provenance: kg and its version, when, from which inputs (with their checksums).
    run = graph.value(DATASET, PROV.wasGeneratedBy)
    agent = graph.value(run, PROV.wasAssociatedWith)
    assert str(graph.value(agent, DCT.hasVersion)) == __version__
    assert graph.value(DATASET, PROV.generatedAtTime).toPython() == datetime.fromtimestamp(1700000000, UTC)
    used = {
        str(graph.value(entity, DCT.title)): str(graph.value(graph.value(entity, SPDX.checksum), SPDX.checksumValue))
        for entity in graph.objects(run, PROV.used)
    }
    assert used == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (SEEDS, PUBLICATIONS)}


def test_no_description_for_stdout(tmp_path):
    result = run_kg("convert", SEEDS, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout
    assert not list(tmp_path.glob("*.void.ttl"))


def test_licence_and_title_options(tmp_path):
    dump = tmp_path / "g.nt"
    licence = "https://creativecommons.org/licenses/by/4.0/"
    assert run_kg("convert", SEEDS, "-o", dump, "--license", licence, "--title", "ISTA theses").returncode == 0
    graph = rdflib.Graph().parse(tmp_path / "g.void.ttl", format="turtle")
    assert str(graph.value(DATASET, DCT.license)) == licence
    assert str(graph.value(DATASET, DCT.title)) == "ISTA theses"


def store_counts(select, scope_prefix: str) -> tuple[int, int, dict[str, int]]:
    """The figures straight from SPARQL COUNT over the record graphs of a store."""
    scope = f'GRAPH ?g {{ %s }} FILTER(STRSTARTS(STR(?g), "{scope_prefix}"))'
    triples = select(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {scope % '?s ?p ?o'} }} }}")
    entities = select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {scope % '?s a ?c'} }}")
    classes = select(f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {scope % '?s a ?c'} }} GROUP BY ?c")
    return int(triples[0]["n"]), int(entities[0]["n"]), {r["c"]: int(r["n"]) for r in classes}


def graph_of(rows: list[dict]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for row in rows:
        obj = row["o"]
        if obj["type"] == "uri":
            value = rdflib.URIRef(obj["value"])
        else:
            value = rdflib.Literal(obj["value"], lang=obj.get("xml:lang"), datatype=obj.get("datatype"))
        graph.add((rdflib.URIRef(row["s"]["value"]), rdflib.URIRef(row["p"]["value"]), value))
    return graph


def test_load_puts_the_description_in_its_own_graph(tmp_path):
    store_path = tmp_path / "store"
    assert run_kg("load", SEEDS, PUBLICATIONS, "--store", store_path).returncode == 0
    store = ox.Store.read_only(str(store_path))
    description = rdflib.Graph()
    nt = ox.serialize(
        [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(f"{BASE}/kg/description"))],
        format=ox.RdfFormat.N_TRIPLES,
    )
    description.parse(data=nt.decode(), format="nt")
    assert len(description) > 0

    def select(query):
        results = store.query(query)
        names = [v.value for v in results.variables]
        return [{n: s[n].value for n in names} for s in results]

    assert void_figures(description) == store_counts(select, RECORDS)
    assert void_figures(description)[0] > 0


def test_push_puts_the_description_in_its_own_graph(oxigraph_server):
    assert run_kg("push", SEEDS, PUBLICATIONS, "--endpoint", oxigraph_server.query_url).returncode == 0
    rows = oxigraph_server.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{BASE}/kg/description> {{ ?s ?p ?o }} }}")
    description = graph_of(rows)

    def select(query):
        return [{k: v["value"] for k, v in row.items()} for row in oxigraph_server.select(query)]

    assert void_figures(description) == store_counts(select, RECORDS)
    assert str(description.value(DATASET, VOID.sparqlEndpoint)) == oxigraph_server.query_url


def test_virtuoso_description_counts_only_our_graphs(virtuoso_server, monkeypatch):
    base = "https://virtuoso-describe.example.org"
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso_server.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso_server.password)
    monkeypatch.setenv("KG_ENDPOINT_AUTH", "digest")
    result = run_kg(
        "push",
        SEEDS,
        "--endpoint",
        virtuoso_server.query_url,
        "--update-endpoint",
        virtuoso_server.update_url,
        "--base",
        base,
    )
    assert result.returncode == 0, result.stderr.decode()
    rows = sparql_select(
        virtuoso_server.query_url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{base}/kg/description> {{ ?s ?p ?o }} }}"
    )
    description = graph_of(rows)

    def select(query):
        return [{k: v["value"] for k, v in row.items()} for row in sparql_select(virtuoso_server.query_url, query)]

    dataset = rdflib.URIRef(f"{base}/kg/dataset")
    triples = int(description.value(dataset, VOID.triples))
    assert triples == store_counts(select, f"{base}/record/")[0] > 0


def test_counts_gathered_while_writing_equal_a_count_of_the_dump_read_back(tmp_path):
    """kg convert describes a dump from the writer's own counts (memory stays flat); they must be exact."""
    from conftest import corpus_files

    from kg.describe import count_dump
    from kg.generate import write_corpus
    from kg.pipeline import convert

    generated = tmp_path / "generated.jsonl"
    write_corpus(1500, str(generated), seed=3)
    inputs = [str(p) for p in corpus_files()] + [str(generated)]
    for fmt, jobs in (("nt", 1), ("nq", 2), ("ttl", 1), ("jsonld", 2)):
        dump = tmp_path / f"dump.{fmt}"
        streamed = convert(inputs, str(dump), jobs=jobs).counts
        read_back = count_dump(str(dump))
        assert streamed.distinct_objects is None
        read_back.distinct_objects = None
        assert streamed == read_back, fmt
        assert streamed.triples > 10_000 and len(streamed.classes) > 15


def place_in(store, sources, *, incremental=False, full=False):
    from kg.mapping import MappingContext
    from kg.pipeline import Summary
    from kg.sync import place

    context = MappingContext()
    return place(sources, store, context=context, summary=Summary(), incremental=incremental, full=full)


def counted_with_sparql(store):
    from kg.describe import count, store_scope
    from kg.sync import state_graph

    return count(store.select, store_scope(state_graph(BASE)), objects=False)


def test_counts_gathered_while_placing_equal_a_count_of_the_store(tmp_path):
    """kg load / push count the store's graphs as they stream by (SPARQL COUNT(DISTINCT) over a
    million records held every distinct term in memory); the figures must be the store's."""
    from conftest import corpus_files

    from kg.generate import write_corpus
    from kg.store import EmbeddedStore

    generated = tmp_path / "generated.jsonl"
    write_corpus(1500, str(generated), seed=5)
    store = EmbeddedStore(None)
    plan = place_in(store, [str(p) for p in corpus_files()] + [str(generated)])
    assert plan.counts is not None and plan.counts.distinct_objects is None
    assert plan.counts == counted_with_sparql(store)
    assert plan.counts.triples > 10_000 and len(plan.counts.classes) > 15


def test_a_sync_of_every_graph_counts_while_placing_one_of_part_of_the_store_counts_the_store(tmp_path):
    from kg.store import EmbeddedStore

    records = json.loads(PUBLICATIONS.read_text())
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps(records[:8]))
    second.write_text(json.dumps(records[8:]))
    store = EmbeddedStore(None)
    place_in(store, [str(first), str(second)])
    # Unchanged graphs are counted too: the run saw them.
    rerun = place_in(store, [str(first), str(second)], incremental=True)
    assert rerun.unchanged > 0 and rerun.counts == counted_with_sparql(store)
    # The graphs of *second* stay in the store, unseen: only the store can count them.
    assert place_in(store, [str(first)], incremental=True).counts is None
    # A full export withdraws what it misses: the run knows the whole store again.
    full = place_in(store, [str(first)], incremental=True, full=True)
    assert full.remove and full.counts == counted_with_sparql(store)


def test_a_partial_sync_describes_the_whole_store(tmp_path):
    records = json.loads(PUBLICATIONS.read_text())
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps(records[:8]))
    second.write_text(json.dumps(records[8:]))
    store_path = tmp_path / "store"
    assert run_kg("load", first, second, "--store", store_path).returncode == 0
    edited = copy.deepcopy(records[:8])
    edited[0]["title"] += " (revised)"
    first.write_text(json.dumps(edited))
    result = run_kg("sync", first, "--store", store_path)
    assert result.returncode == 0, result.stderr.decode()
    store = ox.Store.read_only(str(store_path))
    nt = ox.serialize(
        [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(f"{BASE}/kg/description"))],
        format=ox.RdfFormat.N_TRIPLES,
    )
    description = rdflib.Graph().parse(data=nt.decode(), format="nt")

    def select(query):
        results = store.query(query)
        names = [v.value for v in results.variables]
        return [{n: s[n].value for n in names} for s in results]

    figures = void_figures(description)
    assert figures == store_counts(select, RECORDS)
    assert figures[0] > 0 and description.value(DATASET, VOID.distinctObjects) is None


def test_rdf_inputs_are_counted_by_the_store(tmp_path):
    """Graphs read from RDF files are not the writers' to count: the store counts them."""
    from kg.store import EmbeddedStore

    extra = tmp_path / "extra.nt"
    extra.write_text('<https://other.example/a> <http://purl.org/dc/terms/title> "A" .\n')
    store = EmbeddedStore(None)
    plan = place_in(store, [str(PUBLICATIONS), str(extra)])
    assert plan.counts is None
    assert counted_with_sparql(store).triples > 1
