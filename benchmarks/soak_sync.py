"""Soak of the nightly sync: updates and removals under every fault kind, SIGKILL anywhere.

    .venv/bin/python benchmarks/soak_sync.py [--audiences 4] [--nights 6] [--members 2000]
                                             [--rate 0.1] [--kill 0.4] [--seed 7]

Serves the sandbox in-process on 127.0.0.1 (port 0) with seeded faults on RATE of the
requests (failures before the work, answers lost after it, dropped connections, answers
slower than the 1 s request deadline; a rate limit and latency on everything). Each
audience starts with MEMBERS members, each with a field only the audience has (`owner`).
Every night its CRM export changes: some members go, some come, some change stage. The
real program (`python -m audience_cli sync … --yes`, one process per run) syncs it; KILL
of the nights the process is killed with SIGKILL at a random write of the run (the
server itself kills it when that request arrives, before or after doing the work), and
any run that does not finish is run again, as the next cron run would. After each night:

- members lost (in the export, not in the audience), extra, and numbers found twice;
- fields lost or wrong: every member must hold exactly the export's row with `owner`
  kept (and no `owner` for members that came in the export);
- exit codes: exit 0 with the audience not equal to the export is a lie.

Prints one table and exits 1 when anything was lost, doubled, wrong or misreported.
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
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from soak import KEY, numbers  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from audience_cli.sandbox.app import SandboxApp  # noqa: E402
from audience_cli.sandbox.faults import (  # noqa: E402
    FaultConfig,
    FaultInjector,
    FaultRequestHandler,
)
from audience_cli.sandbox.store import SandboxStore  # noqa: E402

STAGES = ("lead", "qualified", "won", "lost")


class KillSwitch:
    """WSGI middleware: kills the process `pid` when its `at`-th write arrives, `before`
    the work or after it (its answer then never reaches the process)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.pid: int | None = None
        self.at = 0
        self.before = True
        self.writes = 0
        self.killed = False
        self._lock = threading.Lock()

    def arm(self, pid: int, at: int, before: bool) -> None:
        with self._lock:
            self.pid, self.at, self.before, self.writes, self.killed = pid, at, before, 0, False

    def disarm(self) -> None:
        with self._lock:
            self.pid = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            return self.app(environ, start_response)
        with self._lock:
            self.writes += 1
            fire = self.pid is not None and self.writes == self.at
            pid = self.pid
        if not fire:
            return self.app(environ, start_response)
        if not self.before:
            for _ in self.app(environ, lambda *a, **k: None):
                pass
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        self.killed = True
        start_response("503 Service Unavailable", [("Content-Type", "application/json")])
        return [b'{"status": false, "message": "killed"}']


def export(rows: dict[str, dict[str, str]], path: Path) -> None:
    lines = ["phone,first_name,last_name,stage"]
    lines += [f"{p},{r['firstName']},{r['lastName']},{r['stage']}" for p, r in rows.items()]
    path.write_text("\n".join(lines) + "\n")


