"""Soak: many imports against a served sandbox that injects faults of every kind.

    .venv/bin/python benchmarks/soak.py [--imports 50] [--rows 10000] [--rate 0.1] [--seed 7]

Starts `audience sandbox serve` logic in-process on 127.0.0.1 (port 0) with seeded
faults: RATE of the requests fail, a quarter each of failures before the work,
lost answers after it (a reset, a 502, a truncated or invalid body), dropped
connections and answers slower than the 1 s request deadline; plus a rate limit
and latency on every answer. Then runs
the real program (`python -m audience_cli`, one process per run) for each import,
a create or an add of ROWS contacts; some runs are interrupted with SIGINT and
run again, and a run that gives up is run again, as a cron job's next night
would. At the end the sandbox's database is compared with what was imported:

- members expected vs found, per audience; numbers found twice;
- audiences created vs expected (a lost create answer must never make two);
- each run's exit code vs what happened (exit 0 with members missing is a lie).

Prints one table and exits 1 when anything was lost, doubled or misreported.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audience_cli.sandbox.faults import FaultConfig  # noqa: E402
from audience_cli.sandbox.server import running_faulty_server  # noqa: E402
from audience_cli.sandbox.store import SandboxStore  # noqa: E402

KEY = "sk_soak_0123456789abcdef"


@dataclass
class Run:
    name: str
    kind: str  # "create" or "add"
    attempts: list[int] = field(default_factory=list)  # exit codes, in order
    interrupted: bool = False
    retries: int = 0
    recovered: int = 0
    lies: int = 0  # exit 0 while members were missing


def numbers(rows: int, offset: int) -> list[str]:
    """ROWS distinct valid US numbers, different for each import."""
    area = (201, 212, 213, 305, 312, 415, 512, 617, 646, 702, 713, 718, 805, 917)
    out = []
    i = offset * rows
    while len(out) < rows:
        a = area[i // 9000 % len(area)]
        out.append(f"+1{a}{200 + (i // 9000 // len(area)) % 700:03d}{1000 + i % 9000:04d}")
        i += 1
    return out


def run_tool(
    args: list[str], env: dict[str, str], *, interrupt_after: float | None = None
) -> tuple[int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "audience_cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if interrupt_after is not None:
        try:
            proc.wait(timeout=interrupt_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return -1, err + "\n(soak: killed after 600 s)"
    return proc.returncode, err


def soak(
    imports: int,
    rows: int,
    rate: float,
    seed: int,
    quiet: bool = False,
    log_dir: Path | None = None,
) -> dict:
    rng = random.Random(seed)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    share = rate / 4  # `rate` of the requests are faulty, spread over the four kinds
    faults = FaultConfig(
        fail_rate=share,
        ambiguous_rate=share,
        drop_rate=share,
        slow_rate=share,
        slow_ms=1500,  # past the 1 s request deadline below: the work done, the answer late
        rate_limit=30.0,
        latency_ms=5,
        seed=seed,
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        store = SandboxStore(db)
        with running_faulty_server(db, faults) as (url, stats):
            env = {
                **os.environ,
                "SMALLEST_API_KEY": KEY,
                "SMALLEST_BASE_URL": url,
                "AUDIENCE_TIMEOUT": "1",
                "AUDIENCE_NO_INPUT": "1",
                "HOME": tmp,
                "SMALLEST_CONFIG_DIR": str(Path(tmp) / "config"),
                "AUDIENCE_CACHE_DIR": str(Path(tmp) / "cache"),
            }
            for var in ("AUDIENCE_SANDBOX", "NO_COLOR", "AUDIENCE_DEBUG"):
                env.pop(var, None)
            if log_dir is not None:
                env["AUDIENCE_DEBUG"] = "1"  # each request in the run's log
            runs: list[Run] = []
            expected: dict[str, set[str]] = {}
            started = time.monotonic()
            for i in range(imports):
                kind = "create" if i % 2 == 0 else "add"
                name = f"Soak {i:03d}"
                phones = numbers(rows, i)
                source = Path(tmp) / f"import-{i}.csv"
                source.write_text(
                    "phone,first_name,last_name,crm_id\n"
                    + "".join(f"{p},Ada{j},Lovelace,{i}-{j}\n" for j, p in enumerate(phones))
                )
                expected[name] = set(phones)
                if kind == "add":  # an audience that exists already, with one of them in it
                    store.create_audience(
                        name=name,
                        description="",
                        phone_column="phoneNumber",
                        identifier_column=None,
                        members=[{"phoneNumber": phones[0]}],
                    )
                run = Run(name, kind)
                interrupt = rng.random() < 0.2
                command = [kind, name, "--csv", str(source)]
                for attempt in range(6):
                    cut = rng.uniform(0.5, 2.5) if interrupt and attempt == 0 else None
                    began = time.monotonic()
                    code, err = run_tool(command, env, interrupt_after=cut)
                    if log_dir is not None:
                        (log_dir / f"{i:03d}-{attempt}-{command[0]}.log").write_text(err)
                    if not quiet:
                        last = err.strip().splitlines()[-1:] or [""]
                        print(
                            f"    {' '.join(command[:2])}: exit {code} in "
                            f"{time.monotonic() - began:.1f} s: {last[0][:160]}",
                            file=sys.stderr,
                        )
                    run.attempts.append(code)
                    run.interrupted = run.interrupted or code == 130
                    run.retries += err.count("trying again in")
                    run.recovered += err.count("but the audience had been created")
                    found = _phones(store, name)
                    if code == 0 and not expected[name] <= found:
                        run.lies += 1
                    if code == 0:
                        break
                    if kind == "create" and code == 2 and "already exists" in err:
                        command = ["add", name, "--csv", str(source)]  # as the hint says
                runs.append(run)
                if not quiet:
                    print(
                        f"  {name} {kind:6} exits {run.attempts} retries {run.retries}",
                        file=sys.stderr,
                    )
            elapsed = time.monotonic() - started
            by_kind = stats.by_kind()
            requests = stats.requests

        audiences = store.list_audiences()
        names = Counter(a["name"] for a in audiences)
        lost = extra_members = doubled = 0
        for name, wanted in expected.items():
            found_list = [
                m["data"]["phoneNumber"]
                for a in audiences
                if a["name"] == name
                for m in store.all_members(a["_id"])
            ]
            found = set(found_list)
            lost += len(wanted - found)
            extra_members += len(found - wanted)
            doubled += len(found_list) - len(found)
    return {
        "imports": imports,
        "rows": rows,
        "runs": sum(len(r.attempts) for r in runs),
        "interrupted": sum(r.interrupted for r in runs),
        "exit_codes": dict(Counter(c for r in runs for c in r.attempts)),
        "finished": sum(r.attempts[-1] == 0 for r in runs),
        "requests": requests,
        "faults": by_kind,
        "retries": sum(r.retries for r in runs),
        "recovered_creates": sum(r.recovered for r in runs),
        "audiences_expected": len(expected),
        "audiences_found": len(audiences),
        "audiences_doubled": sum(n - 1 for n in names.values() if n > 1),
        "members_expected": sum(len(v) for v in expected.values()),
        "members_found": sum(a.get("memberCount", 0) for a in audiences),
        "members_lost": lost,
        "members_extra": extra_members,
        "members_doubled": doubled,
        "exit_0_with_members_missing": sum(r.lies for r in runs),
        "seconds": round(elapsed, 1),
    }


def _phones(store: SandboxStore, name: str) -> set[str]:
    return {
        m["data"]["phoneNumber"]
        for a in store.list_audiences()
        if a["name"] == name
        for m in store.all_members(a["_id"])
    }


def healthy(result: dict) -> bool:
    return (
        result["members_lost"] == 0
        and result["members_extra"] == 0
        and result["members_doubled"] == 0
        and result["audiences_doubled"] == 0
        and result["audiences_found"] == result["audiences_expected"]
        and result["exit_0_with_members_missing"] == 0
        and result["finished"] == result["imports"]
    )


def table(result: dict) -> str:
    faults = ", ".join(f"{k} {v}" for k, v in sorted(result["faults"].items())) or "none"
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(result["exit_codes"].items()))
    rows = [
        ("imports (create/add of N rows)", f"{result['imports']} x {result['rows']:,}"),
        ("runs (re-runs included)", result["runs"]),
        ("runs interrupted with SIGINT", result["interrupted"]),
        ("exit codes", codes),
        ("imports finished", f"{result['finished']} of {result['imports']}"),
        ("requests served", result["requests"]),
        ("faults injected", f"{sum(result['faults'].values())}: {faults}"),
        ("retries announced", result["retries"]),
        ("creates recovered after a lost answer", result["recovered_creates"]),
        (
            "audiences expected / found / doubled",
            f"{result['audiences_expected']} / {result['audiences_found']} / "
            f"{result['audiences_doubled']}",
        ),
        (
            "members expected / found",
            f"{result['members_expected']:,} / {result['members_found']:,}",
        ),
        (
            "members lost / extra / duplicated",
            f"{result['members_lost']} / {result['members_extra']} / {result['members_doubled']}",
        ),
        ("exit 0 with members missing", result["exit_0_with_members_missing"]),
        ("wall time", f"{result['seconds']} s"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'what':<{width}} | result |", f"| {'-' * width} | --- |"]
    lines += [f"| {k:<{width}} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imports", type=int, default=50)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--rate", type=float, default=0.1, help="share of faulty requests, every kind alike"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.add_argument("--logs", type=Path, help="write each run's stderr (with --debug) here")
    args = parser.parse_args()
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    result = soak(args.imports, args.rows, args.rate, args.seed, log_dir=args.logs)
    print(json.dumps(result, indent=2) if args.json else table(result))
    sys.exit(0 if healthy(result) else 1)


if __name__ == "__main__":
    main()
