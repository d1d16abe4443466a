"""The seed records give exactly the hand-reviewed triples in tests/golden/seeds.ttl."""

from __future__ import annotations

from pathlib import Path

from conftest import SEEDS
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.mapping import MappingOptions
from kg.pipeline import convert

GOLDEN = Path(__file__).parent / "golden" / "seeds.ttl"


def test_seeds_match_the_golden_file(tmp_path):
    out = tmp_path / "seeds.ttl"
    summary = convert([str(SEEDS)], str(out), options=MappingOptions(base="https://research-explorer.ista.ac.at"))
    assert (summary.read, summary.written, summary.rejected, summary.warnings) == (2, 2, 0, 0)
    produced = Graph().parse(out)
    expected = Graph().parse(GOLDEN)
    if not isomorphic(produced, expected):
        _, only_produced, only_expected = graph_diff(to_isomorphic(produced), to_isomorphic(expected))
        extra = sorted(only_produced.serialize(format="nt").splitlines())
        missing = sorted(only_expected.serialize(format="nt").splitlines())
        raise AssertionError(f"not in golden: {extra[:20]}\nmissing: {missing[:20]}")
