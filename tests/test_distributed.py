"""--engine dask: shards from a dask.distributed LocalCluster equal the single-process N-Quads."""

from __future__ import annotations

import gzip
import hashlib
import json
import warnings
from pathlib import Path

import pytest

from kg.generate import CorpusGenerator, write_corpus
from kg.pipeline import convert
from tests.conftest import CORPORA, SEEDS, run_kg

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'kg[dask]')")

SIZE = 4000


def _seed_with_a_planted_duplicate() -> int:
    """The first seed from 31 on whose corpus holds a duplicate id (the cross-partition case)."""
    for seed in range(31, 200):
        if any(g.flaw == "duplicate_id" for g in CorpusGenerator(SIZE, seed)):
            return seed
    raise AssertionError("no seed plants a duplicate id")


SEED = _seed_with_a_planted_duplicate()


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local,
        distributed.Client(local) as client,
    ):
        yield local, client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dask") / "corpus.jsonl"
    write_corpus(SIZE, str(path), SEED)
    return path


def _single_process(inputs: list[str], tmp_path: Path) -> tuple[bytes, bytes]:
    out, rejects = tmp_path / "single.nq", tmp_path / "single.rejects"
    convert(inputs, str(out), rejects_path=str(rejects))
    return out.read_bytes(), rejects.read_bytes()


def _shards(folder: Path) -> tuple[bytes, dict]:
    manifest = json.loads((folder / "manifest.json").read_text())
    text = b""
    for entry in manifest["shards"]:
        data = (folder / entry["shard"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        quads = gzip.decompress(data)
        assert len(quads.splitlines()) == entry["triples"]
        assert len({line.rsplit(b" ", 2)[1] for line in quads.splitlines()}) == entry["records"]
        text += quads
    assert manifest["records"] == sum(e["records"] for e in manifest["shards"])
    assert manifest["triples"] == sum(e["triples"] for e in manifest["shards"])
    return text, manifest


def _distributed(inputs, folder: Path, client, partition_size: int) -> bytes:
    from kg.distributed import convert_distributed

    rejects = folder.with_suffix(".rejects")
    convert_distributed(inputs, str(folder), rejects_path=str(rejects), client=client, partition_size=partition_size)
    return rejects.read_bytes()


def test_shards_in_order_are_the_single_process_output(cluster, corpus, tmp_path):
    inputs = [str(corpus), str(SEEDS), str(CORPORA)]
    single, single_rejects = _single_process(inputs, tmp_path)
    rejects = _distributed(inputs, tmp_path / "shards", cluster[1], partition_size=700)
    union, manifest = _shards(tmp_path / "shards")
    assert len(manifest["shards"]) > 5
    assert union == single
    assert rejects == single_rejects and rejects  # the planted broken records, with reasons


def test_a_duplicate_across_partitions_is_removed_from_its_shard(cluster, corpus, tmp_path):
    # Cut the corpus right before a planted duplicate, so the original is in the previous partition.
    duplicates = [g.number for g in CorpusGenerator(SIZE, SEED) if g.flaw == "duplicate_id"]
    assert duplicates, "the corpus holds a planted duplicate id"
    boundary = duplicates[0] - 1
    single, single_rejects = _single_process([str(corpus)], tmp_path)
    rejects = _distributed([str(corpus)], tmp_path / "shards", cluster[1], partition_size=boundary)
    union, _ = _shards(tmp_path / "shards")
    assert union == single
    assert rejects == single_rejects


def test_cli_runs_on_a_given_scheduler(cluster, corpus, tmp_path):
    out = tmp_path / "cli-shards"
    result = run_kg("convert", corpus, "-o", out, "--engine", "dask", "--scheduler", cluster[0].scheduler_address, "-q")
    assert result.returncode == 1, result.stderr  # planted rejects
    single, _ = _single_process([str(corpus)], tmp_path)
    assert _shards(out)[0] == single


def test_cli_refuses_a_non_nquads_format(tmp_path, corpus):
    result = run_kg("convert", corpus, "-o", tmp_path / "x", "--engine", "dask", "-f", "ttl")
    assert result.returncode == 2
    assert b"N-Quads" in result.stderr


def test_a_duplicate_within_a_partition_is_left_out_by_its_worker(corpus, tmp_path):
    """The worker drops what the client would reject as a duplicate of the same partition, so that
    the shard need not be rewritten; it still reports the record for the client's accounting."""
    from kg.distributed import map_partition
    from kg.mapping import MappingContext
    from kg.pipeline import PUBLIC, _Partial
    from kg.read import read_records

    items = list(read_records([str(corpus)], raw=True))
    result = map_partition(0, items, MappingContext(), PUBLIC, None, str(tmp_path))
    first: dict[str, int] = {}
    duplicates = []
    for position, partial in enumerate(result.partials):
        if isinstance(partial, _Partial):
            if partial.graph.record_id in first:
                duplicates.append((first[partial.graph.record_id], position))
            first.setdefault(partial.graph.record_id, position)
    assert duplicates, "the corpus holds a planted duplicate id"
    for original, duplicate in duplicates:
        assert original in result.written and duplicate not in result.written


def test_a_partition_of_many_records_is_sent_without_dask_warning_of_a_large_graph(cluster):
    from kg.distributed import submit

    _, client = cluster
    partition = b"x" * 11_000_000  # a 10,000-record partition is about as large; dask warns from 10 MB
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert submit(client, len, partition).result() == len(partition)


def test_a_task_that_fails_on_its_worker_is_an_engine_error_naming_the_partition(cluster, tmp_path):
    from kg.distributed import EngineError, convert_distributed

    _, client = cluster
    # int(graph) raises TypeError in the worker, as a bug in a check would.
    with pytest.raises(
        EngineError,
        match=r"a dask task failed while mapping .*ista-dissertations.json from element 1: TypeError: int\(\)",
    ):
        convert_distributed([str(SEEDS)], str(tmp_path / "shards"), check=int, client=client)
