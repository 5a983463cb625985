"""The one writer of stdout: every result, in the format asked for.

Three kinds of result: a `Listing` (many records: audiences, members,
campaigns), `Fields` (one object shown field by field: `show`), and a `Summary`
(what a command that changes data did: `create`, `add`, `validate`, `remove`,
`delete`). Each is written by `emit` in any of five formats:

- table: a rich table for people (the default on a terminal);
- tsv: tab-separated rows without a header (the default when piped); a tab, newline,
  carriage return or backslash inside a cell is escaped (`\\t`, `\\n`, `\\r`, `\\\\`),
  so a record is always one line of the same number of cells;
- csv: with a header row (the one CSV dialect, `model.csv_writer`); with --safe,
  cells that look like formulas protected;
- json: the API's own objects (a list: a JSON array, streamed), or the summary's
  documented document;
- jsonl: one JSON object per line.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, TextIO

from audience_cli.errors import UsageError
from audience_cli.text import cell_text, printable

if TYPE_CHECKING:
    from rich.console import Console

Justify = Literal["left", "right", "center"]


class OutputFormat(StrEnum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


JSON_FORMATS = (OutputFormat.json, OutputFormat.jsonl)


def asked_format(
    fmt: OutputFormat | None,
    as_json: bool,
    *,
    shaped: bool = False,
    stdout_is_terminal: bool = False,
) -> OutputFormat | None:
    """The format the user asked for (`--json` is `--format json`), or None.

    `shaped`: --fields or --header was given, which asks for output too: then the
    default format (a table on a terminal, TSV when piped)."""
    if as_json and fmt not in (None, OutputFormat.json):
        raise UsageError(f"--json and --format {fmt} contradict each other: pick one")
    asked = OutputFormat.json if as_json else fmt
    if asked is None and shaped:
        return OutputFormat.table if stdout_is_terminal else OutputFormat.tsv
    return asked


def choose_format(
    fmt: OutputFormat | None, as_json: bool, stdout_is_terminal: bool
) -> OutputFormat:
    """The asked format, else a table on a terminal and TSV when piped."""
    asked = asked_format(fmt, as_json)
    if asked is not None:
        return asked
    return OutputFormat.table if stdout_is_terminal else OutputFormat.tsv


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Mapping[str, Any], bool], Any]  # (record, human) -> cell
    justify: Justify = "left"
    no_wrap: bool = False
    key: str | None = None  # the API's field name: the CSV header, when set
    optional: bool = False  # shown only when --fields names it


_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def header_of(key: str) -> str:
    """A field name as a table's column header, the one rule of every table: its words in
    capitals, apart ("first_name", "firstName" -> "FIRST NAME"; "_id" -> "ID")."""
    return " ".join(_WORD_START.sub("_", key).replace("_", " ").split()).upper()


def key_columns(keys: Sequence[str]) -> list[Column]:
    """One column per key of a flat record: headed by its words in capitals in a table
    (`header_of`), by the key itself in CSV and a TSV header (the names `--fields` takes)."""

    def column(key: str) -> Column:
        return Column(header_of(key), lambda r, h: r.get(key), key=key)

    return [column(k) for k in keys]


@dataclass
class Listing:
    """Many records of one kind: a JSON array or JSON lines of the objects, else a row each.

    `project` cuts a JSON object down to some fields (`--fields`); the default keeps
    the top-level keys named."""

    records: Iterable[Mapping[str, Any]]
    columns: Sequence[Column]
    title: str | None = None
    protect: bool = False  # CSV: quote cells a spreadsheet would run as formulas (--safe)
    project: Callable[[Mapping[str, Any], Sequence[str]], Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Shape:
    """How the user shaped the output: `--fields` (None: all) and a TSV `--header`."""

    fields: Sequence[str] | None = None
    header: bool = False


@dataclass(frozen=True)
class Output:
    """How a command writes its result, decided once from its output options
    (`options.output_options`): the format (None: none asked for, so the command's own
    default, often nothing) and the shape (--fields, --header)."""

    fmt: OutputFormat | None
    shape: Shape = field(default_factory=Shape)


def fields_help(app: Screen, fields: Sequence[str] | None, names: Iterable[str]) -> bool:
    """`--fields help`: the field names, one a line, and True (the command ends there)."""
    if fields is not None and list(fields) == ["help"]:
        emit_lines(app, names)
        return True
    return False


def check_fields(app: Screen, shape: Shape, names: Sequence[str]) -> bool:
    """--fields checked against the fields of a result (`names`), the one place it is.

    `--fields help` prints the names (`fields_help`): then True, and the command ends
    there (nothing read or sent). An unknown field is a usage error naming them all."""
    if fields_help(app, shape.fields, names):
        return True
    check_known(shape.fields or (), names)
    return False


def check_known(fields: Iterable[str], names: Sequence[str]) -> None:
    """Every field of --fields is one of `names`: else the one error that lists them."""
    unknown = [f for f in fields if f not in names]
    if unknown:
        raise UsageError(
            f"--fields: no field {', '.join(map(repr, unknown))}; the fields are: "
            f"{', '.join(names)}"
        )


def field_names(columns: Sequence[Column]) -> list[str]:
    """The names `--fields` takes: each column's API field name (else its header)."""
    return [c.key or c.header.lower() for c in columns]


