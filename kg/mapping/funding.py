"""Projects, grants and funders."""

from __future__ import annotations

import re
from typing import Final

from kg.mapping.dates import parse_date
from kg.mapping.fields import as_text, object_list, place, required_text, text, text_list
from kg.mapping.model import Description, Facts, MappingContext, RecordGraph, mention, plain, typed
from kg.mapping.organization import map_units
from kg.rdf import IRI, is_valid_iri
from kg.vocab import DCTERMS, FOAF, FRAPO, KG, RDF

# Calls of the European Commission's framework programmes (FP7, H2020, Horizon
# Europe) and the ERC, as LibreCat exports write them: "H2020", "FP7-IDEAS-ERC" …
_EC_CALL: Final = re.compile(r"^(FP7|H2020|HORIZON|HE-|ERC)", re.I)
EUROPEAN_COMMISSION: Final = "European Commission"
# Crossref Funder Registry id of the European Commission.
EUROPEAN_COMMISSION_FUNDREF: Final = "10.13039/501100000780"


def map_projects(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    """project[] on a publication: the project, its grant and funder, linked from the record."""
    for index, entry in enumerate(object_list(record, "project", " with _id and name")):
        project_id = as_text(entry.get("_id"), "project", index, "_id")
        name = as_text(entry.get("name"), "project", index, "name")
        grant_number = as_text(entry.get("grant_number"), "project", index, "grant_number")
        call = as_text(entry.get("call_identifier"), "project", index, "call_identifier")
        if not project_id:
            graph.warn(place("project", index), "project without _id skipped")
            continue
        key = ("project", project_id, name, grant_number, call)
        project, grant = mention(graph, ctx, key, _describe_project, ctx, project_id, name, grant_number, call)
        graph.add(graph.iri, FRAPO.isOutputOf, project)
        if grant is not None:
            graph.add(graph.iri, FRAPO.isFundedBy, grant)


def _describe_project(
    ctx: MappingContext, project_id: str, name: str | None, grant_number: str | None, call: str | None
) -> tuple[tuple[IRI, IRI | None], Description]:
    """((project, grant), the description of both and of the grant's funder)."""
    project = ctx.iris.project(project_id)
    facts = Facts()
    facts.types(project, FOAF.Project)
    facts.add(project, FOAF.name, plain(name))
    grant = _grant(grant_number, call, project, ctx, facts)
    return (project, grant), facts.description()


def _grant(number: str | None, call: str | None, project: IRI, ctx: MappingContext, facts: Facts) -> IRI | None:
    """The grant node (one per call and number across all records), with its funder when known."""
    if not number:
        return None
    grant = ctx.iris.grant(number, call)
    facts.types(grant, FRAPO.Grant)
    facts.add(grant, FRAPO.hasGrantNumber, plain(number))
    facts.add(grant, FRAPO.hasCallIdentifier, plain(call))
    facts.add(grant, FRAPO.funds, project)
    facts.add(project, FRAPO.isFundedBy, grant)
    if call and _EC_CALL.match(call):
        funder = ctx.iris.funder(EUROPEAN_COMMISSION)
        facts.types(funder, FRAPO.FundingAgency, FOAF.Organization)
        facts.add(funder, FOAF.name, plain(EUROPEAN_COMMISSION))
        facts.add(funder, FRAPO.hasFunderIdentifier, plain(EUROPEAN_COMMISSION_FUNDREF))
        facts.add(funder, FRAPO.funds, grant)
        facts.add(grant, FRAPO.isFundedBy, funder)
    return grant


# Administrative fields of project records that are not public metadata.
PROJECT_INTERNAL: Final = frozenset(
    "_version psp_element sc39 funded owner designated_editor member cooperator date_created".split()
)
PROJECT_FIELDS: Final = frozenset(
    """_id name acronym alternative_name description url start_date end_date grant_number
    call_identifier funder department date_updated""".split()
)


def map_project_record(record: dict, ctx: MappingContext) -> RecordGraph:
    """A LibreCat project record: name, acronym, duration, grant and funders."""
    project_id = required_text(record, "_id")
    name = required_text(record, "name")
    project = ctx.iris.project(project_id)
    graph = RecordGraph(record_id=project_id, iri=project)
    graph.add(project, RDF.type, FOAF.Project)
    graph.add(project, FOAF.name, plain(name))
    graph.add(project, FRAPO.hasAcronym, plain(text(record, "acronym")))
    graph.add(project, DCTERMS.alternative, plain(text(record, "alternative_name")))
    graph.add(project, DCTERMS.description, plain(text(record, "description")))
    for field, predicate in (("start_date", FRAPO.hasStartDate), ("end_date", FRAPO.hasEndDate)):
        value = text(record, field)
        parsed = parse_date(value) if value else None
        if parsed:
            graph.add(project, predicate, typed(*parsed))
        elif value:
            graph.warn(field, f"not a date: {value!r}")
    url = text(record, "url")
    if url and is_valid_iri(url):
        graph.add(project, FOAF.homepage, IRI(url))
    elif url:
        graph.warn("url", f"not a usable URL: {url!r}")
    facts = Facts()
    grant = _grant(text(record, "grant_number"), text(record, "call_identifier"), project, ctx, facts)
    for funder_name in text_list(record, "funder"):
        funder = ctx.iris.funder(funder_name)
        facts.types(funder, FRAPO.FundingAgency, FOAF.Organization)
        facts.add(funder, FOAF.name, plain(funder_name))
        funded = grant or project
        facts.add(funded, FRAPO.isFundedBy, funder)
        facts.add(funder, FRAPO.funds, funded)
    graph.share(facts.description())
    map_units(record, "department", KG.department, ctx, graph)
    graph.date_updated = text(record, "date_updated")
    graph.unmapped_fields = sorted(set(record) - PROJECT_FIELDS - PROJECT_INTERNAL)
    return graph
