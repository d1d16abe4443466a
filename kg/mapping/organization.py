"""Organisations: departments, service units, publishers, degree-granting institutions."""

from __future__ import annotations

from typing import Final

from kg.mapping.fields import as_text, code_list, place, required_text, text
from kg.mapping.model import Description, Facts, MappingContext, RecordGraph, mention, plain
from kg.rdf import IRI
from kg.vocab import FOAF, ORG, RDF, RDFS


def map_units(record: dict, field: str, predicate: IRI, ctx: MappingContext, graph: RecordGraph) -> None:
    """department[] / acknowledged_ssus[] / research_group[]: one node per id, linked from the record.

    Names live in separate department records, so only the id is known here.
    """
    for index, entry in enumerate(code_list(record, field, "_id")):
        unit_id = as_text(entry.get("_id"), field, index, "_id")
        if not unit_id:
            graph.warn(place(field, index), "organisational unit without _id skipped")
            continue
        name = as_text(entry.get("name"), field, index, "name")
        unit: IRI = mention(graph, ctx, ("unit", unit_id, name), _describe_unit, ctx, unit_id, name)
        graph.add(graph.iri, predicate, unit)


def _describe_unit(ctx: MappingContext, unit_id: str, name: str | None) -> tuple[IRI, Description]:
    unit = ctx.iris.department(unit_id)
    facts = Facts()
    facts.types(unit, FOAF.Organization, ORG.OrganizationalUnit)
    facts.add(unit, FOAF.name, plain(name))
    return unit, facts.description()


def organization(name: str, ctx: MappingContext, graph: RecordGraph) -> IRI:
    """A named organisation without an id of its own (a publisher, a university)."""
    iri: IRI = mention(graph, ctx, ("organization", name), _describe_organization, ctx, name)
    return iri


def _describe_organization(ctx: MappingContext, name: str) -> tuple[IRI, Description]:
    iri = ctx.iris.organization(name)
    facts = Facts()
    facts.types(iri, FOAF.Organization)
    facts.add(iri, FOAF.name, plain(name))
    return iri, facts.description()


def map_department_record(record: dict, ctx: MappingContext) -> RecordGraph:
    """A LibreCat department record: the unit's name and its place in the tree."""

    department_id = required_text(record, "_id")
    name = required_text(record, "name")
    iri = ctx.iris.department(department_id)
    graph = RecordGraph(record_id=department_id, iri=iri)
    graph.add(iri, RDF.type, FOAF.Organization)
    graph.add(iri, RDF.type, ORG.OrganizationalUnit)
    graph.add(iri, FOAF.name, plain(name))
    display = text(record, "display")
    if display and display != name:
        graph.add(iri, RDFS.label, plain(display))
    # `tree` lists the ancestors, nearest first.
    ancestors = code_list(record, "tree", "_id")
    if ancestors:
        parent_id = as_text(ancestors[0].get("_id"), "tree[0]._id")
        if parent_id and parent_id != department_id:
            parent = ctx.iris.department(parent_id)
            graph.add(iri, ORG.subOrganizationOf, parent)
            facts = Facts()
            facts.types(parent, FOAF.Organization, ORG.OrganizationalUnit)
            graph.share(facts.description())
    graph.unmapped_fields = sorted(set(record) - DEPARTMENT_FIELDS)
    return graph


DEPARTMENT_FIELDS: Final = frozenset("_id _version name display layer tree date_created date_updated".split())
