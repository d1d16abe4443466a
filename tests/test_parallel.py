"""--jobs N: records mapped in worker processes give exactly the single-process output."""

from __future__ import annotations

import io
import os
from collections import Counter
from pathlib import Path

import pytest

from kg.generate import write_corpus
from kg.mapping import MappingContext, Problem, RecordGraph
from kg.pipeline import Mapped, Rejected, Skipped, convert, process
from kg.read import read_records
from kg.write import FORMATS
from tests.conftest import CORPORA, SEEDS, run_kg


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    """A generated corpus (with planted broken records) plus every real test corpus."""
    path = tmp_path_factory.mktemp("parallel") / "corpus.jsonl.gz"
    write_corpus(3000, str(path), seed=21)
    return [str(path), str(SEEDS), str(CORPORA)]


def _convert(inputs: list[str], output: Path, jobs: int, **kwargs) -> tuple[bytes, str, object]:
    rejects = output.with_suffix(".rejects")
    warnings = io.StringIO()
    summary = convert(inputs, str(output), rejects_path=str(rejects), warnings_stream=warnings, jobs=jobs, **kwargs)
    return output.read_bytes() + rejects.read_bytes(), warnings.getvalue(), summary


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_two_jobs_write_the_same_bytes_as_one(inputs, tmp_path, fmt):
    one, warnings_one, summary_one = _convert(inputs, tmp_path / f"one.{fmt}", jobs=1)
    two, warnings_two, summary_two = _convert(inputs, tmp_path / f"two.{fmt}", jobs=2)
    assert one == two
    assert warnings_one == warnings_two
    assert summary_one.rejected > 0 and summary_one.written > 2500
    for name in ("read", "written", "rejected", "skipped", "warnings", "triples", "unmapped_fields"):
        assert getattr(summary_one, name) == getattr(summary_two, name)


def test_the_cli_option_gives_the_same_dump(inputs, tmp_path):
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs / "out.nt.gz"  # same name: gzip headers carry it
        out.parent.mkdir()
        result = run_kg("convert", *inputs, "-o", out, "--jobs", jobs, "-q")
        assert result.returncode == 1, result.stderr  # the planted broken records are rejected
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def _flag_short_titles(graph: RecordGraph) -> tuple[list[Problem], list[Problem]]:
    """A check that rejects some records and warns about others (runs in the workers)."""
    # A literal is a tuple (value, datatype, lang).
    titles = [o[0] for s, p, o in graph.own if p.endswith("/title") and s == graph.iri]
    if titles and len(titles[0]) < 30:
        return [Problem(graph.record_id, "title", "too short")], []
    if titles and len(titles[0]) > 80:
        return [], [Problem(graph.record_id, "title", "long title")]
    return [], []


def _outcomes(inputs: list[str], jobs: int) -> list:
    out = []
    for outcome in process(read_records(inputs), MappingContext(), check=_flag_short_titles, jobs=jobs):
        if isinstance(outcome, Mapped):
            graph = outcome.graph
            out.append(("mapped", graph.record_id, graph.triples(), graph.warnings, outcome.record["_id"]))
        else:
            assert isinstance(outcome, Rejected | Skipped)
            out.append(outcome)
    return out


def test_process_yields_the_same_outcomes_with_a_check_in_the_workers(inputs):
    one = _outcomes(inputs, jobs=1)
    two = _outcomes(inputs, jobs=2)
    assert one == two
    reasons = [o.reason for o in one if isinstance(o, Rejected)]
    assert any("title: too short" in reason for reason in reasons)
    assert any(any(w.reason == "long title" for w in o[3]) for o in one if isinstance(o, tuple))


def _note_the_process(graph: RecordGraph) -> tuple[list[Problem], list[Problem]]:
    """A check that says, as a warning, which process mapped the record."""
    return [], [Problem(graph.record_id, None, f"pid {os.getpid()}")]


