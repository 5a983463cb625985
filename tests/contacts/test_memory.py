"""Memory stays flat however big the file: rows are read lazily and contacts are spooled."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from audience_cli.contacts import CsvOptions, collect_contacts

ROWS = 200_000
MB = 1 << 20


def write_big_file(path: Path, rows: int) -> None:
    """Mostly E.164, some German national numbers; every 10th row invalid, every 10th a repeat."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name,Mobile,Email\r\n")
        for i in range(rows):
            kind = i % 10
            if kind == 9:
                phone = "n/a" if i % 20 == 9 else "+999 1234 5678"
            elif kind == 8:
                phone = f"+49151{(i - 8) * 7919 % 10**8:08d}"  # repeats row i - 8
            elif kind == 1:
                phone = f"0160 {i * 7919 % 10**7:07d}"
            else:
                phone = f"+49151{i * 7919 % 10**8:08d}"
            out.write(f'"Müller, Jürgen{i}",{phone},j{i}@example.de\r\n')


@pytest.mark.slow  # ~15 s: 200k rows parsed and normalised under tracemalloc
def test_200k_rows_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_big_file(path, ROWS)
    assert path.stat().st_size > 8 * MB

    tracemalloc.start()
    try:
        batch = collect_contacts(csv_path=str(path), options=CsvOptions(region="DE"))
        uploaded = 0
        with batch:
            for chunk in batch.chunks(500):
                uploaded += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    report = batch.report
    assert (report.rows, report.valid, report.invalid, report.duplicates) == (
        ROWS,
        ROWS * 8 // 10,
        ROWS // 10,
        ROWS // 10,
    )
    assert uploaded == report.valid
    assert {r.reason for r in report.rejects} == {"NOT_A_NUMBER", "INVALID_COUNTRY_CODE"}
    # Holding 160k contacts (or the 200k rows) would take well over 100 MB. Contacts and
    # rejected rows are spooled; what grows is the de-dup table, 8 bytes a slot (~13 MB
    # peak in all when this was written).
    assert peak < 30 * MB, f"peak {peak / MB:.1f} MB"
