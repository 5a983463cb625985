"""A phone cell to the number it holds, the other numbers beside it, and no label.

People put several numbers in one cell: Google Contacts joins them with " ::: ", CRMs
and spreadsheets with a comma, a semicolon, a slash, a pipe, a line break or " or ".
The first number is the one read; the others are kept as they are written (the
contact's `other_phones`). A label after a number, "(mobile)" or "[work]", is not part
of it and is left out.

A slash or a space can also be part of one number ("0415/555 0102" in Germany, "415
555 0102"), so a cell is split at those separators only when every part, on its own,
has the digits of a full number and the cell as a whole is not a valid number: the
split never changes a number that was read before, only the reason a cell is rejected
(its first number's, "TOO_SHORT" rather than "NOT_A_NUMBER" for the whole cell).
"""

from __future__ import annotations

import re

from audience_cli.phone import PhoneReason, phone_details

# Google Contacts puts several numbers in one cell: "+1 415 555 0100 ::: +1 415 555 0199".
MULTI_VALUE = ":::"
# Other ways of writing several numbers in a cell (where each part is a full number).
_SEPARATOR = re.compile(r"\s*(?:[,;|/\n\r]|\s\s*or\s)\s*", re.IGNORECASE)
_MAY_SPLIT = re.compile(r"[,;|/\n\r]|\sor\s", re.IGNORECASE)
# A label at the end of a cell: a word or a few in brackets, with no digit.
_LABEL = re.compile(r"\s*[(\[][^\W\d_][^()\[\]\d]*[)\]]\s*$")
# The fewest digits a part must have to be taken for a number of its own: fewer is an
# area code or a piece of one number ("0415/555 0102"), not a number.
MIN_DIGITS = 7


def split_phone_cell(raw: str, region: str | None) -> tuple[str, str]:
    """(the number to read, the cell's other numbers joined by ", "; "" when none).

    `region` is the one the row's national numbers are read in: a cell that is a
    valid number as a whole there is never split.
    """
    if MULTI_VALUE in raw:
        parts = [part.strip() for part in raw.split(MULTI_VALUE)]
        parts = [part for part in parts if part]
        if not parts:
            return "", ""
        return without_label(parts[0]), ", ".join(parts[1:])
    value = without_label(raw)
    if not _MAY_SPLIT.search(value):
        return value, ""
    parts = [part for part in _SEPARATOR.split(raw.strip()) if part]
    if len(parts) < 2 or not all(_digits(without_label(part)) >= MIN_DIGITS for part in parts):
        return value, ""
    if not isinstance(phone_details(value, region), PhoneReason):
        return value, ""  # one number written with a slash or a comma in it
    return without_label(parts[0]), ", ".join(parts[1:])


def without_label(text: str) -> str:
    """`text` without a label at its end ("+1 415 555 0114 (mobile)" -> "+1 415 555 0114"),
    when a number is left before it."""
    match = _LABEL.search(text)
    if match is None or not _digits(text[: match.start()]):
        return text
    return text[: match.start()]


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)
