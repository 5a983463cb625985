"""Throughput and peak memory of `collect_contacts` on a generated CRM export.

    .venv/bin/python benchmarks/bench_contacts.py [--rows N] [--no-memory]

The file mixes E.164 numbers (50%), German national numbers read with
--region DE (30%), invalid values (10%) and repeats of earlier rows (10%).
Speed is measured without tracemalloc (which slows allocation), then peak
memory in a second run with it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from audience_cli.contacts import CsvOptions, collect_contacts
from audience_cli.phone import phone_or_reason

MB = 1 << 20


def generate(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("First Name,Last Name,Mobile,Company,Email,Notes\r\n")
        for i in range(rows):
            kind = i % 10
            if kind == 9:
                phone = ("n/a", "12", "+999 1234 5678", "")[i // 10 % 4]
            elif kind == 8:
                phone = f"+49151{(i - 8) * 7919 % 10**8:08d}"  # repeats row i - 8
            elif kind in (1, 3, 5):
                phone = f"0160 {i * 7919 % 10**7:07d}"
            else:
                phone = f"+49151{i * 7919 % 10**8:08d}"
            out.write(
                f'Jürgen{i},Müller,{phone},"Müller & Söhne, GmbH",j{i}@example.de,note {i}\r\n'
            )


def run(path: Path) -> tuple[float, int, int]:
    phone_or_reason.cache_clear()
    start = time.perf_counter()
    with collect_contacts(csv_path=str(path), options=CsvOptions(region="DE")) as batch:
        uploaded = sum(len(chunk) for chunk in batch.chunks(500))
        report = batch.report
    elapsed = time.perf_counter() - start
    assert uploaded == report.valid
    return elapsed, report.rows, report.valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        generate(path, args.rows)
        size = path.stat().st_size
        elapsed, rows, valid = run(path)
        print(f"file:   {rows:,} rows, {size / MB:.1f} MB, {valid:,} valid after checks")
        print(f"speed:  {rows / elapsed:,.0f} rows/s ({elapsed:.2f} s, collect + read back)")
        if not args.no_memory:
            tracemalloc.start()
            run(path)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"memory: {peak / MB:.1f} MB peak traced (tracemalloc)")


if __name__ == "__main__":
    main()
