"""kg.pipeline: conversions run with the cyclic garbage collector off, so records must make no cycles."""

from __future__ import annotations

import functools
import gc
import io
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.check import Shapes
from kg.fastcheck import FastShapes
from kg.generate import write_corpus
from kg.mapping import MappingContext
from kg.pipeline import STREAMING_GC_THRESHOLD, convert, process, without_cycle_collector
from kg.read import read_records
from kg.write import FORMATS
from tests.conftest import CORPORA, SEEDS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Callable[[int], list[str]]:
    """Generated corpora of the given sizes (with planted broken records), made once each."""
    folder = tmp_path_factory.mktemp("cycles")

    @functools.cache
    def make(size: int) -> list[str]:
        path = folder / f"corpus-{size}.jsonl"
        write_corpus(size, str(path), seed=5)
        return [str(path)]

    return make


def cyclic_garbage(run: Callable[[], object]) -> int:
    """Objects in reference cycles that *run* leaves behind, run with the collector off."""
    gc.collect()
    gc.disable()
    try:
        run()
        return gc.collect()
    finally:
        gc.enable()


def _converting(inputs: list[str], folder: Path, fmt: str, **kwargs) -> Callable[[], object]:
    output = folder / f"graph.{fmt}"
    rejects = str(folder / "rejects.jsonl")
    return lambda: convert(inputs, str(output), rejects_path=rejects, warnings_stream=io.StringIO(), **kwargs)


def _more_records_no_more_cycles(corpus, folder: Path, fmt: str, **kwargs) -> None:
    everything = corpus(300) + [str(SEEDS), str(CORPORA)]
    _converting(everything, folder, fmt, **kwargs)()  # first use: the modules' lazy set-up
    small = cyclic_garbage(_converting(everything, folder, fmt, **kwargs))
    large = cyclic_garbage(_converting(corpus(1500) + everything[1:], folder, fmt, **kwargs))
    assert large == small


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_converting_five_times_the_records_leaves_no_more_cycles(corpus, tmp_path, fmt):
    _more_records_no_more_cycles(corpus, tmp_path, fmt)


def test_fast_validation_leaves_no_more_cycles(corpus, tmp_path):
    _more_records_no_more_cycles(corpus, tmp_path, "nt", check=FastShapes().check_record)


def test_pyshacl_cycles_are_collected_while_it_runs(corpus, tmp_path):
    """rdflib and pyshacl make cycles by the thousand; what is left is one run's, not the corpus's."""
    stage = Shapes().batch_stage(100)
    small, large = (cyclic_garbage(_converting(corpus(size), tmp_path, "nt", stage=stage)) for size in (300, 1500))
    # Left to the end, five times the records would leave five times the cycles.
    assert 0 < large < 2 * small


def test_a_conversion_runs_without_the_collector_and_restores_it(tmp_path):
    states: list[bool] = []

    def check(graph):
        states.append(gc.isenabled())
        return [], []

    assert gc.isenabled()
    convert([str(SEEDS), str(CORPORA)], str(tmp_path / "graph.nt"), check=check)
    assert states and not any(states)
    assert gc.isenabled()
    with without_cycle_collector():
        with without_cycle_collector():
            pass
        assert not gc.isenabled()  # the inner one leaves it as it found it
    assert gc.isenabled()


def test_other_sinks_stream_with_the_collector_on_but_rare(tmp_path):
    """load, push and sync consume process() directly: HTTP clients make cycles, so it stays on."""
    before = gc.get_threshold()
    records = process(read_records([str(SEEDS)]), MappingContext())
    next(records)
    assert gc.isenabled() and gc.get_threshold() == STREAMING_GC_THRESHOLD
    list(itertools.islice(records, 10))
    records.close()
    assert gc.get_threshold() == before


def _largest_young_generation(run: Callable[[], object]) -> int:
    """The most objects a collection of the youngest generation walked while *run* ran."""
    sizes = [0]

    def measure(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 0:
            sizes.append(len(gc.get_objects(0)))

    gc.collect()
    gc.callbacks.append(measure)
    try:
        run()
    finally:
        gc.callbacks.remove(measure)
    return max(sizes)


def test_the_collector_on_again_does_not_walk_the_runs_caches(corpus, tmp_path):
    """The mapping memo and the writer's cache go before the collector is on again at the end of a
    conversion: its first pass would otherwise walk all they hold, just before they are freed."""
    everything = [str(SEEDS), str(CORPORA)]
    _converting(corpus(300) + everything, tmp_path, "nt")()  # first use: the modules' lazy set-up
    small = _largest_young_generation(_converting(corpus(300) + everything, tmp_path, "nt"))
    large = _largest_young_generation(_converting(corpus(1500) + everything, tmp_path, "nt"))
    assert large < small + 1000
