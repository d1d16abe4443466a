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
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from json.encoder import encode_basestring as _encode_json_string
from typing import Any, BinaryIO, Final, TextIO, cast

from kg.hashset import HashSet
from kg.mapping.model import Description, RecordGraph
from kg.rdf import IRI, IS_ASCII, XSD_STRING, LiteralItems, StoredTriple, Term, Triple, escape_string, native
from kg.vocab import PREFIXES, RDF

# The IRI class as a compiled constant: tested for every term, and a name imported from a plain
# Python module (kg.terms) is otherwise looked up in the module's dictionary each time.
IRI_TYPE: Final = IRI


# kg/_text.c's versions of ntriples_runs, statement and unique_triples (below), or None.
# (triples, iri_type, xsd_string, escape, end) -> list[str]
NATIVE_NTRIPLES_RUNS: Final[Callable[[list[Triple], type, str, Callable[[str], str], str], list[Hashable]] | None] = (
    native("ntriples_runs")
)
# (triple, iri_type, xsd_string, escape, end) -> str
NATIVE_STATEMENT: Final[Callable[[Triple, type, str, Callable[[str], str], str], str] | None] = native(
    "ntriples_statement"
)
NATIVE_UNIQUE_TRIPLES: Final[Callable[[list[StoredTriple]], list[StoredTriple]] | None] = native("unique_triples")
# pieces -> their UTF-8 as one bytes object (what a UTF-8 text stream would write of them).
NATIVE_UTF8_JOINED: Final[Callable[[list], bytes] | None] = native("utf8_joined")
# A compiled constant: passed on as a value, a function is otherwise looked up in the module's dictionary.
ESCAPE_STRING: Final = escape_string

