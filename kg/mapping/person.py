"""People: authors, editors, translators, supervisors."""

from __future__ import annotations

import re

from kg.mapping.fields import MappingError, as_text, json_type
from kg.mapping.model import Description, Facts, MappingContext, RecordGraph, plain
from kg.rdf import IRI
from kg.vocab import FOAF, FRAPO, OWL

_ORCID_SHAPE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ORCID_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", re.I)


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


def map_person(entry: object, where: str, ctx: MappingContext, graph: RecordGraph) -> IRI | None:
    """One person entry → its IRI (described in *graph*), or None when it carries nothing.

    The same people recur in thousands of records: a person whose entry is plain
    text, who is not scoped to one record and who raises no warning is described
    once per run (per context) and the description reused — it depends only on the entry.
    """
    if not isinstance(entry, dict):
        raise MappingError(where, f"expected an object with first_name/last_name, got {json_type(entry)}")
    get = entry.get
    key = ("person", get("first_name"), get("last_name"), get("full_name"), get("id"), get("orcid"))
    try:
        # Only entries of plain text are ever remembered, so a hit is always such an entry.
        known = ctx.recall(key)
    except TypeError:  # an object or array where text belongs: _describe_person says so
        known = None
    if known is not None:
        iri, description, orcid_entry = known
        graph.share(description)
        if orcid_entry is not None:
            graph.orcids.append(orcid_entry)
        return iri
    warnings_before = len(graph.warnings)
    described = _describe_person(entry, where, ctx, graph)
    if described is None:
        return None
    iri, description, orcid_entry = described
    graph.share(description)
    if orcid_entry is not None:
        graph.orcids.append(orcid_entry)
    cacheable = all(value is None or type(value) is str for value in key)
    if cacheable and len(graph.warnings) == warnings_before and "#" not in iri:
        ctx.remember(key, described)
    return iri


def _describe_person(
    entry: dict, where: str, ctx: MappingContext, graph: RecordGraph
) -> tuple[IRI, Description, tuple[str, IRI, str] | None] | None:
    """(IRI, description, ORCID clash-check entry) of a person, or None when there is nothing to describe."""
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

    if local_id:
        iri = ctx.iris.person(local_id)
    elif orcid:
        iri = ctx.iris.person_by_orcid(orcid)
    elif name:
        iri = ctx.iris.local_person(graph.record_id, full or name)
    else:
        graph.warn(where, "person without name, id or ORCID skipped")
        return None

    if not name:
        graph.warn(where, "person has no name")
    facts = Facts()
    facts.types(iri, FOAF.Person)
    facts.add(iri, FOAF.name, plain(name))
    facts.add(iri, FOAF.givenName, plain(first))
    facts.add(iri, FOAF.familyName, plain(last))
    orcid_entry = None
    if orcid:
        facts.add(iri, FRAPO.hasORCID, plain(orcid))
        facts.add(iri, OWL.sameAs, ctx.iris.orcid(orcid))
        orcid_entry = (orcid, iri, name or "")
    return iri, facts.description(), orcid_entry


def map_people(record: dict, field: str, ctx: MappingContext, graph: RecordGraph) -> list[IRI]:
    """The people of one role, in the record's order, without repeats."""
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MappingError(field, f"expected an array of people (objects), got {json_type(value)}")
    people: list[IRI] = []
    for index, entry in enumerate(value):
        iri = map_person(entry, f"{field}[{index}]", ctx, graph)
        if iri is not None and iri not in people:
            people.append(iri)
    return people
