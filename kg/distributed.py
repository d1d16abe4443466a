"""Distributed conversion on a dask.distributed cluster: partitioned, gzip-compressed N-Quads.

The input is cut into partitions of consecutive records. Each partition is
mapped by a task on some worker, which writes its shard (``part-00000.nq.gz`` …)
into the output folder: the folder must be reachable from every worker under the
same path (a local disk for a LocalCluster, a shared file system otherwise).
The client does what needs all records in order — duplicate ids, ORCID clashes,
the accounting — exactly as a single process would, so the shards read in order
are byte for byte the single-process N-Quads output of the same input. A record
that turns out to be a duplicate of an earlier partition's record is removed by
rewriting its shard (rare: its worker leaves out a duplicate within the partition).
``manifest.json`` lists every shard with its record and triple counts and the
SHA-256 of the compressed file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kg.mapping import MappingContext, MappingOptions
from kg.pipeline import (
    PUBLIC,
    Accountant,
    Check,
    Mapped,
    Outcome,
    Progress,
    Rejected,
    Summary,
    _map_item,
    _Partial,
    _settle,
    account,
    chunked,
    rare_collections,
    without_cycle_collector,
)
from kg.read import Item, read_records
from kg.write import GZIP_LEVEL, NQuadsWriter

MANIFEST = "manifest.json"
PARTITION_SIZE = 10_000


class EngineError(RuntimeError):
    """The distributed engine cannot run (dask missing, scheduler unreachable)."""


@dataclass
class Shard:
    shard: str
    records: int
    triples: int
    sha256: str


@dataclass
class PartitionResult:
    index: int
    shard: Shard
    # One per input item: a Rejected/Skipped outcome or a _Partial without its triples.
    partials: list = field(default_factory=list)
    # Triples of each record written to the shard, by item index (to recount after drops).
    written: dict[int, int] = field(default_factory=dict)


def shard_name(index: int) -> str:
    return f"part-{index:05d}.nq.gz"


def map_partition(
    index: int,
    items: list[Item],
    context: MappingContext,
    statuses: frozenset[str],
    check: Check | None,
    folder: str,
    drop: frozenset[int] = frozenset(),
) -> PartitionResult:
    """Map one partition and write its shard; leave out the items at the positions in *drop*."""
    writer = NQuadsWriter(None)  # type: ignore[arg-type]  # only its pure prepare() is used
    result = PartitionResult(index, Shard(shard_name(index), 0, 0, ""))
    path = Path(folder) / result.shard.shard
    # No file name and mtime 0 in the gzip header: the same input gives the same shard bytes.
    # The collector is off as in kg convert (a record makes no cycles): with it on, a partition
    # took twice as long, walking the memo and the writer's cache.
    with (
        without_cycle_collector(),
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as stream,
    ):
        # A record whose id an earlier record of this partition has is a duplicate for the client
        # too (kg.pipeline.Accountant): left out here, its shard need not be rewritten.
        ids = Accountant()
        for position, item in enumerate(items):
            partial = _map_item(item, context, statuses, check, writer.prepare)
            if isinstance(partial, _Partial):
                violations = partial.checked[0] if partial.checked else []
                duplicate = ids.duplicate(partial.graph.record_id)
                if not violations and not duplicate and position not in drop:
                    stream.write(partial.prepared.block.encode("utf-8"))
                    result.written[position] = partial.prepared.triples
                # The client needs the accounting, not the triples.
                partial.graph.own, partial.graph.shared = [], []
                partial.prepared = None
                partial.item = Item(item.source, item.position)
                partial.record = b""
            result.partials.append(partial)
        writer.forget()  # with the collector off (see kg.pipeline.convert)
    result.shard.records = len(result.written)
    result.shard.triples = sum(result.written.values())
    result.shard.sha256 = _sha256(path)
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def connect(scheduler: str | None, workers: int) -> Any:
    """A dask.distributed Client: to *scheduler*, or to a new LocalCluster of *workers* processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("the dask engine needs dask.distributed: pip install 'kg[dask]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.kg_owns_cluster = True  # type: ignore[attr-defined]
    return client


# A task carries its partition's records (~11 MB for 10,000), so dask's warning of a large graph
# (from 10 MB) would come with every partition. Sending each partition to a worker beforehand
# (Client.scatter) avoids the warning and the scheduler's copy (peak RSS 297 against 477 MiB at
# 100k on a LocalCluster) but took 15 % longer (24.0-26.5 s against 20.5-22.7 s, three turns).
TASK_SIZE_WARNING = "1GiB"


def submit(client: Any, function: Any, *args: Any) -> Any:
    """``client.submit(function, *args)``: a task run once for every call (not cached by its key)."""
    import dask

    with dask.config.set({"distributed.admin.large-graph-warning-threshold": TASK_SIZE_WARNING}):
        return client.submit(function, *args, pure=False)


def task_result(future: Any, partition: list[Item]) -> PartitionResult:
    """What a partition's task returned; a task that failed on its worker, said as an EngineError."""
    try:
        return future.result()  # type: ignore[no-any-return]
    except OSError:
        raise  # the shard could not be written: named by its path
    except Exception as exc:  # noqa: BLE001 - a killed worker, a lost connection, or a bug: said, not a traceback
        where = f"{partition[0].source} from {partition[0].position}" if partition else "an empty partition"
        raise EngineError(f"a dask task failed while mapping {where}: {type(exc).__name__}: {exc}") from exc


def close(client: Any) -> None:
    cluster = client.cluster if getattr(client, "kg_owns_cluster", False) else None
    client.close()
    if cluster is not None:
        cluster.close()


def convert_distributed(
    sources: Iterable[str],
    folder: str,
    options: MappingOptions | None = None,
    statuses: frozenset[str] = PUBLIC,
    rejects_path: str | None = None,
    warnings_stream: TextIO | None = None,
    check: Check | None = None,
    progress: Progress | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    partition_size: int = PARTITION_SIZE,
    client: Any = None,
) -> Summary:
    """Convert to gzip N-Quads shards plus manifest.json in *folder*, on a dask cluster."""
    started = time.monotonic()
    Path(folder).mkdir(parents=True, exist_ok=True)
    folder = os.path.abspath(folder)
    for stale in Path(folder).glob("part-*.nq.gz"):
        stale.unlink()
    context = MappingContext(options)
    own_client = client is None
    if own_client:
        client = connect(scheduler, workers)
    summary = Summary()
    rejects = open(rejects_path, "w", encoding="utf-8") if rejects_path else None
    shards: list[Shard] = []
    try:
        in_flight = max(2, 2 * len(client.scheduler_info().get("workers", {})))
        accountant = Accountant()
        rewrites: list[tuple[int, list[Item], set[int]]] = []
        pending: deque = deque()

        def settle(partition: list[Item], future: Any) -> Iterator[Outcome]:
            result = task_result(future, partition)
            drop: set[int] = set()
            for position, (item, partial) in enumerate(zip(partition, result.partials, strict=True)):
                if isinstance(partial, _Partial):
                    partial.item = item
                    partial.record = item.raw if item.raw is not None else partial.record
                outcome = _settle(partial, accountant)
                if isinstance(outcome, Rejected) and position in result.written:
                    drop.add(position)  # a duplicate of a record in an earlier partition
                yield outcome
            if drop:
                rewrites.append((len(shards), partition, drop))
            shards.append(result.shard)

        def outcomes() -> Iterator[Outcome]:
            for index, partition in enumerate(chunked(read_records(sources, raw=True), partition_size)):
                future = submit(client, map_partition, index, partition, context, statuses, check, folder)
                pending.append((partition, future))
                if len(pending) >= in_flight:
                    yield from settle(*pending.popleft())
            while pending:
                yield from settle(*pending.popleft())

        # Rarely, not off: dask's client makes cycles. Unpickling the partitions' results made
        # the collector run every few records, over everything the client holds (77 µs a record).
        with rare_collections():
            for mapped in account(outcomes(), summary, rejects, warnings_stream, progress):
                assert isinstance(mapped, Mapped)
        # All at once: the cluster rewrites them in parallel.
        rewritten = [
            (
                index,
                partition,
                submit(client, map_partition, index, partition, context, statuses, check, folder, frozenset(drop)),
            )
            for index, partition, drop in rewrites
        ]
        for index, partition, future in rewritten:
            shards[index] = task_result(future, partition).shard
    finally:
        if own_client:
            close(client)
        if rejects:
            rejects.close()
        if progress is not None:
            progress.done()
    summary.triples = sum(shard.triples for shard in shards)
    write_manifest(folder, shards)
    summary.seconds = time.monotonic() - started
    return summary


def write_manifest(folder: str, shards: list[Shard]) -> None:
    manifest = {
        "format": "application/n-quads",
        "compression": "gzip",
        "records": sum(shard.records for shard in shards),
        "triples": sum(shard.triples for shard in shards),
        "shards": [shard.__dict__ for shard in shards],
    }
    Path(folder, MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
