"""The pipeline: read → map → (check) → write, with accounting.

``process`` turns input items into outcomes (written / rejected / skipped), one
record at a time; ``convert`` drives it into a dump. Other sinks (the embedded
store, a SPARQL endpoint) consume the same outcomes.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from kg.mapping import MappingContext, MappingError, MappingOptions, Problem, RecordGraph, map_record
from kg.read import Item, read_records
from kg.write import format_for, make_writer, open_output

PUBLIC = frozenset({"public"})
RECORD_STATUSES = frozenset({"new", "submitted", "public", "returned", "private", "deleted"})
WITHDRAWN = frozenset({"returned", "deleted"})


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Skipped:
    """A record left out on purpose: its status is not one the user asked for."""

    record: str
    status: str


@dataclass(frozen=True)
class Mapped:
    graph: RecordGraph
    record: dict = field(repr=False, compare=False)


Outcome = Mapped | Rejected | Skipped

# A check receives a record's graph and returns (violations, warnings) as Problems.
Check = Callable[[RecordGraph], tuple[list[Problem], list[Problem]]]


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
) -> Iterator[Outcome]:
    """Map every readable, wanted record; say why for every other one."""
    accountant = Accountant()
    for item in items:
        if item.record is None:
            yield Rejected(item.source, item.position, None, None, item.error or "unreadable")
            continue
        record = item.record
        raw_id = record.get("_id")
        record_id = str(raw_id) if isinstance(raw_id, (str, int)) and str(raw_id).strip() else None
        status = record.get("status")
        if status is None and context.options.kind != "publication":
            status = "public"  # department and project records have no status: they are public
        if not isinstance(status, str) or status not in RECORD_STATUSES:
            reason = "required field is missing" if status is None else f"{status!r} is not a LibreCat record status"
            yield Rejected(item.source, item.position, record_id, "status", reason)
            continue
        if status not in statuses:
            yield Skipped(record_id or item.position, status)
            continue
        try:
            graph = map_record(record, context)
        except MappingError as exc:
            yield Rejected(item.source, item.position, record_id, exc.field, exc.reason)
            continue
        except RecursionError:
            yield Rejected(item.source, item.position, record_id, None, "record nested too deeply")
            continue
        except Exception as exc:  # noqa: BLE001 - one odd record must not end the run
            reason = f"internal error while mapping ({type(exc).__name__}: {exc}); please report it"
            yield Rejected(item.source, item.position, record_id, None, reason)
            continue
        if accountant.duplicate(graph.record_id):
            yield Rejected(
                item.source,
                item.position,
                graph.record_id,
                "_id",
                "duplicate record id: an earlier record with this _id was already written",
            )
            continue
        graph.warnings.extend(accountant.orcid_clashes(graph))
        if check is not None:
            violations, warnings = check(graph)
            graph.warnings.extend(warnings)
            if violations:
                reason = "; ".join(f"{v.field}: {v.reason}" if v.field else v.reason for v in violations)
                yield Rejected(item.source, item.position, graph.record_id, "shacl", reason)
                continue
        yield Mapped(graph, record)


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
) -> Summary:
    """Convert LibreCat exports to one RDF dump. Returns the run's accounting."""
    started = time.monotonic()
    fmt = format_for(output, fmt)
    context = MappingContext(options)
    summary = Summary()
    rejects = open(rejects_path, "w", encoding="utf-8") if rejects_path else None
    stream = open_output(output)
    try:
        writer = make_writer(fmt, stream)
        writer.start()
        outcomes = process(read_records(sources), context, statuses, check)
        for mapped in account(outcomes, summary, rejects, warnings_stream, progress):
            writer.write(mapped.graph)
        writer.finish()
        summary.triples = writer.triples_written
    finally:
        if output == "-":
            stream.flush()
            stream.detach()  # type: ignore[attr-defined]
        else:
            stream.close()
        if rejects:
            rejects.close()
        if progress is not None:
            progress.done()
    summary.seconds = time.monotonic() - started
    return summary
