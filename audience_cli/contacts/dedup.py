"""A set of E.164 numbers stored as 8-byte integers: the only thing an import keeps per row."""

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
        self._slots = array("Q", bytes(8 * size))
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
        self._slots = array("Q", bytes(8 * size))
        self._mask = size - 1
        self._shift = 64 - (size.bit_length() - 1)
        slots, mask, shift = self._slots, self._mask, self._shift
        for key in old:
            if key != _EMPTY:
                slots[_slot(slots, mask, shift, key)] = key


def _slot(slots: array, mask: int, shift: int, key: int) -> int:
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
