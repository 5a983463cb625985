"""Crash tests: the `audience` process is killed (SIGKILL) at every write of a sync that
adds, updates and removes, before the server does the work and after it; the next run
ends with every member and every field. SIGTERM stops it as Ctrl-C does, and says so."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from audience_cli.sandbox.store import SandboxStore
from tests.conftest import seed_audience
from tests.safety.crash import StopClientAt, cli_env, serving

pytestmark = pytest.mark.slow

COUNT = 30  # members; 10 a chunk: 3 chunks of updates
# The sync below: 1 add (2 new), 3 updates of 10/10/7 (a removal and an add each), 1 removal
# of 3: 8 writes in all.
WRITES = 8


def night(path: Path) -> Path:
    """Members 3..29 with stage won (0..2 are gone), and two new ones; no notes column."""
    rows = [f"+1415555{i:04d},First{i},Last{i},won" for i in range(3, COUNT)]
    rows += ["+14155559998,New,One,won", "+14155559999,New,Two,won"]
    path.write_text("phoneNumber,firstName,lastName,stage\n" + "\n".join(rows) + "\n")
    return path


def expected() -> dict[str, dict[str, str]]:
    want = {
        f"+1415555{i:04d}": dict(
            phoneNumber=f"+1415555{i:04d}",
            firstName=f"First{i}",
            lastName=f"Last{i}",
            stage="won",
            notes="VIP",
        )
        for i in range(3, COUNT)
    }
    for phone, last in (("+14155559998", "One"), ("+14155559999", "Two")):
        want[phone] = {"phoneNumber": phone, "firstName": "New", "lastName": last, "stage": "won"}
    return want


def members(db: Path, audience_id: str) -> dict[str, dict[str, str]]:
    store = SandboxStore(db)
    return {m["data"]["phoneNumber"]: m["data"] for m in store.all_members(audience_id)}


def sync_args(url: str, source: Path) -> list[str]:
    return [
        sys.executable, "-m", "audience_cli", "--base-url", url, "sync", "Leads",
        "--csv", str(source), "--yes", "--max-remove", "100%", "--chunk-size", "10",
    ]  # fmt: skip


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("n", range(1, WRITES + 1))
def test_a_sync_killed_at_any_write_loses_nothing_and_the_next_run_finishes_it(tmp_path, n, when):
    db = tmp_path / "served.db"
    audience_id = seed_audience(SandboxStore(db), "Leads", COUNT, stage="lead", notes="VIP")
    old = members(db, audience_id)
    source = night(tmp_path / "night.csv")
    env = cli_env(tmp_path / "state")
    killer: list[StopClientAt] = []

    def middleware(app):
        killer.append(StopClientAt(app, n, when))
        return killer[0]

    with serving(db, middleware) as url:
        run = subprocess.Popen(sync_args(url, source), env=env, stderr=subprocess.PIPE)
        killer[0].pid = run.pid
        killer[0].started.set()
        _, err = run.communicate(timeout=120)
        assert run.returncode == -signal.SIGKILL, err.decode()

        # Killed: every member of the old audience is there, or waits in the journal.
        present = members(db, audience_id)
        journals = list((tmp_path / "state").rglob("journal/*.json"))
        waiting = {}
        for path in journals:
            waiting.update(json.loads(path.read_text())["rows"])
        for phone in old:
            if phone in {"+14155550000", "+14155550001", "+14155550002"}:
                continue  # going anyway
            assert phone in present or phone in waiting, (n, when, phone)

        again = subprocess.run(sync_args(url, source), env=env, stderr=subprocess.PIPE)
        assert again.returncode == 0, again.stderr.decode()
        if waiting:
            assert b"Putting back" in again.stderr
    assert members(db, audience_id) == expected()
    assert not list((tmp_path / "state").rglob("journal/*.json"))


@pytest.mark.parametrize("n", [2, 3])  # the removal of an update chunk; the add after it
def test_restore_pending_after_a_kill_gives_back_every_member_and_field(tmp_path, n):
    db = tmp_path / "served.db"
    audience_id = seed_audience(SandboxStore(db), "Leads", COUNT, stage="lead", notes="VIP")
    old = members(db, audience_id)
    env = cli_env(tmp_path / "state")
    stopper = StopClientAt(None, n, "after")

    def middleware(app):
        stopper.app = app
        return stopper

    with serving(db, middleware) as url:
        run = subprocess.Popen(
            sync_args(url, night(tmp_path / "night.csv")), env=env, stderr=subprocess.PIPE
        )
        stopper.pid = run.pid
        stopper.started.set()
        run.communicate(timeout=120)
        assert run.returncode == -signal.SIGKILL
        base = [sys.executable, "-m", "audience_cli", "--base-url", url]
        back = subprocess.run([*base, "restore", "--pending"], env=env, stderr=subprocess.PIPE)
        assert back.returncode == 0, back.stderr.decode()
    after = members(db, audience_id)
    for phone, data in old.items():
        # Each member is there with every field: its old data, or the new stage laid over it.
        assert phone in after, phone
        assert after[phone] in (data, {**data, "stage": "won"}), phone


def test_sigterm_stops_a_sync_as_ctrl_c_does_and_says_what_was_done(tmp_path):
    db = tmp_path / "served.db"
    audience_id = seed_audience(SandboxStore(db), "Leads", COUNT, stage="lead", notes="VIP")
    env = cli_env(tmp_path / "state")
    # Write 3 is the add that follows the first update chunk's removal.
    stopper = StopClientAt(None, 3, "before", signum=signal.SIGTERM)

    def middleware(app):
        stopper.app = app
        return stopper

    with serving(db, middleware) as url:
        run = subprocess.Popen(
            sync_args(url, night(tmp_path / "night.csv")), env=env, stderr=subprocess.PIPE
        )
        stopper.pid = run.pid
        stopper.started.set()
        _, err = run.communicate(timeout=120)
    text = err.decode()
    assert run.returncode == 143, text
    assert (
        "error: the sync stopped half way (terminated (SIGTERM)) after 2 added, 0 removed, "
        "10 taken out for an update of which 10 are back with their new data" in text
    ), text
    after = members(db, audience_id)
    assert len(after) == COUNT + 2  # nothing removed yet, nothing lost
    assert sum(d["stage"] == "won" for d in after.values()) == 2 + 10
    assert all(d.get("notes") == "VIP" for p, d in after.items() if p < "+14155559")
    assert not list((tmp_path / "state").rglob("journal/*.json"))
