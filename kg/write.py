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
from collections.abc import Iterable
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


class Writer:
    """Base class: subclasses format one record's triples."""

    quads = False

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._seen: set[int] = set()
        self.triples_written = 0

    def start(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def write(self, graph: RecordGraph) -> None:
        triples = graph.triples() if self.quads else self._unseen(graph)
        self.triples_written += len(triples)
        self.write_triples(graph, triples)

    def _unseen(self, graph: RecordGraph) -> list[Triple]:
        own = list(dict.fromkeys(graph.own))
        seen = self._seen
        fresh: list[Triple] = []
        for triple in dict.fromkeys(graph.shared):
            key = hash(triple)
            if key not in seen:
                seen.add(key)
                fresh.append(triple)
        return own + fresh

    def write_triples(self, graph: RecordGraph, triples: list[Triple]) -> None:
        raise NotImplementedError


class NTriplesWriter(Writer):
    def write_triples(self, graph: RecordGraph, triples: list[Triple]) -> None:
        self.stream.write("".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in triples))


class NQuadsWriter(Writer):
    quads = True

    def write_triples(self, graph: RecordGraph, triples: list[Triple]) -> None:
        name = nt_term(graph.iri)
        self.stream.write("".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} {name} .\n" for s, p, o in triples))


def group_by_subject(triples: Iterable[Triple]) -> dict[IRI, dict[IRI, list[Term]]]:
    """subject → predicate → objects, in first-seen order."""
    grouped: dict[IRI, dict[IRI, list[Term]]] = {}
    for s, p, o in triples:
        grouped.setdefault(s, {}).setdefault(p, []).append(o)
    return grouped


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


class TurtleWriter(Writer):
    indent = ""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.abbreviate = Abbreviator(PREFIXES)

    def start(self) -> None:
        self.stream.write(turtle_prefix_block(PREFIXES))

    def block(self, triples: list[Triple]) -> str:
        out: list[str] = []
        ind = self.indent
        term = self.abbreviate.term
        for subject, predicates in group_by_subject(triples).items():
            lines = []
            for predicate, objects in predicates.items():
                verb = "a" if predicate == RDF.type else self.abbreviate.iri(predicate)
                lines.append(f"{verb} " + ", ".join(term(o) for o in objects))
            out.append(f"{ind}{self.abbreviate.iri(subject)} " + f" ;\n{ind}    ".join(lines) + " .\n")
        return "\n".join(out)

    def write_triples(self, graph: RecordGraph, triples: list[Triple]) -> None:
        if triples:
            self.stream.write(self.block(triples) + "\n")


class TriGWriter(TurtleWriter):
    quads = True
    indent = "    "

    def write_triples(self, graph: RecordGraph, triples: list[Triple]) -> None:
        self.stream.write(f"{self.abbreviate.iri(graph.iri)} {{\n{self.block(triples)}}}\n\n")


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

    def write_triples(self, graph: RecordGraph, triples: list[Triple]) -> None:
        parts = []
        for subject, predicates in group_by_subject(triples).items():
            node: dict[str, object] = {"@id": subject}
            for predicate, objects in predicates.items():
                if predicate == RDF.type and all(type(o) is IRI for o in objects):
                    node["@type"] = [self._key(o) for o in objects]
                else:
                    node[self._key(predicate)] = [self._value(o) for o in objects]
            parts.append(json.dumps(node, ensure_ascii=False))
        if not parts:
            return
        separator = "" if self._first else ",\n"
        self._first = False
        self.stream.write(separator + ",\n".join(parts))

    def finish(self) -> None:
        self.stream.write("\n]\n}\n")


class RdfXmlWriter(Writer):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def start(self) -> None:
        decls = "".join(f'\n    xmlns:{p}="{ns}"' for p, ns in PREFIXES.items())
        self.stream.write(f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{decls}>\n')

    def _qname(self, iri: str) -> tuple[str, str]:
        """(element name, extra xmlns attribute) for a predicate IRI."""
        for prefix, namespace in self._namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and (local[0].isalpha() or local[0] == "_") and set(local) <= _PN_LOCAL_SAFE:
                    return f"{prefix}:{local}", ""
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        return f"ns0:{iri[cut:]}", f' xmlns:ns0="{escape(iri[:cut])}"'

    def write_triples(self, graph: RecordGraph, triples: list[Triple]) -> None:
        out = []
        for subject, predicates in group_by_subject(triples).items():
            out.append(f"  <rdf:Description rdf:about={quoteattr(subject)}>\n")
            for predicate, objects in predicates.items():
                name, xmlns = self._qname(predicate)
                for obj in objects:
                    if type(obj) is IRI:
                        out.append(f"    <{name}{xmlns} rdf:resource={quoteattr(obj)}/>\n")
                        continue
                    assert isinstance(obj, Literal)
                    attrs = xmlns
                    if obj.lang:
                        attrs += f' xml:lang="{obj.lang}"'
                    elif obj.datatype and obj.datatype != XSD_STRING:
                        attrs += f" rdf:datatype={quoteattr(obj.datatype)}"
                    out.append(f"    <{name}{attrs}>{escape(obj.value)}</{name}>\n")
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
