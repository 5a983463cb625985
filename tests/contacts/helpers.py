"""Shared helpers for the contacts tests."""

from __future__ import annotations

import io
from pathlib import Path

from audience_cli.contacts import ContactBatch, CsvOptions, collect_contacts

DATA = Path(__file__).parent / "data"

Row = tuple[str, str, str, dict[str, str], int | None]


def collect(name: str, **options: object) -> ContactBatch:
    """collect_contacts on a fixture file under tests/contacts/data."""
    return collect_contacts(csv_path=str(DATA / name), options=CsvOptions(**options))  # type: ignore[arg-type]


def from_text(text: str, **options: object) -> ContactBatch:
    """collect_contacts on `text` as a CSV given on stdin."""
    return collect_contacts(
        csv_path="-",
        options=CsvOptions(**options),  # type: ignore[arg-type]
        stdin=io.BytesIO(text.encode()),
    )


def as_tuples(batch: ContactBatch) -> list[Row]:
    """(phone, first, last, fields, line) for every contact, in order."""
    return [(c.phone, c.first_name, c.last_name, dict(c.fields), c.line) for c in batch]


def counts(batch: ContactBatch) -> tuple[int, int, int, int]:
    r = batch.report
    return r.rows, r.valid, r.invalid, r.duplicates


def rejects(batch: ContactBatch) -> list[tuple[int, str, str]]:
    return [(r.line, r.value, r.reason) for r in batch.report.rejects]
