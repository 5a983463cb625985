"""A retry audience from a campaign's outcomes, timed against an import of the same size.

    .venv/bin/python benchmarks/bench_recall.py [--repeat 3] [--members 10000]
                                                [--latency-ms 50] [--seed 7]

Seeds a sandbox file with an audience of MEMBERS, runs a campaign on it (the sandbox's
simulation, fixed seed), serves it on 127.0.0.1 with LATENCY_MS added to every answer,
and times, each as a process of its own (`python -m audience_cli --base-url URL`, the
key in the environment):

1. `outcomes CAMPAIGN --json`                    (read only)
2. `create retry --from-campaign CAMPAIGN`       (the headline)
3. `sync retry --from-campaign CAMPAIGN --yes`   (a second run: changes nothing)

and, as the anchor in the same run, `create anchor --csv FILE` of a CSV holding exactly
the members the retry audience got (its members, read back from the sandbox: same count,
same fields, provenance included). A reference row times the export alone, fetched and
parsed by bare httpx in a process of its own (what the sandbox and the wire cost,
whatever the tool does). Each repeat deletes the two audiences and starts from
a fresh cache folder; the figures are medians. Requests are counted by the server (by
method and path, ids shown as {id}) for the last repeat.

It cannot pass silently wrong: the export is read over HTTP once, and the retry audience
must hold exactly its records that are not completed and not running (the sandbox has no
do-not-call entry, and its numbers are valid and distinct); the sync must change nothing
and the anchor must hold as many members as the retry audience.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audience_cli.sandbox.app import SandboxApp  # noqa: E402
from audience_cli.sandbox.campaign_run import RUNNING_STATUSES, create_and_run  # noqa: E402
from audience_cli.sandbox.faults import (  # noqa: E402
    FaultConfig,
    FaultInjector,
    FaultRequestHandler,
)
from audience_cli.sandbox.store import SandboxStore  # noqa: E402

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PROVENANCE = {"source_campaign", "attempts", "last_status"}
KEY = "sk_bench_0123456789abcdef"
TOOL = [sys.executable, "-m", "audience_cli"]
# A reference for the read: the export fetched and parsed by bare httpx, nothing else.
BARE_EXPORT = """
import sys, httpx
url, campaign, key = sys.argv[1:]
answer = httpx.get(f"{url}/campaign/{campaign}/export/by-audience-member",
                   headers={"Authorization": f"Bearer {key}"}, timeout=60)
answer.raise_for_status()
print(len(answer.json()["data"]))
"""
ID = re.compile(r"/[0-9a-f]{24}(?=/|$)")


@dataclass
class Case:
    """One timed command: its seconds (every repeat), requests by kind (last repeat)."""

    name: str
    command: str
    seconds: list[float] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    members: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


class PathCounter:
    """WSGI middleware: counts requests by "METHOD /path" with ids as {id}."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = ID.sub("/{id}", environ.get("PATH_INFO", "")).removeprefix("/atoms/v1")
        with self._lock:
            self.counts[f"{environ.get('REQUEST_METHOD', '?')} {path}"] += 1
        return self.app(environ, start_response)

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)


@contextmanager
def serving(db: Path, latency_ms: int) -> Iterator[tuple[str, FaultInjector, PathCounter]]:
    """The sandbox as `running_faulty_server` serves it (latency, request stats), with
    a counter by path in front; yields (base URL, injector, counter)."""
    from werkzeug.serving import make_server

    injector = FaultInjector(SandboxApp(SandboxStore(db)), FaultConfig(latency_ms=latency_ms))
    counter = PathCounter(injector)
    server = make_server(
        "127.0.0.1", 0, counter, threaded=True, request_handler=FaultRequestHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/atoms/v1", injector, counter
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run `command`; its seconds and stdout. Any exit but 0 is a failure."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited {done.returncode}: {done.stderr[-600:]}")
    return took, done.stdout


def seed(db: Path, members: int, campaign_seed: int) -> tuple[str, str]:
    """An audience of `members` and a finished campaign on it: (audience id, campaign id)."""
    store = SandboxStore(db)
    audience = store.create_audience(
        name="Leads",
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=[
            {
                "firstName": f"First{i}",
                "lastName": f"Last{i}",
                "phoneNumber": f"+1212{i // 10000 % 800 + 200:03d}{i % 10000:04d}",
            }
            for i in range(members)
        ],
    )
    campaign, _ = create_and_run(store, audience["_id"], name="Spring calls", seed=campaign_seed)
    return audience["_id"], campaign["_id"]


