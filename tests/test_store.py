"""kg load: the embedded Oxigraph store holds exactly what a dump holds, one graph per record."""

from __future__ import annotations

import json

import pyoxigraph as ox
from conftest import PUBLICATIONS, SEEDS, file_quads, run_kg, store_quads

from kg.store import EmbeddedStore
from kg.sync import description_graph, state_graph

BASE = "https://repository.example.org"
RECORDS = f"{BASE}/record/"


def dump(tmp_path, *inputs, name="dump.nq"):
    out = tmp_path / name
    result = run_kg("convert", *inputs, "-o", out, "-q")
    assert result.returncode == 0, result.stderr.decode()
    return out


def test_load_gives_the_quads_of_the_dump(tmp_path):
    store = tmp_path / "store"
    result = run_kg("load", SEEDS, PUBLICATIONS, "--store", store)
    assert result.returncode == 0, result.stderr.decode()
    expected = file_quads(dump(tmp_path, SEEDS, PUBLICATIONS))
    assert expected
    assert store_quads(store, RECORDS) == expected
    assert b"add 19, replace 0, remove 0 graphs" in result.stderr


def test_each_record_is_a_named_graph_and_queries_see_the_union(tmp_path):
    store_path = tmp_path / "store"
    assert run_kg("load", SEEDS, "--store", store_path).returncode == 0
    store = EmbeddedStore(str(store_path))
    graphs = {g.value for g in store.store.named_graphs()}
    assert {f"{RECORDS}13074", f"{RECORDS}10429"} <= graphs
    rows = list(store.query("SELECT ?title WHERE { ?doc <http://purl.org/dc/terms/title> ?title }"))
    assert len(rows) >= 2


def test_loading_the_same_input_twice_gives_the_same_store(tmp_path, monkeypatch):
    # A fixed generation time (reproducible builds) makes even the description graph equal.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    store = tmp_path / "store"
    assert run_kg("load", SEEDS, PUBLICATIONS, "--store", store).returncode == 0
    first = store_quads(store, "")
    second_run = run_kg("load", SEEDS, PUBLICATIONS, "--store", store)
    assert second_run.returncode == 0
    second = store_quads(store, "")
    assert first == second
    assert any(f"<{state_graph(BASE)}>" in q for q in first)
    assert any(f"<{description_graph(BASE)}>" in q for q in first)
    assert b"add 0, replace 19, remove 0 graphs" in second_run.stderr


def test_rdf_inputs_keep_their_graphs_or_get_one_named_after_the_file(tmp_path):
    nquads = dump(tmp_path, SEEDS, name="seeds.nq")
    turtle = dump(tmp_path, PUBLICATIONS, name="pubs.ttl")
    store = tmp_path / "store"
    result = run_kg("load", nquads, turtle, "--store", store)
    assert result.returncode == 0, result.stderr.decode()
    assert store_quads(store, RECORDS) == file_quads(nquads)
    in_file_graph = store_quads(store, f"{BASE}/graph/pubs.ttl")
    reference = ox.Store()
    reference.load(path=str(turtle), format=ox.RdfFormat.TURTLE)
    assert len(in_file_graph) == len(reference) > 0
    # --graph names the graph of a triples-only input.
    store2 = tmp_path / "store2"
    assert run_kg("load", turtle, "--graph", "https://example.org/g/pubs", "--store", store2).returncode == 0
    assert len(store_quads(store2, "https://example.org/g/pubs")) == len(reference)


def test_broken_rdf_names_the_file_and_line_without_a_traceback(tmp_path):
    broken = tmp_path / "broken.nt"
    broken.write_text(
        '<https://a.example/s> <https://a.example/p> "fine" .\n<https://a.example/s> <https://a.example/p> "open .\n'
    )
    result = run_kg("load", broken, "--store", tmp_path / "store")
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "broken.nt" in err and "line 2" in err
    assert "Traceback" not in err


def test_withdrawn_and_rejected_records_are_accounted(tmp_path):
    records = json.loads(SEEDS.read_text())
    store = tmp_path / "store"
    assert run_kg("load", SEEDS, "--store", store).returncode == 0
    records[0]["status"] = "deleted"
    records.append({"_id": "broken", "type": "journal_article", "status": "public"})  # no title: rejected
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(records))
    result = run_kg("load", changed, "--store", store, "--rejects", tmp_path / "rejects.jsonl")
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "1 rejected" in err and "1 skipped" in err
    assert "remove 1 graphs" in err
    graphs = {q.split()[-2] for q in store_quads(store, RECORDS)}
    assert graphs == {f"<{RECORDS}{records[1]['_id']}>"}
    assert json.loads((tmp_path / "rejects.jsonl").read_text().splitlines()[0])["record"] == "broken"


def test_a_store_in_use_gives_a_clear_error(tmp_path):
    store_path = tmp_path / "store"
    holder = EmbeddedStore(str(store_path))
    try:
        result = run_kg("load", SEEDS, "--store", store_path)
    finally:
        holder.close()
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "cannot open the store" in err and "Traceback" not in err


def test_rdf_cannot_overwrite_kgs_own_graphs(tmp_path):
    sneaky = tmp_path / "sneaky.nq"
    sneaky.write_text(f'<https://a.example/s> <https://a.example/p> "x" <{BASE}/kg/sync-state> .\n')
    result = run_kg("load", sneaky, "--store", tmp_path / "store")
    assert result.returncode == 2
    assert "reserved" in result.stderr.decode()
    bad_graph = run_kg("load", sneaky, "--graph", "not an iri", "--store", tmp_path / "store")
    assert bad_graph.returncode == 2 and "not an absolute IRI" in bad_graph.stderr.decode()


def test_a_missing_input_is_a_usage_error(tmp_path):
    result = run_kg("load", tmp_path / "nowhere.json", "--store", tmp_path / "store")
    assert result.returncode == 2
    assert "nowhere.json: no such file" in result.stderr.decode()


def test_kgs_own_graphs_say_nothing_about_records(tmp_path):
    """Queries read the union of all graphs: the state and description must not add to a record."""
    store_path = tmp_path / "store"
    assert run_kg("load", SEEDS, PUBLICATIONS, "--store", store_path).returncode == 0
    own = store_quads(store_path, f"{BASE}/kg/")
    assert own
    assert not [q for q in own if q.startswith(f"<{RECORDS}")]