FORMATS: Final = {
    "nt": "N-Triples",
    "nq": "N-Quads",
    "ttl": "Turtle",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "xml": "RDF/XML",
}
_SUFFIXES: Final = {
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
_ALIASES: Final = {
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


GZIP_LEVEL: Final = 6
# Bytes buffered before a write: a record is ~7 KB of N-Triples, and with the default 8 KB
# buffer every record was a write of its own (a quarter of the time of a 100k conversion).
OUTPUT_BUFFER = 1 << 20


def open_output(path: str, file: io.RawIOBase | None = None) -> TextIO:
    """A text stream for *path*; '-' is stdout, a '.gz' suffix compresses.

    *file*, when given, is *path* already opened for writing bytes (e.g. a HashingFile).
    For stdout, ``close_output`` flushes the stream and leaves stdout itself open.
    """
    if path == "-":
        buffered = io.BufferedWriter(sys.stdout.buffer, OUTPUT_BUFFER)  # type: ignore[arg-type]
        return io.TextIOWrapper(buffered, encoding="utf-8", newline="\n", write_through=False)
    handle: Any = file if file is not None else open(path, "wb", buffering=0)
    if path.endswith(".gz"):
        # No file name and mtime=0 in the header keep compressed dumps byte-identical. Level 6
        # (gzip's own default) compresses N-Triples twice as fast as GzipFile's 9, 6% larger.
        handle = gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=GZIP_LEVEL)
        handle.myfileobj = handle.fileobj  # closing the GzipFile closes the file too
    return io.TextIOWrapper(io.BufferedWriter(handle, OUTPUT_BUFFER), encoding="utf-8", newline="\n")


def close_output(path: str, stream: TextIO) -> None:
    """Close what ``open_output`` opened; stdout is flushed, not closed."""
    if path != "-":
        stream.close()
        return
    stream.flush()
    buffered = stream.detach()  # type: ignore[attr-defined]
    buffered.flush()
    buffered.detach()


def load_context() -> dict:
    """The JSON-LD context shipped with kg."""
    return json.loads(resources.files("kg").joinpath("context.jsonld").read_text("utf-8"))


@dataclass
class Formatted:
    """One description formatted for one writer, with what the dump's counts need of it.

    Descriptions recur in many records, so a writer formats each once per process
    (``Writer.formatted``) and its ``emit`` skips one already written, by ``key``.
    """

    # Hash of the description's triples; None for a description of things scoped to one record
    # (``{record}#…``, e.g. an external author without id): no other record can repeat it, so the
    # writer need not remember it — that memory would grow with the corpus.
    key: int | None
    pieces: tuple
    # Per piece: its subject, and its class when the triple is an rdf:type to an IRI.
    subjects: tuple[str, ...]
    classes: tuple[str | None, ...]
    predicates: frozenset[str]
    # Set by the writing process's emit once the description is in the dump (see Writer.prepare).
    written: bool = field(default=False, init=False)

    # Written out (see kg.mapping.model.RecordGraph): compiled, it runs natively.
    def __init__(
        self,
        key: int | None,
        pieces: tuple,
        subjects: tuple[str, ...],
        classes: tuple[str | None, ...],
        predicates: frozenset[str],
    ) -> None:
        self.key = key
        self.pieces = pieces
        self.subjects = subjects
        self.classes = classes
        self.predicates = predicates
        self.written = False

    def __reduce__(self) -> tuple:
        return (Formatted, self.packed())

    def packed(self) -> tuple[int | None, tuple, tuple[str, ...], tuple[str | None, ...], frozenset[str]]:
        """The fields as plain strings, for another process (see _PLAIN_TERMS)."""
        classes = tuple([_plain_term(cls) for cls in self.classes])
        return (self.key, _plain(self.pieces), _plain(self.subjects), classes, _plain_set(self.predicates))


@dataclass
class RecordStats:
    """A record's contribution to the dump's counts, computed next to the mapping.

    Triples whose subject is the record's own (``{record}#…``) cannot occur in any other
    record, so they are counted here; the record itself and the shared things it mentions
    may recur and are counted once by the writer, through sets of hashes that grow with
    the distinct things, not the records.
    """

    scoped_triples: int = 0
    scoped_subjects: int = 0
    scoped_entities: int = 0
    scoped_classes: list[str] = field(default_factory=list)
    predicates: set[str] | frozenset[str] = field(default_factory=set)
    # The record's own triples about unscoped subjects (all written: no other record has them).
    own_triples: int = 0
    own_subjects: list[str] = field(default_factory=list)
    own_entities: list[str] = field(default_factory=list)
    own_classes: list[str] = field(default_factory=list)

    # Written out (see kg.mapping.model.RecordGraph): compiled, it runs natively.
    def __init__(
        self,
        scoped_triples: int = 0,
        scoped_subjects: int = 0,
        scoped_entities: int = 0,
        scoped_classes: list[str] | None = None,
        predicates: set[str] | frozenset[str] | None = None,
        own_triples: int = 0,
        own_subjects: list[str] | None = None,
        own_entities: list[str] | None = None,
        own_classes: list[str] | None = None,
    ) -> None:
        self.scoped_triples = scoped_triples
        self.scoped_subjects = scoped_subjects
        self.scoped_entities = scoped_entities
        self.scoped_classes = [] if scoped_classes is None else scoped_classes
        self.predicates = set() if predicates is None else predicates
        self.own_triples = own_triples
        self.own_subjects = [] if own_subjects is None else own_subjects
        self.own_entities = [] if own_entities is None else own_entities
        self.own_classes = [] if own_classes is None else own_classes

    def __reduce__(self) -> tuple:
        return (RecordStats, self.packed())

    def packed(self) -> tuple:
        """The fields as plain strings, in the constructor's order, for another process."""
        return (
            self.scoped_triples,
            self.scoped_subjects,
            self.scoped_entities,
            _plain_terms(self.scoped_classes),
            _plain_set(self.predicates),
            self.own_triples,
            [str(s) for s in self.own_subjects],
            [str(s) for s in self.own_entities],
            _plain_terms(self.own_classes),
        )


def unpack_stats(fields: tuple) -> RecordStats:
    """``RecordStats.packed``'s result as the RecordStats again."""
    return RecordStats(
        fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], fields[8]
    )


@dataclass
class Prepared:
    """A record formatted for one writer, ready to emit.

    ``prepare`` (a function of the record's graph and of what this process formatted before:
    it may run in a worker process) does the formatting; ``emit`` (in the writing process, in
    record order) does what needs the whole run: dropping shared triples already written,
    separators, counting. Quad formats keep each record's graph whole, so their ``block`` is
    final text; triple formats pass one formatted piece per own triple and the record's
    shared descriptions.
    """

    block: str | None = None
    triples: int = 0
    own: tuple = ()
    # A description's key instead of the description: one its worker process has sent before.
    shared: tuple[Formatted | int, ...] = ()
    stats: RecordStats | None = None
    # The own triples' number (``own`` may be their text joined, see Writer.prepare_in_worker).
    own_count: int = 0

    # Written out (see kg.mapping.model.RecordGraph): compiled, it runs natively.
    def __init__(
        self,
        block: str | None = None,
        triples: int = 0,
        own: tuple = (),
        shared: tuple[Formatted | int, ...] = (),
        stats: RecordStats | None = None,
        own_count: int = 0,
    ) -> None:
        self.block = block
        self.triples = triples
        self.own = own
        self.shared = shared
        self.stats = stats
        self.own_count = own_count

    def __reduce__(self) -> tuple:
        return (unpack_prepared, (self.packed(),))

    def packed(self) -> tuple:
        """The record as tuples of plain values, for a worker to send (see unpack_prepared).

        Pickle reduces an object by calling its ``__reduce__`` and rebuilds it by calling the
        class, a Python call each way for each of a record's objects; tuples it writes and
        reads by itself. The tuples are made, and the objects rebuilt, by compiled code.
        """
        shared = tuple([reference if isinstance(reference, int) else reference.packed() for reference in self.shared])
        stats = self.stats.packed() if self.stats is not None else None
        return (self.block, self.triples, _plain(self.own), shared, stats, self.own_count)


