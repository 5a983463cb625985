"""validate's clean CSV written in one pass: the same bytes as spooling the contacts and
writing them afterwards, for every fixture file and for keys first seen late."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from audience_cli.contacts import CsvOptions, collect_contacts, write_clean_csv
from audience_cli.contacts.clean_csv import CleanCsvSpool, ContactCount
from audience_cli.errors import UsageError

from .helpers import DATA

FILES = sorted(p.name for p in DATA.iterdir() if p.suffix in (".csv", ".tsv"))


def clean_bytes(path: str, keep: str, tmp_path: Path, **options: object) -> tuple[bytes, object]:
    batch = collect_contacts(csv_path=path, options=CsvOptions(**options), keep=keep)  # type: ignore[arg-type]
    out = tmp_path / f"clean-{keep}.csv"
    with batch:
        write_clean_csv(str(out), batch)
        report = batch.report
        summary = (report.summary_lines(), len(batch), batch.csv_header_keys())
    return out.read_bytes(), summary


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("region", ["US", "DE"])
def test_one_pass_writes_what_the_spool_writes(name: str, region: str, tmp_path: Path) -> None:
    path = str(DATA / name)
    try:
        spooled = clean_bytes(path, "contacts", tmp_path, region=region)
    except UsageError:
        with pytest.raises(UsageError):
            clean_bytes(path, "csv", tmp_path, region=region)
        return
    assert clean_bytes(path, "csv", tmp_path, region=region) == spooled


def test_keys_first_seen_late_get_their_empty_cells(
    write_file: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column empty in the first rows (and across write batches) comes later in the header;
    the rows before it get an empty cell; quotes, commas, line breaks and UTF-8 survive."""
    from audience_cli.contacts import clean_csv

    monkeypatch.setattr(clean_csv, "WRITE_BATCH", 3)
    monkeypatch.setattr(clean_csv, "COPY_SIZE", 7)  # blocks that split UTF-8 characters
    rows = []
    for i in range(20):
        email = "" if i < 10 else "x@example.com"
        company = "" if i < 4 else f'"Big, ""Co"" {i}"'
        notes = '"line\nbreak"' if i == 5 else "é"
        rows.append(f'"Zoë {i}",(415) 555-{i:04d},{email},{company},{notes}')
    path = write_file("Name,Phone,Email,Company,Notes\n" + "\n".join(rows) + "\n")
    spooled = clean_bytes(path, "contacts", tmp_path, region="US")
    assert clean_bytes(path, "csv", tmp_path, region="US") == spooled
    header = spooled[0].split(b"\r\n")[0].decode()  # type: ignore[index]
    assert header.index("Email") > header.index("Notes")  # first seen on row 10


def test_validate_counts_without_keeping(write_file: Callable[..., str]) -> None:
    path = write_file("phone,Email\n(415) 555-0100,a@b.c\n(415) 555-0101,\n")
    batch = collect_contacts(csv_path=path, options=CsvOptions(region="US"), keep="count")
    with batch:
        assert isinstance(batch.sink, ContactCount)
        assert len(batch) == 2
        assert batch.csv_header_keys() == ["Email"]
        with pytest.raises(TypeError):
            list(batch)


def test_a_file_that_marks_do_not_call_keeps_its_contacts(write_file: Callable[..., str]) -> None:
    """A later mark takes back a contact already taken: those files keep the contacts."""
    path = write_file("phone,DNC\n(415) 555-0100,\n(415) 555-0101,\n(415) 555-0100,yes\n")
    batch = collect_contacts(csv_path=path, options=CsvOptions(region="US"), keep="csv")
    with batch:
        assert not isinstance(batch.sink, CleanCsvSpool)
        assert [c.phone for c in batch] == ["+14155550101"]