def test_two_jobs_are_a_worker_and_the_writing_process_both_mapping(inputs):
    pids = Counter()
    for outcome in process(read_records(inputs), MappingContext(), check=_note_the_process, jobs=2):
        if isinstance(outcome, Mapped):
            pids.update(w.reason for w in outcome.graph.warnings if w.reason.startswith("pid "))
    here = f"pid {os.getpid()}"
    assert len(pids) == 2 and pids[here] > 0
    assert sum(pids.values()) > 2500 and min(pids.values()) >= 256  # a chunk at least each


def test_the_pool_pipes_are_widened():
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are Linux's")
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from kg.pipeline import PIPE_SIZE, _widen_pipes

    with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        before = fcntl.fcntl(pool._result_queue._reader.fileno(), fcntl.F_GETPIPE_SZ)
        _widen_pipes(pool)
        for connection in (pool._call_queue._reader, pool._result_queue._reader):
            assert fcntl.fcntl(connection.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_SIZE
    assert before < PIPE_SIZE


def _handed_over(tmp_path: Path) -> list[str]:
    """Records in one worker's chunk where a rejected record is the first to mention what the next one repeats.

    A worker sends a description once and then only its key; when the record that carried it is
    rejected in the writing process (a duplicate id here), the next record's key must still find it.
    """
    from tests.conftest import record, write_json

    stranger = {"first_name": "Ada", "last_name": "Stranger", "id": "P-STRANGER"}
    project = [{"_id": "PRJ-9", "name": "Only Here", "grant_number": "77", "call_identifier": "H2020"}]
    records = [
        record("1", author=[{"first_name": "Bo", "last_name": "First", "id": "P-FIRST"}]),
        record("1", title="Same id again", author=[stranger], project=project),
        record("3", title="Short", author=[stranger], project=project),
        record("4", author=[stranger], project=project),
    ]
    return [str(write_json(tmp_path / "handed-over.json", records))]


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl"])
def test_what_a_rejected_record_described_first_is_still_written_for_later_records(tmp_path, fmt):
    inputs = _handed_over(tmp_path)
    one, _, summary = _convert(inputs, tmp_path / f"one.{fmt}", jobs=1)
    two, _, _ = _convert(inputs, tmp_path / f"two.{fmt}", jobs=2)
    assert one == two
    assert summary.rejected == 1
    assert b"Stranger" in one and b"Only Here" in one


def _reject_short_titles(graph: RecordGraph) -> tuple[list[Problem], list[Problem]]:
    # A literal is a tuple (value, datatype, lang).
    titles = [o[0] for s, p, o in graph.own if p.endswith("/title") and s == graph.iri]
    return ([Problem(graph.record_id, "title", "too short")] if titles == ["Short"] else []), []


def test_what_a_record_failing_its_check_described_first_is_still_written(tmp_path):
    inputs = _handed_over(tmp_path)
    one, _, summary = _convert(inputs, tmp_path / "one.nt", jobs=1, check=_reject_short_titles)
    two, _, _ = _convert(inputs, tmp_path / "two.nt", jobs=2, check=_reject_short_titles)
    assert one == two
    assert summary.rejected == 2  # the duplicate id and the short title
    assert b"Stranger" in one and b"Only Here" in one


def test_a_worker_that_dies_ends_the_run_with_a_clear_error_instead_of_hanging(tmp_path):
    # A check that kills its worker process on one record (as the kernel's OOM killer would).
    script = f"""
import os, sys
from kg.pipeline import WorkerError, convert
from kg.generate import write_corpus

checked = 0
parent = os.getpid()

def dies_on_its_100th_record(graph):
    global checked
    if os.getpid() == parent:  # the writing process maps records too
        return [], []
    checked += 1  # per worker process
    if checked == 100:
        os._exit(9)
    return [], []

write_corpus(2000, "{tmp_path}/corpus.jsonl", seed=3)
try:
    convert(["{tmp_path}/corpus.jsonl"], "{tmp_path}/out.nt", check=dies_on_its_100th_record, jobs=2)
except WorkerError as exc:
    print("WorkerError:", exc)
    sys.exit(0)
sys.exit("no error")
"""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "a worker process stopped while mapping" in done.stdout
