"""The tool against its anchors, side by side in one run: ratios, goals, met or not.

    .venv/bin/python benchmarks/run.py [--repeat 3] [--rows 10000] [--validate-rows 100000]
                                       [--vendor-python PATH]

Starts the served sandbox on 127.0.0.1 with 50 ms added to every answer (what a
real API round trip costs at best), generates its own data, and runs each case
`--repeat` times interleaved with its anchor, taking medians. Every side is a
process of its own (interpreter start-up included), as a user or cron runs them:

- members --all of ROWS members     vs  bare httpx, 32 pages in flight
  (ours at the default 8 in flight, and at --concurrency 32 like the anchor)
- add of ROWS numbers already there vs  bare httpx: the listing, then the adds
- create --csv of ROWS contacts     vs  bare httpx: one multipart create
- validate of VALIDATE_ROWS rows    vs  the bare loop (csv + phonenumbers)
- --version                         vs  python -c pass
- --help, --base-url … list,
  --sandbox list                    vs  a minimal six-command Typer app
- with the vendor SDK (`pip install '.[bench]'`, or --vendor-python of a venv that
  has smallestai): its Audience.create, a get_members loop, and `smallestai --help`

The anchors' scripts are in benchmarks/ (bare_client.py, vendor_sdk.py). An
anchor that cannot run (the vendor SDK, when not installed) is reported as
missing, never as a failure. "requests" counts what ours sent in its last run.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from audience_cli.sandbox.faults import FaultConfig  # noqa: E402
from audience_cli.sandbox.server import running_faulty_server  # noqa: E402
from audience_cli.sandbox.store import SandboxStore  # noqa: E402

KEY = "sk_bench_0123456789abcdef"
TOOL = [sys.executable, "-m", "audience_cli"]

MINIMAL_APP = """
import typer
app = typer.Typer()
for name in ("create", "list", "show", "members", "add", "delete"):
    def command(name: str = name) -> None:
        \"\"\"A command.\"\"\"
        print(name)
    app.command(name)(command)
