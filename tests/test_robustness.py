"""Odd values anywhere in a record give a warning or a clear reject, never a crash."""

from __future__ import annotations

import copy
import json
import random

from conftest import SEEDS, corpus_files

from kg.mapping import MappingContext
from kg.pipeline import Mapped, Rejected, process
from kg.read import Item

ODD_VALUES = [
    None,
    "",
    " ",
    0,
    1,
    -1,
    3.5,
    True,
    False,
    [],
    {},
    [None],
    [1, 2],
    {"a": 1},
    [{"a": {"b": []}}],
    "x" * 5000,
    "\x00\x01\x1f",
    "<b>html</b>",
    "🧬",
    '"\\',
    "2016-13-45",
    "0000-0002-1825-0098",
    ["text"],
]


def paths(value, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


def replaced(document, path, new):
    document = copy.deepcopy(document)
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return document


def test_odd_values_never_crash_the_mapper():
    rng = random.Random(20261124)
    originals = []
    for path in corpus_files():
        try:
            originals.extend(r for r in json.loads(path.read_text()) if isinstance(r, dict))
        except json.JSONDecodeError:
            continue  # the edge-case corpus holds malformed JSON on purpose
    originals.extend(json.loads(SEEDS.read_text()))
    mutants = []
    for original in originals:
        original = dict(original, status="public")
        for path in list(paths(original))[1:]:
            for value in rng.sample(ODD_VALUES, 3):
                # A fresh id each time, so that only the mutation can cause a reject.
                unique = dict(original, _id=f"{original['_id']}-{len(mutants)}")
                mutants.append(replaced(unique, path, value))
    assert len(mutants) > 2000
    items = (Item("mutants", f"element {n}", record=m) for n, m in enumerate(mutants))
    internal = []
    counts = {"mapped": 0, "rejected": 0}
    for outcome in process(items, MappingContext()):
        if isinstance(outcome, Rejected):
            counts["rejected"] += 1
            assert outcome.reason
            if "internal error" in outcome.reason:
                internal.append(outcome)
        elif isinstance(outcome, Mapped):
            counts["mapped"] += 1
    assert internal == []
    assert counts["mapped"] > counts["rejected"] > 0
