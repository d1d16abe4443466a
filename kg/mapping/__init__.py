"""map: one LibreCat record → the triples of its graph (a pure function of the record)."""

from typing import Final

from kg.mapping.fields import MappingError
from kg.mapping.funding import map_project_record
from kg.mapping.model import MappingContext, MappingOptions, Problem, RecordGraph
from kg.mapping.organization import map_department_record
from kg.mapping.publication import map_publication

RECORD_KINDS: Final = {
    "publication": map_publication,
    "department": map_department_record,
    "project": map_project_record,
}


def map_record(record: dict, context: MappingContext) -> RecordGraph:
    """Map one record of the kind the context names (publication by default)."""
    return RECORD_KINDS[context.options.kind](record, context)


__all__ = [
    "RECORD_KINDS",
    "MappingContext",
    "MappingError",
    "MappingOptions",
    "Problem",
    "RecordGraph",
    "map_record",
]
