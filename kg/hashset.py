"""A compact set of hashes, for what a run must remember about everything it has written.

The writers remember, for the whole run, the hashes of the shared triples and descriptions
written and of the subjects counted: the only memory that grows with the corpus. A Python
set of ints takes about 60 bytes an entry (its table slot plus a 32-byte int object); this
table of machine integers takes 8 bytes a slot, 16 to 32 an entry, so a million-record
run needs a few hundred MB less. The table is a ``librt.vecs.vec[i64]``, mypyc's own
unboxed array, which compiled code indexes without making int objects: the set is then
faster than a Python set.
"""

from __future__ import annotations

from typing import Final

from librt.vecs import vec
from mypy_extensions import i64

_FIRST_SLOTS: Final = 1 << 12


class HashSet:
    """A set of 64-bit ints (hashes) in an open-addressing table with linear probing.

    Slot value 0 marks an empty slot, so 0 itself is remembered apart. Hashes of strings and
    tuples spread over all bits, so the low bits index the table well.
    """

    def __init__(self) -> None:
        self._table: vec[i64] = vec[i64]([0] * _FIRST_SLOTS)
        self._mask: i64 = _FIRST_SLOTS - 1
        self._count = 0
        self._has_zero = False

    def __len__(self) -> int:
        return self._count

    def __contains__(self, value: i64) -> bool:
        if value == 0:
            return self._has_zero
        return self._table[self._slot(value)] == value

    def add(self, value: i64) -> bool:
        """Add *value*; whether it was new."""
        if value == 0:
            if self._has_zero:
                return False
            self._has_zero = True
            self._count += 1
            return True
        slot = self._slot(value)
        table = self._table
        if table[slot] == value:
            return False
        table[slot] = value
        self._count += 1
        if self._count * 2 > self._mask:  # at most half full: probes stay short
            self._grow()
        return True

    def _slot(self, value: i64) -> i64:
        """Where *value* is, or the empty slot where it would go (linear probing)."""
        table = self._table
        mask = self._mask
        slot = value & mask
        while True:
            held: i64 = table[slot]
            if held == value or held == 0:
                return slot
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old = self._table
        slots = 2 * len(old)
        self._table = vec[i64]([0] * slots)
        self._mask = slots - 1
        for held in old:
            value: i64 = held
            if value != 0:
                self._table[self._slot(value)] = value