def unpack_prepared(fields: tuple) -> Prepared:
    """``Prepared.packed``'s result as the Prepared again."""
    shared: list[Formatted | int] = []
    for reference in fields[3]:
        if isinstance(reference, int):
            shared.append(reference)
        else:
            shared.append(Formatted(reference[0], reference[1], reference[2], reference[3], reference[4]))
    stats = unpack_stats(fields[4]) if fields[4] is not None else None
    return Prepared(fields[0], fields[1], fields[2], tuple(shared), stats, fields[5])


# What workers send back goes as plain strings: an IRI (a str subclass) pickles 25 times slower
# than a str, and equal strings stand for the same IRI wherever the writer compares or hashes them.
# Terms that recur in every record (predicates, classes) are sent as one string object each, and
# predicate sets as one frozenset per shape of record, which pickle sends once per chunk.
_PLAIN_TERMS: Final[dict[str, str]] = {}
_PLAIN_SETS: Final[dict[frozenset[str], frozenset[str]]] = {}
_PLAIN_CACHE_SIZE: Final = 10_000


def _plain(values: tuple) -> tuple:
    """*values* with IRIs as plain strings, also inside nested tuples (the pieces of some formats)."""
    return tuple([_plain_value(value) for value in values])


def _plain_value(value: object) -> object:
    if type(value) is IRI_TYPE:
        return str(value)
    if type(value) is tuple:
        return _plain(value)
    return value


def _plain_term(term: str | None) -> str | None:
    """A vocabulary term as one plain string object per process."""
    if term is None:
        return None
    known = _PLAIN_TERMS.get(term)
    if known is None:
        if len(_PLAIN_TERMS) >= _PLAIN_CACHE_SIZE:
            _PLAIN_TERMS.clear()
        known = _PLAIN_TERMS[term] = str(term)
    return known


def _plain_terms(terms: list[str]) -> list[str]:
    return [str(_plain_term(term)) for term in terms]


def _plain_set(terms: set[str] | frozenset[str]) -> frozenset[str]:
    """A set of terms as plain strings, one frozenset object per distinct set."""
    key = frozenset(terms)
    known = _PLAIN_SETS.get(key)
    if known is None:
        if len(_PLAIN_SETS) >= _PLAIN_CACHE_SIZE:
            _PLAIN_SETS.clear()
        known = _PLAIN_SETS[key] = frozenset(_plain_terms(list(terms)))
    return known


class _RecordCounter:
    """Builds a record's RecordStats while its triples are formatted."""

    def __init__(self, record: IRI) -> None:
        self.record: str = record
        self.scope: str = record + "#"
        self.scoped_triples = 0
        self.own_triples = 0
        self.scoped_classes: list[str] = []
        self.own_classes: list[str] = []
        self._scoped_subjects: set[str] = set()
        self._scoped_entities: set[str] = set()
        self._own_subjects: dict[str, None] = {}
        self._own_entities: dict[str, None] = {}
        self._about_record = False
        self.predicates: set[str] = set()

    def own(self, triple: StoredTriple) -> None:
        # Terms typed str (an IRI is one): compiled code then compares them, and calls their
        # methods, as strings instead of through Python's generic protocols.
        s: str = triple[0]
        p: str = triple[1]
        o = triple[2]
        self.predicates.add(p)
        # _class_of inlined: a call would unpack the stored triple again, for every own triple.
        cls = o if p == RDF_TYPE and type(o) is IRI_TYPE else None
        if s is self.record:  # most own triples are about the record: the same IRI object
            self._about_record = True
        elif s.startswith(self.scope):
            self.scoped(s, cls)
            return
        else:
            self._own_subjects[s] = None
        self.own_triples += 1
        if cls is not None:
            self._own_entities[s] = None
            self.own_classes.append(cls)

    def scoped(self, subject: str, cls: str | None) -> None:
        self.scoped_triples += 1
        self._scoped_subjects.add(subject)
        if cls is not None:
            self._scoped_entities.add(subject)
            self.scoped_classes.append(cls)

    def done(self) -> RecordStats:
        if self._about_record:
            self._own_subjects[self.record] = None
        return RecordStats(
            self.scoped_triples,
            len(self._scoped_subjects),
            len(self._scoped_entities),
            self.scoped_classes,
            self.predicates,
            self.own_triples,
            list(self._own_subjects),
            list(self._own_entities),
            self.own_classes,
        )


