"""write: record graphs → RDF dumps, streamed a record at a time.

Quad formats (N-Quads, TriG) keep one named graph per record, each
self-contained, which is what a store that replaces a record's graph needs.
Triple formats (N-Triples, Turtle, JSON-LD, RDF/XML) hold the union: a triple
that several records share (a person's name, a two-sided link) is written once.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from kg.mapping.model import RecordGraph
from kg.rdf import IRI, XSD_STRING, Literal, Term, Triple, escape_string, nt_term
from kg.vocab import PREFIXES, RDF

FORMATS = {
    "nt": "N-Triples",
    "nq": "N-Quads",
    "ttl": "Turtle",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "xml": "RDF/XML",
}
_SUFFIXES = {
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nq",
    ".nquads": "nq",
    ".ttl": "ttl",
    ".turtle": "ttl",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}
_ALIASES = {
    "ntriples": "nt",
    "n-triples": "nt",
    "nquads": "nq",
    "n-quads": "nq",
    "turtle": "ttl",
    "json-ld": "jsonld",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "rdf": "xml",
}


class FormatError(ValueError):
    pass


def format_for(path: str | None, explicit: str | None = None) -> str:
    """The format named by -f, else by the output file's suffix (ignoring .gz)."""
    if explicit:
        fmt = _ALIASES.get(explicit.lower(), explicit.lower())
        if fmt not in FORMATS:
            raise FormatError(f"unknown format {explicit!r}; use one of {', '.join(FORMATS)}")
        return fmt
    if not path or path == "-":
        return "nt"
    name = path.lower().removesuffix(".gz")
    for suffix, fmt in _SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    raise FormatError(f"cannot tell the format of {path!r} from its suffix; give -f")


def open_output(path: str) -> TextIO:
    """A text stream for *path*; '-' is stdout, a '.gz' suffix compresses."""
    if path == "-":
        return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=False)
    if path.endswith(".gz"):
        # No file name and mtime=0 in the header keep compressed dumps byte-identical.
        handle = open(path, "wb")
        raw = gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0)
        raw.myfileobj = handle  # so that closing the GzipFile closes the file too
        return io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    return open(path, "w", encoding="utf-8", newline="\n")


def load_context() -> dict:
    """The JSON-LD context shipped with kg."""
    return json.loads(resources.files("kg").joinpath("context.jsonld").read_text("utf-8"))


@dataclass(frozen=True)
class Prepared:
    """A record formatted for one writer, ready to emit.

    ``prepare`` (a pure function of the record's graph: it may run in a worker
    process) does the formatting; ``emit`` (in the writing process, in record
    order) does what needs the whole run: dropping shared triples already
    written, separators, counting. Quad formats keep each record's graph whole,
    so their ``block`` is final text; triple formats pass one formatted piece per
    triple.
    """

    block: str | None = None
    triples: int = 0
    own: tuple = ()
    shared: tuple = ()
    # Positions in ``shared`` of triples about things scoped to this record (``{record}#…``,
    # e.g. an external author without id): no other record can repeat them, so the
    # writer need not remember them — that memory would grow with the corpus.
    scoped: frozenset[int] = frozenset()
    # What the dump's VoID description needs to know about this record (see DumpCounter).
    stats: RecordStats | None = None


@dataclass(frozen=True)
class RecordStats:
    """One record's contribution to the dump's counts, computed next to the mapping.

    Triples whose subject is the record's own (``{record}#…``) cannot occur in any
    other record, so they are counted here; everything else (the record itself, the
    people, projects, venues it mentions) may recur and is counted once by the
    writer, through sets of hashes that grow with the distinct things, not the records.
    """

    scoped_triples: int
    scoped_subjects: int
    scoped_entities: int
    scoped_classes: tuple[str, ...]
    predicates: frozenset[str]
    # (subject, class when the triple is an rdf:type) of every other own triple …
    own: tuple[tuple[str, str | None], ...]
    # … and of every unscoped shared triple, in the order of the shared pieces.
    shared: tuple[tuple[str, str | None], ...]


