"""The pipeline: read → map → (check) → write, with accounting.

``process`` turns input items into outcomes (written / rejected / skipped), one
record at a time; ``convert`` drives it into a dump. Other sinks (the embedded
store, a SPARQL endpoint) consume the same outcomes.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

import orjson

from kg.checksum import FileFacts, HashingFile
from kg.mapping import MappingContext, MappingError, MappingOptions, Problem, RecordGraph, map_record
from kg.rdf import IRI
from kg.read import Item, parse_item, read_records
from kg.write import Prepared, close_output, format_for, make_writer, open_output, unpack_prepared

PUBLIC: Final = frozenset({"public"})
RECORD_STATUSES: Final = frozenset({"new", "submitted", "public", "returned", "private", "deleted"})


# Not frozen: compiled (mypyc) frozen dataclasses cannot be unpickled,
# and outcomes cross process boundaries (--jobs, dask).
@dataclass
class Rejected:
    source: str
    position: str
    record: str | None
    field: str | None
    reason: str

    def as_json(self) -> str:
        return json.dumps(
            {
                "source": self.source,
                "position": self.position,
                "record": self.record,
                "field": self.field,
                "reason": self.reason,
            },
            ensure_ascii=False,
        )


# Not frozen: compiled (mypyc) frozen dataclasses cannot be unpickled,
# and outcomes cross process boundaries (--jobs, dask).
@dataclass
class Skipped:
    """A record left out on purpose: its status is not one the user asked for."""

    record: str
    status: str


# Not frozen: compiled (mypyc) frozen dataclasses cannot be unpickled,
# and outcomes cross process boundaries (--jobs, dask).
@dataclass
class Mapped:
    graph: RecordGraph
    # The input record, or its JSON text when it was mapped in a worker process.
    source_record: dict | bytes = field(repr=False, compare=False)
    # What process(…, prepare=f) computed from the graph (e.g. a writer's formatted text).
    prepared: Any = field(default=None, repr=False, compare=False)
    # Where the record came from, for a later stage that may still reject it (batched SHACL).
    source: str = field(default="", compare=False)
    position: str = field(default="", compare=False)

    # Written out (see kg.mapping.model.RecordGraph): compiled, it runs natively.
    def __init__(
        self,
        graph: RecordGraph,
        source_record: dict | bytes,
        prepared: Any = None,
        source: str = "",
        position: str = "",
    ) -> None:
        self.graph = graph
        self.source_record = source_record
        self.prepared = prepared
        self.source = source
        self.position = position

    @property
    def record(self) -> dict:
        if isinstance(self.source_record, bytes):
            return orjson.loads(self.source_record)
        return self.source_record


Outcome = Mapped | Rejected | Skipped

# A check receives a record's graph and returns (violations, warnings) as Problems.
Check = Callable[[RecordGraph], tuple[list[Problem], list[Problem]]]
# A stage sees the whole stream of outcomes and may turn Mapped ones into Rejected (batched SHACL).
Stage = Callable[[Iterable["Outcome"]], Iterable["Outcome"]]


@dataclass
class Summary:
    read: int = 0
    written: int = 0
    rejected: int = 0
    skipped: int = 0
    warnings: int = 0
    triples: int = 0
    skipped_by_status: Counter = field(default_factory=Counter)
    unmapped_fields: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    # VoID counts of the dump written (kg.describe.Counts), gathered while writing.
    counts: Any = None
    # Name, size and SHA-256 of the dump, computed as it was written (None for stdout).
    dump: FileFacts | None = None

    def report(self) -> str:
        lines = [
            f"read {self.read} records: {self.written} written, {self.rejected} rejected, "
            f"{self.skipped} skipped as non-public; {self.warnings} warnings; "
            f"{self.triples} triples in {self.seconds:.1f} s"
        ]
        if self.skipped_by_status:
            statuses = ", ".join(f"{s} {n}" for s, n in sorted(self.skipped_by_status.items()))
            lines.append(f"skipped by status: {statuses}")
        if self.unmapped_fields:
            fields = ", ".join(f"{f} ({n})" for f, n in self.unmapped_fields.most_common())
            lines.append(f"fields not mapped: {fields}")
        return "\n".join(lines)


class Accountant:
    """Checks that need more than one record: duplicate ids and ORCID clashes."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._orcids: dict[str, tuple[str, str, str]] = {}

    def duplicate(self, record_id: str) -> bool:
        if record_id in self._ids:
            return True
        self._ids.add(record_id)
        return False

    def orcid_clashes(self, graph: RecordGraph) -> list[Problem]:
        problems = []
        for orcid, person, name in graph.orcids:
            first = self._orcids.setdefault(orcid, (person, name, graph.record_id))
            if first[0] != person:
                problems.append(
                    Problem(
                        graph.record_id,
                        "orcid",
                        f"ORCID {orcid} is attached to {name or person} here and to "
                        f"{first[1] or first[0]} in record {first[2]}",
                    )
                )
        return problems