def next_night(
    rng: random.Random, rows: dict[str, dict[str, str]], pool: list[str]
) -> dict[str, dict[str, str]]:
    """The CRM's next export: 3% gone, 3% new, 5% with another stage (under 10% out)."""
    phones = list(rows)
    gone = set(rng.sample(phones, len(phones) * 3 // 100))
    changed = set(rng.sample([p for p in phones if p not in gone], len(phones) * 5 // 100))
    out: dict[str, dict[str, str]] = {}
    for phone in phones:
        if phone in gone:
            continue
        row = dict(rows[phone])
        if phone in changed:
            row["stage"] = rng.choice([s for s in STAGES if s != row["stage"]])
        out[phone] = row
    for _ in range(len(phones) * 3 // 100):
        phone = pool.pop()
        out[phone] = {"firstName": "New", "lastName": phone[-4:], "stage": "lead"}
    return out


def soak(
    audiences: int, nights: int, members: int, rate: float, kill: float, seed: int,
    quiet: bool = False,
) -> dict[str, Any]:  # fmt: skip
    rng = random.Random(seed)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    share = rate / 4
    faults = FaultConfig(
        fail_rate=share, ambiguous_rate=share, drop_rate=share, slow_rate=share,
        slow_ms=1500, rate_limit=30.0, latency_ms=5, seed=seed,
    )  # fmt: skip
    tally: Counter[str] = Counter()
    codes: Counter[int] = Counter()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        store = SandboxStore(db)
        switch = KillSwitch(SandboxApp(store))
        injector = FaultInjector(switch, faults)
        server = make_server(
            "127.0.0.1", 0, injector, threaded=True, request_handler=FaultRequestHandler
        )
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.daemon = True
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}/atoms/v1"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AUDIENCE_", "SMALLEST_"))},
            "SMALLEST_API_KEY": KEY, "SMALLEST_BASE_URL": url, "AUDIENCE_TIMEOUT": "1",
            "AUDIENCE_NO_INPUT": "1", "HOME": tmp,
            "SMALLEST_CONFIG_DIR": str(Path(tmp) / "config"),
            "AUDIENCE_CACHE_DIR": str(Path(tmp) / "cache"),
            "AUDIENCE_STATE_DIR": str(Path(tmp) / "state"),
        }  # fmt: skip
        try:
            for a in range(audiences):
                pool = numbers(members * (nights + 2), a)
                name = f"Nightly {a:02d}"
                rows = {
                    pool.pop(): {"firstName": f"Ada{j}", "lastName": "Lovelace", "stage": "lead"}
                    for j in range(members)
                }
                made = store.create_audience(
                    name=name, description="", phone_column="phoneNumber",
                    identifier_column=None,
                    members=[{"phoneNumber": p, **r, "owner": "sales"} for p, r in rows.items()],
                )  # fmt: skip
                owned = set(rows)
                for night in range(nights):
                    before, rows = rows, next_night(rng, rows, pool)
                    writes = _writes(before, rows, chunk=100)
                    source = Path(tmp) / f"{a}-{night}.csv"
                    export(rows, source)
                    command = [
                        sys.executable, "-m", "audience_cli", "sync", name, "--csv", str(source),
                        "--yes", "--max-remove", "10%", "--chunk-size", "100",
                    ]  # fmt: skip
                    tally["nights"] += 1
                    for attempt in range(8):
                        proc = subprocess.Popen(
                            command, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                        )  # fmt: skip
                        if attempt == 0 and rng.random() < kill:
                            switch.arm(proc.pid, rng.randint(1, writes), rng.random() < 0.5)
                        _, err = proc.communicate(timeout=600)
                        switch.disarm()
                        code = proc.returncode
                        codes[code] += 1
                        tally["runs"] += 1
                        tally["killed"] += code == -signal.SIGKILL
                        tally["put_back"] += "Putting back" in err
                        tally["retries"] += err.count("trying again in")
                        state = _state(store, made["_id"])
                        right = _compare(state, rows, owned)
                        if code == 0 and sum(right.values()):
                            tally["exit_0_lies"] += 1
                        if not quiet:
                            print(
                                f"  {name} night {night} run {attempt}: exit {code} "
                                f"{dict(right)} {err.strip().splitlines()[-1:]}",
                                file=sys.stderr,
                            )
                        if code == 0:
                            break
                    tally["finished"] += code == 0
                    for key, value in _compare(_state(store, made["_id"]), rows, owned).items():
                        tally[key] += value
                    tally["members_expected"] += len(rows)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
        stats = injector.stats
    return {
        "audiences": audiences, "nights": nights, "members": members, "rate": rate,
        "runs": tally["runs"], "killed": tally["killed"], "put_back": tally["put_back"],
        "exit_codes": {str(k): v for k, v in sorted(codes.items())},
        "finished": tally["finished"], "syncs": tally["nights"],
        "requests": stats.requests, "faults": stats.by_kind(), "retries": tally["retries"],
        "members_expected": tally["members_expected"], "members_lost": tally["lost"],
        "members_extra": tally["extra"], "members_doubled": tally["doubled"],
        "fields_wrong": tally["fields"], "exit_0_lies": tally["exit_0_lies"],
        "seconds": round(time.monotonic() - started, 1),
    }  # fmt: skip