class DumpCounter:
    """Exact VoID counts of the union graph of a dump, gathered while it is written."""

    def __init__(self) -> None:
        self.triples = 0
        self.classes: dict[str, int] = {}
        self.predicates: set[str] = set()
        self._scoped_subjects = 0
        self._scoped_entities = 0
        self._subjects = HashSet()
        self._entities = HashSet()
        self._last_predicates: set[str] | frozenset[str] = frozenset()

    def add_record(self, stats: RecordStats) -> None:
        """Count a record's own triples and those about things scoped to it."""
        if stats.predicates is not self._last_predicates:  # records of one shape share the set
            self.predicates |= stats.predicates
            self._last_predicates = stats.predicates
        self.triples += stats.scoped_triples + stats.own_triples
        self._scoped_subjects += stats.scoped_subjects
        self._scoped_entities += stats.scoped_entities
        classes = self.classes
        for cls in stats.scoped_classes:
            classes[cls] = classes.get(cls, 0) + 1
        for cls in stats.own_classes:
            classes[cls] = classes.get(cls, 0) + 1
        for subject in stats.own_subjects:
            self._subjects.add(hash(subject))
        for subject in stats.own_entities:
            self._entities.add(hash(subject))

    def add_shared(self, subject: str, cls: str | None) -> None:
        """Count a shared triple written for the first time."""
        self.triples += 1
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


# Descriptions formatted per process; when full the cache starts afresh (memory stays bounded).
FORMATTED_CACHE_SIZE = 100_000
# Keys of the descriptions a worker process has sent; when full it starts afresh and sends them again.
SENT_KEYS_SIZE = 2_000_000
RDF_TYPE: Final[str] = RDF.type


