"""kg.hashset: the writers' compact set of hashes must behave as a Python set of the same ints."""

from __future__ import annotations

import random

from kg.hashset import HashSet


def test_a_hash_set_agrees_with_a_set_through_its_growth():
    rng = random.Random(7)
    # Hashes of strings (all bits), small and negative ints, 0 (the empty-slot mark) and repeats.
    values = [hash(f"subject {n}") for n in range(30_000)] + list(range(-50, 50)) + [0, 0, -1, 2**63 - 1, -(2**63)]
    values += rng.sample(values, 5_000)
    rng.shuffle(values)
    compact, reference = HashSet(), set()
    for value in values:
        assert compact.add(value) == (value not in reference), value
        reference.add(value)
    assert len(compact) == len(reference) > 30_000
    assert all(value in compact for value in reference)
    absent = [hash(f"other {n}") for n in range(10_000)] + [2**62 + 1]
    assert not any(value in compact for value in absent if value not in reference)


def test_an_empty_hash_set():
    empty = HashSet()
    assert len(empty) == 0 and 0 not in empty and 12345 not in empty
    assert empty.add(0) and 0 in empty and not empty.add(0) and len(empty) == 1
