"""Ready queries on a hand-built academic genealogy: embedded store, Oxigraph server and Virtuoso (if installed).

tests/data/genealogy.json (LibreCat records, mapped by the real mapper) holds:

    Ada ─┬─ Ben ─┬─ Dan (co-supervised by Ben and Cleo) ── Finn (Dan + Zoe) ── Hana (Finn + Cleo)
         │       └─ Eve (Ben + Zoe) ─┬─ Xavier (Eve + Yara) ⇄ Yara (Xavier)     ← a cycle (bad data)
         └─ Cleo ────────────────────┼───────────────────────────────────────── Hana: two paths, 2 and 4 from Ada
                                     └─ Mia: a master's thesis, not a doctoral edge

Zoe is an external supervisor known only by her ORCID (no local id), written differently on
the two theses she supervised. Finn's dissertation 105 contains the papers 201 and 202.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from conftest import GENEALOGY, SEEDS, run_kg

from kg.mapping import MappingContext
from kg.pipeline import process
from kg.query import (
    XSD_INTEGER,
    EndpointBackend,
    Param,
    QueryError,
    bind_values,
    catalogue,
    find_query,
    format_result,
    open_data,
    parse_query_file,
    plain_value,
    run_query,
    serialize_term,
)
from kg.rdf import IRI, XSD, Literal, literal
from kg.read import read_records
from kg.store import EmbeddedStore

BASE = "https://repository.example.org/"
ZOE = "person/orcid/0000-0002-7777-8887"
ZOE_ORCID = "0000-0002-7777-8887"
COAR_THESIS = "http://purl.org/coar/resource_type/c_46ec"
COAR_ARTICLE = "http://purl.org/coar/resource_type/c_6501"
EC = "funder/european-commission"


@pytest.fixture(params=["embedded", "server", "virtuoso"], ids=["embedded", "oxigraph-server", "virtuoso"])
def backend(request):
    """The same data on the embedded store, an Oxigraph server and (where installed) Virtuoso."""
    return request.getfixturevalue(request.param)


def short(value: str) -> str:
    return value[len(BASE) :] if value.startswith(BASE) else value


def answer(backend, name: str, **params: str) -> list[tuple[str, ...]]:
    result = run_query(find_query(name), params, backend)
    return [tuple(short(plain_value(row[v])) for v in result.variables) for row in result.rows]


# --- every query, exactly, on both stores ----------------------------------------------------------


def test_ancestors_take_the_shortest_path_over_co_supervision(backend):
    assert answer(backend, "ancestors", person="hana") == [
        ("1", "person/cleo", "Cleo Second"),
        ("1", "person/finn", "Finn Fourth"),
        ("2", "person/ada", "Ada Root"),  # via Cleo; 4 via Finn, Dan, Ben
        ("2", "person/dan", "Dan Third"),
        ("2", ZOE, "O'Neil, Zoe"),
        ("3", "person/ben", "Ben Second"),
    ]
    assert answer(backend, "ancestors", person="finn") == [
        ("1", "person/dan", "Dan Third"),
        ("1", ZOE, "O'Neil, Zoe"),
        ("2", "person/ben", "Ben Second"),
        ("2", "person/cleo", "Cleo Second"),
        ("3", "person/ada", "Ada Root"),
    ]
    assert answer(backend, "ancestors", person="hana", depth="1") == [
        ("1", "person/cleo", "Cleo Second"),
        ("1", "person/finn", "Finn Fourth"),
    ]


def test_descendants_over_four_generations_with_depth(backend):
    assert answer(backend, "descendants", person="ada") == [
        ("1", "person/ben", "Ben Second"),
        ("1", "person/cleo", "Cleo Second"),
        ("2", "person/dan", "Dan Third"),
        ("2", "person/eve", "Eve Third"),
        ("2", "person/hana", "Hana Fifth"),  # via Cleo, not 4 via Ben, Dan, Finn
        ("3", "person/finn", "Finn Fourth"),
        ("3", "person/xavier", "Xavier Loop"),
        ("4", "person/yara", "Yara Loop"),
    ]
    assert answer(backend, "descendants", person="ada", depth="2") == [
        ("1", "person/ben", "Ben Second"),
        ("1", "person/cleo", "Cleo Second"),
        ("2", "person/dan", "Dan Third"),
        ("2", "person/eve", "Eve Third"),
        ("2", "person/hana", "Hana Fifth"),
    ]


def test_masters_thesis_is_not_a_doctoral_edge(backend):
    assert answer(backend, "ancestors", person="mia") == []
    assert answer(backend, "advisors", person="mia") == []
    assert answer(backend, "students", person="eve") == [
        ("person/xavier", "Xavier Loop", "record/108", "Xavier in a loop", "2010", "person/eve")
    ]
    assert answer(backend, "supervised-theses", person="eve") == [
        ("record/108", "phd", "person/xavier", "Xavier Loop", "Xavier in a loop", "2010"),
        ("record/107", "ms", "person/mia", "Mia Master", "Mia's master thesis", "2012"),
    ]


def test_external_supervisor_known_by_orcid_is_one_person(backend):
    for given in (ZOE_ORCID, f"https://orcid.org/{ZOE_ORCID}", BASE + ZOE):
        assert answer(backend, "students", person=given) == [
            ("person/eve", "Eve Third", "record/104", "Eve with an external", "2009", ZOE),
            ("person/finn", "Finn Fourth", "record/105", 'Finn: "quotes" > braces }', "2015", ZOE),
        ]
    assert answer(backend, "descendants", person=ZOE_ORCID) == [
        ("1", "person/eve", "Eve Third"),
        ("1", "person/finn", "Finn Fourth"),
        ("2", "person/hana", "Hana Fifth"),
        ("2", "person/xavier", "Xavier Loop"),
        ("3", "person/yara", "Yara Loop"),
    ]


def test_a_cycle_is_reported_not_followed(backend):
    result = run_query(find_query("ancestors"), {"person": "xavier"}, backend)
    people = [(plain_value(r["generation"]), short(plain_value(r["ancestor"]))) for r in result.rows]
    assert people == [("1", "person/eve"), ("1", "person/yara"), ("2", "person/ben"), ("2", ZOE), ("3", "person/ada")]
    assert len(result.warnings) == 1
    assert "cycle" in result.warnings[0]
    assert "Xavier Loop" in result.warnings[0] and "Yara Loop" in result.warnings[0]
    descendants = run_query(find_query("descendants"), {"person": "ada"}, backend)
    assert len(descendants.warnings) == 1 and "Yara Loop" in descendants.warnings[0]
    # No cycle below Cleo: no warning.
    assert run_query(find_query("descendants"), {"person": "cleo"}, backend).warnings == []


def test_advisors_and_students_one_level(backend):
    assert answer(backend, "advisors", person="dan") == [
        ("person/ben", "Ben Second", "record/103", "Co-supervised dan", "2008", "person/dan"),
        ("person/cleo", "Cleo Second", "record/103", "Co-supervised dan", "2008", "person/dan"),
    ]
    assert answer(backend, "students", person="cleo") == [
        ("person/dan", "Dan Third", "record/103", "Co-supervised dan", "2008", "person/cleo"),
        ("person/hana", "Hana Fifth", "record/106", "Hana by two paths", "2020", "person/cleo"),
    ]


def test_co_supervisors_and_siblings(backend):
    assert answer(backend, "co-supervisors", person="ben") == [
        ("person/cleo", "Cleo Second", "record/103", "phd", "Co-supervised dan", "2008"),
        (ZOE, "O'Neil, Zoe", "record/104", "phd", "Eve with an external", "2009"),
    ]
    assert answer(backend, "academic-siblings", person="eve") == [
        ("person/dan", "Dan Third", "person/ben", "Ben Second"),
        ("person/finn", "Finn Fourth", ZOE, "O'Neil, Zoe"),
    ]


def test_supervision_network(backend):
    rows = answer(backend, "supervision-network")
    assert len(rows) == 13
    assert rows[:3] == [
        ("person/ada", "Ada Root", "person/ben", "Ben Second", "record/101", "2000", "1"),
        ("person/ada", "Ada Root", "person/cleo", "Cleo Second", "record/102", "2001", "1"),
        ("person/ben", "Ben Second", "person/dan", "Dan Third", "record/103", "2008", "2"),
    ]
    assert ("person/eve", "Eve Third", "person/mia", "Mia Master", "record/107", "2012", "1") not in rows
    assert answer(backend, "supervision-network", department="OtherLab") == [
        ("person/eve", "Eve Third", "person/xavier", "Xavier Loop", "record/108", "2010", "2"),
        ("person/yara", "Yara Loop", "person/xavier", "Xavier Loop", "record/108", "2010", "2"),
        ("person/xavier", "Xavier Loop", "person/yara", "Yara Loop", "record/109", "2011", "1"),
    ]


def test_top_supervisors(backend):
    assert answer(backend, "top-supervisors") == [
        ("person/ada", "Ada Root", "2"),
        ("person/ben", "Ben Second", "2"),
        ("person/cleo", "Cleo Second", "2"),
        (ZOE, "O'Neil, Zoe", "2"),
        ("person/dan", "Dan Third", "1"),
        ("person/eve", "Eve Third", "1"),  # Mia's master thesis does not count
        ("person/finn", "Finn Fourth", "1"),
        ("person/xavier", "Xavier Loop", "1"),
        ("person/yara", "Yara Loop", "1"),
    ]


def test_grants_and_funders(backend):
    doctoral_programme = ("665385", "H2020", "European Commission", "Doctoral Programme")
    assert answer(backend, "theses-by-grant") == [
        (*doctoral_programme, "record/103", "Co-supervised dan", "2008", "Dan Third"),
        (*doctoral_programme, "record/105", 'Finn: "quotes" > braces }', "2015", "Finn Fourth"),
        ("P 123", "FWF", "", "Loops & Cycles", "record/106", "Hana by two paths", "2020", "Hana Fifth"),
    ]
    assert [row[4] for row in answer(backend, "theses-by-grant", grant="P 123")] == ["record/106"]
    assert answer(backend, "outputs-by-funder") == [
        (EC, "European Commission", "1", "3", "2"),
        ("", "", "1", "1", "1"),
    ]


def test_dissertation_parts(backend):
    expected = [
        ("record/201", "First paper of Finn", "2013", COAR_ARTICLE),
        ("record/202", "Second paper of Finn", "2014", COAR_ARTICLE),
    ]
    assert answer(backend, "dissertation-parts", thesis="105") == expected
    assert answer(backend, "dissertation-parts", thesis=BASE + "record/105") == expected
    assert answer(backend, "dissertation-parts", thesis="101") == []


def test_orcid_coverage_and_records_by_type(backend):
    assert answer(backend, "orcid-coverage") == [
        ("department/GenLab", "", "8", "4", "50"),
        ("department/OtherLab", "", "4", "1", "25"),
        ("department/PaperLab", "", "3", "2", "67"),  # 66.7 rounded
    ]
    assert answer(backend, "orcid-coverage", department="OtherLab") == [("department/OtherLab", "", "4", "1", "25")]
    rows = answer(backend, "records-by-type-and-year")
    years = ["2000", "2001", "2008", "2009", "2010", "2011", "2012", "2015", "2020"]
    assert rows == [(COAR_THESIS, y, "1") for y in years] + [(COAR_ARTICLE, "2013", "1"), (COAR_ARTICLE, "2014", "1")]


@pytest.mark.parametrize("remote", ["server", "virtuoso"], ids=["oxigraph-server", "virtuoso"])
def test_every_catalogue_query_gives_the_same_answer_on_every_store(embedded, remote, request):
    other = request.getfixturevalue(remote)
    params = {"person": "dan", "thesis": "105", "depth": "2", "department": "GenLab", "grant": "665385"}
    for name, query in catalogue().items():
        for with_optional in (False, True):
            given = {p.name: params[p.name] for p in query.params if with_optional or not p.optional}
            here, there = run_query(query, given, embedded), run_query(query, given, other)
            assert here.variables == there.variables, name
            assert here.rows, (name, given)  # every query has an answer on the fixture
            assert here.rows == there.rows, (name, given)
            assert here.warnings == there.warnings, name


def test_plain_sparql_of_the_generation_queries_lists_the_same_people(backend):
    """ancestors.rq/descendants.rq run as ordinary SPARQL (no generations) agree with the engine."""
    for name, column in (("ancestors", "ancestor"), ("descendants", "descendant")):
        query = find_query(name)
        for person in ("ada", "ben", "eve", "finn", "hana", "xavier", "yara"):
            iri = IRI(BASE + "person/" + person)
            plain = backend.select(bind_values(query.sparql, {"person": iri}))
            engine = run_query(query, {"person": person}, backend)
            assert {r[column] for r in plain.rows} == {r[column] for r in engine.rows}, (name, person)


# --- parameters: resolution, errors, injection ------------------------------------------------------


def test_unknown_person_and_bad_parameters_are_clear_errors(embedded):
    with pytest.raises(QueryError, match="no person with id 'nobody'"):
        run_query(find_query("advisors"), {"person": "nobody"}, embedded)
    with pytest.raises(QueryError, match="no person with ORCID 0000-0002-1825-0097"):
        run_query(find_query("advisors"), {"person": "0000-0002-1825-0097"}, embedded)
    with pytest.raises(QueryError, match=r"needs person \(person\)"):
        run_query(find_query("advisors"), {}, embedded)
    with pytest.raises(QueryError, match=r"has no parameter colour; its parameters: person \(person\)"):
        run_query(find_query("advisors"), {"person": "ada", "colour": "red"}, embedded)
    with pytest.raises(QueryError, match="not an integer"):
        run_query(find_query("descendants"), {"person": "ada", "depth": "two"}, embedded)
    with pytest.raises(QueryError, match="unknown query 'nope'; known queries: academic-siblings, advisors"):
        find_query("nope")


INJECTIONS = [
    'ada" } UNION { ?thesis ?p ?o } #',
    "ada> } ; DROP ALL ; #",
    '665385" } } SELECT * WHERE { ?s ?p ?o } #',
    "x'''\"\"\" } > < \\ \n # {",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_attempts_stay_one_literal(backend, value):
    # As a grant number the value is a literal: it matches nothing and changes nothing.
    assert answer(backend, "theses-by-grant", grant=value) == []
    # As a person it is an id that does not exist.
    with pytest.raises(QueryError, match="no person with id"):
        run_query(find_query("advisors"), {"person": value}, backend)
    # Bound into a query and read back, it comes back exactly as given.
    echoed = backend.select(bind_values("SELECT ?text WHERE { }", {"text": Literal(value)}))
    assert [row["text"] for row in echoed.rows] == [Literal(value)]


def test_iri_parameters_are_checked(backend):
    for bad in ("https://x.org/a> } UNION { ?s ?p ?o", 'https://x.org/"', "https://x.org/{a}"):
        with pytest.raises(QueryError, match="not a valid IRI"):
            run_query(find_query("advisors"), {"person": bad}, backend)
        with pytest.raises(QueryError, match="not a valid IRI"):
            serialize_term(IRI(bad))


def test_a_literal_made_by_the_mapping_binds_as_a_literal():
    for fields in [('a "b"', None, None), ("x", None, "en"), ("2020", XSD + "gYear", None)]:
        assert serialize_term(literal(*fields)) == serialize_term(Literal(*fields))
    with pytest.raises(QueryError, match="not a language tag"):
        serialize_term(literal("x", None, "en } UNION {"))
    with pytest.raises(QueryError, match="cannot bind"):
        serialize_term(("a", "b"))  # type: ignore[arg-type]


def test_values_go_into_the_where_group_not_into_strings_comments_or_iris():
    sparql = (
        "PREFIX ex: <http://example.org/a#b>  # a comment with { braces }\n"
        'SELECT ?x ("{" AS ?brace) WHERE # { not here\n'
        "{ ?x ex:p '''}{''' }"
    )
    bound = bind_values(sparql, {"x": IRI("http://example.org/x")})
    assert bound.endswith("{ VALUES (?x) { (<http://example.org/x>) } ?x ex:p '''}{''' }")
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert bind_values(construct, {"s": IRI("http://e/s")}) == (
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<http://e/s>) } ?s ?p ?o }"
    )


# --- the command line ------------------------------------------------------------------------------


def test_kg_queries_lists_every_query_with_its_parameters():
    completed = run_kg("queries")
    assert completed.returncode == 0, completed.stderr
    listing = completed.stdout.decode()
    for name, query in catalogue().items():
        assert name in listing and query.title in listing
        for param in query.params:
            assert param.usage() in listing
    required = {
        "ancestors", "descendants", "advisors", "students", "co-supervisors", "academic-siblings",
        "supervision-network", "top-supervisors", "theses-by-grant", "outputs-by-funder",
        "dissertation-parts", "orcid-coverage", "records-by-type-and-year",
    }  # fmt: skip
    assert required <= set(catalogue())


def test_kg_query_errors_exit_2_with_a_message():
    completed = run_kg("query", "nope", "--data", GENEALOGY)
    assert completed.returncode == 2
    assert b"known queries: academic-siblings" in completed.stderr and b"Traceback" not in completed.stderr
    completed = run_kg("query", "descendants", "--data", GENEALOGY)
    assert completed.returncode == 2 and b"needs person (person)" in completed.stderr
    completed = run_kg("query", "advisors", "-p", 'person=ada" }', "--data", GENEALOGY)
    assert completed.returncode == 2 and b"no person with id" in completed.stderr


def test_kg_query_formats_on_data_files(tmp_path):
    args = ("query", "descendants", "--param", "person=ben", "--data", GENEALOGY)
    table = run_kg(*args)
    assert table.returncode == 0, table.stderr
    assert b"warning: cycle in the doctoral-advisor graph" in table.stderr
    assert b"Hana Fifth" in table.stdout and b"(6 rows)" in table.stdout
    as_csv = run_kg(*args, "-f", "csv").stdout.decode().splitlines()
    assert as_csv[0] == "generation,descendant,name"
    assert as_csv[1] == f"1,{BASE}person/dan,Dan Third"
    as_tsv = run_kg(*args, "-f", "tsv").stdout.decode().splitlines()
    assert as_tsv[-1] == f"3\t{BASE}person/yara\tYara Loop"
    as_json = json.loads(run_kg(*args, "-f", "json").stdout)
    assert as_json["head"]["vars"] == ["generation", "descendant", "name"]
    first = as_json["results"]["bindings"][0]
    assert first["generation"] == {
        "type": "literal",
        "value": "1",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    assert first["descendant"] == {"type": "uri", "value": f"{BASE}person/dan"}
    # The same answer from an N-Quads dump of the records.
    dump = tmp_path / "genealogy.nq"
    assert run_kg("convert", GENEALOGY, "-o", dump).returncode == 0
    assert (
        run_kg("query", "descendants", "--param", "person=ben", "--data", dump, "-f", "csv")
        .stdout.decode()
        .splitlines()
        == as_csv
    )


def test_kg_query_on_an_embedded_store_and_an_endpoint(tmp_path, server_url):
    store_dir = tmp_path / "store"
    store = EmbeddedStore(str(store_dir))
    for outcome in process(read_records([str(GENEALOGY)]), MappingContext()):
        store.replace_record(outcome.graph)
    store.flush()
    del store
    on_store = run_kg("query", "ancestors", "-p", "person=hana", "--store", store_dir, "-f", "csv")
    assert on_store.returncode == 0, on_store.stderr
    on_endpoint = run_kg(
        "query", "ancestors", "-p", "person=hana", "--endpoint", f"{server_url}/query?union-default-graph", "-f", "csv"
    )
    assert on_endpoint.returncode == 0, on_endpoint.stderr
    assert on_store.stdout == on_endpoint.stdout
    assert on_store.stdout.decode().splitlines()[1:3] == [
        f"1,{BASE}person/cleo,Cleo Second",
        f"1,{BASE}person/finn,Finn Fourth",
    ]
    missing = run_kg("query", "top-supervisors", "--store", tmp_path / "nowhere")
    assert missing.returncode == 2 and b"no store at" in missing.stderr


def test_a_query_file_with_an_undeclared_parameter(tmp_path):
    query_file = tmp_path / "echo.rq"
    query_file.write_text("SELECT ?text WHERE { }\n")
    value = 'He said "hi" > } { \\ then left'
    completed = run_kg("query", query_file, "-p", f"text={value}", "--data", GENEALOGY, "-f", "json")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["results"]["bindings"] == [{"text": {"type": "literal", "value": value}}]
    unknown = run_kg("query", query_file, "-p", "colour=red", "--data", GENEALOGY)
    assert unknown.returncode == 2 and b"no variable ?colour" in unknown.stderr


def test_table_output_is_aligned():
    result = run_query(find_query("advisors"), {"person": "dan"}, open_data([str(GENEALOGY)]))
    lines = format_result(result, "table").splitlines()
    assert lines[0].split() == ["advisor", "name", "thesis", "title", "year", "person"]
    assert lines[-1] == "(2 rows)"
    assert lines[2].index("Ben Second") == lines[0].index("name")


def test_data_takes_several_files_of_both_kinds(tmp_path):
    dump = tmp_path / "ista.nt"
    assert run_kg("convert", SEEDS, "-o", dump).returncode == 0
    completed = run_kg("query", "top-supervisors", "--data", GENEALOGY, dump, "-f", "csv")
    assert completed.returncode == 0, completed.stderr
    names = [line.split(",")[1] for line in completed.stdout.decode().splitlines()[1:]]
    assert "Ada Root" in names and "Dan-Adrian Alistarh" in names
    stray = run_kg("query", "top-supervisors", GENEALOGY)
    assert stray.returncode == 2 and b"data files follow --data" in stray.stderr


def test_query_file_headers_are_checked(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# param: who (colour) the who\nSELECT * WHERE { }\n")
    with pytest.raises(QueryError, match="TYPE one of person, department"):
        parse_query_file(bad)
    good = tmp_path / "good.rq"
    good.write_text(
        "# title: Echo\n# description: first line\n#   and the second\n"
        "# param: year (integer, optional) a year\nSELECT ?year WHERE { }\n"
    )
    query = parse_query_file(good)
    assert (query.title, query.description) == ("Echo", "first line and the second")
    assert query.params == (Param("year", "integer", True, "a year"),)
    result = run_query(query, {"year": "2020"}, open_data([str(GENEALOGY)]))
    assert result.rows == [{"year": Literal("2020", XSD_INTEGER)}]
    with pytest.raises(QueryError, match="'20x' is not an integer"):
        run_query(query, {"year": "20x"}, open_data([str(GENEALOGY)]))


def test_an_oxigraph_query_url_without_the_union_gets_a_note(server_url):
    completed = run_kg("query", "ancestors", "-p", "person=hana", "--endpoint", f"{server_url}/query")
    assert b"use \xe2\x80\xa6/query?union-default-graph" in completed.stderr
    assert completed.returncode == 2 and b"no person with id 'hana'" in completed.stderr


def test_a_parameter_that_is_not_utf8_is_refused():
    completed = run_kg("query", "advisors", "-p", "person=a\udcffb", "--data", GENEALOGY)
    assert completed.returncode == 2 and b"not valid UTF-8" in completed.stderr and b"Traceback" not in completed.stderr


def test_kg_queries_as_json():
    completed = run_kg("queries", "-f", "json")
    assert completed.returncode == 0, completed.stderr
    listing = {entry["name"]: entry for entry in json.loads(completed.stdout)}
    assert set(listing) == set(catalogue())
    parameters = listing["descendants"]["parameters"]
    assert [(p["name"], p["type"], p["optional"]) for p in parameters] == [
        ("person", "person", False),
        ("depth", "integer", True),
    ]
    assert parameters[1]["description"] == "the number of generations to follow (default: all)"


@pytest.fixture(scope="module")
def corpus_backends(start_oxigraph, request):
    """The shared LibreCat corpora and the seeds: embedded, Oxigraph server, Virtuoso (where installed)."""
    import pyoxigraph as ox
    from conftest import corpus_files, post_nquads

    embedded = open_data([str(f) for f in corpus_files()])
    nquads = embedded.store.dump(format=ox.RdfFormat.N_QUADS)
    url = start_oxigraph()
    post_nquads(url, nquads)
    backends = [embedded, EndpointBackend(f"{url}/query?union-default-graph")]
    with contextlib.suppress(pytest.skip.Exception):  # no Virtuoso: the tests above say so visibly
        backends.append(EndpointBackend(request.getfixturevalue("start_virtuoso")(nquads)))
    return backends


def test_real_corpora_give_the_same_answers_on_every_store(corpus_backends):
    embedded, *others = corpus_backends
    people = [row["advisor"] for row in run_query(find_query("top-supervisors"), {}, embedded).rows]
    assert people
    for name, query in catalogue().items():
        required = [p for p in query.params if not p.optional]
        if any(p.name != "person" for p in required):
            continue
        for person in people if required else [None]:
            given = {"person": str(person)} if required else {}
            expected = run_query(query, given, embedded)
            for other in others:
                assert run_query(query, given, other).rows == expected.rows, (name, given, other.url)
