"""What a mapping rule receives and what it produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from kg.iris import DEFAULT_BASE, Minter
from kg.rdf import IRI, Literal, Term, Triple
from kg.vocab import RDF


class Problem(NamedTuple):
    """A warning or a reject reason, located as precisely as we can."""

    record: str | None
    field: str | None
    reason: str


@dataclass(frozen=True)
class MappingOptions:
    base: str = DEFAULT_BASE
    # Name of the institution that awards degrees, when theses carry no publisher.
    institution: str | None = None
    # Citation style exported as dcterms:bibliographicCitation ("none" for none).
    citation_style: str = "apa"
    # What the input records are: LibreCat's publication, department or project records.
    kind: str = "publication"


class MappingContext:
    """Read-only settings shared by all records of a run."""

    def __init__(self, options: MappingOptions | None = None) -> None:
        self.options = options or MappingOptions()
        self.iris = Minter(self.options.base)
        # Memo of people already described (see person.map_person); a pure speed-up.
        self.person_cache: dict[tuple, tuple] = {}


@dataclass
class RecordGraph:
    """The triples of one record, split by whether another record may say them too.

    ``own`` triples describe the record itself and exist only in its graph.
    ``shared`` triples describe people, projects, organisations … or links between
    records: another record's graph may contain the same triple, so writers of
    triple formats deduplicate them while quad formats keep each record's graph
    self-contained.
    """

    record_id: str
    iri: IRI
    own: list[Triple] = field(default_factory=list)
    shared: list[Triple] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # (orcid, person IRI, display name), for the cross-record ORCID clash check.
    orcids: list[tuple[str, IRI, str]] = field(default_factory=list)
    unmapped_fields: list[str] = field(default_factory=list)
    date_updated: str | None = None

    def add(self, subject: IRI, predicate: IRI, obj: Term | None) -> None:
        if obj is not None:
            self.own.append((subject, predicate, obj))

    def share(self, subject: IRI, predicate: IRI, obj: Term | None) -> None:
        if obj is not None:
            self.shared.append((subject, predicate, obj))

    def share_type(self, subject: IRI, *classes: IRI) -> None:
        for cls in classes:
            self.shared.append((subject, RDF.type, cls))

    def warn(self, field_name: str | None, reason: str) -> None:
        self.warnings.append(Problem(self.record_id, field_name, reason))

    def triples(self) -> list[Triple]:
        """All triples of the record's graph, each once, in a stable order."""
        return list(dict.fromkeys(self.own + self.shared))


def plain(value: str | None, lang: str | None = None) -> Literal | None:
    return Literal(value, None, lang) if value else None


def typed(value: str | None, datatype: IRI) -> Literal | None:
    return Literal(value, datatype) if value is not None else None