def _writes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]], chunk: int) -> int:
    """The writes of the sync from `before` to `after` when no request fails: a request a
    chunk of adds and of removals, two a chunk of updates (a removal and an add)."""
    added = sum(1 for p in after if p not in before)
    removed = sum(1 for p in before if p not in after)
    updated = sum(1 for p in after if p in before and after[p] != before[p])
    return -(-added // chunk) + 2 * -(-updated // chunk) + -(-removed // chunk)


def _state(store: SandboxStore, audience_id: str) -> list[dict[str, str]]:
    return [m["data"] for m in store.all_members(audience_id)]


def _compare(
    state: list[dict[str, str]], rows: dict[str, dict[str, str]], owned: set[str]
) -> Counter[str]:
    """How the audience differs from the export (with `owner` kept where it was)."""
    found: Counter[str] = Counter()
    phones = Counter(d.get("phoneNumber", "") for d in state)
    found["doubled"] = sum(n - 1 for n in phones.values() if n > 1)
    found["lost"] = sum(1 for p in rows if p not in phones)
    found["extra"] = sum(1 for p in phones if p not in rows)
    for data in state:
        phone = data.get("phoneNumber", "")
        if phone not in rows:
            continue
        want = {"phoneNumber": phone, **rows[phone]}
        if phone in owned:
            want["owner"] = "sales"
        found["fields"] += data != want
    return found


def healthy(result: dict[str, Any]) -> bool:
    return (
        result["members_lost"] == 0
        and result["members_extra"] == 0
        and result["members_doubled"] == 0
        and result["fields_wrong"] == 0
        and result["exit_0_lies"] == 0
        and result["finished"] == result["syncs"]
    )


def table(result: dict[str, Any]) -> str:
    faults = ", ".join(f"{k} {v}" for k, v in sorted(result["faults"].items())) or "none"
    codes = ", ".join(f"{k}: {v}" for k, v in result["exit_codes"].items())
    rows = [
        ("syncs (audiences x nights)", f"{result['audiences']} x {result['nights']} "
         f"of {result['members']:,} members"),
        ("runs (re-runs included)", result["runs"]),
        ("runs killed with SIGKILL", result["killed"]),
        ("re-runs that put journaled members back", result["put_back"]),
        ("exit codes (-9: killed)", codes),
        ("syncs finished", f"{result['finished']} of {result['syncs']}"),
        ("requests served", result["requests"]),
        ("faults injected", f"{sum(result['faults'].values())}: {faults}"),
        ("retries announced", result["retries"]),
        ("members expected (summed over nights)", f"{result['members_expected']:,}"),
        ("members lost / extra / duplicated", f"{result['members_lost']} / "
         f"{result['members_extra']} / {result['members_doubled']}"),
        ("members with a field lost or wrong", result["fields_wrong"]),
        ("exit 0 with the audience not as exported", result["exit_0_lies"]),
        ("wall time", f"{result['seconds']} s"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'what':<{width}} | result |", f"| {'-' * width} | --- |"]
    lines += [f"| {k:<{width}} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--audiences", type=int, default=4)
    parser.add_argument("--nights", type=int, default=6)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=0.1, help="share of faulty requests")
    parser.add_argument("--kill", type=float, default=0.4, help="share of nights killed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args()
    result = soak(args.audiences, args.nights, args.members, args.rate, args.kill, args.seed)
    print(json.dumps(result, indent=2) if args.json else table(result))
    sys.exit(0 if healthy(result) else 1)


if __name__ == "__main__":
    main()
