"""What a mapping rule receives and what it produces."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kg.iris import DEFAULT_BASE, Minter
from kg.rdf import IRI, XSD_STRING, Literal, Term, Triple, literal
from kg.vocab import RDF

# What a record says about things other records mention too — a person, a department, a
# project with its grant and funder, a journal — or a link between two records: a group of
# triples that recurs whole. Writers of triple formats write a description once, however
# many records repeat it, and the mapping describes a recurring thing once per run.
Description = tuple[Triple, ...]


class Problem(NamedTuple):
    """A warning or a reject reason, located as precisely as we can."""

    record: str | None
    field: str | None
    reason: str


# Not frozen: compiled (mypyc) frozen dataclasses cannot be unpickled,
# and settings cross process boundaries (--jobs, dask).
@dataclass
class MappingOptions:
    base: str = DEFAULT_BASE
    # Name of the institution that awards degrees, when theses carry no publisher.
    institution: str | None = None
    # Citation style exported as dcterms:bibliographicCitation ("none" for none).
    citation_style: str = "apa"
    # What the input records are: LibreCat's publication, department or project records.
    kind: str = "publication"


# Descriptions remembered per run; when full the memo starts afresh (memory stays bounded).
MEMO_SIZE = 100_000


class MappingContext:
    """Settings shared by all records of a run, and the descriptions already made.

    The memo is a pure speed-up: a description depends only on its key, so a record maps to
    the same triples whether or not the memo holds it.
    """

    def __init__(self, options: MappingOptions | None = None) -> None:
        self.options = options or MappingOptions()
        self.iris = Minter(self.options.base)
        self.memo: dict[Hashable, Any] = {}

    def recall(self, key: Hashable) -> Any:
        return self.memo.get(key)

    def remember(self, key: Hashable, value: Any) -> None:
        if len(self.memo) >= MEMO_SIZE:
            self.memo.clear()
        self.memo[key] = value

    def forget(self) -> None:
        """Drop the descriptions remembered (at the end of a run; mapping goes on correctly after it)."""
        self.memo.clear()


class Facts:
    """Collects the triples of one description."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def add(self, subject: IRI, predicate: IRI, obj: Term | None) -> None:
        if obj is not None:
            self.triples.append((subject, predicate, obj))

    def types(self, subject: IRI, *classes: IRI) -> None:
        for cls in classes:
            self.triples.append((subject, RDF.type, cls))

    def description(self) -> Description:
        return tuple(self.triples)


@dataclass
class RecordGraph:
    """The triples of one record, split by whether another record may say them too.

    ``own`` triples describe the record itself and exist only in its graph.
    ``shared`` descriptions describe people, projects, organisations … or links between
    records: another record's graph may contain the same triples, so writers of
    triple formats deduplicate them while quad formats keep each record's graph
    self-contained.
    """

    record_id: str
    iri: IRI
    own: list[Triple] = field(default_factory=list)
    shared: list[Description] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # (orcid, person IRI, display name), for the cross-record ORCID clash check.
    orcids: list[tuple[str, IRI, str]] = field(default_factory=list)
    unmapped_fields: list[str] = field(default_factory=list)
    date_updated: str | None = None

    def __reduce__(self) -> tuple:
        # Workers send graphs back (their triples dropped when the writer's prepare ran there):
        # through the constructor, with the IRIs outside the triples as plain strings (an IRI, a
        # str subclass, pickles 25 times slower than a str).
        orcids = [(orcid, str(person), name) for orcid, person, name in self.orcids]
        fields = (self.own, self.shared, self.warnings, orcids, self.unmapped_fields, self.date_updated)
        return (_rebuild_graph, (self.record_id, str(self.iri), *fields))

    def add(self, subject: IRI, predicate: IRI, obj: Term | None) -> None:
        if obj is not None:
            self.own.append((subject, predicate, obj))

    def share(self, description: Description) -> None:
        if description:
            self.shared.append(description)

    def share_type(self, subject: IRI, *classes: IRI) -> None:
        self.shared.append(tuple([(subject, RDF.type, cls) for cls in classes]))

    def link(self, subject: IRI, predicate: IRI, obj: IRI) -> None:
        """A shared triple on its own: a link between records, or between things they describe."""
        self.shared.append(((subject, predicate, obj),))

    def warn(self, field_name: str | None, reason: str) -> None:
        self.warnings.append(Problem(self.record_id, field_name, reason))

    def shared_triples(self) -> list[Triple]:
        return [triple for description in self.shared for triple in description]

    def triples(self) -> list[Triple]:
        """All triples of the record's graph, each once, in a stable order."""
        return list(dict.fromkeys(self.own + self.shared_triples()))


def mention(
    graph: RecordGraph, ctx: MappingContext, key: tuple, describe: Callable[..., tuple[Any, Description]], *args: Any
) -> Any:
    """Share in *graph* the description of a thing other records mention too; what *describe* names it.

    ``describe(*args)`` returns (the thing's IRI — or IRIs —, its description). It depends only on
    its arguments, which *key* stands for, so it runs once per run: later records get the same
    description object from the context's memo.
    """
    known = ctx.recall(key)
    if known is None:
        known = describe(*args)
        ctx.remember(key, known)
    graph.share(known[1])
    return known[0]


def _rebuild_graph(
    record_id: str,
    iri: str,
    own: list[Triple],
    shared: list[Description],
    warnings: list[Problem],
    orcids: list[tuple[str, str, str]],
    unmapped_fields: list[str],
    date_updated: str | None,
) -> RecordGraph:
    people = [(orcid, IRI(person), name) for orcid, person, name in orcids]
    return RecordGraph(record_id, IRI(iri), own, shared, warnings, people, unmapped_fields, date_updated)


def plain(value: str | None, lang: str | None = None) -> Literal | None:
    return literal(value, None, lang) if value else None


def typed(value: str | None, datatype: IRI) -> Literal | None:
    if value is None:
        return None
    # "x"^^xsd:string is the plain literal "x": one spelling, so that equal literals are equal tuples.
    return literal(value, None if datatype == XSD_STRING else datatype)
