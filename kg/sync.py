"""Placing graphs in a store: inputs → graph units → a plan → batches of whole graphs.

Every graph kg places in a store (embedded or remote) is listed in a *state*
graph, ``{base}/kg/sync-state``, inside that same store, one entry node per graph::

    <{state}/{graph IRI, encoded}> sync:graph <graph> ; sync:sha256 "…" ;
        sync:recordId "id" ; sync:dateUpdated "…" .

A batch of graphs and their entries are written in one SPARQL Update request, which
Oxigraph runs as one transaction. For stores that keep half a request (Virtuoso) or
protocols that cannot combine them (Graph Store Protocol), the order of the steps
keeps the state from ever hiding content: entries of the batch get a tombstone
first, then the graphs change, then the entries are written (``update_operations``).
So a run that dies anywhere leaves a state from which the next run converges.

``kg load`` and ``kg push`` replace every input graph; ``kg sync`` compares
content hashes with the state and touches only new, changed and withdrawn
records (and, with ``--full``, records missing from a full export).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO
from urllib.parse import quote, unquote

import pyoxigraph as ox

from kg.iris import Minter
from kg.mapping import MappingContext, MappingOptions, RecordGraph
from kg.pipeline import PUBLIC, Check, Outcome, Progress, Skipped, Summary, account, process
from kg.rdf import IRI, Literal, escape_string, is_valid_iri, nt_term
from kg.read import InputError, expand_sources, read_records
from kg.write import GraphStatements

if TYPE_CHECKING:
    from kg.describe import Counts

SYNC = "https://w3id.org/librecat-kg/sync#"
SYNC_GRAPH = SYNC + "graph"
SYNC_SHA256 = SYNC + "sha256"
SYNC_RECORD = SYNC + "recordId"
SYNC_UPDATED = SYNC + "dateUpdated"

# RDF inputs, by suffix (a trailing .gz is allowed); everything else is read as LibreCat records.
RDF_SUFFIXES = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


class SyncError(Exception):
    """A run that cannot go on: unusable input, or a store that refuses the data."""


def state_graph(base: str) -> IRI:
    return IRI(f"{Minter(base).base}/kg/sync-state")


def description_graph(base: str) -> IRI:
    return IRI(f"{Minter(base).base}/kg/description")


def entry_iri(state: IRI, graph: IRI) -> IRI:
    """The state entry of *graph*: a node of its own, so that no triple about a record leaks into
    queries over the union of all graphs."""
    return IRI(f"{state}/{quote(graph, safe='')}")


def content_hash(lines: Iterable[str]) -> str:
    """SHA-256 of the sorted, distinct N-Triples lines: changes exactly when the graph does."""
    distinct = sorted(set(lines))
    text = "\n".join(distinct) + "\n" if distinct else ""  # each line ends in a newline
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class GraphUnit:
    """One named graph to place in a store, as N-Triples statements."""

    name: IRI
    lines: list[str]
    sha256: str
    record_id: str | None = None
    date_updated: str | None = None

    @classmethod
    def from_record(cls, graph: RecordGraph, statements: GraphStatements) -> GraphUnit:
        lines = statements.statements(graph)
        return cls(graph.iri, lines, content_hash(lines), graph.record_id, graph.date_updated)

    def state_lines(self, state: IRI) -> list[str]:
        entry = f"<{entry_iri(state, self.name)}>"
        lines = [f"{entry} <{SYNC_GRAPH}> <{self.name}> .", f'{entry} <{SYNC_SHA256}> "{self.sha256}" .']
        if self.record_id is not None:
            lines.append(f"{entry} <{SYNC_RECORD}> {nt_term(Literal(self.record_id))} .")
        if self.date_updated:
            lines.append(f"{entry} <{SYNC_UPDATED}> {nt_term(Literal(self.date_updated))} .")
        return lines

    def size(self) -> int:
        return sum(len(line) + 1 for line in self.lines) + 200


@dataclass(frozen=True)
class StateEntry:
    sha256: str
    record_id: str | None = None
    date_updated: str | None = None


@dataclass(frozen=True)
class Removal:
    name: IRI
    record_id: str | None
    reason: str  # "withdrawn (status deleted)", "missing from the full export"


# --- targets ---------------------------------------------------------------------------------


class Target(Protocol):
    """A store kg can place graphs in: the embedded store or a remote endpoint."""

    def read_state(self, state: IRI) -> dict[IRI, StateEntry]: ...

    def apply(self, state: IRI, units: list[GraphUnit], removals: list[Removal]) -> None:
        """Replace *units* and remove *removals*, each graph together with its state entry."""

    def replace_meta_graph(self, name: IRI, lines: list[str]) -> None: ...

    def select(self, sparql: str) -> list[dict[str, str]]:
        """Rows of a SELECT query, each variable bound to its lexical value."""


# One row per listed graph. More than one hash (or an empty one) marks a graph in flux.
STATE_QUERY = f"""SELECT ?g (GROUP_CONCAT(DISTINCT ?sha; separator=" ") AS ?shas) (SAMPLE(?id) AS ?rid)
  (SAMPLE(?date) AS ?updated) WHERE {{
  GRAPH <%(state)s> {{
    ?entry <{SYNC_GRAPH}> ?g ; <{SYNC_SHA256}> ?sha .
    OPTIONAL {{ ?entry <{SYNC_RECORD}> ?id }}
    OPTIONAL {{ ?entry <{SYNC_UPDATED}> ?date }}
  }} %(after)s
}} GROUP BY ?g %(page)s"""
STATE_COUNT = f"""SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH <%s> {{ ?entry <{SYNC_GRAPH}> ?g }} }}"""
# Stock Virtuoso returns at most 10,000 rows (ResultSetMaxRows) and refuses ORDER BY with an OFFSET
# beyond it, so a big state is read in keyset pages (graphs after the last one seen).
STATE_PAGE = 10_000


def read_state(target: Target, state: IRI, page: int = STATE_PAGE) -> dict[IRI, StateEntry]:
    expected = int(target.select(STATE_COUNT % state)[0]["n"])
    rows = target.select(STATE_QUERY % {"state": state, "after": "", "page": ""})
    if len(rows) < expected:
        rows, last = [], None
        while len(rows) < expected:
            after = f'FILTER(STR(?g) > "{escape_string(last)}")' if last is not None else ""
            chunk = target.select(STATE_QUERY % {"state": state, "after": after, "page": f"ORDER BY ?g LIMIT {page}"})
            if not chunk:
                break
            rows.extend(chunk)
            last = chunk[-1]["g"]
    if len(rows) != expected:
        raise SyncError(
            f"the store lists {expected} graphs in its sync state but returned {len(rows)}; "
            "does it cap the size of query results?"
        )
    entries: dict[IRI, StateEntry] = {}
    for row in rows:
        shas = row.get("shas", "")
        sha = "" if " " in shas else shas
        entries[IRI(row["g"])] = StateEntry(sha, row.get("rid"), row.get("updated"))
    return entries


def _forget(state: IRI, names: list[IRI]) -> str:
    """Delete the state entries of *names*."""
    values = " ".join(f"<{entry_iri(state, name)}>" for name in names)
    pattern = f"GRAPH <{state}> {{ ?entry ?p ?o }}"
    return f"DELETE {{ {pattern} }} WHERE {{ VALUES ?entry {{ {values} }} {pattern} }}"


def update_request(state: IRI, units: list[GraphUnit], removals: list[Removal], drop: bool = False) -> str:
    """One SPARQL Update request: ``update_operations`` joined."""
    return " ;\n".join(update_operations(state, units, removals, drop))


def update_operations(state: IRI, units: list[GraphUnit], removals: list[Removal], drop: bool = False) -> list[str]:
    """The operations that replace *units* and remove *removals* with their state entries.

    Oxigraph runs the whole request as one transaction. Virtuoso does not: a request that fails
    halfway keeps its first operations. So the operations are ordered to converge in that case
    too (see ``state_prepare``): the state first marks every graph of the batch as in flux, then
    the graphs change, then the state records the result.

    *drop*: empty replaced graphs with one DROP each (fastest in Oxigraph) instead of one DELETE.
    """
    operations = [state_prepare(state, units, removals)]
    if units and not drop:
        # One DELETE for all replaced graphs: Virtuoso spends ~10 ms per DROP of a non-empty
        # graph, more than the inserts cost (a 670-graph batch: 15 s with DROPs, 4.5 s so).
        values = " ".join(f"<{u.name}>" for u in units)
        pattern = "GRAPH ?g { ?s ?p ?o }"
        operations.append(f"DELETE {{ {pattern} }} WHERE {{ VALUES ?g {{ {values} }} {pattern} }}")
    elif units:
        operations.extend(f"DROP SILENT GRAPH <{u.name}>" for u in units)
    if units:
        graphs = "\n".join(f"GRAPH <{u.name}> {{\n" + "\n".join(u.lines) + "\n}" for u in units)
        operations.append(f"INSERT DATA {{\n{graphs}\n}}")
    # Removed graphs are dropped (not just emptied), so that no empty graph lingers.
    operations.extend(f"DROP SILENT GRAPH <{r.name}>" for r in removals)
    operations.extend(state_operations(state, units, removals))
    return operations


def state_prepare(state: IRI, units: list[GraphUnit], removals: list[Removal]) -> str:
    """Before graphs change: add a tombstone (an empty hash) to the entry of every graph in the batch.

    An entry with an empty hash, or with more than one hash, matches no content (``read_state``).
    So if a run stops anywhere after this, every graph of the batch is still listed and the next
    run replaces it, removes it if withdrawn, or (``--full``) if missing — and no graph with
    content is ever left unlisted, where a withdrawal could not find it.
    """
    lines = []
    for name, record_id in [(u.name, u.record_id) for u in units] + [(r.name, r.record_id) for r in removals]:
        entry = f"<{entry_iri(state, name)}>"
        lines.append(f"{entry} <{SYNC_GRAPH}> <{name}> .")
        lines.append(f'{entry} <{SYNC_SHA256}> "" .')
        if record_id is not None:
            lines.append(f"{entry} <{SYNC_RECORD}> {nt_term(Literal(record_id))} .")
    return f"INSERT DATA {{ GRAPH <{state}> {{\n" + "\n".join(lines) + "\n} }"


def state_request(state: IRI, units: list[GraphUnit], removals: list[Removal]) -> str:
    return " ;\n".join(state_operations(state, units, removals))


def state_operations(state: IRI, units: list[GraphUnit], removals: list[Removal]) -> list[str]:
    """After graphs changed: the new entries of *units* first, then stale values go; *removals* go last."""
    operations = []
    if units:
        lines = "\n".join(line for u in units for line in u.state_lines(state))
        operations.append(f"INSERT DATA {{ GRAPH <{state}> {{\n{lines}\n}} }}")
        rows = " ".join(
            f'(<{entry_iri(state, u.name)}> "{u.sha256}" '
            f"{nt_term(Literal(u.date_updated)) if u.date_updated else 'UNDEF'})"
            for u in units
        )
        operations.append(
            f"DELETE {{ GRAPH <{state}> {{ ?entry ?p ?o }} }} WHERE {{ VALUES (?entry ?sha ?date) {{ {rows} }} "
            f"GRAPH <{state}> {{ ?entry ?p ?o }} "
            f"FILTER((?p = <{SYNC_SHA256}> && ?o != ?sha) || "
            f"(?p = <{SYNC_UPDATED}> && (!BOUND(?date) || ?o != ?date))) }}"
        )
    if removals:
        operations.append(_forget(state, [r.name for r in removals]))
    return operations


def replace_graph_request(name: IRI, lines: list[str]) -> str:
    request = f"DROP SILENT GRAPH <{name}>"
    if lines:
        request += f" ;\nINSERT DATA {{ GRAPH <{name}> {{\n" + "\n".join(lines) + "\n} }"
    return request


# --- inputs ----------------------------------------------------------------------------------


def rdf_format(path: str) -> ox.RdfFormat | None:
    name = path.lower().removesuffix(".gz")
    for suffix, fmt in RDF_SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    return None


def split_inputs(sources: Iterable[str]) -> tuple[list[str], list[str]]:
    """(record sources, RDF files) in the order given; folders hold record files."""
    records: list[str] = []
    rdf: list[str] = []
    for source in sources:
        if source != "-" and not Path(source).is_dir() and rdf_format(source):
            if not Path(source).is_file():
                raise InputError(f"{source}: no such file or folder")
            rdf.append(source)
        else:
            records.append(source)
    if records:
        expand_sources(records)  # fail early on a missing file
    return records, rdf


def file_graph_name(base: str, path: str) -> IRI:
    name = Path(path).name
    return IRI(f"{Minter(base).base}/graph/{quote(name, safe='-._~')}")


def read_rdf(path: str, base: str, graph: str | None = None) -> Iterator[GraphUnit]:
    """The graphs of an RDF file: named graphs as they are, triples in one graph named after the file."""
    import gzip

    fmt = rdf_format(path)
    assert fmt is not None
    if graph is not None and not is_valid_iri(graph):
        raise SyncError(f"--graph: {graph!r} is not an absolute IRI")
    default_name = IRI(graph) if graph else file_graph_name(base, path)
    reserved = f"{Minter(base).base}/kg/"
    # Grouped in plain dicts, not an ox.Store: a store canonicalises some literals
    # (xsd:nonNegativeInteger becomes xsd:integer) and the data must go out as written.
    graphs: dict[IRI, dict[str, None]] = {}
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            for quad in ox.parse(stream, format=fmt, base_iri=Path(path).resolve().as_uri()):
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    name = default_name
                elif isinstance(quad.graph_name, ox.NamedNode):
                    name = IRI(quad.graph_name.value)
                else:
                    raise SyncError(f"{path}: a graph named by a blank node cannot be placed in a store")
                graphs.setdefault(name, {})[f"{quad.subject} {quad.predicate} {quad.object} ."] = None
    except SyntaxError as exc:
        raise SyncError(f"{path}: not valid {fmt.name}: {exc.msg}") from None
    except (OSError, ValueError) as exc:
        raise SyncError(f"{path}: cannot read: {exc}") from None
    for name in graphs:
        if name.startswith(reserved):
            raise SyncError(f"{path}: graph <{name}> is reserved for kg's own state and description")
    records = f"{Minter(base).base}/record/"
    for name, lines in graphs.items():
        # A record's graph from a kg dump counts as that record (for --full and withdrawals).
        rest = name[len(records) :] if name.startswith(records) else ""
        record_id = unquote(rest) if rest and not any(c in rest for c in "/#?") else None
        yield GraphUnit(name, list(lines), content_hash(lines), record_id)


# --- plan and apply --------------------------------------------------------------------------


@dataclass
class Plan:
    """What a run does (or, with --dry-run, would do) to a store."""

    add: list[str] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    unchanged: int = 0
    triples_sent: int = 0
    batches: int = 0
    # VoID counts of the store's graphs after the run, gathered while they streamed by; None when
    # the store keeps graphs this run did not see (left out of a partial export, RDF inputs).
    counts: Counts | None = None

    def report(self, dry_run: bool = False) -> str:
        verb = "would " if dry_run else ""
        lines = [
            f"{verb}add {len(self.add)}, {verb}replace {len(self.replace)}, {verb}remove {len(self.remove)} graphs; "
            f"{self.unchanged} unchanged"
        ]
        if dry_run:
            for label, ids in (("add", self.add), ("replace", self.replace), ("remove", self.remove)):
                if ids:
                    lines.append(f"{label}: {' '.join(ids)}")
        else:
            lines.append(f"{self.triples_sent} triples sent in {self.batches} batches")
        return "\n".join(lines)


@dataclass
class Batcher:
    """Groups whole graphs into requests of at most *limit* bytes (a bigger graph goes alone)."""

    target: Target | None
    state: IRI
    limit: int
    plan: Plan
    units: list[GraphUnit] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    size: int = 0

    def add(self, unit: GraphUnit) -> None:
        if self.units and self.size + unit.size() > self.limit:
            self.flush()
        self.units.append(unit)
        self.size += unit.size()

    def remove(self, removal: Removal) -> None:
        self.removals.append(removal)
        self.size += 200
        if self.size > self.limit:
            self.flush()

    def flush(self) -> None:
        if (self.units or self.removals) and self.target is not None:
            self.target.apply(self.state, self.units, self.removals)
            self.plan.triples_sent += sum(len(u.lines) for u in self.units)
            self.plan.batches += 1
        self.units, self.removals, self.size = [], [], 0


def label(name: IRI, record_id: str | None) -> str:
    return record_id if record_id is not None else name


def place(
    sources: Iterable[str],
    target: Target | None,
    *,
    context: MappingContext,
    summary: Summary,
    incremental: bool,
    full: bool = False,
    graph: str | None = None,
    statuses: frozenset[str] = PUBLIC,
    check: Check | None = None,
    batch_bytes: int = 4 << 20,
    rejects: TextIO | None = None,
    warnings: TextIO | None = None,
    progress: Progress | None = None,
    state_of: Target | None = None,
) -> Plan:
    """Put the graphs of *sources* into *target* (None: plan only, for --dry-run).

    *state_of* is where the state is read from (the target itself unless planning).
    Records whose status is not wanted (withdrawn, private …) have their graphs removed
    when the state lists them; rejected records are left as they were.
    """
    base = context.options.base
    state = state_graph(base)
    record_sources, rdf_sources = split_inputs(sources)
    known = read_state(state_of or target, state) if (state_of or target) is not None else {}  # type: ignore[arg-type]
    plan = Plan()
    batcher = Batcher(target, state, batch_bytes, plan)
    statements = GraphStatements()
    seen: set[IRI] = set()
    removed: set[IRI] = set()

    def offer(unit: GraphUnit) -> None:
        seen.add(unit.name)
        previous = known.get(unit.name)
        if previous is None:
            plan.add.append(label(unit.name, unit.record_id))
        elif incremental and previous.sha256 == unit.sha256:
            plan.unchanged += 1
            return
        else:
            plan.replace.append(label(unit.name, unit.record_id))
        batcher.add(unit)

    def withdraw(name: IRI, record_id: str | None, reason: str) -> None:
        if name in known:
            removed.add(name)
            plan.remove.append(label(name, record_id))
            batcher.remove(Removal(name, record_id, reason))

    for path in rdf_sources:
        for unit in read_rdf(path, base, graph):
            offer(unit)
    if record_sources:

        def withdraw_skipped(outcome: Outcome) -> Outcome:
            # Records left out for their status (withdrawn, private …) must leave the store too.
            if isinstance(outcome, Skipped):
                name = context.iris.record(outcome.record)
                seen.add(name)
                withdraw(name, outcome.record, f"status {outcome.status}")
            return outcome

        outcomes = process(read_records(record_sources), context, statuses, check)
        for mapped in account(map(withdraw_skipped, outcomes), summary, rejects, warnings, progress):
            unit = GraphUnit.from_record(mapped.graph, statements)
            offer(unit)
            summary.triples += len(unit.lines)
    if full:
        for name, entry in known.items():
            if entry.record_id is not None and name not in seen:
                withdraw(name, entry.record_id, "missing from the full export")
    batcher.flush()
    if not rdf_sources and all(name in seen or name in removed for name in known):
        plan.counts = statements.counter.counts()
    if progress is not None:
        progress.done()
    return plan


def run(
    sources: Iterable[str],
    target: Target,
    *,
    options: MappingOptions,
    summary: Summary,
    incremental: bool,
    full: bool = False,
    dry_run: bool = False,
    graph: str | None = None,
    endpoint_url: str | None = None,
    statuses: frozenset[str] = PUBLIC,
    check: Check | None = None,
    batch_bytes: int = 4 << 20,
    rejects: TextIO | None = None,
    warnings: TextIO | None = None,
    progress: Progress | None = None,
    title: str | None = None,
    license_iri: str | None = None,
) -> Plan:
    """load / push / sync: place the graphs of *sources* in *target*, then describe the store.

    The description (VoID/DCAT/PROV, counted over the graphs the state lists) goes into
    ``{base}/kg/description`` whenever something changed, and always for load and push. Its
    counts are gathered while the graphs stream by when the run saw every graph of the store;
    otherwise they are counted with SPARQL over the store, which holds the distinct terms in memory.
    """
    from kg.describe import CC0, Description, count, input_files, now, store_scope

    started, clock = now(), time.monotonic()
    plan = place(
        sources,
        None if dry_run else target,
        context=MappingContext(options),
        summary=summary,
        incremental=incremental,
        full=full,
        graph=graph,
        statuses=statuses,
        check=check,
        batch_bytes=batch_bytes,
        rejects=rejects,
        warnings=warnings,
        progress=progress,
        state_of=target,
    )
    changed = plan.add or plan.replace or plan.remove

    def count_store() -> Counts:
        return count(target.select, store_scope(state_graph(options.base)), objects=False)

    if not dry_run and (changed or not incremental):
        description = Description(
            options.base,
            title=title,
            license=license_iri or CC0,
            counts=plan.counts if plan.counts is not None else count_store(),
            endpoint=endpoint_url,
            inputs=input_files(sources),
            started=started,
        )
        target.replace_meta_graph(description_graph(options.base), description.lines())
    summary.seconds = time.monotonic() - clock
    return plan
