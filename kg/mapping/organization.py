"""Organisations: departments, service units, publishers, degree-granting institutions."""

from __future__ import annotations

from kg.mapping.fields import as_text, code_list
from kg.mapping.model import MappingContext, RecordGraph, plain
from kg.rdf import IRI
from kg.vocab import FOAF, ORG


def map_units(record: dict, field: str, predicate: IRI, ctx: MappingContext, graph: RecordGraph) -> None:
    """department[] / acknowledged_ssus[] / research_group[]: one node per id, linked from the record.

    Names live in separate department records, so only the id is known here.
    """
    for index, entry in enumerate(code_list(record, field, "_id")):
        unit_id = as_text(entry.get("_id"), f"{field}[{index}]._id")
        if not unit_id:
            graph.warn(f"{field}[{index}]", "organisational unit without _id skipped")
            continue
        unit = ctx.iris.department(unit_id)
        graph.share_type(unit, FOAF.Organization, ORG.OrganizationalUnit)
        graph.share(unit, FOAF.name, plain(as_text(entry.get("name"), f"{field}[{index}].name")))
        graph.add(graph.iri, predicate, unit)


def organization(name: str, ctx: MappingContext, graph: RecordGraph) -> IRI:
    """A named organisation without an id of its own (a publisher, a university)."""
    iri = ctx.iris.organization(name)
    graph.share_type(iri, FOAF.Organization)
    graph.share(iri, FOAF.name, plain(name))
    return iri
