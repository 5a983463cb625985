"""Wide rows against narrow ones: `validate` of a file of many columns, timed against the
same number of bytes in 40 columns (the anchor, run side by side).

    .venv/bin/python benchmarks/bench_wide.py [--repeat K] [--against CHECKOUT]

Each case is a file of W columns and as many rows as make its size; its anchor is a
file of the same size in 40 columns (many more rows). Both are validated by a fresh
process (`validate FILE --region US --no-dnc -o clean.csv --rejects rejects.csv`, so the
clean CSV and the rejects are written too), interleaved, and the medians compared:
a ratio near 1 means the time follows the bytes, not the width of a row.
AUDIENCE_MAX_COLUMNS is raised to each case's width. `--against` also times the
wide files with another checkout's code (e.g. the code before a change) on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NARROW_COLUMNS = 40
# (label, cells a row, rows, columns of the header: None for as many as a row has).
CASES = (
    ("10,000 columns x 40 rows", 10_000, 40, None),
    ("40,000 columns x 10 rows", 40_000, 10, None),
    ("one row of 4 MB (450,000 cells)", 450_000, 1, 2),
    ("1,000,000 columns x 1 row", 1_000_000, 1, None),
)


def write_file(
    path: Path, columns: int, *, size: int = 0, rows: int = 0, header: int | None = None
) -> int:
    """A contacts file of `columns` cells a row: `rows` rows, or rows up to `size` bytes;
    a header of `header` columns (default: `columns`; the other cells are beyond it).

    Every tenth row's number is not valid (a reject); cells are short values."""
    named = columns if header is None else header
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(["Phone", "Name", *(f"Field {i}" for i in range(2, named))]))
        out.write("\n")
        values = ",".join(f"v{i}" for i in range(2, columns))
        row = 0
        while row < rows or out.tell() < size:
            number = "nope" if row % 10 == 9 else f"(415) 555-{row % 10_000:04d}"
            out.write(f"{number},Person {row},{values}\n")
            row += 1
    return path.stat().st_size


def timed(args: list[str], env: dict[str, str], cwd: Path) -> float:
    """Run from `cwd` (not the checkout: `python -m` would put it before PYTHONPATH)."""
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 3):
        sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", help="a checkout whose code is timed on the wide files too")
    parser.add_argument(
        "--cases", type=int, default=len(CASES), help=f"the first N cases (of {len(CASES)})"
    )
    args = parser.parse_args()
    tool = [sys.executable, "-m", "audience_cli", "validate"]
    print(f"{'case':<34} {'size':>8} {'wide':>8} {'40 cols':>8} {'ratio':>6}", end="")
    print(f" {'before':>8}" if args.against else "")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, columns, rows, header in CASES[: args.cases]:
            wide, narrow = folder / "wide.csv", folder / "narrow.csv"
            size = write_file(wide, columns, rows=rows, header=header)
            write_file(narrow, NARROW_COLUMNS, size=size)
            env = {**os.environ, "AUDIENCE_MAX_COLUMNS": str(columns), "AUDIENCE_WORKERS": "1"}
            outputs = ["-o", str(folder / "clean.csv"), "--rejects", str(folder / "rejects.csv")]
            times: dict[str, list[float]] = {"wide": [], "narrow": [], "before": []}
            for _ in range(args.repeat):
                for name, path in (("wide", wide), ("narrow", narrow)):
                    command = [*tool, str(path), "--region", "US", "--no-dnc", *outputs]
                    times[name].append(timed(command, env, folder))
                if args.against:
                    before = {**env, "PYTHONPATH": args.against}
                    command = [*tool, str(wide), "--region", "US", "--no-dnc", *outputs]
                    times["before"].append(timed(command, before, folder))
            w, n = statistics.median(times["wide"]), statistics.median(times["narrow"])
            line = f"{label:<34} {size / 1e6:>6.1f}MB {w:>7.2f}s {n:>7.2f}s {w / n:>5.2f}x"
            if args.against:
                line += f" {statistics.median(times['before']):>7.2f}s"
            print(line, flush=True)


if __name__ == "__main__":
    main()
