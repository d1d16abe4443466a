"""write: every format parses back, with rdflib and with pyoxigraph, to the same graph."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
import rdflib
from conftest import SEEDS, corpus_files, native_text_module, record, run_kg

from kg.mapping import MappingOptions
from kg.pipeline import convert
from kg.write import FormatError, format_for

RDFLIB = {"nt": "nt", "nq": "nquads", "ttl": "turtle", "trig": "trig", "jsonld": "json-ld", "rdf": "xml"}
OXIGRAPH = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}
INPUTS = [str(p) for p in corpus_files()]


def rdflib_triples(path, fmt):
    dataset = rdflib.Dataset()
    dataset.parse(str(path), format=RDFLIB[fmt])
    return {(s.n3(), p.n3(), o.n3()) for s, p, o, _ in dataset.quads()}


def oxigraph_triples(path, fmt):
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(path=str(path), format=OXIGRAPH[fmt])}


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dumps")
    out = {}
    for fmt in RDFLIB:
        out[fmt] = folder / f"all.{fmt}"
        convert(INPUTS, str(out[fmt]))
    return out


@pytest.mark.parametrize("fmt", sorted(RDFLIB))
def test_every_format_parses_back_to_the_same_graph(dumps, fmt):
    reference_rdflib = rdflib_triples(dumps["nt"], "nt")
    reference_ox = oxigraph_triples(dumps["nt"], "nt")
    assert len(reference_rdflib) > 500
    assert rdflib_triples(dumps[fmt], fmt) == reference_rdflib
    assert oxigraph_triples(dumps[fmt], fmt) == reference_ox


def test_quads_hold_one_graph_per_record(dumps):
    graphs = {str(q.graph_name) for q in ox.parse(path=str(dumps["nq"]), format=ox.RdfFormat.N_QUADS)}
    assert "<https://repository.example.org/record/13074>" in graphs
    assert all("/record/" in g for g in graphs)


def test_triple_formats_write_shared_triples_once(dumps):
    lines = dumps["nt"].read_text().splitlines()
    assert len(lines) == len(set(lines))
    alistarh = [
        line
        for line in lines
        if line.startswith("<https://repository.example.org/person/4A899BFC") and "foaf/0.1/name" in line
    ]
    assert len(alistarh) == 1


def test_same_input_gives_byte_identical_ntriples_and_nquads(tmp_path):
    for fmt in ("nt", "nq", "nt.gz"):
        first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        convert(INPUTS, str(first))
        convert(INPUTS, str(second))
        assert first.read_bytes() == second.read_bytes()


def test_gzip_output_and_format_by_suffix(tmp_path):
    out = tmp_path / "seeds.ttl.gz"
    convert([str(SEEDS)], str(out))
    text = gzip.decompress(out.read_bytes()).decode()
    assert text.startswith("@prefix")
    assert len(rdflib.Graph().parse(data=text, format="turtle")) == seed_triple_count()


def test_jsonld_context_is_embedded_and_compact(dumps):
    import json

    document = json.loads(dumps["jsonld"].read_text())
    assert document["@context"]["dcterms"] == "http://purl.org/dc/terms/"
    thesis = next(n for n in document["@graph"] if n["@id"].endswith("/record/13074"))
    assert "bibo:Thesis" in thesis["@type"]
    assert thesis["dcterms:title"] == ["Efficiency and generalization of sparse neural networks"]


def seed_triple_count() -> int:
    lines = run_kg("convert", str(SEEDS), "-f", "nt", "-o", "-").stdout.decode().splitlines()
    assert len(lines) == len(set(lines)) > 100
    return len(lines)


def test_format_names():
    assert format_for("x.nq.gz") == "nq"
    assert format_for("-", None) == "nt"
    assert format_for("x", "turtle") == "ttl"
    with pytest.raises(FormatError):
        format_for("graph.txt")
    with pytest.raises(FormatError):
        format_for("x.ttl", "n3")


def test_stdout_output():
    result = run_kg("convert", str(SEEDS), "-f", "ttl", "-o", "-")
    assert result.returncode == 0
    assert len(rdflib.Graph().parse(data=result.stdout.decode(), format="turtle")) == seed_triple_count()


def test_other_base_and_no_citation(tmp_path):
    out = tmp_path / "x.nt"
    convert([str(SEEDS)], str(out), options=MappingOptions(base="https://pub.example.edu/", citation_style="none"))
    text = out.read_text()
    assert "<https://pub.example.edu/record/13074>" in text
    assert "bibliographicCitation" not in text


def test_prefixed_names_by_namespace_lookup_equal_the_longest_match():
    """Turtle's Abbreviator finds an IRI's namespace by one lookup; it must write what trying
    every namespace, longest first, writes — also for IRIs whose local part cannot be a name."""
    from kg.vocab import PREFIXES
    from kg.write import Abbreviator

    by_lookup = Abbreviator(PREFIXES)
    by_trying = Abbreviator(PREFIXES)
    by_trying._by_namespace = None
    assert by_lookup._by_namespace is not None
    tails = ["", "a", "a.", "-a", "a-b", "a/b", "a#b", "x y", "é", "a_b9", "a.b", "/", "#"]
    namespaces = [*PREFIXES.values(), "http://example.org/", "https://orcid.org/0000-0001"]
    prefixed = 0
    for namespace in namespaces:
        for first in tails:
            for second in tails[:5]:
                iri = namespace + first + second
                assert by_lookup.iri(iri) == by_trying.iri(iri), iri
                prefixed += not by_lookup.iri(iri).startswith("<")
    assert prefixed > 50


def test_ntriples_pieces_with_and_without_non_ascii_text_are_written_in_order():
    import io

    from kg.write import NTriplesWriter

    stream = io.StringIO()
    pieces = ["<a> <b> <c> .\n", '<a> <b> "Müller" .\n', "<a> <b> <d> .\n", "<a> <b> <e> .\n", '<a> <b> "𝔸" .\n']
    NTriplesWriter(stream).write_pieces(pieces)
    NTriplesWriter(stream).write_pieces(pieces[:1])
    assert stream.getvalue() == "".join(pieces) + pieces[0]


def test_the_c_utf8_join_equals_encoding_each_piece():
    native = native_text_module()
    if native is None:
        pytest.skip("kg._text is not built (pure Python): N-Triples go through the text stream")
    pieces = ["", "<a> <b> <c> .\n", "Müller", "ä" * 300, "中文", "\U0001f600 astral", "\x00\x7f", "x" * 20000]
    pieces += ["é\n中\U0001f600", "\u07ff\u0800\uffff\U00010000\U0010ffff"]
    for count in (0, 1, 2, len(pieces)):
        for start in range(len(pieces)):
            chosen = (pieces[start:] + pieces[:start])[:count]
            assert native.utf8_joined(chosen) == b"".join(piece.encode("utf-8") for piece in chosen)
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        native.utf8_joined(["ok", "lone \ud800 surrogate"])
    with pytest.raises(TypeError, match="piece 1: expected str, got bytes"):
        native.utf8_joined(["ok", b"bytes"])
    with pytest.raises(TypeError, match="expected list, got tuple"):
        native.utf8_joined(("ok",))


def test_ntriples_written_as_bytes_equal_those_written_as_text(tmp_path):
    """Given the binary stream under its text stream (as kg convert gives it), the N-Triples writer
    writes its records' bytes there directly: the dump is the one the text stream alone makes,
    also with text written to the text stream before, and with non-ASCII pieces among ASCII ones."""
    import io

    from kg.mapping import MappingContext, map_record
    from kg.write import make_writer, open_output

    records = [
        record(str(n), title=title, author=[{"first_name": name, "last_name": "Lee"}])
        for n, (title, name) in enumerate([("Plain", "Ann"), ("Über 中文", "Zoë"), ("\U0001f600", "Bo")])
    ]

    def write_records(writer) -> None:
        writer.start()
        context = MappingContext()
        for each in records:
            writer.emit(writer.prepare(map_record(each, context)))
        writer.finish()

    dumps = {}
    for binary in (False, True):
        path = tmp_path / f"dump-{binary}.nt"
        stream = open_output(str(path))
        stream.write("# before\n")
        write_records(make_writer("nt", stream, stream.buffer if binary else None))
        stream.close()
        dumps[binary] = path.read_bytes()
    assert dumps[True] == dumps[False]
    assert dumps[True].startswith(b"# before\n") and "Über 中文".encode() in dumps[True]
    text = io.StringIO()
    write_records(make_writer("nt", text))
    assert "# before\n" + text.getvalue() == dumps[True].decode("utf-8")


def test_ntriples_own_statements_joined_in_runs_equal_one_statement_each():
    import contextlib
    import io

    from kg.mapping import MappingContext, MappingError, map_record
    from kg.read import read_records
    from kg.terms import IRI
    from kg.write import NTriplesWriter, ntriples_runs, statement

    writer = NTriplesWriter(io.StringIO())
    record = IRI("https://repo.example.org/record/1")
    title = IRI("http://purl.org/dc/terms/title")
    crafted = [
        (record, title, ("plain", None, None)),
        (record, title, ('a "quoted"\nline\\ with\ttab', None, None)),
        (record, title, ("Müller", None, "de")),
        (record, title, ("2020", "http://www.w3.org/2001/XMLSchema#gYear", None)),
        (IRI("https://repo.example.org/record/1#authors"), title, record),
        (record, title, ("ünïcode", "http://www.w3.org/2001/XMLSchema#string", None)),
        (record, title, IRI("https://example.org/ä")),
    ]
    context = MappingContext()
    graphs = []
    for item in read_records(INPUTS):
        with contextlib.suppress(MappingError):  # the corpora's broken records
            graphs.append(map_record(item.record, context) if item.record else None)
    for triples in [crafted, *(graph.own for graph in graphs if graph is not None)]:
        joined = writer.format_own(list(triples))
        assert "".join(joined) == "".join(statement(triple, ".\n") for triple in triples)
        assert joined == ntriples_runs(list(triples))  # the C runs (where built) are the definition's


def crafted_triples(seed: int) -> list:
    """Triples with every kind of term where one can stand: IRIs and literals of 1-, 2- and 4-byte
    characters, escapes, languages, datatypes (xsd:string, empty), runs longer than the C
    builder's room (16 KB), and subjects that change and come back."""
    import random

    from kg.rdf import XSD_STRING, literal
    from kg.terms import IRI, Literal

    rng = random.Random(seed)
    texts = ["a", "plain words", 'a "quoted"\nline\\ with\ttab', "Müller", "中文", "𝔸 astral", "", "x" * 20000]
    texts += ["\x00\x7f control", "ä" * 300, "é\n中", "\U0001f600"]
    iris = [f"https://repo.example.org/{name}" for name in ("record/1", "ä", "中", "\U0001f600", "p" * 17000)]
    datatypes = [None, "", XSD_STRING, "http://www.w3.org/2001/XMLSchema#gYear", "https://example.org/dt/ä"]
    langs = [None, "", "de", "en-GB"]
    triples = []
    for _ in range(rng.choice([0, 1, 5, 40, 400])):
        subject = IRI(rng.choice(iris[:2]) if rng.random() < 0.8 else rng.choice(iris))
        predicate = IRI(rng.choice(iris[:1] * 6 + iris))
        if rng.random() < 0.4:
            obj = IRI(rng.choice(iris))
        else:
            made = rng.choice([literal, Literal])
            obj = made(rng.choice(texts), rng.choice(datatypes), rng.choice(langs))
        triples.append((subject, predicate, obj))
    return triples