class DumpCounter:
    """Exact VoID counts of the union graph of a dump, gathered while it is written."""

    def __init__(self) -> None:
        self.triples = 0
        self.classes: dict[str, int] = {}
        self.predicates: set[str] = set()
        self._scoped_subjects = 0
        self._scoped_entities = 0
        self._subjects: set[int] = set()
        self._entities: set[int] = set()

    def add(self, stats: RecordStats, fresh_shared: Iterable[int]) -> None:
        """Count a record: its own triples and those of its shared triples new to the dump."""
        self.predicates |= stats.predicates
        self.triples += stats.scoped_triples
        self._scoped_subjects += stats.scoped_subjects
        self._scoped_entities += stats.scoped_entities
        for cls in stats.scoped_classes:
            self.classes[cls] = self.classes.get(cls, 0) + 1
        items = list(stats.own) + [stats.shared[index] for index in fresh_shared]
        self.triples += len(items)
        for subject, cls in items:
            key = hash(subject)
            self._subjects.add(key)
            if cls is not None:
                self._entities.add(key)
                self.classes[cls] = self.classes.get(cls, 0) + 1

    def counts(self):  # type: ignore[no-untyped-def]
        from kg.describe import Counts

        return Counts(
            triples=self.triples,
            entities=self._scoped_entities + len(self._entities),
            distinct_subjects=self._scoped_subjects + len(self._subjects),
            properties=len(self.predicates),
            distinct_objects=None,
            classes=dict(self.classes),
        )


def record_stats(graph: RecordGraph, own: Iterable[Triple], shared: Iterable[Triple]) -> RecordStats:
    scope = graph.iri + "#"
    type_iri = RDF.type
    scoped_subjects: set[str] = set()
    scoped_entities: set[str] = set()
    scoped_classes: list[str] = []
    scoped_triples = 0
    predicates: set[str] = set()

    def split(triples: Iterable[Triple]) -> tuple[tuple[str, str | None], ...]:
        nonlocal scoped_triples
        out = []
        for s, p, o in triples:
            predicates.add(p)
            cls = o if p == type_iri and type(o) is IRI else None
            if s.startswith(scope):
                scoped_triples += 1
                scoped_subjects.add(s)
                if cls is not None:
                    scoped_entities.add(s)
                    scoped_classes.append(cls)
            else:
                out.append((s, cls))
        return tuple(out)

    own_meta = split(own)
    shared_meta = split(shared)
    return RecordStats(
        scoped_triples,
        len(scoped_subjects),
        len(scoped_entities),
        tuple(scoped_classes),
        frozenset(predicates),
        own_meta,
        shared_meta,
    )


