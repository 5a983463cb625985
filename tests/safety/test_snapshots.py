"""Snapshots before every destructive command, and restore: Atoms has no undo, this tool does."""

from __future__ import annotations

import gzip
import json
import re
import stat
from pathlib import Path

import pytest

from tests.conftest import seed_audience

SNAPSHOT_ID = re.compile(r"`audience restore (\d{8}T\d{12}Z)`")


def data_of(store, audience_id: str) -> dict[str, dict[str, str]]:
    return {m["data"]["phoneNumber"]: m["data"] for m in store.all_members(audience_id)}


def named(store, name: str) -> str:
    (audience,) = [a for a in store.list_audiences() if a["name"] == name]
    return audience["_id"]


def snapshot_id(stderr: str) -> str:
    match = SNAPSHOT_ID.search(stderr)
    assert match, stderr
    return match.group(1)


def test_delete_then_restore_gives_back_every_member_and_field(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 250, stage="lead", notes="VIP, call at 9")
    before = data_of(store, audience_id)
    deleted = sandbox_cli("delete", "Leads", "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    assert "Snapshot of 'Leads' (250 members):" in deleted.stderr
    assert store.list_audiences() == []

    listed = sandbox_cli("snapshots", "--json")
    (entry,) = json.loads(listed.stdout)
    assert (entry["name"], entry["members"], entry["reason"]) == ("Leads", 250, "delete")
    assert entry["audienceId"] == audience_id
    assert entry["id"] == snapshot_id(deleted.stderr)

    restored = sandbox_cli("restore", entry["id"])
    assert restored.exit_code == 0, restored.stderr
    assert "Created audience 'Leads'" in restored.stderr
    new_id = restored.stdout.strip()
    assert new_id == named(store, "Leads")
    assert data_of(store, new_id) == before


def test_a_sync_gone_wrong_is_undone_by_restore(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 20, stage="lead", notes="VIP")
    before = data_of(store, audience_id)
    wrong = tmp_path / "wrong.csv"  # the wrong export: other stages, half the people
    wrong.write_text("phoneNumber,stage\n" + "".join(f"+1415555{i:04d},lost\n" for i in range(10)))
    synced = sandbox_cli(
        "sync", "Leads", "--csv", str(wrong), "--yes", "--max-remove", "100%", "--replace-fields"
    )
    assert synced.exit_code == 0, synced.stderr
    assert len(data_of(store, audience_id)) == 10
    snap = snapshot_id(synced.stderr)

    dry = sandbox_cli("restore", snap, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    plan = json.loads(dry.stdout)["restore"]
    assert plan == {
        "toCreate": False, "toAdd": 10, "toRemove": 0, "toUpdate": 10, "unchanged": 0,
        "dryRun": True,
    }  # fmt: skip
    assert len(data_of(store, audience_id)) == 10  # a dry run changes nothing

    refused = sandbox_cli("restore", snap)  # replaces members: needs --yes off a terminal
    assert refused.exit_code != 0
    restored = sandbox_cli("restore", snap, "--yes")
    assert restored.exit_code == 0, restored.stderr
    assert data_of(store, audience_id) == before
    # The restore snapshotted what it replaced: the sync's result can come back too.
    assert "Snapshot of 'Leads' (10 members)" in restored.stderr
    again = sandbox_cli("restore", snap, "--yes")
    assert "already equals snapshot" in again.stderr


def test_restore_to_another_audience(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 5, stage="lead")
    removed = sandbox_cli("remove", "Leads", "--phone", "+14155550001", "--yes")
    assert removed.exit_code == 0, removed.stderr
    snap = snapshot_id(removed.stderr)
    plan = sandbox_cli("restore", snap, "--to", "Leads copy", "--dry-run", "--json")
    assert json.loads(plan.stdout)["restore"] == {
        "toCreate": True, "toAdd": 5, "toRemove": 0, "toUpdate": 0, "unchanged": 0,
        "dryRun": True,
    }  # fmt: skip
    rows = sandbox_cli("restore", snap, "--to", "Leads copy", "--dry-run", "-F", "tsv", "--header")
    header, row = (line.split("\t") for line in rows.stdout.splitlines())
    assert header[3:] == ["to_create", "to_add", "to_remove", "to_update", "unchanged"]
    assert row[3:] == ["true", "5", "0", "0", "0"]
    copy = sandbox_cli("restore", snap, "--to", "Leads copy")
    assert copy.exit_code == 0, copy.stderr
    assert len(data_of(store, named(store, "Leads copy"))) == 5
    assert len(data_of(store, audience_id)) == 4


def test_snapshots_are_private_gzipped_csv_and_only_the_last_n_are_kept(
    sandbox_cli, store, tmp_path
):
    seed_audience(store, "Leads", 8)
    for i in range(4):
        result = sandbox_cli(
            "remove", "Leads", "--phone", f"+1415555{i:04d}", "--yes",
            env={"AUDIENCE_SNAPSHOTS_KEEP": "2"},
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
    listed = json.loads(sandbox_cli("snapshots", "Leads", "--json").stdout)
    assert [s["members"] for s in listed] == [5, 6]  # newest first; 8 and 7 pruned
    path = Path(listed[0]["path"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = gzip.decompress(path.read_bytes()).decode()
    assert text.splitlines()[0] == "phoneNumber,firstName,lastName"
    assert len(text.splitlines()) == 6


def test_no_snapshot_skips_it(sandbox_cli, store):
    seed_audience(store, "Leads", 3)
    result = sandbox_cli("delete", "Leads", "--yes", "--no-snapshot")
    assert result.exit_code == 0, result.stderr
    assert "Snapshot" not in result.stderr
    assert json.loads(sandbox_cli("snapshots", "--json").stdout) == []


def test_restore_mistakes_are_one_line_errors(sandbox_cli, store, tmp_path):
    missing = sandbox_cli("restore", "20990101T000000000000Z")
    assert missing.exit_code == 2
    assert "no snapshot '20990101T000000000000Z'" in missing.stderr
    nothing = sandbox_cli("restore")
    assert nothing.exit_code == 2
    assert "give a SNAPSHOT" in nothing.stderr
    seed_audience(store, "Leads", 3)
    deleted = sandbox_cli("delete", "Leads", "--yes")
    path = Path(json.loads(sandbox_cli("snapshots", "--json").stdout)[0]["path"])
    path.write_bytes(path.read_bytes()[:-12])  # cut short
    damaged = sandbox_cli("restore", str(path))
    assert damaged.exit_code == 2, damaged.stderr
    assert "cannot be read" in damaged.stderr
    assert "Traceback" not in damaged.stderr
    assert deleted.exit_code == 0


def test_a_deleted_audience_whose_name_was_taken_again_is_not_overwritten(sandbox_cli, store):
    seed_audience(store, "Leads", 3)
    deleted = sandbox_cli("delete", "Leads", "--yes")
    snap = snapshot_id(deleted.stderr)
    other = seed_audience(store, "Leads", 1)
    result = sandbox_cli("restore", snap, "--yes")
    assert result.exit_code == 2
    assert f"another audience ({other}) is named 'Leads' now" in result.stderr
    assert "--to" in result.stderr
    assert len(data_of(store, other)) == 1


@pytest.mark.parametrize("keep", ["0", "many", "-3"])
def test_a_bad_snapshots_keep_is_a_usage_error_before_anything_changes(sandbox_cli, store, keep):
    audience_id = seed_audience(store, "Leads", 3)
    result = sandbox_cli(
        "remove", "Leads", "--phone", "+14155550000", "--yes",
        env={"AUDIENCE_SNAPSHOTS_KEEP": keep},
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"AUDIENCE_SNAPSHOTS_KEEP={keep!r}: give a number of snapshots" in result.stderr
    assert len(data_of(store, audience_id)) == 3