class Writer:
    """Base class: subclasses format triples (``piece``) and assemble them (``render``)."""

    quads = False
    # Own pieces are text written as they come (N-Triples): a worker sends them as one string.
    joins_own = False

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        # The binary stream under *stream* (see make_writer), or None.
        self.binary: BinaryIO | None = None
        # Hashes of the shared pieces and of the whole descriptions written so far.
        self._seen = HashSet()
        self._described = HashSet()
        self._formatted: dict[int, tuple[Description, Formatted]] = {}
        # In a worker: keys of the descriptions sent so far. In the writing process: descriptions
        # of records that were prepared but not written (see discard).
        self._sent = HashSet()
        self._unwritten: dict[int, Formatted] = {}
        self.triples_written = 0
        self.counter = DumpCounter()

    def start(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def forget(self) -> None:
        """Drop the descriptions formatted so far (a cache: writing goes on correctly after it)."""
        self._formatted.clear()

    def write(self, graph: RecordGraph) -> None:
        self.emit(self.prepare(graph))

    def prepare(self, graph: RecordGraph) -> Prepared:
        # Triple formats leave out a description this process has written already: emit would
        # find its key among those written and skip it, after a probe into a table that grows
        # with the dump. Most of a record's shared descriptions are such (quads keep them all).
        own, shared, stats, own_count = self._format_graph(graph, skip_written=not self.quads)
        if self.quads:
            pieces = list(dict.fromkeys([*own, *(text for f in shared for text in f.pieces)]))
            block = self.render_graph(graph.iri, pieces)
            return Prepared(block=block, triples=len(pieces), shared=tuple(shared), stats=stats)
        return Prepared(own=tuple(own), shared=tuple(shared), stats=stats, own_count=own_count)

    def _format_graph(
        self, graph: RecordGraph, skip_written: bool = False
    ) -> tuple[list[Hashable], list[Formatted], RecordStats, int]:
        """The record's own pieces (its own triples, each once), its shared descriptions formatted
        (without those already written, if *skip_written*), its counts, and the number of its own
        triples."""
        scope = graph.iri + "#"
        counter = _RecordCounter(graph.iri)
        # Repeats are dropped by the triple, not its text: its terms' hashes are known (IRIs) or
        # cheap (see unique_triples), a new line of text's are not (equal terms are equal tuples:
        # see typed()).
        # The triples as the tuple objects they are (see StoredTriple): typed Triple, each would
        # be unpacked and packed again, a new tuple, to be stored and passed on.
        own_triples = cast(list[StoredTriple], graph.own)
        if NATIVE_UNIQUE_TRIPLES is not None:
            triples = NATIVE_UNIQUE_TRIPLES(own_triples)
        else:
            triples = unique_triples(own_triples)
        for triple in triples:
            counter.own(triple)
        own = self.format_own(cast(list[Triple], triples))
        scoped_pieces: set[Hashable] = set()
        shared: list[Formatted] = []
        for description in graph.shared:
            if _within(description, scope):
                shared.append(self._format_scoped(description, counter, scoped_pieces))
                continue
            formatted = self.formatted(description)
            if not (skip_written and formatted.written):
                shared.append(formatted)
        return own, shared, counter.done(), len(triples)

    def format_own(self, triples: list[Triple]) -> list[Hashable]:
        """The pieces of a record's own triples (a piece each, unless a writer joins them)."""
        return [self.piece(triple) for triple in triples]

    def prepare_in_worker(self, graph: RecordGraph) -> Prepared:
        """``prepare`` for a worker process, whose result is pickled to the writing process.

        A description this process has sent before goes as its key: the writing process handles
        results in input order, so it has that description already — written, or kept by
        ``discard``. Most of a record's shared descriptions recur, and pickling them cost more
        than mapping the record.
        """
        prepared = self.prepare(graph)
        sent = self._sent
        if len(sent) >= SENT_KEYS_SIZE:
            sent = self._sent = HashSet()
        shared: list[Formatted | int] = []
        for formatted in prepared.shared:
            key = formatted.key if isinstance(formatted, Formatted) else None
            if key is None or sent.add(key):  # scoped to the record, or sent for the first time
                shared.append(formatted)
            else:
                shared.append(key)
        own = prepared.own
        if self.joins_own and prepared.block is None:
            own = ("".join(own),)
        return Prepared(prepared.block, prepared.triples, own, tuple(shared), prepared.stats, prepared.own_count)

    def discard(self, prepared: Prepared) -> None:
        """A prepared record will not be written (a duplicate id, a SHACL violation): keep its
        unwritten descriptions, which later records prepared in the same worker may refer to by key."""
        for formatted in prepared.shared:
            if isinstance(formatted, Formatted) and formatted.key is not None and formatted.key not in self._described:
                self._unwritten[formatted.key] = formatted

    def formatted(self, description: Description) -> Formatted:
        """The description formatted by this writer (once per process while the cache holds it).

        The mapping hands out the same description object for every record that mentions the
        same thing (its memo), so the cache goes by identity: looking a description up by its
        content would touch every triple of it, for each record — a cache miss each. The entry
        holds the description, so its id cannot be reused while the entry lives. A one-triple
        description (a link, a lone type) is made anew by each record and formatted at once.
        """
        if len(description) == 1:
            triple = description[0]
            subject: str = triple[0]
            predicate: str = triple[1]
            return Formatted(
                hash(description), (self.piece(triple),), (subject,), (_class_of(triple),), frozenset((predicate,))
            )
        entry = self._formatted.get(id(description))
        if entry is not None and entry[0] is description:
            return entry[1]
        # A triple whose text repeats an earlier one's (two spellings of one term) adds nothing.
        pieces: dict[Hashable, None] = {}
        subjects: list[str] = []
        classes: list[str | None] = []
        predicates: set[str] = set()
        for triple in description:
            text = self.piece(triple)
            if text in pieces:
                continue
            pieces[text] = None
            subjects.append(triple[0])
            classes.append(_class_of(triple))
            predicates.add(triple[1])
        made = Formatted(hash(description), tuple(pieces), tuple(subjects), tuple(classes), frozenset(predicates))
        if len(self._formatted) >= FORMATTED_CACHE_SIZE:
            self._formatted.clear()
        self._formatted[id(description)] = (description, made)
        return made

    def _format_scoped(self, description: Description, counter: _RecordCounter, seen: set[Hashable]) -> Formatted:
        pieces = []
        for triple in description:
            text = self.piece(triple)
            if text in seen:
                continue
            seen.add(text)
            pieces.append(text)
            counter.predicates.add(triple[1])
            counter.scoped(triple[0], _class_of(triple))
        return Formatted(None, tuple(pieces), (), (), frozenset())

    def _fresh(self, prepared: Prepared) -> list:
        """Count the record and return its shared pieces that are new to this dump."""
        counter = self.counter
        if prepared.stats is not None:
            counter.add_record(prepared.stats)
        seen = self._seen
        described = self._described
        fresh: list[Hashable] = []
        unwritten = self._unwritten
        for reference in prepared.shared:
            if isinstance(reference, int):  # sent before by the worker that prepared this record
                if reference in described:
                    continue
                stashed = unwritten.pop(reference, None)
                if stashed is None:
                    raise RuntimeError(f"internal error: description {reference} referred to but never sent")
                formatted = stashed
            else:
                formatted = reference
            key = formatted.key
            if key is None:
                fresh.extend(formatted.pieces)
                continue
            formatted.written = True
            if not described.add(key):
                continue
            if unwritten:
                unwritten.pop(key, None)
            counter.predicates |= formatted.predicates
            for text, subject, cls in zip(formatted.pieces, formatted.subjects, formatted.classes, strict=True):
                if seen.add(hash(text)):
                    fresh.append(text)
                    counter.add_shared(subject, cls)
        return fresh

    def emit(self, prepared: Prepared) -> None:
        fresh = self._fresh(prepared)
        if prepared.block is not None:
            self.triples_written += prepared.triples
            self.stream.write(prepared.block)
            return
        self.triples_written += prepared.own_count + len(fresh)
        self.write_pieces([*prepared.own, *fresh])

    def piece(self, triple: Triple) -> Hashable:
        """One triple, formatted as far as it can be without knowing its neighbours."""
        raise NotImplementedError

    def render_graph(self, name: IRI, pieces: list) -> str:
        """The text of a whole named graph (quad formats)."""
        raise NotImplementedError

    def write_pieces(self, pieces: list) -> None:
        """Write the triples of one record that are new to this dump (triple formats)."""
        raise NotImplementedError


def unique_triples(triples: list[StoredTriple]) -> list[StoredTriple]:
    """The triples each once, in their first places (kg/_text.c does the same faster, without
    hashing literals whole: see NATIVE_UNIQUE_TRIPLES)."""
    unique: set[StoredTriple] = set()
    kept: list[StoredTriple] = []
    for triple in triples:
        before = len(unique)
        unique.add(triple)
        if len(unique) > before:
            kept.append(triple)
    return kept


def _within(description: Description, scope: str) -> bool:
    """Whether every triple of *description* is about a thing scoped to a record (``{record}#…``)."""
    for triple in description:
        subject: str = triple[0]  # typed str: compiled code calls str.startswith directly
        if not subject.startswith(scope):
            return False
    return True


def _class_of(triple: Triple) -> str | None:
    """The class a triple gives its subject: its object, when it is an rdf:type to an IRI."""
    predicate: str = triple[1]
    o = triple[2]
    return o if predicate == RDF_TYPE and type(o) is IRI_TYPE else None


def statement(triple: Triple, end: str) -> str:
    """An N-Triples statement ending in *end* (nt_term inlined: this runs for every triple)."""
    # Typed str, not IRI: compiled f-strings call str() on other types, which copies a str subclass.
    s: str = triple[0]
    p: str = triple[1]
    o = triple[2]
    if type(o) is IRI_TYPE:
        iri: str = o
        return f"<{s}> <{p}> <{iri}> {end}"
    items = cast(LiteralItems, o)  # see LiteralItems
    value, datatype, lang = items
    text = escape_string(value)
    if lang:
        return f'<{s}> <{p}> "{text}"@{lang} {end}'
    if datatype and datatype != XSD_STRING:
        return f'<{s}> <{p}> "{text}"^^<{datatype}> {end}'
    return f'<{s}> <{p}> "{text}" {end}'


def ntriples_runs(triples: list[Triple]) -> list[Hashable]:
    """The statements of a record's own triples as few strings: runs of ASCII text, and each
    statement with a non-ASCII literal on its own (see NTriplesWriter.write_pieces).

    The parts of the statements are joined once per run, not once per statement: a statement
    made as a string of its own, to be joined again, cost twice the copying and an allocation.
    The text is the same as ``statement``'s. kg/_text.c makes the same strings faster
    (NATIVE_NTRIPLES_RUNS); this is the definition, and the pure-Python build's.
    """
    own: list[Hashable] = []
    parts: list[str] = []
    subject: str = ""
    head = ""
    for triple in triples:
        s: str = triple[0]
        if s is not subject:  # most are about the record, one IRI object
            subject = s
            head = "<" + s + "> <"
        p: str = triple[1]
        o = triple[2]
        if type(o) is IRI_TYPE:
            iri: str = o
            parts.append(head)
            parts.append(p)
            parts.append("> <")
            parts.append(iri)
            parts.append("> .\n")
            continue
        value, datatype, lang = cast(LiteralItems, o)  # see LiteralItems
        text = escape_string(value)
        alone = not IS_ASCII(text)
        if alone and parts:  # the run so far, then this statement as a string of its own
            own.append("".join(parts))
            parts.clear()
        parts.append(head)
        parts.append(p)
        parts.append('> "')
        parts.append(text)
        if lang:
            parts.append('"@')
            parts.append(lang)
            parts.append(" .\n")
        elif datatype and datatype != XSD_STRING:
            parts.append('"^^<')
            parts.append(datatype)
            parts.append("> .\n")
        else:
            parts.append('" .\n')
        if alone:
            own.append("".join(parts))
            parts.clear()
    if parts:
        own.append("".join(parts))
    return own


def format_statement(triple: Triple, end: str) -> str:
    """``statement``'s text, by kg/_text.c where it is built."""
    if NATIVE_STATEMENT is not None:
        return NATIVE_STATEMENT(triple, IRI_TYPE, XSD_STRING, ESCAPE_STRING, end)
    return statement(triple, end)


class NTriplesWriter(Writer):
    joins_own = True

    def piece(self, triple: Triple) -> str:
        return format_statement(triple, ".\n")

    def format_own(self, triples: list[Triple]) -> list[Hashable]:
        """The statements as ntriples_runs makes them (see there), by kg/_text.c where it is built."""
        if NATIVE_NTRIPLES_RUNS is not None:
            return NATIVE_NTRIPLES_RUNS(triples, IRI_TYPE, XSD_STRING, ESCAPE_STRING, ".\n")
        return ntriples_runs(triples)

    def start(self) -> None:
        if self.binary is not None:
            self.stream.flush()  # whatever went to the text stream comes first

    def write_pieces(self, pieces: list) -> None:
        if self.binary is not None and NATIVE_UTF8_JOINED is not None:
            # A record's text as UTF-8 in one piece, into the binary stream: the text stream
            # would gather the pieces, join them again every 8 KB and hand that on (a copy of
            # the dump more, and 4 % of a conversion's instructions).
            self.binary.write(NATIVE_UTF8_JOINED(pieces))
            return
        # A UTF-8 text stream takes ASCII text as it is and encodes other text character by
        # character. Joined into one string, a record with a single non-ASCII character (a name,
        # a word of its abstract) had all its text encoded so: non-ASCII pieces go on their own.
        write = self.stream.write
        run: list[str] = []
        for piece in pieces:
            text: str = piece
            if IS_ASCII(text):
                run.append(text)
                continue
            if run:
                write("".join(run))
                run = []
            write(text)
        if run:
            write("".join(run))


class GraphStatements(Writer):
    """Each record's graph as N-Triples statements, for a store (kg load, push, sync).

    The VoID counts of the union of the graphs are gathered as they go by (``counter``), as a
    dump's are: counting them afterwards with SPARQL ``COUNT(DISTINCT …)`` made the store hold
    every distinct term in memory (over 8 GB for a million records in Oxigraph).
    """

    def __init__(self) -> None:
        super().__init__(io.StringIO())  # nothing is written: the statements are returned

    def piece(self, triple: Triple) -> str:
        return format_statement(triple, ".")

    def statements(self, graph: RecordGraph) -> list[str]:
        """The statements of *graph*, each once, in a stable order; counted into ``counter``."""
        own, shared, stats, _ = self._format_graph(graph)
        self._fresh(Prepared(shared=tuple(shared), stats=stats))
        return cast(list[str], list(dict.fromkeys([*own, *(text for f in shared for text in f.pieces)])))


class NQuadsWriter(Writer):
    quads = True

    def piece(self, triple: Triple) -> str:
        return format_statement(triple, "")

    def render_graph(self, name: IRI, pieces: list) -> str:
        end = f"<{name}> .\n"
        return end.join(pieces) + end if pieces else ""


ABBREVIATED_CACHE_SIZE: Final = 100_000
_PN_LOCAL_SAFE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class Abbreviator:
    """Writes IRIs as prefixed names where that is unambiguous Turtle."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        # Longest namespace first, so nested namespaces pick the specific prefix.
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        # When every namespace ends in "/" or "#" (kg's all do), the one an IRI can be written
        # with ends where the IRI's last "/" or "#" does: a local name holds neither. One lookup
        # then replaces trying each namespace.
        self._by_namespace: dict[str, str] | None = {namespace: prefix for prefix, namespace in self.prefixes}
        if not all(namespace.endswith(("/", "#")) for namespace in prefixes.values()):
            self._by_namespace = None
        self._cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        cached = self._cache.get(iri)
        if cached is not None:
            return cached
        text = self._abbreviated(iri)
        # Recent IRIs stay cached (a record's own IRI is the subject of most of its triples).
        if len(self._cache) >= ABBREVIATED_CACHE_SIZE:
            self._cache.clear()
        self._cache[iri] = text
        return text

    def _abbreviated(self, iri: str) -> str:
        by_namespace = self._by_namespace
        if by_namespace is not None:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix = by_namespace.get(iri[:cut])
            return self._prefixed(iri, prefix, iri[cut:]) if prefix is not None else f"<{iri}>"
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace):
                return self._prefixed(iri, prefix, iri[len(namespace) :])
        return f"<{iri}>"

    @staticmethod
    def _prefixed(iri: str, prefix: str, local: str) -> str:
        if local and set(local) <= _PN_LOCAL_SAFE and local[0] not in "-" and local[-1] != ".":
            return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, term: Term) -> str:
        if type(term) is IRI_TYPE:
            return self.iri(term)
        items = cast(LiteralItems, term)  # see LiteralItems
        value, datatype, lang = items
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
        p: str = triple[1]
        iri = self.abbreviate.iri
        return iri(triple[0]), "a" if p == RDF_TYPE else iri(p), self.abbreviate.term(triple[2])

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

    def _value(self, term: Term) -> str:
        """The term's value object as JSON (the text of json.dumps, built without its per-call set-up)."""
        if type(term) is IRI_TYPE:
            return '{"@id": ' + _json_string(term) + "}"
        items = cast(LiteralItems, term)  # see LiteralItems
        value, datatype, lang = items
        if lang:
            return '{"@value": ' + _json_string(value) + ', "@language": ' + _json_string(lang) + "}"
        if datatype and datatype != XSD_STRING:
            return '{"@value": ' + _json_string(value) + ', "@type": ' + _json_string(self._key(datatype)) + "}"
        return _json_string(value)

    def piece(self, triple: Triple) -> tuple[str, str, str, str | None]:
        """(subject, key, value as JSON, class as JSON when this is an rdf:type to an IRI)."""
        s: str = triple[0]
        p: str = triple[1]
        cls = _class_of(triple)
        as_class = _json_string(self._key(cls)) if cls is not None else None
        return s, self._key(p), self._value(triple[2]), as_class

    def write_pieces(self, pieces: list) -> None:
        # The same text json.dumps(node, ensure_ascii=False) gives for the node objects.
        parts = []
        for subject, predicates in _group(pieces).items():
            members = ['"@id": ' + _json_string(subject)]
            for key, items in predicates.items():
                if items[0][3] is not None and all(item[3] is not None for item in items):
                    members.append('"@type": [' + ", ".join(item[3] for item in items) + "]")
                else:
                    members.append(_json_string(key) + ": [" + ", ".join(item[2] for item in items) + "]")
            parts.append("{" + ", ".join(members) + "}")
        if not parts:
            return
        separator = "" if self._first else ",\n"
        self._first = False
        self.stream.write(separator + ",\n".join(parts))

    def finish(self) -> None:
        self.stream.write("\n]\n}\n")


def _json_string(text: str) -> str:
    """A JSON string: json.dumps(text, ensure_ascii=False), whose C encoder this calls directly
    (json.dumps builds a new encoder for each call with a non-default argument)."""
    encoded: str = _encode_json_string(text)
    return encoded


def escape(text: str) -> str:
    """XML character data (xml.sax.saxutils.escape, whose module imports urllib.request: 12 ms a start-up)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """An XML attribute value with its quotes, as xml.sax.saxutils.quoteattr makes it."""
    data = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        return "'" + data + "'" if "'" not in data else '"' + data.replace('"', "&quot;") + '"'
    return '"' + data + '"'


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
        if type(obj) is IRI_TYPE:
            return s, p, f"    <{name}{xmlns} rdf:resource={quoteattr(obj)}/>\n"
        value, datatype, lang = cast(LiteralItems, obj)  # see LiteralItems
        attrs = xmlns
        if lang:
            attrs += f' xml:lang="{lang}"'
        elif datatype and datatype != XSD_STRING:
            attrs += f" rdf:datatype={quoteattr(datatype)}"
        return s, p, f"    <{name}{attrs}>{escape(value)}</{name}>\n"

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


def make_writer(fmt: str, stream: TextIO, binary: BinaryIO | None = None) -> Writer:
    """A writer of *fmt* to *stream*. *binary*, when given, is the binary stream under it, which
    *stream* writes to as UTF-8 with "\n" line ends (as open_output opens it) and holds nothing
    unwritten between writes of the writer: a writer may write its text there as bytes directly."""
    writer = WRITERS[fmt](stream)
    writer.binary = binary
    return writer