@pytest.mark.parametrize("seed", range(40))
def test_the_c_statements_and_runs_equal_the_python_definitions(seed):
    from kg.rdf import XSD_STRING, escape_string
    from kg.terms import IRI
    from kg.write import ntriples_runs, statement

    native = native_text_module()
    triples = crafted_triples(seed)
    runs = ntriples_runs(triples)
    assert "".join(runs) == "".join(statement(triple, ".\n") for triple in triples)
    pieces = [statement(triple, end) for triple in triples for end in (".\n", ".", "")]
    if native is not None:
        made = native.ntriples_runs(triples, IRI, XSD_STRING, escape_string, ".\n")
        assert made == runs
        assert [type(run) for run in made] == [str] * len(runs)
        made = [
            native.ntriples_statement(t, IRI, XSD_STRING, escape_string, end)
            for t in triples
            for end in (".\n", ".", "")
        ]
        assert made == pieces


@pytest.mark.parametrize("seed", range(20))
def test_the_c_unique_triples_equal_the_python_definition(seed):
    """Repeats dropped as a set of the triples drops them, also where the C hash of two literals
    is the same (the same length and ends, another middle) and where terms are equal but of
    other types (an IRI and a str, a Literal and a plain tuple)."""
    import random

    from kg.rdf import literal
    from kg.terms import IRI, Literal
    from kg.write import unique_triples

    rng = random.Random(seed)
    base = crafted_triples(seed) + crafted_triples(seed + 100)
    middles = ["a" * 20 + middle + "z" * 20 for middle in ("one", "two", "öne", "中中中")]
    alike = [(IRI("https://e.org/s"), IRI("https://e.org/p"), literal(text)) for text in middles]
    base += alike
    triples = list(alike)
    for _ in range(rng.choice([0, 3, 50, 700])):
        s, p, o = rng.choice(base) if base else (IRI("https://e.org/s"), IRI("https://e.org/p"), literal("v"))
        if rng.random() < 0.3:  # an equal triple of other objects and types
            s = str(s)
            o = str(o) if isinstance(o, str) else rng.choice([literal, Literal])(*o)
        triples.append((s, p, o))
    kept = unique_triples(triples)
    assert len(set(kept)) == len(kept) == len(set(triples))
    native = native_text_module()
    if native is not None:
        made = native.unique_triples(triples)
        assert made == kept
        assert all(a is b for a, b in zip(made, kept, strict=True))  # the first of each, itself
        with pytest.raises(TypeError, match="triple 1: expected a tuple of 3 terms"):
            native.unique_triples([*triples[:1], ("s", "p")])
        with pytest.raises(TypeError, match="unhashable"):
            native.unique_triples([("s", "p", ["o"])])


