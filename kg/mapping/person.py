"""People: authors, editors, translators, supervisors."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from kg.mapping.fields import MappingError, as_text, json_type, place
from kg.mapping.model import Description, MappingContext, RecordGraph, plain
from kg.rdf import IRI, Term, native
from kg.vocab import FOAF, FRAPO, OWL, RDF

_ORCID_SHAPE: Final = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ORCID_PREFIX: Final = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", re.I)


def orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 15 ORCID digits."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(value: str) -> str | None:
    """The bare 16-character ORCID, or None when it is malformed or fails its check digit."""
    candidate = _ORCID_PREFIX.sub("", value.strip()).upper()
    if not _ORCID_SHAPE.match(candidate):
        return None
    digits = candidate.replace("-", "")
    return candidate if orcid_check_digit(digits[:15]) == digits[15] else None


def display_name(first: str | None, last: str | None, full: str | None) -> str | None:
    """ "Given Family" when both parts are known, else LibreCat's full name as written."""
    if first and last:
        return f"{first} {last}"
    if full:
        return full
    return last or first


@dataclass
class Person:
    """A person entry resolved: what any record that mentions them says about them.

    A person without id or ORCID (an external author) has no IRI of their own: each record
    that mentions them names them inside itself (``{record}#person-{name}``), so ``iri`` is
    None and ``facts`` (predicate, object pairs) are said of the IRI the record mints.
    """

    iri: IRI | None
    # The fragment of the IRI a record mints for a person without IRI (Minter.person_fragment).
    fragment: str
    facts: tuple[tuple[IRI, Term], ...]
    description: Description
    # (ORCID, IRI, display name) for the cross-record ORCID clash check.
    orcid: tuple[str, str, str] | None

    # Written out (see kg.mapping.model.RecordGraph): compiled, it runs natively.
    def __init__(
        self,
        iri: IRI | None,
        fragment: str,
        facts: tuple[tuple[IRI, Term], ...],
        description: Description,
        orcid: tuple[str, str, str] | None,
    ) -> None:
        self.iri = iri
        self.fragment = fragment
        self.facts = facts
        self.description = description
        self.orcid = orcid

    def mention(self, ctx: MappingContext, graph: RecordGraph) -> IRI:
        """Describe the person in *graph*; their IRI."""
        if self.iri is not None:
            graph.share(self.description)
            if self.orcid is not None:
                graph.orcids.append(self.orcid)
            return self.iri
        iri = ctx.iris.in_record(graph.iri, self.fragment)
        graph.share(tuple([(iri, predicate, obj) for predicate, obj in self.facts]))
        return iri


def map_person(entry: object, field: str, index: int, ctx: MappingContext, graph: RecordGraph) -> IRI | None:
    """One person entry (element *index* of *field*) → its IRI (described in *graph*), or None when it
    carries nothing.

    The same people recur in thousands of records: a person whose entry is plain text and
    who raises no warning is resolved once per run (per context) and reused — what is said
    about them depends only on the entry.
    """
    if not isinstance(entry, dict):
        raise MappingError(place(field, index), f"expected an object with first_name/last_name, got {json_type(entry)}")
    key = PERSON_KEY(entry)
    person: Person | None = ctx.recall(key) if key is not None else None
    if person is None:
        warnings_before = len(graph.warnings)
        person = _resolve_person(entry, place(field, index), ctx, graph)
        if person is None:
            return None
        if key is not None and len(graph.warnings) == warnings_before:
            ctx.remember(key, person)
    return person.mention(ctx, graph)


# The memo key of a person entry is one string: "person", a number telling which fields are absent,
# then the fields' text, each after a NUL. One string hashes once and compares in one go, where a
# tuple of the fields compared them one by one, each a separate object (a cache miss each in a large
# memo).