class Writer:
    """Base class: subclasses format triples (``piece``) and assemble them (``render``)."""

    quads = False

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._seen: set[int] = set()
        self.triples_written = 0
        self.counter = DumpCounter()

    def start(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def write(self, graph: RecordGraph) -> None:
        self.emit(self.prepare(graph))

    def prepare(self, graph: RecordGraph) -> Prepared:
        piece = self.piece
        own_triples = list(dict.fromkeys(graph.own))
        scope = graph.iri + "#"
        # Shared triples by their formatted text (the key that finds repeats across records).
        shared: dict = {}
        for triple in dict.fromkeys(graph.shared):
            shared.setdefault(piece(triple), triple)
        pieces = list(shared)
        scoped = frozenset(index for index, key in enumerate(pieces) if shared[key][0].startswith(scope))
        unscoped = [shared[key] for index, key in enumerate(pieces) if index not in scoped]
        scoped_shared = [shared[key] for index, key in enumerate(pieces) if index in scoped]
        stats = record_stats(graph, own_triples + scoped_shared, unscoped)
        if self.quads:
            triples = graph.triples()
            block = self.render_graph(graph.iri, [piece(t) for t in triples])
            return Prepared(block=block, triples=len(triples), shared=tuple(pieces), scoped=scoped, stats=stats)
        own = tuple(dict.fromkeys([piece(t) for t in own_triples]))
        return Prepared(own=own, shared=tuple(pieces), scoped=scoped, stats=stats)

    def _fresh(self, prepared: Prepared) -> tuple[list, list[int]]:
        """The shared pieces new to this dump, and the positions of the unscoped ones among them."""
        seen = self._seen
        fresh = []
        fresh_unscoped = []
        scoped = prepared.scoped
        unscoped_position = -1
        for index, item in enumerate(prepared.shared):
            if scoped and index in scoped:
                fresh.append(item)
                continue
            unscoped_position += 1
            key = hash(item)
            if key not in seen:
                seen.add(key)
                fresh.append(item)
                fresh_unscoped.append(unscoped_position)
        return fresh, fresh_unscoped

    def emit(self, prepared: Prepared) -> None:
        fresh, fresh_unscoped = self._fresh(prepared)
        if prepared.stats is not None:
            self.counter.add(prepared.stats, fresh_unscoped)
        if prepared.block is not None:
            self.triples_written += prepared.triples
            self.stream.write(prepared.block)
            return
        pieces = [*prepared.own, *fresh]
        self.triples_written += len(pieces)
        self.write_pieces(pieces)

    def piece(self, triple: Triple) -> Hashable:
        """One triple, formatted as far as it can be without knowing its neighbours."""
        raise NotImplementedError

    def render_graph(self, name: IRI, pieces: list) -> str:
        """The text of a whole named graph (quad formats)."""
        raise NotImplementedError

    def write_pieces(self, pieces: list) -> None:
        """Write the triples of one record that are new to this dump (triple formats)."""
        raise NotImplementedError


class NTriplesWriter(Writer):
    def piece(self, triple: Triple) -> str:
        s, p, o = triple
        if type(o) is IRI:  # nt_term inlined: this runs for every triple
            return f"<{s}> <{p}> <{o}> .\n"
        return f"<{s}> <{p}> {nt_term(o)} .\n"

    def write_pieces(self, pieces: list) -> None:
        self.stream.write("".join(pieces))


class NQuadsWriter(Writer):
    quads = True

    def piece(self, triple: Triple) -> str:
        s, p, o = triple
        if type(o) is IRI:
            return f"<{s}> <{p}> <{o}> "
        return f"<{s}> <{p}> {nt_term(o)} "

    def render_graph(self, name: IRI, pieces: list) -> str:
        end = f"<{name}> .\n"
        return end.join(pieces) + end if pieces else ""


_PN_LOCAL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class Abbreviator:
    """Writes IRIs as prefixed names where that is unambiguous Turtle."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        # Longest namespace first, so nested namespaces pick the specific prefix.
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self._cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        cached = self._cache.get(iri)
        if cached is not None:
            return cached
        text = f"<{iri}>"
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and set(local) <= _PN_LOCAL_SAFE and local[0] not in "-" and local[-1] != ".":
                    text = f"{prefix}:{local}"
                break
        if len(self._cache) < 100_000:
            self._cache[iri] = text
        return text

    def term(self, term: Term) -> str:
        if type(term) is IRI:
            return self.iri(term)
        value, datatype, lang = term
        text = '"' + escape_string(value) + '"'
        if lang:
            return f"{text}@{lang}"
        if datatype and datatype != XSD_STRING:
            return f"{text}^^{self.iri(datatype)}"
        return text


def turtle_prefix_block(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()) + "\n"


def _group(pieces: Iterable[tuple]) -> dict[str, dict[str, list]]:
    """(subject, predicate, rest…) pieces → subject → predicate → pieces, in first-seen order."""
    grouped: dict[str, dict[str, list]] = {}
    for item in pieces:
        by_predicate = grouped.get(item[0])
        if by_predicate is None:
            by_predicate = grouped[item[0]] = {}
        objects = by_predicate.get(item[1])
        if objects is None:
            by_predicate[item[1]] = [item]
        else:
            objects.append(item)
    return grouped


class TurtleWriter(Writer):
    indent = ""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.abbreviate = Abbreviator(PREFIXES)

    def start(self) -> None:
        self.stream.write(turtle_prefix_block(PREFIXES))

    def piece(self, triple: Triple) -> tuple[str, str, str]:
        s, p, o = triple
        iri = self.abbreviate.iri
        return iri(s), "a" if p == RDF.type else iri(p), self.abbreviate.term(o)

    def block(self, pieces: list) -> str:
        out: list[str] = []
        ind = self.indent
        for subject, predicates in _group(pieces).items():
            lines = [f"{verb} " + ", ".join(item[2] for item in items) for verb, items in predicates.items()]
            out.append(f"{ind}{subject} " + f" ;\n{ind}    ".join(lines) + " .\n")
        return "\n".join(out)

    def write_pieces(self, pieces: list) -> None:
        if pieces:
            self.stream.write(self.block(pieces) + "\n")


class TriGWriter(TurtleWriter):
    quads = True
    indent = "    "

    def render_graph(self, name: IRI, pieces: list) -> str:
        return f"{self.abbreviate.iri(name)} {{\n{self.block(pieces)}}}\n\n"


class JsonLdWriter(Writer):
    """Compacted JSON-LD: one node object per subject, keys as prefixed names."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.context = load_context()
        self.abbreviate = Abbreviator(PREFIXES)
        self._first = True

    def start(self) -> None:
        context = json.dumps(self.context["@context"], ensure_ascii=False, indent=2)
        self.stream.write('{\n"@context": ' + context + ',\n"@graph": [\n')

    def _key(self, iri: str) -> str:
        compact = self.abbreviate.iri(iri)
        return iri if compact.startswith("<") else compact

    def _value(self, term: Term) -> object:
        if type(term) is IRI:
            return {"@id": term}
        value, datatype, lang = term
        if lang:
            return {"@value": value, "@language": lang}
        if datatype and datatype != XSD_STRING:
            return {"@value": value, "@type": self._key(datatype)}
        return value

    def piece(self, triple: Triple) -> tuple[str, str, str, str | None]:
        """(subject, key, value as JSON, class as JSON when this is an rdf:type to an IRI)."""
        s, p, o = triple
        as_class = _json(self._key(o)) if p == RDF.type and type(o) is IRI else None
        return s, self._key(p), _json(self._value(o)), as_class

    def write_pieces(self, pieces: list) -> None:
        # The same text json.dumps(node, ensure_ascii=False) gives for the node objects.
        parts = []
        for subject, predicates in _group(pieces).items():
            members = [f'"@id": {_json(subject)}']
            for key, items in predicates.items():
                if items[0][3] is not None and all(item[3] is not None for item in items):
                    members.append('"@type": [' + ", ".join(item[3] for item in items) + "]")
                else:
                    members.append(f"{_json(key)}: [" + ", ".join(item[2] for item in items) + "]")
            parts.append("{" + ", ".join(members) + "}")
        if not parts:
            return
        separator = "" if self._first else ",\n"
        self._first = False
        self.stream.write(separator + ",\n".join(parts))

    def finish(self) -> None:
        self.stream.write("\n]\n}\n")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


class RdfXmlWriter(Writer):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
        self._qnames: dict[str, tuple[str, str]] = {}

    def start(self) -> None:
        decls = "".join(f'\n    xmlns:{p}="{ns}"' for p, ns in PREFIXES.items())
        self.stream.write(f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{decls}>\n')

    def _qname(self, iri: str) -> tuple[str, str]:
        """(element name, extra xmlns attribute) for a predicate IRI."""
        cached = self._qnames.get(iri)
        if cached is None:
            cached = self._qnames[iri] = self._make_qname(iri)
        return cached

    def _make_qname(self, iri: str) -> tuple[str, str]:
        for prefix, namespace in self._namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and (local[0].isalpha() or local[0] == "_") and set(local) <= _PN_LOCAL_SAFE:
                    return f"{prefix}:{local}", ""
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        return f"ns0:{iri[cut:]}", f' xmlns:ns0="{escape(iri[:cut])}"'

    def piece(self, triple: Triple) -> tuple[str, str, str]:
        s, p, obj = triple
        name, xmlns = self._qname(p)
        if type(obj) is IRI:
            return s, p, f"    <{name}{xmlns} rdf:resource={quoteattr(obj)}/>\n"
        assert isinstance(obj, Literal)
        attrs = xmlns
        if obj.lang:
            attrs += f' xml:lang="{obj.lang}"'
        elif obj.datatype and obj.datatype != XSD_STRING:
            attrs += f" rdf:datatype={quoteattr(obj.datatype)}"
        return s, p, f"    <{name}{attrs}>{escape(obj.value)}</{name}>\n"

    def write_pieces(self, pieces: list) -> None:
        out = []
        for subject, predicates in _group(pieces).items():
            out.append(f"  <rdf:Description rdf:about={quoteattr(subject)}>\n")
            for items in predicates.values():
                out.extend(item[2] for item in items)
            out.append("  </rdf:Description>\n")
        self.stream.write("".join(out))

    def finish(self) -> None:
        self.stream.write("</rdf:RDF>\n")


WRITERS: dict[str, type[Writer]] = {
    "nt": NTriplesWriter,
    "nq": NQuadsWriter,
    "ttl": TurtleWriter,
    "trig": TriGWriter,
    "jsonld": JsonLdWriter,
    "xml": RdfXmlWriter,
}


def make_writer(fmt: str, stream: TextIO) -> Writer:
    return WRITERS[fmt](stream)