def expected_retry(url: str, campaign_id: str) -> int:
    """The export's records not completed and not running, read over HTTP once."""
    import httpx

    answer = httpx.get(
        f"{url}/campaign/{campaign_id}/export/by-audience-member",
        params={"format": "json"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=60,
    )
    answer.raise_for_status()
    body = answer.json()
    records = body["data"]
    if len(records) != body["totalAudienceMembers"]:
        raise RuntimeError(f"the export has {len(records)} of {body['totalAudienceMembers']}")
    left_out = {"completed", *RUNNING_STATUSES}
    return sum(1 for r in records if r.get("finalStatus") not in left_out)


def audience_named(store: SandboxStore, name: str) -> dict[str, Any]:
    found = [a for a in store.list_audiences() if a["name"] == name]
    if len(found) != 1:
        raise RuntimeError(f"{len(found)} audiences named {name!r}")
    return found[0]


def member_data(store: SandboxStore, audience_id: str, *, with_ids: bool = False) -> list[str]:
    """The audience's members (their fields; with their ids if asked), sorted, comparable."""
    return sorted(
        json.dumps([m["_id"] if with_ids else "", m["data"]], sort_keys=True)
        for m in store.all_members(audience_id)
    )


def write_anchor_csv(store: SandboxStore, audience_id: str, path: Path) -> int:
    """The audience's members as a CSV (every field they have); returns how many."""
    rows = [m["data"] for m in store.all_members(audience_id)]
    columns = sorted({k for row in rows for k in row}, key=lambda k: (k != "phoneNumber", k))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def bench(
    *,
    members: int = 10_000,
    latency_ms: int = 50,
    repeat: int = 3,
    campaign_seed: int = 7,
    quiet: bool = False,
) -> dict[str, Any]:
    """Run the cases `repeat` times; returns the cases, the anchor and the checks."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "bench.db"
        _, campaign_id = seed(db, members, campaign_seed)
        store = SandboxStore(db)
        anchor_csv = work / "anchor.csv"
        with serving(db, latency_ms) as (url, injector, counter):
            expected = expected_retry(url, campaign_id)
            base = [*TOOL, "--base-url", url]
            cases = {
                key: Case(name, command)
                for key, name, command in (
                    ("outcomes", "outcomes (read only)", "outcomes CAMPAIGN --json"),
                    ("bare", "reference: bare httpx GET of the export", "bare_export.py"),
                    ("create", "create --from-campaign", "create retry --from-campaign CAMPAIGN"),
                    (
                        "sync",
                        "sync --from-campaign, a second run",
                        "sync retry --from-campaign CAMPAIGN --yes --json",
                    ),
                    (
                        "anchor",
                        "anchor: create --csv of the same members",
                        "create anchor --csv FILE",
                    ),
                )
            }
            env = {**os.environ, "SMALLEST_API_KEY": KEY, "HOME": tmp}
            for name in ("AUDIENCE_SANDBOX", "SMALLEST_BASE_URL", "AUDIENCE_CONCURRENCY"):
                env.pop(name, None)

            bare = work / "bare_export.py"
            bare.write_text(BARE_EXPORT)

            def timed(key: str, args: list[str]) -> str:
                before = counter.snapshot()
                command = [sys.executable, *args] if key == "bare" else [*base, *args]
                took, out = run(command, env)
                cases[key].seconds.append(took)
                cases[key].requests = counter.snapshot() - before
                return out

            for i in range(repeat):
                env["AUDIENCE_CACHE_DIR"] = str(work / f"cache{i}")  # a fresh cache each time
                for audience in store.list_audiences():
                    if audience["name"] in ("retry", "anchor"):
                        store.delete_audience(audience["_id"])
                out = timed("outcomes", ["outcomes", campaign_id, "--json"])
                cases["outcomes"].members = len(json.loads(out)["records"])
                out = timed("bare", [str(bare), url, campaign_id, KEY])
                cases["bare"].members = int(out)
                timed("create", ["create", "retry", "--from-campaign", campaign_id])
                retry = audience_named(store, "retry")
                cases["create"].members = store.count_members(retry["_id"])
                if cases["create"].members != expected:
                    raise RuntimeError(f"retry has {cases['create'].members}, not {expected}")
                if any(not m["data"].keys() >= PROVENANCE for m in store.all_members(retry["_id"])):
                    raise RuntimeError("a member of the retry audience has no provenance fields")
                before_sync = member_data(store, retry["_id"], with_ids=True)
                sync = ["sync", "retry", "--from-campaign", campaign_id, "--yes", "--json"]
                changes = json.loads(timed("sync", sync))["sync"]
                cases["sync"].members = store.count_members(retry["_id"])
                if changes["added"] or changes["removed"] or changes["updated"]:
                    raise RuntimeError(f"the second run changed the retry audience: {changes}")
                if member_data(store, retry["_id"], with_ids=True) != before_sync:
                    raise RuntimeError("the second run changed the retry audience's members")
                if i == 0:
                    write_anchor_csv(store, retry["_id"], anchor_csv)
                timed("anchor", ["create", "anchor", "--csv", str(anchor_csv)])
                anchor = audience_named(store, "anchor")
                cases["anchor"].members = store.count_members(anchor["_id"])
                if member_data(store, anchor["_id"]) != member_data(store, retry["_id"]):
                    raise RuntimeError("the anchor's members are not the retry audience's")
                if not quiet:
                    print(
                        f"  repeat {i + 1}: " + ", ".join(
                            f"{k} {c.seconds[-1]:.3f} s" for k, c in cases.items()
                        ),
                        file=sys.stderr,
                    )  # fmt: skip
            total = injector.stats.requests
            counted = sum(counter.snapshot().values())
    checks = {
        "expected_retry": expected,
        "retry_members": cases["create"].members,
        "after_sync": cases["sync"].members,
        "anchor_members": cases["anchor"].members,
        "server_requests": total,
        "counted_requests": counted,
    }
    if not (expected == cases["create"].members == cases["sync"].members):
        raise RuntimeError(f"the retry audience is wrong: {checks}")
    if cases["anchor"].members != cases["create"].members:
        raise RuntimeError(f"the anchor does not hold the same members: {checks}")
    if total != counted:
        raise RuntimeError(f"the server saw {total} requests, the counter {counted}")
    return {"cases": list(cases.values()), "checks": checks, "campaign_id": campaign_id}


def kinds(requests: Counter[str]) -> str:
    return ", ".join(f"{path} {n}" for path, n in sorted(requests.items()))


def print_table(cases: list[Case]) -> None:
    anchor = cases[-1].median
    print("| case | seconds | requests | by kind | members | ratio to anchor |")
    print("| --- | --- | --- | --- | --- | --- |")
    for c in cases:
        total = sum(c.requests.values())
        cells = [c.name, f"{c.median:.3f} s", str(total), kinds(c.requests), f"{c.members:,}"]
        print("| " + " | ".join([*cells, f"{c.median / anchor:.2f}x"]) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7, help="the campaign simulation's seed")
    args = parser.parse_args()
    # Bytecode, as an install has it (see benchmarks/run.py).
    compile_all = [sys.executable, "-m", "compileall", "-q", str(ROOT / "audience_cli")]
    subprocess.run(compile_all, check=True)
    result = bench(
        members=args.members,
        latency_ms=args.latency_ms,
        repeat=args.repeat,
        campaign_seed=args.seed,
    )
    print("$ " + shlex.join(["python", "benchmarks/bench_recall.py", *sys.argv[1:]]))
    print()
    print_table(result["cases"])
    print()
    for case in result["cases"]:
        prefix = "python " if case.command.endswith(".py") else "audience --base-url URL "
        print(f"- {case.name}: `{prefix}{case.command}`")
    print()
    checks = result["checks"]
    print(
        f"Checked: the export's {checks['expected_retry']:,} records not completed and not running"
        f" = the retry audience ({checks['retry_members']:,}) = after the sync"
        f" ({checks['after_sync']:,}) = the anchor ({checks['anchor_members']:,})."
    )


if __name__ == "__main__":
    main()
