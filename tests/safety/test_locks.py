"""One writer per audience on a machine: a second run waits for the first, or gives up
naming its pid; two creates of one name never make two audiences."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audience_cli.sandbox import EMBEDDED_BASE_URL
from audience_cli.state import api_folder
from audience_cli.state.locks import audience_lock
from tests.conftest import seed_audience


def held(kind: str, key: str):
    return audience_lock(api_folder(os.environ, EMBEDDED_BASE_URL), kind, key, what="it", wait=0)


def test_a_second_sync_gives_up_naming_the_holder(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 3)
    source = tmp_path / "f.csv"
    source.write_text("phoneNumber\n+14155550000\n+14155550009\n")
    with held("audience", audience_id):
        result = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes", "--wait", "0")
    assert result.exit_code == 2
    assert f"is being changed by another run of audience (pid {os.getpid()})" in result.stderr
    assert len(store.all_members(audience_id)) == 3  # nothing was sent
    after = sandbox_cli("add", "Leads", "--phone", "+14155550009", "--wait", "0")
    assert after.exit_code == 0, after.stderr  # the lock went with its holder


def test_two_creates_of_one_name_are_serialised(sandbox_cli, store):
    with held("name", "Leads"):
        blocked = sandbox_cli("create", "Leads", "--phone", "+14155550000", "--wait", "0")
    assert blocked.exit_code == 2
    assert "the audience name 'Leads' is being changed by another run" in blocked.stderr
    assert store.list_audiences() == []


def test_a_waiting_run_goes_on_once_the_lock_is_let_go(store, tmp_path):
    audience_id = seed_audience(store, "Leads", 1)
    env = {**os.environ, "AUDIENCE_SANDBOX": "1"}
    lock = held("audience", audience_id)
    lock.__enter__()
    try:
        run = subprocess.Popen(
            [sys.executable, "-m", "audience_cli", "add", "Leads", "--phone", "+14155550042",
             "--wait", "120"],
            env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert run.stderr is not None
        seen = []
        for line in run.stderr:  # blocks until the run says it waits: no sleeping
            seen.append(line)
            if "waiting for another run of audience" in line:
                break
        else:
            raise AssertionError("".join(seen))
    finally:
        lock.__exit__(None, None, None)
    rest = run.stderr.read()
    assert run.wait(timeout=60) == 0, rest
    assert "Added 1 member" in rest
    assert len(store.all_members(audience_id)) == 2


def test_the_state_folder_must_be_private(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 2)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    result = sandbox_cli(
        "remove", "Leads", "--phone", "+14155550000", "--yes",
        env={"AUDIENCE_STATE_DIR": str(shared)},
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"refusing to keep contact data in {shared}" in result.stderr
    assert store.list_audiences()[0]["memberCount"] == 2
    assert not any(Path(shared).iterdir())


def test_split_takes_each_new_names_lock(sandbox_cli, store):
    seed_audience(store, "Leads", 3)  # +1415555000x: one zone, one group
    at = "2026-12-07 10:00 America/Los_Angeles"
    plan = sandbox_cli("split", "Leads", "--by", "timezone", "--at", at, "--dry-run", "--json")
    assert plan.exit_code == 0, plan.stderr
    (group,) = json.loads(plan.stdout)["groups"]
    with held("name", group["name"]):
        blocked = sandbox_cli("split", "Leads", "--by", "timezone", "--at", at, "--yes",
                              "--wait", "0")  # fmt: skip
    assert blocked.exit_code == 2
    assert f"the audience name {group['name']!r} is being changed by another run" in (
        blocked.stderr
    )
    assert [a["name"] for a in store.list_audiences()] == ["Leads"]
    made = sandbox_cli("split", "Leads", "--by", "timezone", "--at", at, "--yes", "--wait", "0")
    assert made.exit_code == 0, made.stderr
    assert sorted(a["name"] for a in store.list_audiences()) == ["Leads", group["name"]]
