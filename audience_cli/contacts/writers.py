"""CSV files out of an import: the rejected rows, and the clean contacts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TextIO

from audience_cli.contacts.batch import ContactBatch
from audience_cli.contacts.model import PHONE_KEY
from audience_cli.contacts.report import ImportReport
from audience_cli.files import open_output
from audience_cli.model import csv_writer, write_members_csv

STDOUT = "-"


def write_rejects(path: str, report: ImportReport, *, force: bool = False) -> None:
    """The rejected rows as read (original columns), after `line` and `reason` columns.

    `path` "-" writes to stdout; `force` writes through a link there (`files.open_output`).
    """
    columns: dict[str, None] = dict.fromkeys(report.header)
    for reject in report.rejects:
        for name in reject.row:
            columns.setdefault(name)
    line_col, reason_col = _free_name("line", columns), _free_name("reason", columns)

    def write(writer: Any) -> None:
        writer.writerow([line_col, reason_col, *columns])
        for reject in report.rejects:
            row = reject.row
            place = report.place(reject.line)
            writer.writerow([place, reject.reason, *(row.get(c, "") for c in columns)])

    _write_csv(path, "rejects", write, force)


def write_clean_csv(path: str, batch: ContactBatch, *, force: bool = False) -> None:
    """The valid contacts in the members CSV layout (`model.write_members_csv`)."""
    from audience_cli.contacts.clean_csv import CleanCsvSpool

    if isinstance(batch.sink, CleanCsvSpool):  # its rows are written already
        with _text_out(path, "clean", force) as stream:
            batch.sink.write_to(stream)
        return
    with _text_out(path, "clean", force) as stream:
        write_members_csv(
            stream,
            (contact.to_member(PHONE_KEY) for contact in batch),
            phone_column=PHONE_KEY,
            extra_keys=batch.csv_header_keys(),
        )


def _free_name(name: str, taken: dict[str, None]) -> str:
    """`name`, or "rejected_<name>" when the source already has such a column."""
    return name if name not in taken else f"rejected_{name}"


def _write_csv(path: str, what: str, write: Callable[[Any], None], force: bool) -> None:
    with _text_out(path, what, force) as stream:
        write(csv_writer(stream))


def _text_out(path: str, what: str, force: bool) -> AbstractContextManager[TextIO]:
    return open_output(path, f"{what} file", force=force)