app()
"""

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


@dataclass
class Result:
    case: str
    ours: float | None
    anchor: str
    anchor_time: float | None
    goal: float | None
    requests: int | None = None


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-400:]}")
    return took


def numbers(rows: int, start: int = 0) -> list[str]:
    return [
        f"+1212{(start + i) // 10000 % 800 + 200:03d}{(start + i) % 10000:04d}" for i in range(rows)
    ]


def vendor_python(asked: str | None) -> str | None:
    """An interpreter that imports smallestai: the one asked for, else this one."""
    for python in [asked] if asked else [sys.executable]:
        check = [python, "-c", "import smallestai.atoms.helpers"]
        if subprocess.run(check, capture_output=True).returncode == 0:
            return python
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--validate-rows", type=int, default=100_000)
    parser.add_argument("--vendor-python", help="a Python that has smallestai 5.14.0 installed")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    results: list[Result] = []
    vendor = vendor_python(args.vendor_python)
    # Bytecode, as an install has it (pip compiles at install; this machine may set
    # PYTHONDONTWRITEBYTECODE, which would otherwise compile our modules on every run).
    compile_all = [sys.executable, "-m", "compileall", "-q", str(ROOT / "audience_cli")]
    subprocess.run(compile_all, check=True)
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
        sandbox_db = work / "embedded.db"
        seed = SandboxStore(sandbox_db)
        for name in ("Q1 Leads", "Renewals", "Survey"):
            seed.create_audience(
                name=name, description="", phone_column="phoneNumber",
                identifier_column=None, members=[{"phoneNumber": p} for p in phones[:20]],
            )  # fmt: skip
        with running_faulty_server(db, FaultConfig(latency_ms=50)) as (url, stats):
            env = {
                **os.environ,
                "SMALLEST_API_KEY": KEY,
                "SMALLEST_BASE_URL": url,
                "HOME": tmp,
                "AUDIENCE_CACHE_DIR": str(work / "cache"),
                "AUDIENCE_SANDBOX_DB": str(sandbox_db),
            }
            env.pop("AUDIENCE_SANDBOX", None)
            env.pop("AUDIENCE_CONCURRENCY", None)
            minimal = [sys.executable, str(work / "minimal.py")]
            bare = [sys.executable, str(HERE / "bare_client.py")]
            sdk = [vendor, str(HERE / "vendor_sdk.py")] if vendor else None
            sent = {"requests": 0}

            def counted(command: list[str]) -> Callable[[int], float]:
                def run(i: int) -> float:
                    before = stats.requests
                    took = timed(command, env)
                    sent["requests"] = stats.requests - before
                    return took

                return run

            def pair(
                case: str,
                ours: Callable[[int], float],
                anchor_name: str,
                anchor: Callable[[int], float] | None,
                goal: float | None,
            ) -> None:
                sent["requests"] = 0
                mine, theirs = [], []
                for i in range(args.repeat):
                    mine.append(ours(i))
                    if anchor is not None:
                        theirs.append(anchor(i))
                med = statistics.median(mine)
                ref = statistics.median(theirs) if theirs else None
                results.append(Result(case, med, anchor_name, ref, goal, sent["requests"] or None))
                print(f"  {case}: {med:.3f} s vs {ref if ref is None else round(ref, 3)}",
                      file=sys.stderr)  # fmt: skip

            members = [*TOOL, "members", big["_id"], "--all", "--json"]
            bare_members = [*bare, "members", url, big["_id"], str(args.rows)]
            pair(
                f"members --all of {args.rows:,} (8 in flight, the default)",
                counted(members),
                "bare httpx, 32 pages in flight",
                lambda i: timed(bare_members, env),
                1.3,
            )
            pair(
                f"members --all of {args.rows:,} at --concurrency 32",
                counted([*TOOL, "--concurrency", "32", *members[3:]]),
                "bare httpx, 32 pages in flight",
                lambda i: timed(bare_members, env),
                1.3,
            )
            pair(
                f"add of {args.rows:,} already there",
                counted([*TOOL, "add", big["_id"], "--csv", str(source), "--no-dnc"]),
                "bare httpx, list + adds",
                lambda i: timed([*bare, "add", url, big["_id"], str(source)], env),
                1.5,
            )
            runs = iter(range(10**6))  # a new audience name for every create

            def create(i: int) -> float:
                return counted(
                    [*TOOL, "create", f"New {next(runs)}", "--csv", str(source), "--no-dnc"]
                )(i)

            pair(
                f"create --csv of {args.rows:,}",
                create,
                "bare httpx, one create",
                lambda i: timed([*bare, "create", url, f"Bare {next(runs)}", str(source)], env),
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
                counted([*TOOL, "--base-url", url, "list"]),
                "minimal Typer app list",
                lambda i: timed([*minimal, "list"], env),
                2.0,
            )
            pair(
                "--sandbox list",
                lambda i: timed([*TOOL, "--sandbox", "list"], env),
                "minimal Typer app list",
                lambda i: timed([*minimal, "list"], env),
                2.5,
            )
            if sdk is None:
                results.append(
                    Result("vendor SDK anchors", None, "smallestai not installed", None, None)
                )
            else:
                pair(
                    f"create --csv of {args.rows:,}",
                    create,
                    "vendor SDK Audience.create",
                    lambda i: timed([*sdk, "create", url, f"V {next(runs)}", str(source)], env),
                    None,
                )
                pair(
                    f"members --all of {args.rows:,}",
                    counted(members),
                    "vendor SDK get_members, page by page",
                    lambda i: timed([*sdk, "members", url, big["_id"]], env),
                    None,
                )
                cli = shutil.which("smallestai", path=str(Path(vendor).parent))
                pair(
                    "--help",
                    lambda i: timed([*TOOL, "--help"], env),
                    "vendor CLI smallestai --help",
                    (lambda i: timed([cli, "--help"], env)) if cli else None,
                    None,
                )
    print_table(results)


def print_table(results: list[Result]) -> None:
    print("| case | ours | requests | anchor | anchor time | ratio | goal | met |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        ours = f"{r.ours:.3f} s" if r.ours is not None else ""
        requests = str(r.requests) if r.requests else ""
        goal = f"<= {r.goal:g}x" if r.goal is not None else ""
        if r.anchor_time is None or r.ours is None:
            cells = [r.case, ours, requests, r.anchor, "missing", "", goal, ""]
        else:
            ratio = r.ours / r.anchor_time
            met = "" if r.goal is None else ("yes" if ratio <= r.goal else "no")
            cells = [r.case, ours, requests, r.anchor, f"{r.anchor_time:.3f} s", f"{ratio:.2f}x"]
            cells += [goal, met]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