def pick_columns(columns: Sequence[Column], fields: Sequence[str]) -> list[Column]:
    """The columns named by `fields`, in that order; an unknown name is a usage error."""
    by_name = {name: c for name, c in zip(field_names(columns), columns, strict=True)}
    check_known(fields, list(by_name))
    return [by_name[f] for f in fields]


def _project(record: Mapping[str, Any], fields: Sequence[str]) -> Mapping[str, Any]:
    return {f: record[f] for f in fields if f in record}


@dataclass
class Fields:
    """One object: JSON as it is; otherwise one labelled row per field.

    `sections` are shown after it in a table only (a person's view), `note`
    likewise when there are none."""

    document: Mapping[str, Any]
    # (human) -> (name, value) rows: a label for people, the API's field name otherwise
    fields: Callable[[bool], Sequence[tuple[str, str]]]
    sections: Sequence[Listing] = field(default_factory=list)
    note: str | None = None


@dataclass
class Summary:
    """What a command did or found: its JSON document, and the same as flat records.

    JSON lines write the document on one line, or with `lines` one row per line."""

    document: Mapping[str, Any]
    rows: Sequence[Mapping[str, Any]]
    keys: Sequence[str]
    lines: bool = False


Result = Listing | Fields | Summary


class Streams(Protocol):
    @property
    def stdout(self) -> bool: ...


class Screen(Protocol):
    """What `emit` needs of the application: the rich console on stdout (for tables),
    and whether stdout is a terminal (where control characters are shown escaped)."""

    @property
    def out(self) -> Console: ...

    @property
    def terminal(self) -> Streams: ...


def emit(
    app: Screen, result: Result, fmt: OutputFormat | Output, shape: Shape | None = None
) -> int:
    """Write `result` to stdout in `fmt`; returns how many records were written.

    On a terminal every format shows control characters escaped (an escape sequence
    in a name could recolour, retitle or clear the screen); piped, the data is
    written as stored. `shape`: the fields to show (the columns of a table, TSV or
    CSV; the keys of JSON) and a header line for TSV.
    """
    if isinstance(fmt, Output):
        shape = shape or fmt.shape
        assert fmt.fmt is not None, "emit: no format was asked for"
        fmt = fmt.fmt
    shape = shape or Shape()
    if isinstance(result, Listing):
        columns: Sequence[Column] = [c for c in result.columns if not c.optional]
        records = result.records
        if shape.fields is not None:
            streamed = fmt in JSON_FORMATS and not isinstance(records, list)
            if not streamed:  # a stream's data keys are not known before its first page
                columns = pick_columns(result.columns, shape.fields)
            if fmt in JSON_FORMATS:
                project = result.project or _project
                chosen = list(shape.fields)
                records = (project(r, chosen) for r in records)
        return _records(
            app, records, columns, fmt, result.title, result.protect, tsv_header=shape.header
        )
    if isinstance(result, Summary):
        if shape.fields is not None:  # the flat record(s), cut to the fields named
            check_known(shape.fields, result.keys)
            columns = key_columns(shape.fields)
            picked = [{f: row.get(f) for f in shape.fields} for row in result.rows]
            if fmt in JSON_FORMATS:
                if fmt is OutputFormat.jsonl or len(picked) != 1:
                    return _records(app, picked, columns, fmt, None, False)
                _document(app, picked[0], fmt)
                return 1
            return _records(app, picked, columns, fmt, None, False, tsv_header=shape.header)
        if fmt is OutputFormat.jsonl and result.lines:
            return _records(app, result.rows, [], fmt, None, False)
        if fmt in JSON_FORMATS:
            _document(app, result.document, fmt)
            return 1
        return _records(
            app, result.rows, key_columns(result.keys), fmt, None, False, tsv_header=shape.header
        )
    return _fields(app, result, fmt, tsv_header=shape.header)


