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


def test_digits_int_cannot_read_are_not_numbers():
    """A "²" is a digit to str.isdigit, but int() cannot read it: as a month, day, page or file
    size it is odd text (a warning or nothing), and the record is written."""
    base = json.loads(SEEDS.read_text())[0]
    fields = [("month", "²"), ("day", "³"), ("page", "²"), ("month", "٣"), ("page", "١٢")]
    # Days too large for datetime.date's C integers (JSON numbers go up to 2**63 - 1).
    fields += [("day", 2**63 - 1), ("day", "9" * 25)]
    records = [
        dict(base, _id=f"digits-{n}", status="public", year="2016", **{key: value})
        for n, (key, value) in enumerate(fields)
    ]
    files = [dict(entry, file_size="²") for entry in base.get("file", [])]
    records.append(dict(base, _id="digits-file", status="public", file=files))
    items = (Item("digits", f"element {n}", record=r) for n, r in enumerate(records))
    outcomes = list(process(items, MappingContext()))
    assert [type(outcome) for outcome in outcomes] == [Mapped] * len(records)
    issued = {
        outcome.graph.record_id: [o[0] for _, p, o in outcome.graph.own if p.endswith("/issued")]
        for outcome in outcomes
    }
    assert issued["digits-0"] == ["2016"]  # "²" is no month
    assert issued["digits-3"][0].startswith("2016-03-")  # an Arabic-Indic three is one
    assert issued["digits-5"] == issued["digits-6"] == [f"2016-{int(base['month']):02d}"]  # no such day


def test_an_unexpected_error_rejects_the_record_and_the_run_goes_on():
    # An integer too long for str() (Python's limit on digits) raises a ValueError the mapping
    # does not expect. JSON readers cannot make one (orjson stops at 64 bits); the Python API can.
    base = dict(json.loads(SEEDS.read_text())[0], status="public")
    records = [dict(base, _id="before"), dict(base, _id="failing", volume=10**5000), dict(base, _id="after")]
    items = (Item("bug", f"element {n}", record=r) for n, r in enumerate(records))
    outcomes = list(process(items, MappingContext()))
    assert [type(outcome) for outcome in outcomes] == [Mapped, Rejected, Mapped]
    assert outcomes[1].record == "failing"
    assert outcomes[1].reason.startswith("internal error while mapping (ValueError: Exceeds the limit")
