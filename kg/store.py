"""The embedded store: an on-disk Oxigraph store, one named graph per record.

Queries see the union of all graphs, so a record's triples can be replaced or
removed as a unit while questions are asked of the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg.mapping.model import RecordGraph
from kg.rdf import IRI, Term, Triple

DEFAULT_STORE = "kg-store"


def to_oxigraph(term: Term) -> ox.NamedNode | ox.Literal:
    if type(term) is IRI:
        return ox.NamedNode(term)
    value, datatype, lang = term
    if lang:
        return ox.Literal(value, language=lang)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def quads(graph_name: IRI, triples: Iterable[Triple]) -> Iterator[ox.Quad]:
    name = ox.NamedNode(graph_name)
    for s, p, o in triples:
        yield ox.Quad(ox.NamedNode(s), ox.NamedNode(p), to_oxigraph(o), name)


class EmbeddedStore:
    """A pyoxigraph store (on disk, or in memory when *path* is None)."""

    def __init__(self, path: str | None = DEFAULT_STORE) -> None:
        self.path = path
        self.store = ox.Store(path) if path else ox.Store()

    def replace_record(self, graph: RecordGraph) -> None:
        """Put a record's graph in place of whatever the store held for that record."""
        self.replace_graph(graph.iri, graph.triples())

    def replace_graph(self, graph_name: IRI, triples: Iterable[Triple]) -> None:
        name = ox.NamedNode(graph_name)
        new_quads = list(quads(graph_name, triples))
        # One transaction: a reader never sees the record half-replaced.
        self.store.update(f"DROP SILENT GRAPH <{graph_name}>")
        self.store.extend(new_quads)
        if not new_quads and self.store.contains_named_graph(name):
            self.store.remove_graph(name)

    def remove_graph(self, graph_name: IRI) -> None:
        name = ox.NamedNode(graph_name)
        if self.store.contains_named_graph(name):
            self.store.remove_graph(name)

    def query(self, sparql: str, substitutions: dict | None = None):  # type: ignore[no-untyped-def]
        return self.store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)

    def flush(self) -> None:
        if self.path:
            self.store.flush()
