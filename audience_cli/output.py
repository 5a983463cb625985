"""Rendering records as a rich table, TSV, CSV, JSON or JSON lines.

Default: a table when stdout is a terminal, TSV without header when piped.
JSON output is the API's own objects; the other formats show columns.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any

from audience_cli.errors import UsageError

if TYPE_CHECKING:
    from audience_cli.context import AppContext


class OutputFormat(StrEnum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def choose_format(
    fmt: OutputFormat | None, as_json: bool, stdout_is_terminal: bool
) -> OutputFormat:
    if as_json and fmt not in (None, OutputFormat.json):
        raise UsageError(f"--json and --format {fmt} contradict each other: pick one")
    if as_json:
        return OutputFormat.json
    if fmt is not None:
        return fmt
    return OutputFormat.table if stdout_is_terminal else OutputFormat.tsv


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any], bool], Any]  # (record, human) -> cell
    justify: str = "left"
    no_wrap: bool = False


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def protect_formula(text: str) -> str:
    """OWASP CSV injection: a leading = + - @ tab or CR is made inert with a quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Data shown on a terminal: control characters (escape sequences that could
    retitle, clear or recolour it) are shown as visible escapes, not obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_json(stream: IO[str], data: Any) -> None:
    json.dump(data, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def stream_json_array(stream: IO[str], records: Iterable[Any]) -> int:
    """A JSON array written element by element, so `--all` never holds every page."""
    count = 0
    first = True
    stream.write("[")
    for record in records:
        stream.write("\n  " if first else ",\n  ")
        text = json.dumps(record, indent=2, ensure_ascii=False)
        stream.write(text.replace("\n", "\n  "))
        first = False
        count += 1
    stream.write("\n]\n" if not first else "]\n")
    return count


def render_records(
    ctx: AppContext,
    records: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    raw: bool = False,
    show_header: bool = True,
) -> int:
    """Write records to stdout in `fmt`; returns how many were written."""
    out = sys.stdout
    count = 0
    if fmt is OutputFormat.json:
        return stream_json_array(out, records)
    if fmt is OutputFormat.jsonl:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt is OutputFormat.tsv:
        for record in records:
            cells = [_tsv_cell(cell_text(c.value(record, False))) for c in columns]
            out.write("\t".join(cells) + "\n")
            count += 1
        return count
    if fmt is OutputFormat.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.header for c in columns])
        for record in records:
            cells = [cell_text(c.value(record, False)) for c in columns]
            writer.writerow(cells if raw else [protect_formula(x) for x in cells])
            count += 1
        return count
    rows = []
    for record in records:
        rows.append([printable(cell_text(c.value(record, True))) for c in columns])
    _print_table(ctx, columns, rows, title=title, show_header=show_header)
    return len(rows)


def _print_table(
    ctx: AppContext,
    columns: Sequence[Column],
    rows: list[list[str]],
    *,
    title: str | None,
    show_header: bool,
) -> None:
    """A table that fits the terminal; when even its narrowest form does not, each
    record is shown as label/value lines instead of cutting or squeezing columns."""
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    # Text, not str: data is never read as rich markup ("[/]" in a name).
    table = Table(
        title=Text(printable(title)) if title else None,
        header_style="bold",
        pad_edge=False,
        box=None,
        show_header=show_header,
    )
    for c in columns:
        table.add_column(
            Text(printable(c.header)),
            justify=c.justify,
            no_wrap=c.no_wrap,
            overflow="fold",
            min_width=len(c.header),
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = ctx.out
    unbounded = console.options.update_width(1_000_000)
    # Rich's minimum is a little optimistic about padding: keep a small margin.
    if Measurement.get(console, unbounded, table).minimum + 4 <= console.width:
        console.print(table)
        return
    if title:
        console.print(Text(printable(title), style="bold"))
    width = max(len(c.header) for c in columns)
    for i, row in enumerate(rows):
        record = Table.grid(padding=(0, 2))
        record.add_column(style="bold", no_wrap=True, min_width=width)
        record.add_column(overflow="fold")
        for c, cell in zip(columns, row, strict=True):
            record.add_row(Text(printable(c.header)), Text(cell))
        if i:
            console.print()
        console.print(record)


def _tsv_cell(text: str) -> str:
    return text.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: Any, human: bool, *, now: datetime | None = None) -> str:
    """ISO 8601 when piped; "3 days ago" on a terminal."""
    when = parse_time(value)
    if when is None or not human:
        return cell_text(value)  # the API's own ISO 8601 text
    return relative_time(when, now or datetime.now(UTC))


def relative_time(when: datetime, now: datetime) -> str:
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for limit, size, unit in (
        (45, 1, None),
        (90 * 60, 60, "minute"),
        (36 * 3600, 3600, "hour"),
        (45 * 86400, 86400, "day"),
        (550 * 86400, 30 * 86400, "month"),
        (float("inf"), 365 * 86400, "year"),
    ):
        if seconds < limit:
            if unit is None:
                return "just now"
            n = max(1, round(seconds / size))
            text = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {text}" if future else f"{text} ago"
    return when.isoformat()  # pragma: no cover - the loop always returns