def process(
    items: Iterable[Item],
    context: MappingContext,
    statuses: frozenset[str] = PUBLIC,
    check: Check | None = None,
    jobs: int = 1,
    prepare: Prepare | None = None,
    discard: Callable[[Any], None] | None = None,
    prepare_in_worker: Prepare | None = None,
) -> Iterator[Outcome]:
    """Map every readable, wanted record; say why for every other one.

    With *jobs* > 1 records are mapped (and checked, and *prepare*d) in that many
    processes: *jobs* - 1 workers, and this one while they are all busy (see
    _map_in_workers). Outcomes still come in input order and are the same as with
    one job, because everything that looks across records (duplicate ids, ORCID
    clashes) happens here, in order. *prepare* (e.g. a writer's ``prepare``) runs
    next to the mapping; its result is ``Mapped.prepared``. A worker runs
    *prepare_in_worker* instead, if given (see ``Writer.prepare_in_worker``). When a
    prepare is given, the graphs that come back from a worker carry no triples (only
    its result): sending triples between processes costs more than mapping them.
    *discard* receives *prepare*'s result for a record rejected after it ran (a duplicate
    id, a SHACL violation), so that a writer can keep what later results of the same
    worker refer to.
    """
    accountant = Accountant()
    if jobs > 1 and "fork" not in _multiprocessing().get_all_start_methods():
        jobs = 1  # workers inherit the settings (and any check) by fork; without it, map here
    with rare_collections():
        if jobs <= 1:
            for item in items:
                yield _settle(_map_item(item, context, statuses, check, prepare), accountant, discard)
            return
        for partial in _map_in_workers(items, context, statuses, check, prepare, prepare_in_worker, jobs):
            yield _settle(partial, accountant, discard)


