"""An Excel workbook (.xlsx) to records, as `csv_reader` gives a CSV file's: the one door
for workbooks.

One sheet is read (`--sheet NAME`, else the first), in openpyxl's read-only mode: rows
are streamed from the file, never all held. Each record is the sheet's row number and
its cells as the cells show them (`excel_formats.cell_text`), without the empty cells at
its end; rows with nothing in them (the empty rows a sheet often ends with) are skipped.
Formulas give the value Excel saved with them. openpyxl is imported here only, when a
workbook is read: no other run pays for it.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from audience_cli.contacts.excel_formats import cell_text
from audience_cli.errors import UnknownSheetError, UsageError

# A ZIP archive: what an .xlsx workbook is (an .ods or a .docx too, refused by name).
ZIP_MAGIC = b"PK\x03\x04"
SAVE_HINT = "open it in Excel and save it again as .xlsx, or export it as CSV (UTF-8)"
# A sheet name written bare in a reference (Sheet1!7); others are quoted ('Q1 Leads'!7).
_BARE_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def is_workbook(head: bytes) -> bool:
    """True when the first bytes of a file are a ZIP archive's (an .xlsx is one)."""
    return head.startswith(ZIP_MAGIC)


@dataclass
class Sheet:
    """The sheet being read: its name, the workbook's sheets, and its records."""

    name: str
    names: list[str]  # every sheet of cells in the workbook, in order
    records: Iterator[tuple[int, list[str]]]
    stated_rows: int | None  # the rows the sheet says it has (may be wrong): an estimate

    @property
    def label(self) -> str:
        """The sheet as a cell reference names it: Sheet1, 'Q1 Leads'."""
        if _BARE_SHEET.fullmatch(self.name):
            return self.name
        return "'" + self.name.replace("'", "''") + "'"


def read_sheet(
    stream: BinaryIO, *, source: str, sheet: str | None, columns: int, head: bytes = b""
) -> Sheet:
    """The records of one sheet of the workbook in `stream` (of which `head` was read).

    A file that is not a workbook, a damaged one, an unknown --sheet (the message names
    the sheets) and a row wider than `columns` cells are one-line `UsageError`s.
    """
    book = _open_workbook(stream, source, head)
    try:
        worksheets = list(book.worksheets)
        names = [ws.title for ws in worksheets]
        if not worksheets:
            raise UsageError(f"{source}: the workbook has no sheet of cells", hint=SAVE_HINT)
        chosen = worksheets[0] if sheet is None else _find_sheet(worksheets, sheet, source)
        stated = chosen.max_row if isinstance(chosen.max_row, int) else None
        # Read every row the file holds, whatever size the sheet states (some writers
        # state a wrong one: openpyxl would stop there).
        chosen.reset_dimensions()
    except BaseException:
        book.close()
        raise
    found = Sheet(chosen.title, names, iter(()), stated)
    found.records = _records(book, chosen, source, found.label, columns)
    return found


def _open_workbook(stream: BinaryIO, source: str, head: bytes) -> Any:
    from zipfile import BadZipFile, ZipFile

    data: BinaryIO = stream
    try:
        if stream.seekable():
            stream.seek(stream.tell() - len(head))
        else:
            data = io.BytesIO(head + stream.read())
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        with ZipFile(data) as archive:
            names = set(archive.namelist())
    except (BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UsageError(
            f"{source}: a damaged .xlsx workbook or ZIP archive ({_why(exc)})", hint=SAVE_HINT
        ) from None
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        what = _archive_kind(names)
        raise UsageError(
            f"{source}: this is {what}, not an Excel workbook (.xlsx) or a CSV file",
            hint="export or save it as .xlsx or as CSV (UTF-8) first",
        )
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips
            return load_workbook(data, read_only=True, data_only=True)
    except Exception as exc:  # any failure to read it is the file's fault
        raise UsageError(
            f"{source}: a damaged .xlsx workbook ({_why(exc)})", hint=SAVE_HINT
        ) from None


def _archive_kind(names: set[str]) -> str:
    if "content.xml" in names and "mimetype" in names:
        return "an OpenDocument file (.ods, .odt)"
    if any(n.startswith("word/") for n in names):
        return "a Word document (.docx)"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint file (.pptx)"
    return "a ZIP archive"


def _why(exc: BaseException) -> str:
    """An exception as a few words for a one-line message."""
    text = " ".join(str(exc).split())[:120]
    return text or type(exc).__name__


def _find_sheet(worksheets: list[Any], wanted: str, source: str) -> Any:
    for ws in worksheets:
        if ws.title == wanted:
            return ws
    folded = wanted.strip().casefold()
    for ws in worksheets:  # Excel's sheet names are unique in any case
        if ws.title.casefold() == folded:
            return ws
    listed = ", ".join(repr(ws.title) for ws in worksheets)
    raise UnknownSheetError(source, wanted, listed)


def _records(
    book: Any, ws: Any, source: str, label: str, columns: int
) -> Iterator[tuple[int, list[str]]]:
    """Each row that has something in it: (row number, cells as shown), the empty cells
    at its end left off."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, row in enumerate(ws.iter_rows(), start=1):
                cells = [cell_text(c.value, getattr(c, "number_format", None)) for c in row]
                while cells and not cells[-1].strip():
                    cells.pop()
                if not cells:
                    continue
                if len(cells) > columns:
                    from audience_cli.contacts.csv_reader import MAX_COLUMNS_ENV

                    raise UsageError(
                        f"{source}: {label}!{number}: {len(cells):,} columns, more than the "
                        f"{columns:,} a row may have",
                        hint=f"a contacts file needs far fewer; {MAX_COLUMNS_ENV}=N reads "
                        "rows of up to N",
                    )
                yield number, cells
    except UsageError:
        raise
    except Exception as exc:  # a damaged sheet, found as it is read
        raise UsageError(
            f"{source}: a damaged .xlsx workbook: sheet {label} cannot be read ({_why(exc)})",
            hint=SAVE_HINT,
        ) from None
    finally:
        book.close()
