"""Whole-tool timings: start-up, and a 10,000-contact import into the embedded sandbox.

    .venv/bin/python benchmarks/bench_cli.py [--rows N] [--repeat K]

Runs the installed `audience` (from the same virtual environment) as a user
would, in a temporary sandbox, and prints the median wall time of each step.
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


def timed(args: list[str], env: dict[str, str], repeat: int) -> tuple[float, str]:
    times = []
    out = ""
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 3):
            sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
        out = done.stdout
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tool = [sys.executable, "-m", "audience_cli"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "AUDIENCE_SANDBOX_DB": str(Path(tmp) / "bench.db")}
        source = Path(tmp) / "leads.csv"
        with source.open("w") as out:
            out.write("Name,Phone,Company\n")
            for i in range(args.rows):
                out.write(f"Person {i},(415) {200 + i // 10000:03d}-{i % 10000:04d},Acme\n")

        t, _ = timed([*tool, "--version"], env, args.repeat)
        print(f"audience --version: {t * 1000:.0f} ms (median of {args.repeat})")
        t, _ = timed([*tool, "--help"], env, args.repeat)
        print(f"audience --help: {t * 1000:.0f} ms")
        t, _ = timed([*tool, "validate", str(source), "--region", "US"], env, args.repeat)
        print(f"validate {args.rows:,} national-format rows: {t:.2f} s")
        t, out = timed(
            [*tool, "--sandbox", "-q", "create", "Bench", "--csv", str(source), "--region", "US"],
            env,
            1,
        )
        print(
            f"create with {args.rows:,} rows (chunks of 1,000) into the embedded sandbox: {t:.2f} s"
        )
        audience_id = out.strip()
        t, _ = timed([*tool, "--sandbox", "-q", "members", audience_id, "--all"], env, args.repeat)
        print(f"members --all ({args.rows:,} members, pages of 100): {t:.2f} s")


if __name__ == "__main__":
    main()
