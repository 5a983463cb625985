"""The tool against its anchors, side by side in one run: ratios, goals, met or not.

    .venv/bin/python benchmarks/run.py [--repeat 3] [--rows 10000] [--validate-rows 100000]

Starts the served sandbox on 127.0.0.1 with 50 ms added to every answer (what a
real API round trip costs at best), generates its own data, and runs each case
`--repeat` times interleaved with its anchor, taking medians:

- members --all of ROWS members   vs  bare httpx, 32 pages in flight
- add of ROWS numbers already there vs  bare httpx: the listing, then the adds
- create --csv of ROWS contacts    vs  bare httpx: one multipart create
- validate of VALIDATE_ROWS rows   vs  the bare loop (csv + phonenumbers)
- --version                        vs  python -c pass
- --help, --base-url … list        vs  a minimal six-command Typer app

An anchor that cannot run (the vendor SDK, when not installed) is reported as
missing, never as a failure. The figures are ratios measured on this machine now.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audience_cli.sandbox.faults import FaultConfig  # noqa: E402
from audience_cli.sandbox.server import running_faulty_server  # noqa: E402
from audience_cli.sandbox.store import SandboxStore  # noqa: E402

KEY = "sk_bench_0123456789abcdef"
TOOL = [sys.executable, "-m", "audience_cli"]

MINIMAL_APP = '''
import typer
app = typer.Typer()
for name in ("create", "list", "show", "members", "add", "delete"):
    def command(name: str = name) -> None:
        """A command."""
        print(name)
    app.command(name)(command)
app()
'''

BARE_LOOP = """
import csv, sys, phonenumbers
valid = 0
with open(sys.argv[1], newline="") as f:
    rows = csv.reader(f)
    next(rows)
    for row in rows:
        try:
            n = phonenumbers.parse(row[2], "US")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(n):
            phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
            valid += 1
print(valid)
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-400:]}")
    return took


def timed_call(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def numbers(rows: int, start: int = 0) -> list[str]:
    return [
        f"+1212{(start + i) // 10000 % 800 + 200:03d}{(start + i) % 10000:04d}" for i in range(rows)
    ]


def bare_members(base: str, audience_id: str, rows: int) -> int:
    import httpx

    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base + "/", headers=headers, timeout=60) as client:
        pages = -(-rows // 100)

        def page(n: int) -> int:
            got = client.get(f"audience/{audience_id}/members", params={"page": n, "offset": 100})
            return len(got.json()["data"]["members"])

        with ThreadPoolExecutor(32) as pool:
            return sum(pool.map(page, range(1, pages + 1)))


def bare_add(base: str, audience_id: str, phones: list[str]) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base + "/", headers=headers, timeout=60) as client:
        client.get("audience")
        for i in range(0, len(phones), 1000):
            chunk = [{"phoneNumber": p} for p in phones[i : i + 1000]]
            client.post(f"audience/{audience_id}/members", json={"members": chunk})