def _shown(app: Screen) -> Callable[[str], str]:
    """What text goes through on its way to stdout: escaped on a terminal, else as is."""
    return printable if app.terminal.stdout else _as_is


def _as_is(text: str) -> str:
    return text


def emit_text(text: str) -> None:
    """A text written as it is, with a final newline: a script for a shell to run
    (`completion`), never escaped for the terminal."""
    sys.stdout.write(text + "\n")


@contextmanager
def stdout_stream() -> Iterator[TextIO]:
    """stdout for a writer that streams its own text (`export -o -`), flushed after."""
    yield sys.stdout
    sys.stdout.flush()


def emit_lines(app: Screen, lines: Iterable[str]) -> None:
    """Bare values, one per line (the ids a create made, for `id=$(audience create …)`)."""
    shown = _shown(app)
    for line in lines:
        sys.stdout.write(shown(line) + "\n")


def _document(app: Screen, document: Mapping[str, Any], fmt: OutputFormat) -> None:
    indent = None if fmt is OutputFormat.jsonl else 2
    sys.stdout.write(_shown(app)(json.dumps(document, indent=indent, ensure_ascii=False)) + "\n")


def _fields(app: Screen, result: Fields, fmt: OutputFormat, *, tsv_header: bool = False) -> int:
    """A table labels each field for people; TSV and CSV name it as the API does (the
    names `--fields` takes), under a `field`/`value` header (TSV: with --header)."""
    if fmt in JSON_FORMATS:
        _document(app, result.document, fmt)
        return 1
    human = fmt is OutputFormat.table
    rows = [{"field": k, "value": v} for k, v in result.fields(human)]
    columns = (
        Column("FIELD", lambda r, h: r["field"], no_wrap=True, key="field"),
        Column("VALUE", lambda r, h: r["value"], key="value"),
    )
    _records(app, rows, columns, fmt, None, True, show_header=not human, tsv_header=tsv_header)
    if human:
        shown = [s for s in result.sections if s.records]
        for section in shown:
            app.out.print()
            emit(app, section, fmt)
        if not shown and result.note:
            app.out.print("\n" + printable(result.note), markup=False, highlight=False)
    return 1


def _stream_json_array(stream: IO[str], records: Iterable[Any], shown: Callable[[str], str]) -> int:
    """A JSON array written a page at a time, so `--all` never holds every page."""
    from audience_cli.json_text import indented

    count = 0
    batch: list[str] = ["["]
    for record in records:
        batch.append("\n  " if not count else ",\n  ")
        batch.append(shown(indented(record, "  ")))
        count += 1
        if count % JSON_BATCH == 0:
            stream.write("".join(batch))
            batch.clear()
    batch.append("\n]\n" if count else "]\n")
    stream.write("".join(batch))
    return count


JSON_BATCH = 100  # records a write: one page of members


def _records(
    app: Screen,
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: OutputFormat,
    title: str | None,
    protect: bool,
    *,
    show_header: bool = True,
    tsv_header: bool = False,
) -> int:
    out = sys.stdout
    shown = _shown(app)
    count = 0
    if fmt is OutputFormat.json:
        return _stream_json_array(out, records, shown)
    if fmt is OutputFormat.jsonl:
        for record in records:
            out.write(shown(json.dumps(record, ensure_ascii=False)) + "\n")
            count += 1
        return count
    if fmt is OutputFormat.tsv:
        if tsv_header:
            out.write("\t".join(shown(tsv_cell(c.key or c.header)) for c in columns) + "\n")
        for record in records:
            cells = [shown(tsv_cell(cell_text(c.value(record, False)))) for c in columns]
            out.write("\t".join(cells) + "\n")
            count += 1
        return count
    if fmt is OutputFormat.csv:
        from audience_cli.model import write_csv

        header = [shown(c.key or c.header) for c in columns]
        lines = ([shown(cell_text(c.value(r, False))) for c in columns] for r in records)
        return write_csv(out, header, lines, protect=protect)
    rows = [[printable(cell_text(c.value(record, True))) for c in columns] for record in records]
    _print_table(app.out, columns, rows, title=title, show_header=show_header)
    return len(rows)


def _print_table(
    console: Console,
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


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_cell(text: str) -> str:
    """A TSV cell: a backslash, tab, newline or CR escaped (`\\\\`, `\\t`, `\\n`, `\\r`), as
    PostgreSQL's COPY and MySQL's tab-separated output do, so that nothing is lost and
    `printf '%b'` (or any reader that unescapes them) gets the text back."""
    return text.translate(_TSV_ESCAPES)