def test_the_c_statements_name_the_triple_they_cannot_write():
    from kg.rdf import XSD_STRING, escape_string
    from kg.terms import IRI

    native = native_text_module()
    if native is None:
        pytest.skip("a pure-Python build has no kg._text")
    good = (IRI("https://e.org/s"), IRI("https://e.org/p"), ("v", None, None))
    wrong = {
        "expected a tuple of 3 terms": [good, ("s", "p")],
        "expected str, got int": [good, (IRI("https://e.org/s"), 7, ("v", None, None))],
        "expected an IRI or a literal": [good, (IRI("https://e.org/s"), IRI("https://e.org/p"), "plain str")],
        "expected str, got bytes": [good, (IRI("https://e.org/s"), IRI("https://e.org/p"), ("v", b"dt", None))],
    }
    for message, triples in wrong.items():
        with pytest.raises(TypeError, match=f"triple 1: {message}"):
            native.ntriples_runs(triples, IRI, XSD_STRING, escape_string, ".\n")
        with pytest.raises(TypeError, match=f"triple 0: {message}"):
            native.ntriples_statement(triples[1], IRI, XSD_STRING, escape_string, ".\n")
    quoted = [(IRI("https://e.org/s"), IRI("https://e.org/p"), ('say "hi"', None, None))]
    with pytest.raises(TypeError, match="triple 0: expected str, got int"):
        native.ntriples_runs(quoted, IRI, XSD_STRING, lambda value: 1, ".\n")
    with pytest.raises(ZeroDivisionError):
        native.ntriples_statement(quoted[0], IRI, XSD_STRING, lambda value: 1 / 0, ".\n")
    with pytest.raises(TypeError, match="triples: list"):
        native.ntriples_runs(tuple(quoted), IRI, XSD_STRING, escape_string, ".\n")
    with pytest.raises(TypeError, match="end: str"):
        native.ntriples_statement(quoted[0], IRI, XSD_STRING, escape_string, None)