# Allocations between runs of the cyclic garbage collector while records stream (default 700).
STREAMING_GC_THRESHOLD = (100_000, 50, 100)


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while records stream through.

    A record makes thousands of short-lived tuples and lists that reference counting
    frees at once; with the default thresholds the collector still ran every few records
    and walked the long-lived descriptions of the mapping memo and the writer's cache
    each time (a fifth of a conversion's time). The thresholds are restored afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(*STREAMING_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """Switch the cyclic garbage collector off while records are converted to a dump.

    Mapping, checking and writing a record make no reference cycles (tests/test_pipeline.py
    holds every format and the fast checker to that), so reference counting frees all a
    record leaves behind; the collector would find nothing, yet even running rarely it took
    an eighth of a conversion, walking the mapping memo and the writer's cache. ``convert``
    uses it; other sinks keep the collector (rarely) on: an HTTP request makes cycles, and a
    push of 100k graphs one request each peaked at 673 MiB without it. Whatever was on before
    is on again afterwards (worker processes forked meanwhile inherit the switch).
    """
    with _cycle_collector(False):
        yield


@contextmanager
def with_cycle_collector() -> Iterator[None]:
    """The collector on again inside a conversion, for code that makes cycles (rdflib, pyshacl)."""
    with _cycle_collector(True):
        yield


@contextmanager
def _cycle_collector(enabled: bool) -> Iterator[None]:
    was_enabled = gc.isenabled()
    if enabled:
        gc.enable()
    else:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


# A function of a record's graph computed where the record is mapped.
Prepare = Callable[[RecordGraph], Any]


@dataclass
class _Partial:
    """A record mapped (and checked) but not yet compared with the records before it."""

    item: Item
    graph: RecordGraph
    record: dict | bytes
    checked: tuple[list[Problem], list[Problem]] | None
    prepared: Any

    # Written out (see kg.mapping.model.RecordGraph): compiled, it runs natively.
    def __init__(
        self,
        item: Item,
        graph: RecordGraph,
        record: dict | bytes,
        checked: tuple[list[Problem], list[Problem]] | None,
        prepared: Any,
    ) -> None:
        self.item = item
        self.graph = graph
        self.record = record
        self.checked = checked
        self.prepared = prepared

    def __reduce__(self) -> tuple:
        # Through the constructor: a compiled dataclass otherwise pickles field by field (slowly).
        return (_Partial, (self.item, self.graph, self.record, self.checked, self.prepared))


def _map_item(
    item: Item,
    context: MappingContext,
    statuses: frozenset[str],
    check: Check | None,
    prepare: Prepare | None,
) -> Outcome | _Partial:
    """Everything that can be decided about one record on its own."""
    parsed = parse_item(item)
    if parsed.record is None:
        return Rejected(item.source, item.position, None, None, parsed.error or "unreadable")
    record = parsed.record
    raw_id = record.get("_id")
    record_id = str(raw_id) if isinstance(raw_id, (str, int)) and str(raw_id).strip() else None
    status = record.get("status")
    if status is None and context.options.kind != "publication":
        status = "public"  # department and project records have no status: they are public
    if not isinstance(status, str) or status not in RECORD_STATUSES:
        reason = "required field is missing" if status is None else f"{status!r} is not a LibreCat record status"
        return Rejected(item.source, item.position, record_id, "status", reason)
    if status not in statuses:
        return Skipped(record_id or item.position, status)
    try:
        graph = map_record(record, context)
    except MappingError as error:
        return Rejected(item.source, item.position, record_id, error.field, error.reason)
    except RecursionError:
        return Rejected(item.source, item.position, record_id, None, "record nested too deeply")
    # A name of its own: compiled, a name bound by two except clauses has the first one's type,
    # and binding any other exception to it raised a TypeError that ended the run.
    except Exception as unexpected:  # noqa: BLE001 - one odd record must not end the run
        reason = f"internal error while mapping ({type(unexpected).__name__}: {unexpected}); please report it"
        return Rejected(item.source, item.position, record_id, None, reason)
    checked = check(graph) if check is not None else None
    prepared = prepare(graph) if prepare is not None else None
    return _Partial(item, graph, record if item.raw is None else item.raw, checked, prepared)


def _settle(
    partial: Outcome | _Partial, accountant: Accountant, discard: Callable[[Any], None] | None = None
) -> Outcome:
    """The checks that need the records before this one, then the final outcome."""
    if not isinstance(partial, _Partial):
        return partial
    outcome = _decide(partial, accountant)
    if discard is not None and partial.prepared is not None and not isinstance(outcome, Mapped):
        discard(partial.prepared)
    return outcome


def _decide(partial: _Partial, accountant: Accountant) -> Outcome:
    item, graph = partial.item, partial.graph
    if accountant.duplicate(graph.record_id):
        return Rejected(
            item.source,
            item.position,
            graph.record_id,
            "_id",
            "duplicate record id: an earlier record with this _id was already written",
        )
    graph.warnings.extend(accountant.orcid_clashes(graph))
    if partial.checked is not None:
        violations, warnings = partial.checked
        graph.warnings.extend(warnings)
        if violations:
            reason = "; ".join(f"{v.field}: {v.reason}" if v.field else v.reason for v in violations)
            return Rejected(item.source, item.position, graph.record_id, "shacl", reason)
    return Mapped(graph, partial.record, partial.prepared, item.source, item.position)


# Records per task sent to a worker, and tasks in flight per worker: enough to keep
# workers busy, few enough that memory stays flat however large the input.
CHUNK = 256
IN_FLIGHT_PER_JOB = 4
# Chunks the writing process may map itself ahead of the oldest one still in a worker.
PENDING_HERE = 4

# A worker process's settings, inherited through fork (a check may be any callable).
_worker_settings: tuple | None = None


class WorkerError(Exception):
    """A worker process stopped (killed, out of memory, or a result that cannot be sent back)."""


def _take_settings(*settings: object) -> None:
    global _worker_settings
    _worker_settings = settings


def _map_chunk(chunk: list[Item]) -> list[Outcome | _Partial | tuple]:
    assert _worker_settings is not None
    context, statuses, check, prepare = _worker_settings
    out: list[Outcome | _Partial | tuple] = []
    for item in chunk:
        result = _map_item(item, context, statuses, check, prepare)
        if isinstance(result, _Partial):
            if prepare is not None:
                out.append(_packed(result, item))
                continue
            result.item = Item(item.source, item.position)
            if item.raw is not None:
                result.record = b""  # the parent still has the text
        out.append(result)
    return out


def _packed(partial: _Partial, item: Item) -> tuple:
    """What the writing process needs of a prepared record (see process()), as plain tuples.

    Pickle reduces each object by a Python call to its ``__reduce__`` and rebuilds it by
    calling its class; a record was five such objects and more, which cost more to send than
    their contents. The item and the JSON text are the parent's already.
    """
    graph = partial.graph
    prepared = partial.prepared
    by_writer = isinstance(prepared, Prepared)
    return (
        None if item.raw is not None else partial.record,
        partial.checked,
        by_writer,
        prepared.packed() if by_writer else prepared,
        graph.record_id,
        str(graph.iri),
        graph.warnings or None,
        graph.orcids or None,
        graph.unmapped_fields or None,
        graph.date_updated,
    )


def _unpacked(fields: tuple, item: Item) -> _Partial:
    """``_packed``'s result as the record's partial outcome again, with this process's item."""
    record: dict | bytes = fields[0] if item.raw is None else item.raw
    prepared = unpack_prepared(fields[3]) if fields[2] else fields[3]
    # Lists left out as None when empty: RecordGraph makes each a new empty list.
    graph = RecordGraph(fields[4], IRI(fields[5]), None, None, fields[6], fields[7], fields[8], fields[9])
    return _Partial(item, graph, record, fields[1], prepared)


def _multiprocessing() -> Any:
    """The multiprocessing module, imported when several jobs are asked for (10 ms a start-up otherwise)."""
    import multiprocessing

    return multiprocessing


def _map_in_workers(
    items: Iterable[Item],
    context: MappingContext,
    statuses: frozenset[str],
    check: Check | None,
    prepare: Prepare | None,
    prepare_in_worker: Prepare | None,
    jobs: int,
) -> Iterator[Outcome | _Partial]:
    """Map in *jobs* processes: *jobs* - 1 workers, and this one whenever they are all busy.

    This process has to take every result in order anyway (unpickle it, check it against the
    records before, write it); mapping a chunk itself, while the oldest chunk it waits for is
    still in a worker, costs no pickling at all. So two jobs on two cores are two processes
    mapping, not two workers and a writer competing for the cores.
    """
    # fork: workers inherit the settings (and any check) without pickling them. A process pool
    # from concurrent.futures, not multiprocessing.Pool: when a worker dies, or its result cannot
    # be unpickled, the waiting futures fail instead of waiting for ever.
    from concurrent.futures import ProcessPoolExecutor

    workers = jobs - 1
    pool = ProcessPoolExecutor(
        workers,
        mp_context=_multiprocessing().get_context("fork"),
        initializer=_take_settings,
        initargs=(context, statuses, check, prepare_in_worker if prepare_in_worker is not None else prepare),
    )
    _widen_pipes(pool)
    try:
        # Chunks in input order, each with its future (mapped in a worker) or its results (here).
        pending: deque[tuple[list[Item], Any]] = deque()
        in_workers = 0
        limit = workers * IN_FLIGHT_PER_JOB
        for chunk in chunked(items, CHUNK):
            while pending and _finished(pending[0][1]):
                in_workers -= _is_future(pending[0][1])
                yield from _restore(*pending.popleft())
            if in_workers >= limit:
                if len(pending) < limit + PENDING_HERE:
                    pending.append((chunk, [_map_item(item, context, statuses, check, prepare) for item in chunk]))
                    continue
                # Enough mapped here ahead of the oldest chunk, a worker's (those mapped here are
                # finished, and went above): wait for it.
                in_workers -= 1
                yield from _restore(*pending.popleft())
            pending.append((chunk, pool.submit(_map_chunk, chunk)))
            in_workers += 1
        while pending:
            yield from _restore(*pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# A chunk's results are a few MB: with the default 64 KB a pipe holds, a worker waited for
# each 64 KB to be read, by a thread of this process that first needs the interpreter lock.
PIPE_SIZE: Final = 1 << 20


def _widen_pipes(pool: Any) -> None:
    """Let the pool's pipes hold PIPE_SIZE (Linux; elsewhere, or where not allowed, they stay)."""
    try:
        import fcntl

        for connection in (pool._call_queue._reader, pool._result_queue._reader):
            fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass  # private parts of concurrent.futures, or a system limit: slower, still correct


def _is_future(result: Any) -> int:
    return 0 if isinstance(result, list) else 1


def _finished(result: Any) -> bool:
    return isinstance(result, list) or bool(result.done())


def _restore(chunk: list[Item], result: Any) -> Iterator[Outcome | _Partial]:
    if isinstance(result, list):  # mapped in this process
        yield from result
        return
    from concurrent.futures.process import BrokenProcessPool

    try:
        partials = result.result()
    except BrokenProcessPool as exc:
        where = f"{chunk[0].source} from {chunk[0].position}"
        raise WorkerError(f"a worker process stopped while mapping {where}: {exc}") from exc
    for item, partial in zip(chunk, partials, strict=True):
        if isinstance(partial, tuple):
            yield _unpacked(partial, item)
            continue
        if isinstance(partial, _Partial):
            partial.item = item  # the parent's own copy: same source and position
            if item.raw is not None:
                partial.record = item.raw
        yield partial


def chunked(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Items in lists of *size* (the last one shorter), lazily."""
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self.started = time.monotonic()

    def update(self, summary: Summary) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.25:
            return
        self._last = now
        rate = summary.read / max(now - self.started, 1e-9)
        self.stream.write(
            f"\r{summary.read} records read, {summary.written} written, {summary.rejected} rejected ({rate:,.0f}/s)"
        )
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()


def account(
    outcomes: Iterable[Outcome],
    summary: Summary,
    rejects: TextIO | None,
    warnings: TextIO | None,
    progress: Progress | None = None,
) -> Iterator[Mapped]:
    """Count every outcome, report rejects and warnings, pass mapped records on."""
    for outcome in outcomes:
        summary.read += 1
        if isinstance(outcome, Mapped):
            graph = outcome.graph
            summary.written += 1
            summary.warnings += len(graph.warnings)
            if graph.unmapped_fields:  # Counter.update is Python code: not called for nothing
                summary.unmapped_fields.update(graph.unmapped_fields)
            if warnings is not None:
                for problem in graph.warnings:
                    warnings.write(_format_problem("warning", problem.record, problem.field, problem.reason))
            yield outcome
        elif isinstance(outcome, Rejected):
            summary.rejected += 1
            if rejects is not None:
                rejects.write(outcome.as_json() + "\n")
            if warnings is not None:
                where = outcome.record or f"{outcome.source} {outcome.position}"
                warnings.write(_format_problem("rejected", where, outcome.field, outcome.reason))
        else:
            summary.skipped += 1
            summary.skipped_by_status[outcome.status] += 1
        if progress is not None:
            progress.update(summary)


def _format_problem(kind: str, record: str | None, field_name: str | None, reason: str) -> str:
    where = f"record {record}" if record and " " not in record else record or "?"
    return f"{kind}: {where}" + (f", {field_name}" if field_name else "") + f": {reason}\n"


def convert(
    sources: Iterable[str],
    output: str,
    fmt: str | None = None,
    options: MappingOptions | None = None,
    statuses: frozenset[str] = PUBLIC,
    rejects_path: str | None = None,
    warnings_stream: TextIO | None = None,
    check: Check | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    stage: Stage | None = None,
) -> Summary:
    """Convert LibreCat exports to one RDF dump. Returns the run's accounting."""
    started = time.monotonic()
    fmt = format_for(output, fmt)
    context = MappingContext(options)
    summary = Summary()
    rejects = open(rejects_path, "w", encoding="utf-8") if rejects_path else None
    hashing = HashingFile(output) if output != "-" else None
    stream = open_output(output, hashing)
    try:
        writer = make_writer(fmt, stream, stream.buffer)
        writer.start()
        # With several jobs the records are parsed, mapped and formatted in the workers. A stage
        # (batched validation) needs the graphs themselves, so formatting then waits for it.
        prepare = None if stage is not None else writer.prepare
        in_worker = None if stage is not None else writer.prepare_in_worker
        outcomes: Iterable[Outcome] = process(
            read_records(sources, raw=jobs > 1), context, statuses, check, jobs, prepare, writer.discard, in_worker
        )
        if stage is not None:
            outcomes = stage(outcomes)
        with without_cycle_collector():
            for mapped in account(outcomes, summary, rejects, warnings_stream, progress):
                writer.emit(mapped.prepared if prepare is not None else writer.prepare(mapped.graph))
            # The run's caches go while the collector is still off: on again, its first pass would
            # walk every description they hold, long-lived objects it never saw (0.45 s of 8.4 s
            # for 100k records), just before they are freed anyway.
            context.forget()
            writer.forget()
        writer.finish()
        summary.triples = writer.triples_written
        summary.counts = writer.counter.counts()
    finally:
        close_output(output, stream)
        if hashing is not None:
            hashing.close()  # already closed with the stream; waits for the checksum
            summary.dump = hashing.facts()
        if rejects:
            rejects.close()
        if progress is not None:
            progress.done()
    summary.seconds = time.monotonic() - started
    return summary