def _person_key(entry: dict) -> str | None:
    """The memo key of an entry of plain text (its fields), or None for one with a value that is not
    text or whose text holds the separator (then the key would not be exact)."""
    first = entry.get("first_name")
    last = entry.get("last_name")
    full = entry.get("full_name")
    local_id = entry.get("id")
    orcid = entry.get("orcid")
    first_text = _key_part(first)
    last_text = _key_part(last)
    full_text = _key_part(full)
    id_text = _key_part(local_id)
    orcid_text = _key_part(orcid)
    if first_text is None or last_text is None or full_text is None or id_text is None or orcid_text is None:
        return None
    # Absent and empty fields are both written as nothing: the number tells them apart.
    absent = (first is None) + 2 * (last is None) + 4 * (full is None) + 8 * (local_id is None) + 16 * (orcid is None)
    key = f"person{absent}\x00{first_text}\x00{last_text}\x00{full_text}\x00{id_text}\x00{orcid_text}"
    # Exact when the only separators are the key's own five (one count, not a search in every field).
    return key if key.count("\x00") == 5 else None


def _key_part(value: object) -> str | None:
    """A field as part of a memo key: its text ("" when absent), or None for a value that is not text."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    return None


# kg/_text.c's person_key where it is built: it measures the key and copies the fields into it,
# where the f-string above builds it from its parts and counts separators afterwards (3,000
# instructions an entry, for every person of every record; 1,800 in C, mostly the field lookups).
PERSON_KEY: Final[Callable[[dict], str | None]] = native("person_key") or _person_key


def _resolve_person(entry: dict, where: str, ctx: MappingContext, graph: RecordGraph) -> Person | None:
    """What the entry says of the person, or None when there is nothing to describe (with a warning)."""
    first = as_text(entry.get("first_name"), f"{where}.first_name")
    last = as_text(entry.get("last_name"), f"{where}.last_name")
    full = as_text(entry.get("full_name"), f"{where}.full_name")
    local_id = as_text(entry.get("id"), f"{where}.id")
    name = display_name(first, last, full)

    orcid = None
    raw_orcid = as_text(entry.get("orcid"), f"{where}.orcid")
    if raw_orcid:
        orcid = normalise_orcid(raw_orcid)
        if orcid is None:
            graph.warn(
                f"{where}.orcid",
                f"invalid ORCID {raw_orcid!r} for {name or 'unnamed person'} dropped (wrong format or check digit)",
            )

    iri: IRI | None = None
    if local_id:
        iri = ctx.iris.person(local_id)
    elif orcid:
        iri = ctx.iris.person_by_orcid(orcid)
    elif not name:
        graph.warn(where, "person without name, id or ORCID skipped")
        return None

    if not name:
        graph.warn(where, "person has no name")
    facts: list[tuple[IRI, Term | None]] = [
        (RDF.type, FOAF.Person),
        (FOAF.name, plain(name)),
        (FOAF.givenName, plain(first)),
        (FOAF.familyName, plain(last)),
    ]
    orcid_entry = None
    if orcid and iri is not None:
        facts.append((FRAPO.hasORCID, plain(orcid)))
        facts.append((OWL.sameAs, ctx.iris.orcid(orcid)))
        # The IRI as a plain str: the entry may be pickled to the writing process (--jobs), and a
        # str subclass pickles by reduction, many times slower.
        orcid_entry = (orcid, str(iri), name or "")
    said = tuple([(predicate, obj) for predicate, obj in facts if obj is not None])
    description = tuple([(iri, predicate, obj) for predicate, obj in said]) if iri is not None else ()
    fragment = ctx.iris.person_fragment(full or name or "") if iri is None else ""
    return Person(iri, fragment, said, description, orcid_entry)


def map_people(record: dict, field: str, ctx: MappingContext, graph: RecordGraph) -> list[IRI]:
    """The people of one role, in the record's order, without repeats."""
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MappingError(field, f"expected an array of people (objects), got {json_type(value)}")
    people: list[IRI] = []
    seen: set[IRI] = set()  # a consortium paper lists hundreds of people: no list scans
    for index, entry in enumerate(value):
        iri = map_person(entry, field, index, ctx, graph)
        if iri is not None and iri not in seen:
            seen.add(iri)
            people.append(iri)
    return people