@pytest.mark.parametrize(
    "text", ["plain", "a & b < c > d", 'say "hi"', "it's", "both \" and '", "tab\tline\nret\r", ""]
)
def test_rdfxml_escaping_equals_saxutils(text):
    from xml.sax import saxutils

    from kg.write import escape, quoteattr

    assert escape(text) == saxutils.escape(text)
    assert quoteattr(text) == saxutils.quoteattr(text)


def test_a_description_written_once_is_left_out_of_later_records_of_triple_formats_only():
    import io

    from kg.mapping import MappingContext, map_record
    from kg.write import GraphStatements, NQuadsWriter, NTriplesWriter

    author = {"id": "P1", "first_name": "Ada", "last_name": "Lovelace", "full_name": "Lovelace, Ada"}
    context = MappingContext()
    first, second = (map_record(record(n, author=[author]), context) for n in ("1", "2"))
    person = next(d for d in second.shared if d[0][0].endswith("/person/P1"))
    assert person in first.shared  # the same description, from the mapping's memo
    name = next(t for t in person if t[1].endswith("foaf/0.1/name"))

    stream = io.StringIO()
    writer = NTriplesWriter(stream)
    writer.emit(writer.prepare(first))
    later = writer.prepare(second)
    assert all(f.pieces != writer.formatted(person).pieces for f in later.shared)
    writer.emit(later)
    assert stream.getvalue().count("/person/P1> <http://xmlns.com/foaf/0.1/name>") == 1

    # Quads keep each record's graph whole, and a store gets each graph's statements whole.
    quads = NQuadsWriter(io.StringIO())
    quads.emit(quads.prepare(first))
    assert "foaf/0.1/name" in (quads.prepare(second).block or "")
    store = GraphStatements()
    store.statements(first)
    assert store.piece(name) in store.statements(second)


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl", "jsonld"])
def test_a_prepared_record_packed_for_another_process_unpacks_to_an_equal_one(fmt):
    import io
    import pickle

    from kg.mapping import MappingContext, map_record
    from kg.write import FORMATS, Formatted, make_writer, unpack_prepared

    people = [
        {"id": "P1", "first_name": "Ada", "last_name": "Lovelace", "orcid": "0000-0002-1825-0097"},
        {"first_name": "Bo", "last_name": "Østergård"},  # no id: described within the record
    ]
    context = MappingContext()
    graphs = [map_record(record(n, author=people, department=[{"_id": "D1"}]), context) for n in ("1", "2")]
    assert fmt in FORMATS
    writer = make_writer(fmt, io.StringIO())
    for graph in graphs:
        prepared = writer.prepare_in_worker(graph)
        back = unpack_prepared(pickle.loads(pickle.dumps(prepared.packed())))
        assert back == prepared
        assert [type(f) for f in back.shared] == [type(f) for f in prepared.shared]
        assert any(isinstance(f, Formatted) for f in back.shared)
    # The second record's person was sent with the first: it goes as its key.
    assert any(isinstance(f, int) for f in prepared.shared)
