"""A set of E.164 numbers stored as 8-byte integers: the only thing an import keeps per row."""

# Why not a plain set? Measured with
#
#     .venv/bin/python benchmarks/bench_dedup.py --pipeline
#
# (defaults: --rows 200000 1000000) on CPython 3.11.7, Linux x86_64, with distinct
# US/UK/DE/IN/BR mobile numbers. "peak" is tracemalloc's peak while adding, "kept"
# what is still allocated afterwards, "RSS" the growth of the process's peak RSS,
# "time" per number added:
#
#     rows       structure     peak       kept       RSS        time
#     200,000    PhoneKeySet    6.0 MiB    4.0 MiB    6.2 MiB   1.6 us
#     200,000    set[int]      16.8 MiB   14.1 MiB   16.9 MiB   0.8 us
#     200,000    set[str]      21.3 MiB   19.8 MiB   21.7 MiB   0.3 us
#     1,000,000  PhoneKeySet   24.0 MiB   16.0 MiB   24.2 MiB   1.5 us
#     1,000,000  set[int]      67.2 MiB   62.5 MiB   67.4 MiB   0.8 us
#     1,000,000  set[str]      91.0 MiB   91.0 MiB   93.3 MiB   0.3 us
#
# A set[int] costs a 32-byte int object plus 16-byte slots (at most 60% full) per
# number: 43 MiB more than this table at 1M rows. The whole import pipeline on
# bench_contacts' 1M-row file peaks at 27.0 MiB with this table, 70.4 MiB with a
# set[int] wrapper and 88.5 MiB with a set[str], against a 64 MiB budget. This
# table's extra ~0.7 us per number is ~4% of the pipeline's ~19 us per row.

from __future__ import annotations

from array import array

_EMPTY = 0
_MULTIPLIER = 0x9E3779B97F4A7C15  # Fibonacci hashing spreads consecutive numbers
_MASK64 = (1 << 64) - 1


class PhoneKeySet:
    """Open-addressing hash set of E.164 numbers ("+14155550100" kept as 14155550100).

    An E.164 number has at most 15 digits, so it fits a 64-bit slot; the table
    stays at most half full, which makes 16-32 bytes per number instead of the
    ~100 a Python `set` of strings costs.
    """

    __slots__ = ("_mask", "_shift", "_size", "_slots")

    def __init__(self, capacity: int = 1024) -> None:
        size = 8
        while size < capacity * 2:
            size *= 2
        self._slots = _table(size)
        self._mask = size - 1
        self._shift = 64 - (size.bit_length() - 1)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __contains__(self, phone: object) -> bool:
        if not isinstance(phone, str) or not phone.startswith("+"):
            return False
        key = _key(phone)
        return self._slots[_slot(self._slots, self._mask, self._shift, key)] == key

    def add(self, phone: str) -> bool:
        """Add an E.164 number; False if it was already there."""
        key = _key(phone)
        slots = self._slots
        i = _slot(slots, self._mask, self._shift, key)
        if slots[i] == key:
            return False
        slots[i] = key
        self._size += 1
        if self._size * 2 > len(slots):
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._slots
        size = len(old) * 2
        self._slots = _table(size)
        self._mask = size - 1
        self._shift = 64 - (size.bit_length() - 1)
        slots, mask, shift = self._slots, self._mask, self._shift
        for key in old:
            if key != _EMPTY:
                slots[_slot(slots, mask, shift, key)] = key


def _table(size: int) -> array[int]:
    """`size` empty slots. (`array("Q", bytes(8 * size))` would also hold a zeroed
    bytes object of the same size while copying it: 40% more at the peak of a resize.)"""
    return array("Q", [_EMPTY]) * size


def _slot(slots: array[int], mask: int, shift: int, key: int) -> int:
    """Where `key` is, or the empty slot where it belongs (linear probing)."""
    i = ((key * _MULTIPLIER) & _MASK64) >> shift
    while True:
        value = slots[i]
        if value in (key, _EMPTY):
            return i
        i = (i + 1) & mask


def _key(phone: str) -> int:
    """The number's digits as an integer: never 0, since E.164 digits start with 1-9."""
    digits = phone[1:]
    if (
        phone[:1] != "+"
        or not (digits.isascii() and digits.isdigit())
        or len(digits) > 15
        or digits[0] == "0"
    ):
        raise ValueError(f"not an E.164 number: {phone!r}")
    return int(digits)
