"""The embedded store: an on-disk Oxigraph store, one named graph per record.

Queries see the union of all graphs, so a record's triples can be replaced or
removed as a unit while questions are asked of the whole graph. Besides the
record graphs the store holds kg's own graphs: the sync state
(``{base}/kg/sync-state``) and the dataset description (``{base}/kg/description``).
Every change is one SPARQL Update request, which pyoxigraph runs as one
transaction: a record's graph and its state entry change together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg.mapping.model import RecordGraph
from kg.rdf import IRI, Term, Triple, nt_term
from kg.sync import (
    GraphUnit,
    Removal,
    StateEntry,
    read_state,
    replace_graph_request,
    state_operations,
    state_prepare,
)

DEFAULT_STORE = "kg-store"


class StoreError(Exception):
    """The store cannot be opened (locked by another process, not a store, …)."""


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


def term_value(term: object) -> str:
    return term.value if hasattr(term, "value") else str(term)  # type: ignore[attr-defined]


def _in_graph(name: IRI, lines: list[str]) -> str:
    """N-Triples statements ("s p o .") as N-Quads statements of graph *name*, one text."""
    end = f"<{name}> .\n"
    return "".join([line[:-1] + end for line in lines])


class EmbeddedStore:
    """A pyoxigraph store (on disk, or in memory when *path* is None)."""

    def __init__(self, path: str | None = DEFAULT_STORE) -> None:
        self.path = path
        try:
            self.store = ox.Store(path) if path else ox.Store()
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the store ({exc}); is another kg process using it?") from None

    def replace_record(self, graph: RecordGraph) -> None:
        """Put a record's graph in place of whatever the store held for that record."""
        self.replace_graph(graph.iri, graph.triples())

    def replace_graph(self, graph_name: IRI, triples: Iterable[Triple]) -> None:
        lines = [f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in triples]
        self.replace_meta_graph(graph_name, lines)

    def remove_graph(self, graph_name: IRI) -> None:
        self.store.update(f"DROP SILENT GRAPH <{graph_name}>")

    def query(self, sparql: str, substitutions: dict | None = None):  # type: ignore[no-untyped-def]
        return self.store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)

    # The Target interface (kg.sync) ------------------------------------------------------------

    def read_state(self, state: IRI) -> dict[IRI, StateEntry]:
        return read_state(self, state)

    def apply(self, state: IRI, units: list[GraphUnit], removals: list[Removal]) -> None:
        """The operations of ``update_operations``, with the graphs' triples loaded as N-Quads.

        Oxigraph's bulk loader writes N-Quads an order of magnitude faster than an INSERT DATA
        request or a transactional load. The steps are then not one transaction, which is safe:
        they keep the order that makes any interrupted run converge (``state_prepare``) — a
        graph half loaded is still marked by its tombstone, and the next run replaces it.
        """
        first = [state_prepare(state, units, removals), *(f"DROP SILENT GRAPH <{u.name}>" for u in units)]
        self.store.update(" ;\n".join(first))
        if units:
            # An N-Triples statement "s p o ." becomes the N-Quads statement "s p o <graph> .".
            quads = "".join([_in_graph(u.name, u.lines) for u in units])
            self.store.bulk_load(quads.encode(), format=ox.RdfFormat.N_QUADS)
        last = [f"DROP SILENT GRAPH <{r.name}>" for r in removals] + state_operations(state, units, removals)
        self.store.update(" ;\n".join(last))

    def replace_meta_graph(self, name: IRI, lines: list[str]) -> None:
        self.store.update(replace_graph_request(name, lines))

    def select(self, sparql: str) -> list[dict[str, str]]:
        results = self.store.query(sparql)
        names = [v.value for v in results.variables]
        rows = []
        for solution in results:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = term_value(value)
            rows.append(row)
        return rows

    def flush(self) -> None:
        if self.path:
            self.store.flush()

    def close(self) -> None:
        self.flush()
        del self.store
