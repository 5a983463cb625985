"""Time zone and calling-window verdict for 100,000 numbers, beside `audience validate`
of the same file (the anchor), each as a process of its own, interleaved, medians.

    .venv/bin/python benchmarks/bench_hours.py [--rows 100000] [--repeat 3]

The file mixes valid E.164 numbers of the US (60%, every US area code the rules know),
France (20%) and Great Britain (20%). Ours reads it with csv and, for each number, finds its
zones (`zones_for_number`), its state (`state_for_number`) and its verdict at one frozen
instant (`verdict`), the per-number path of a `check-hours` or `--callable-at` run after
the numbers are normalised (which `validate` also does, and which is not counted here).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AT = "2026-12-07T15:00:00+00:00"  # a Monday: 10:00 in New York, 16:00 in Paris


def generate(path: Path, rows: int) -> None:
    """`rows` valid numbers (what the pipeline hands on), drawn with a fixed seed."""
    import phonenumbers

    from audience_cli.calling.rules import load_rules

    area_codes = sorted(c for c, s in load_rules().area_code_states.items() if len(s) == 2)
    pick = random.Random(21)
    with path.open("w", newline="") as out:
        out.write("name,phone\n")
        i = 0
        while i < rows:
            kind = i % 10
            if kind < 6:
                line = f"{pick.randint(200, 999)}{pick.randint(0, 9999):04d}"
                phone = f"+1{pick.choice(area_codes)}{line}"
            elif kind < 8:
                phone = f"+33{pick.choice('67')}{pick.randint(0, 99_999_999):08d}"
            else:
                phone = f"+447{pick.choice('45789')}{pick.randint(0, 99_999_999):08d}"
            if phonenumbers.is_valid_number(phonenumbers.parse(phone)):
                out.write(f"P{i},{phone}\n")
                i += 1


def check(path: str) -> None:
    """Ours: every number's zones, state and verdict at AT; prints the counts."""
    from datetime import datetime

    from audience_cli.calling.rules import load_rules
    from audience_cli.calling.windows import verdict
    from audience_cli.calling.zones import state_for_number, zones_for_number

    rules = load_rules()
    now = datetime.fromisoformat(AT)
    regions = {"1": "US", "33": "FR", "44": "GB"}
    counts: dict[str, int] = {}
    with open(path, newline="") as source:
        for row in csv.DictReader(source):
            e164 = row["phone"]
            region = regions[e164[1:2]] if e164[1] == "1" else regions[e164[1:3]]
            state = state_for_number(e164, rules)
            if state and state not in rules.us_state_zones:
                region = "CA"
            status = verdict(zones_for_number(e164, rules), region, state, now, rules).status
            counts[status] = counts.get(status, 0) + 1
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3, 9):  # 3: rows rejected, 9: some not callable
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        check(args.check)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mixed.csv"
        generate(path, args.rows)
        env = {**os.environ, "HOME": tmp, "AUDIENCE_CACHE_DIR": str(Path(tmp) / "cache")}
        ours_cmd = [sys.executable, __file__, "--check", str(path)]
        tool = [sys.executable, "-m", "audience_cli"]
        hours = [*tool, "check-hours", str(path), "--at", AT]
        cases = {
            "zones + verdict (the per-number path)": ours_cmd,
            "audience check-hours FILE --at T (summary)": [*hours, "-F", "table"],
            "audience check-hours FILE --at T -F csv (a row each)": [*hours, "-F", "csv"],
            "audience validate FILE --callable-at T": [
                *tool,
                "validate",
                str(path),
                "--callable-at",
                AT,
            ],
        }
        anchor_cmd = [*tool, "validate", str(path)]
        times: dict[str, list[float]] = {name: [] for name in cases}
        anchor: list[float] = []
        counts = ""
        for _ in range(args.repeat):
            for name, command in cases.items():
                elapsed, out = timed(command, env)
                times[name].append(elapsed)
                if command is ours_cmd:
                    counts = out
            anchor.append(timed(anchor_cmd, env)[0])
        a = statistics.median(anchor)
        print(f"rows: {args.rows:,} ({counts}); medians of {args.repeat}")
        print("| case | seconds | ratio to `audience validate FILE` |")
        print("| --- | --- | --- |")
        for name, values in times.items():
            o = statistics.median(values)
            print(f"| {name} | {o:.3f} s | {o / a:.2f}x |")
        print(f"| anchor: audience validate FILE | {a:.3f} s | 1.00x |")


if __name__ == "__main__":
    main()
