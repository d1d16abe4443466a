"""map: one LibreCat record → the triples of its graph (a pure function of the record)."""

from kg.mapping.fields import MappingError
from kg.mapping.model import MappingContext, MappingOptions, Problem, RecordGraph
from kg.mapping.publication import map_publication as map_record

__all__ = ["MappingContext", "MappingError", "MappingOptions", "Problem", "RecordGraph", "map_record"]