def bare_create(base: str, name: str, phones: list[str]) -> None:
    import httpx

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["firstName", "lastName", "phoneNumber"])
    writer.writerows(["", "", p] for p in phones)
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base + "/", headers=headers, timeout=60) as client:
        client.post(
            "audience",
            data={"name": name, "phoneNumberColumnName": "phoneNumber"},
            files={"file": ("a.csv", out.getvalue().encode(), "text/csv")},
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--validate-rows", type=int, default=100_000)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    results: list[tuple[str, float, str, float | None, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "bench.db"
        store = SandboxStore(db)
        phones = numbers(args.rows)
        big = store.create_audience(
            name="Big",
            description="",
            phone_column="phoneNumber",
            identifier_column=None,
            members=[{"phoneNumber": p, "firstName": f"P{i}"} for i, p in enumerate(phones)],
        )
        source = work / "leads.csv"
        source.write_text("phone\n" + "\n".join(phones) + "\n")
        vsource = work / "validate.csv"
        with vsource.open("w") as out:
            out.write("First,Last,Phone\n")
            for i in range(args.validate_rows):
                out.write(f"A{i},B,({200 + i // 10000 % 700}) 555-{i % 10000:04d}\n")
        (work / "minimal.py").write_text(MINIMAL_APP)
        (work / "bare.py").write_text(BARE_LOOP)
        with running_faulty_server(db, FaultConfig(latency_ms=50)) as (url, _stats):
            env = {
                **os.environ,
                "SMALLEST_API_KEY": KEY,
                "SMALLEST_BASE_URL": url,
                "HOME": tmp,
                "AUDIENCE_CACHE_DIR": str(work / "cache"),
            }
            env.pop("AUDIENCE_SANDBOX", None)
            minimal = [sys.executable, str(work / "minimal.py")]

            def pair(
                case: str,
                ours: Callable[[int], float],
                anchor_name: str,
                anchor: Callable[[int], float] | None,
                goal: float,
            ) -> None:
                mine, theirs = [], []
                for i in range(args.repeat):
                    mine.append(ours(i))
                    if anchor is not None:
                        theirs.append(anchor(i))
                med = statistics.median(mine)
                ref = statistics.median(theirs) if theirs else None
                results.append((case, med, anchor_name, ref, goal))
                print(f"  {case}: {med:.3f} s vs {ref if ref is None else round(ref, 3)}",
                      file=sys.stderr)  # fmt: skip

            pair(
                f"members --all of {args.rows:,}",
                lambda i: timed([*TOOL, "members", big["_id"], "--all", "--json"], env),
                "bare httpx, 32 pages in flight",
                lambda i: timed_call(lambda: bare_members(url, big["_id"], args.rows)),
                1.3,
            )
            pair(
                f"add of {args.rows:,} already there",
                lambda i: timed([*TOOL, "add", big["_id"], "--csv", str(source), "--no-dnc"], env),
                "bare httpx, list + adds",
                lambda i: timed_call(lambda: bare_add(url, big["_id"], phones)),
                1.5,
            )
            pair(
                f"create --csv of {args.rows:,}",
                lambda i: timed(
                    [*TOOL, "create", f"New {i}", "--csv", str(source), "--no-dnc"], env
                ),
                "bare httpx, one create",
                lambda i: timed_call(lambda: bare_create(url, f"Bare {i}", phones)),
                1.2,
            )
            pair(
                f"validate {args.validate_rows:,} rows",
                lambda i: timed(
                    [*TOOL, "validate", str(vsource), "--region", "US", "--no-dnc"], env
                ),
                "bare loop (csv + phonenumbers)",
                lambda i: timed([sys.executable, str(work / "bare.py"), str(vsource)], env),
                0.6,
            )
            pair(
                "--version",
                lambda i: timed([*TOOL, "--version"], env),
                "python -c pass",
                lambda i: timed([sys.executable, "-c", "pass"], env),
                2.0,
            )
            pair(
                "--help",
                lambda i: timed([*TOOL, "--help"], env),
                "minimal Typer app --help",
                lambda i: timed([*minimal, "--help"], env),
                1.1,
            )
            pair(
                "--base-url … list",
                lambda i: timed([*TOOL, "--base-url", url, "list"], env),
                "minimal Typer app list",
                lambda i: timed([*minimal, "list"], env),
                2.0,
            )
            try:
                import smallestai  # noqa: F401

                vendor = True
            except ImportError:
                vendor = False
            if not vendor:
                results.append(("vendor SDK anchors", 0.0, "smallestai not installed", None, 0.0))
    print("| case | ours | anchor | anchor time | ratio | goal | met |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for case, mine, name, ref, goal in results:
        if ref is None:
            if mine:
                print(f"| {case} | {mine:.3f} s | {name} | missing | | <= {goal:g}x | |")
            else:
                print(f"| {case} | | {name} | missing | | | |")
            continue
        ratio = mine / ref
        met = "yes" if ratio <= goal else "no"
        cells = [case, f"{mine:.3f} s", name, f"{ref:.3f} s", f"{ratio:.2f}x", f"<= {goal:g}x", met]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
