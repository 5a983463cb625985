"""Text lines to CSV records: delimiter sniffing, quoting, physical line numbers."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import chain

from audience_cli.errors import UsageError

DELIMITERS = ",;\t|"
SAMPLE_CHARS = 16 << 10
SAMPLE_LINES = 200

_DELIMITER_NAMES = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "\\t": "\t",
    "pipe": "|",
}


def parse_delimiter(value: str) -> str:
    """One delimiter character from what a user typed ("," ";" "tab" "\\t" "|" ...)."""
    delimiter = _DELIMITER_NAMES.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in '"\r\n' or delimiter.isalnum():
        raise UsageError(
            f"bad delimiter {value!r}: give one character",
            hint="e.g. --delimiter ';' or --delimiter tab",
        )
    return delimiter


def sniff_delimiter(sample: str) -> str:
    """The delimiter of `sample` among comma, semicolon, tab and pipe (comma if unsure).

    `csv.Sniffer` decides; its answer must also appear in the header line,
    otherwise the candidate found most often in the header line wins.
    """
    header = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        found: str | None = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found and found in header:
        return found
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_records(
    lines: Iterable[str], *, source: str, delimiter: str | None = None
) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """(delimiter, records): each non-blank record with the physical line it starts on.

    The first record is the header. Lines are consumed lazily; only the
    sniffing sample (a few KB) is held.
    """
    it = iter(lines)
    if delimiter is None:
        sample: list[str] = []
        size = 0
        for line in it:
            sample.append(line)
            size += len(line)
            if size >= SAMPLE_CHARS or len(sample) >= SAMPLE_LINES:
                break
        delimiter = sniff_delimiter("".join(sample))
        it = chain(sample, it)
    return delimiter, _records(it, source, delimiter)


def _records(lines: Iterator[str], source: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    done = 0  # physical lines consumed by the records read so far
    try:
        for cells in reader:
            start = done + 1
            done = reader.line_num
            if cells and "".join(cells).strip():
                yield start, cells
    except csv.Error as exc:
        raise UsageError(
            f"{source}: line {done + 1}: cannot read CSV: {exc}",
            hint="check for a quote that is opened but never closed",
        ) from None
