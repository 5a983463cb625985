"""Text lines to CSV records: delimiter sniffing, quoting, physical line numbers.

Excel's optional first line "sep=;" names the delimiter; it is honoured and
skipped (the records keep their physical line numbers). A quote that is opened
and never closed is an error, not a field that silently swallows the rest of
the file.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain

from audience_cli.errors import BadDelimiterError, UsageError

DELIMITERS = ",;\t|"
SAMPLE_CHARS = 16 << 10
SAMPLE_LINES = 200
# What the sniffer reads at most: its regular expressions take longer than linear
# time on one very long line (a header of a million columns).
SNIFF_CHARS = 4 * SAMPLE_CHARS
# The cells a record may have (the header included): far more than a contacts file
# needs; every column becomes a key of each member's data.
MAX_COLUMNS = 10_000
MAX_COLUMNS_ENV = "AUDIENCE_MAX_COLUMNS"

_DELIMITER_NAMES = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "\\t": "\t",
    "pipe": "|",
}
# Excel's "sep=;" first line: one delimiter character, or "\t" written out.
_SEP_LINE = re.compile(r"sep=(\\t|[^\r\n])(?:\r\n|\r|\n)?", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_delimiter(value: str) -> str:
    """One delimiter character from what a user typed ("," ";" "tab" "\\t" "|" ...)."""
    delimiter = _DELIMITER_NAMES.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in '"\r\n' or delimiter.isalnum():
        raise BadDelimiterError(f"bad delimiter {value!r}: give one character")
    return delimiter


def max_columns(env: Mapping[str, str] = os.environ) -> int:
    """The cells a record may have: `AUDIENCE_MAX_COLUMNS`, else `MAX_COLUMNS`."""
    from audience_cli.config import read_count

    return read_count(env, MAX_COLUMNS_ENV, MAX_COLUMNS, "the columns a row may have", 10**7)


def sniff_delimiter(sample: str) -> str:
    """The delimiter of `sample` among comma, semicolon, tab and pipe (comma if unsure).

    `csv.Sniffer` decides; its answer must also appear in the header line,
    otherwise the candidate found most often in the header line wins. Only the first
    `SNIFF_CHARS` of `sample` are read.
    """
    sample = sample[:SNIFF_CHARS]
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
    lines: Iterable[str],
    *,
    source: str,
    delimiter: str | None = None,
    columns: int = MAX_COLUMNS,
) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """(delimiter, records): each non-blank record with the physical line it starts on.

    The first record is the header. A first line "sep=X" sets the delimiter
    (an explicit `delimiter` still wins) and is skipped. Lines are consumed
    lazily; only the sniffing sample (a few KB) is held. A record of more than
    `columns` cells is a `UsageError` naming its line.
    """
    it = iter(lines)
    skipped = 0
    first = next(it, None)
    if first is not None:
        sep = excel_separator(first)
        if sep is not None:
            skipped = 1
            delimiter = delimiter or sep
        else:
            it = chain((first,), it)
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
    return delimiter, _records(it, source, delimiter, skipped, columns)


def excel_separator(line: str) -> str | None:
    """The delimiter an Excel "sep=;" line names, or None when `line` is not one."""
    match = _SEP_LINE.fullmatch(line)
    if match is None:
        return None
    value = match.group(1)
    delimiter = "\t" if value == "\\t" else value
    return None if delimiter == '"' or delimiter.isalnum() else delimiter


class _EndOfInput:
    """The last item of a chain of lines: notes that the reader asked past the end."""

    reached = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        self.reached = True
        raise StopIteration


def _records(
    lines: Iterator[str], source: str, delimiter: str, skipped: int = 0, columns: int = MAX_COLUMNS
) -> Iterator[tuple[int, list[str]]]:
    end = _EndOfInput()
    reader = csv.reader(
        chain(lines, end), delimiter=delimiter, quotechar='"', doublequote=True, strict=False
    )
    done = skipped  # physical lines consumed by the records read so far
    try:
        for cells in reader:
            start = done + 1
            done = skipped + reader.line_num
            if end.reached:
                # A record ends at a line break outside quotes; one that the end of
                # the input finished has a quoted field still open.
                raise _unclosed_quote(source, start, cells)
            if len(cells) > columns:
                raise _too_wide(source, start, len(cells), columns)
            if cells and "".join(cells).strip():
                yield start, cells
    except csv.Error as exc:
        raise UsageError(
            f"{source}: line {done + 1}: cannot read CSV: {exc}",
            hint="check for a quote that is opened but never closed",
        ) from None


def _unclosed_quote(source: str, start: int, cells: list[str]) -> UsageError:
    """The error for a record whose last field is a quote left open to the end of the input."""
    # Only quoted fields hold line breaks, each a physical one: the open field
    # starts after those of the fields before it.
    opened = start + sum(len(_LINE_BREAK.findall(cell)) for cell in cells[:-1])
    return UsageError(
        f"{source}: line {opened}: a quote opened on this line is never closed "
        "(the field runs to the end of the file)",
        hint='close the quote, or write a quote that is part of the text as two ("")',
    )


def _too_wide(source: str, line: int, width: int, columns: int) -> UsageError:
    return UsageError(
        f"{source}: line {line}: {width:,} columns, more than the {columns:,} a row may have",
        hint=f"a contacts file needs far fewer; {MAX_COLUMNS_ENV}=N reads rows of up to N",
    )
