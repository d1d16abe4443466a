"""Projects, grants and funders."""

from __future__ import annotations

import re

from kg.mapping.fields import as_text, object_list
from kg.mapping.model import MappingContext, RecordGraph, plain
from kg.vocab import FOAF, FRAPO

# Calls of the European Commission's framework programmes (FP7, H2020, Horizon
# Europe) and the ERC, as LibreCat exports write them: "H2020", "FP7-IDEAS-ERC" …
_EC_CALL = re.compile(r"^(FP7|H2020|HORIZON|HE-|ERC)", re.I)
EUROPEAN_COMMISSION = "European Commission"
# Crossref Funder Registry id of the European Commission.
EUROPEAN_COMMISSION_FUNDREF = "10.13039/501100000780"


def map_projects(record: dict, ctx: MappingContext, graph: RecordGraph) -> None:
    for index, entry in enumerate(object_list(record, "project", " with _id and name")):
        where = f"project[{index}]"
        project_id = as_text(entry.get("_id"), f"{where}._id")
        name = as_text(entry.get("name"), f"{where}.name")
        grant_number = as_text(entry.get("grant_number"), f"{where}.grant_number")
        call = as_text(entry.get("call_identifier"), f"{where}.call_identifier")
        if not project_id:
            graph.warn(where, "project without _id skipped")
            continue
        project = ctx.iris.project(project_id)
        graph.share_type(project, FOAF.Project)
        graph.share(project, FOAF.name, plain(name))
        graph.add(graph.iri, FRAPO.isOutputOf, project)
        if not grant_number:
            continue
        grant = ctx.iris.grant(grant_number, call)
        graph.share_type(grant, FRAPO.Grant)
        graph.share(grant, FRAPO.hasGrantNumber, plain(grant_number))
        graph.share(grant, FRAPO.hasCallIdentifier, plain(call))
        graph.share(grant, FRAPO.funds, project)
        graph.share(project, FRAPO.isFundedBy, grant)
        graph.add(graph.iri, FRAPO.isFundedBy, grant)
        if call and _EC_CALL.match(call):
            funder = ctx.iris.funder(EUROPEAN_COMMISSION)
            graph.share_type(funder, FRAPO.FundingAgency, FOAF.Organization)
            graph.share(funder, FOAF.name, plain(EUROPEAN_COMMISSION))
            graph.share(funder, FRAPO.hasFunderIdentifier, plain(EUROPEAN_COMMISSION_FUNDREF))
            graph.share(funder, FRAPO.funds, grant)
            graph.share(grant, FRAPO.isFundedBy, funder)
