"""Excel workbooks written by the tests themselves, with openpyxl: no binary fixtures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

Rows = Sequence[Sequence[object]]


def write_workbook(
    path: Path,
    rows: Rows,
    *,
    title: str = "Sheet1",
    formats: Mapping[str, str] | None = None,
    sheets: Mapping[str, Rows] | None = None,
    first: Mapping[str, Rows] | None = None,
) -> Path:
    """An .xlsx at `path` whose sheet `title` holds `rows` (from A1), `formats` giving
    cells a number format ({"C2": "00000000000"}); `sheets` are added after it and
    `first` before it, in order."""
    from openpyxl import Workbook

    book = Workbook()
    default = book.active
    for name, content in (first or {}).items():
        _fill(book.create_sheet(name), content)
    ws = book.create_sheet(title)
    book.remove(default)
    _fill(ws, rows)
    for cell, number_format in (formats or {}).items():
        ws[cell].number_format = number_format
    for name, content in (sheets or {}).items():
        _fill(book.create_sheet(name), content)
    book.save(path)
    return path


def _fill(ws: object, rows: Rows) -> None:
    for row in rows:
        ws.append(list(row))  # type: ignore[attr-defined]
