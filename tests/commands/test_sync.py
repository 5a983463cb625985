"""sync, diff, add --update and remove --csv: an audience that stays true to its source."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands.test_partial_failures import FailOnWrite
from tests.conftest import RecordingTransport, seed_audience

HEADER = "phone,first_name,last_name,stage\n"
ADA = "+14155550100,Ada,Lovelace,{stage}\n"
ALAN = "+14155550101,Alan,Turing,lead\n"
GRACE = "+14155550102,Grace,Hopper,won\n"
EDSGER = "+14155550103,Edsger,Dijkstra,lead\n"


def write(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows))
    return path


def members(store, name: str) -> dict[str, dict[str, str]]:
    (audience,) = [a for a in store.list_audiences() if a["name"] == name]
    return {m["data"]["phoneNumber"]: m["data"] for m in store.all_members(audience["_id"])}


@pytest.fixture
def night1(tmp_path):
    return write(tmp_path, "night1.csv", ADA.format(stage="lead"), ALAN, GRACE)


@pytest.fixture
def night2(tmp_path):
    # Ada's stage changed, Alan was dropped by the CRM, Edsger is new.
    return write(tmp_path, "night2.csv", ADA.format(stage="won"), GRACE, EDSGER)


def test_create_on_the_first_night_then_nothing_on_the_second(sandbox_cli, store, night1):
    first = sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create")
    assert first.exit_code == 0, first.stderr
    assert "Created audience 'Nightly'" in first.stderr
    assert sorted(members(store, "Nightly")) == ["+14155550100", "+14155550101", "+14155550102"]
    ids_before = {m["_id"] for a in store.list_audiences() for m in store.all_members(a["_id"])}
    second = sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create", "--json")
    assert second.exit_code == 0, second.stderr
    assert "already matches" in second.stderr
    assert json.loads(second.stdout)["sync"] == {
        "added": 0, "removed": 0, "updated": 0, "unchanged": 3,
    }  # fmt: skip
    ids_after = {m["_id"] for a in store.list_audiences() for m in store.all_members(a["_id"])}
    assert ids_after == ids_before  # nothing replaced
    assert len(store.list_audiences()) == 1


def test_without_create_a_missing_audience_is_not_found(sandbox_cli, night1):
    result = sandbox_cli("sync", "Nightly", "--csv", str(night1))
    assert result.exit_code == 5
    assert result.stderr.splitlines()[-2:] == [
        "error: no audience with id or name 'Nightly'",
        "Add --create to create it from the file (the first run of a nightly sync), "
        "or see `audience list` for ids and names.",
    ]
    # Following the hint works.
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0


def test_a_missing_audience_with_a_close_name_gets_both_hints(sandbox_cli, store, night1):
    seed_audience(store, "Nightly Leads", 1)
    result = sandbox_cli("sync", "Nightly Lead", "--csv", str(night1))
    assert result.exit_code == 5
    assert result.stderr.splitlines()[-1] == (
        "Did you mean 'Nightly Leads'? Or add --create to create 'Nightly Lead' from the file."
    )


def test_a_missing_id_gets_no_create_hint(sandbox_cli, night1):
    result = sandbox_cli("sync", "0123456789abcdef01234567", "--csv", str(night1))
    assert result.exit_code == 5
    assert "--create" not in result.stderr  # --create makes audiences by name only


def test_a_sync_adds_removes_and_updates(sandbox_cli, store, night1, night2):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    ada_id = next(
        m["_id"] for a in store.list_audiences() for m in store.all_members(a["_id"])
        if m["data"]["phoneNumber"] == "+14155550100"
    )  # fmt: skip
    result = sandbox_cli("sync", "Nightly", "--csv", str(night2), "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["sync"] == {
        "added": 1, "removed": 1, "updated": 1, "unchanged": 1,
    }  # fmt: skip
    assert "Synced 'Nightly'" in result.stderr
    now = members(store, "Nightly")
    assert sorted(now) == ["+14155550100", "+14155550102", "+14155550103"]
    assert now["+14155550100"]["stage"] == "won"
    new_ada = next(
        m["_id"] for a in store.list_audiences() for m in store.all_members(a["_id"])
        if m["data"]["phoneNumber"] == "+14155550100"
    )  # fmt: skip
    assert new_ada != ada_id  # an update is a removal and an add: a new id
    again = sandbox_cli("sync", "Nightly", "--csv", str(night2), "--yes")
    assert again.exit_code == 0 and "already matches" in again.stderr


def test_removing_or_replacing_needs_yes_off_a_terminal(sandbox_cli, store, night1, night2):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    before = members(store, "Nightly")
    result = sandbox_cli("sync", "Nightly", "--csv", str(night2))
    assert result.exit_code == 2
    assert "--yes is required to add 1 member, remove 1 member, replace 1 member" in result.stderr
    assert members(store, "Nightly") == before  # nothing changed, not even the add


def test_a_sync_that_only_adds_needs_no_confirmation(sandbox_cli, store, tmp_path, night1):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    more = write(tmp_path, "more.csv", ADA.format(stage="lead"), ALAN, GRACE, EDSGER)
    result = sandbox_cli("sync", "Nightly", "--csv", str(more))
    assert result.exit_code == 0, result.stderr
    assert len(members(store, "Nightly")) == 4


def test_dry_run_lists_each_group_and_changes_nothing(sandbox_cli, store, night1, night2):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    before = members(store, "Nightly")
    result = sandbox_cli("sync", "Nightly", "--csv", str(night2), "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    sync = json.loads(result.stdout)["sync"]
    # A plan, not work done: a script reading "added" would think it happened.
    assert {k: v for k, v in sync.items() if k != "plan"} == {
        "toAdd": 1, "toRemove": 1, "toUpdate": 1, "unchanged": 1, "dryRun": True,
    }  # fmt: skip
    plan = sync["plan"]
    assert [m["phoneNumber"] for m in plan["add"]] == ["+14155550103"]
    assert [m["data"]["phoneNumber"] for m in plan["remove"]] == ["+14155550101"]
    assert plan["update"][0]["fields"] == {"stage": {"from": "lead", "to": "won"}}
    assert "Dry run: would add 1, remove 1, update 1, leave 1 unchanged" in result.stderr
    assert members(store, "Nightly") == before
    rows = sandbox_cli(
        "sync", "Nightly", "--csv", str(night2), "--dry-run", "--format", "tsv", "--header"
    )
    header, row = (line.split("\t") for line in rows.stdout.splitlines())
    assert header[-4:] == ["to_add", "to_remove", "to_update", "unchanged"]
    assert row[-4:] == ["1", "1", "1", "1"]
    table = sandbox_cli("sync", "Nightly", "--csv", str(night2), "--dry-run", "-F", "table")
    assert "TO ADD" in table.stdout and "ADDED" not in table.stdout
    done = sandbox_cli("sync", "Nightly", "--csv", str(night2), "--yes", "--json")
    assert json.loads(done.stdout)["sync"] == {
        "added": 1, "removed": 1, "updated": 1, "unchanged": 1,
    }  # fmt: skip


def test_max_remove_guards_against_a_truncated_export(sandbox_cli, store, tmp_path, night1):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    truncated = write(tmp_path, "cut.csv", ADA.format(stage="lead"))
    refused = sandbox_cli(
        "sync", "Nightly", "--csv", str(truncated), "--yes", "--max-remove", "50%"
    )
    assert refused.exit_code == 2
    assert (
        "this sync would take out 2 of the audience's 3 members, more than the "
        "--max-remove 50% allowed (1): nothing was changed"
    ) in refused.stderr
    assert "--max-remove 100%" in refused.stderr  # the hint
    assert len(members(store, "Nightly")) == 3
    by_number = sandbox_cli(
        "sync", "Nightly", "--csv", str(truncated), "--yes", "--max-remove", "1"
    )
    assert by_number.exit_code == 2
    allowed = sandbox_cli("sync", "Nightly", "--csv", str(truncated), "--yes", "--max-remove", "2")
    assert allowed.exit_code == 0, allowed.stderr
    assert list(members(store, "Nightly")) == ["+14155550100"]


@pytest.mark.parametrize("bad", ["lots", "101%", "-1", "5.5"])
def test_a_malformed_max_remove_is_refused_before_anything(sandbox_cli, night1, bad):
    result = sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create", "--max-remove", bad)
    assert result.exit_code == 2
    assert "--max-remove" in result.stderr


def test_an_interrupted_sync_run_again_finishes_the_job(sandbox_cli, store, night1, night2):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    # Write 1 is the add; write 2, the update's removal, is interrupted.
    transport = FailOnWrite(store, 2, KeyboardInterrupt())
    stopped = sandbox_cli("sync", "Nightly", "--csv", str(night2), "--yes", transport=transport)
    assert stopped.exit_code == 130
    assert "the sync stopped half way (interrupted) after 1 added" in stopped.stderr
    halfway = members(store, "Nightly")
    assert len(halfway) >= 3  # never fewer than either side
    again = sandbox_cli("sync", "Nightly", "--csv", str(night2), "--yes")
    assert again.exit_code == 0, again.stderr
    final = members(store, "Nightly")
    assert sorted(final) == ["+14155550100", "+14155550102", "+14155550103"]
    assert final["+14155550100"]["stage"] == "won"


def test_diff_against_a_file_in_every_format(sandbox_cli, store, night1, night2):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    before = members(store, "Nightly")
    tsv = sandbox_cli("diff", "Nightly", "--csv", str(night2))
    assert tsv.exit_code == 1  # they differ
    lines = tsv.stdout.splitlines()
    assert lines[0].startswith("add\t+14155550103\tEdsger\tDijkstra\t")
    assert lines[1].startswith("remove\t+14155550101\tAlan\tTuring\t")
    assert lines[2].startswith("update\t+14155550100\tAda\tLovelace\t")
    assert lines[2].endswith("\tstage: lead → won")
    assert "1 to add, 1 to remove, 1 to update, 1 unchanged" in tsv.stderr
    rows = list(csv.DictReader(io.StringIO(sandbox_cli("diff", "Nightly", "--csv", str(night2),
                                                       "-F", "csv").stdout)))  # fmt: skip
    assert [r["action"] for r in rows] == ["add", "remove", "update"]
    groups = json.loads(sandbox_cli("diff", "Nightly", "--csv", str(night2), "--json").stdout)
    assert (len(groups["add"]), len(groups["remove"]), groups["unchanged"]) == (1, 1, 1)
    jsonl = sandbox_cli("diff", "Nightly", "--csv", str(night2), "-F", "jsonl").stdout
    assert [json.loads(x)["action"] for x in jsonl.splitlines()] == ["add", "remove", "update"]
    table = sandbox_cli("diff", "Nightly", "--csv", str(night2), "-F", "table").stdout
    assert "ACTION" in table and "stage: lead → won" in table
    assert members(store, "Nightly") == before  # read-only
    same = sandbox_cli("diff", "Nightly", "--csv", str(night1))
    assert (same.exit_code, same.stdout) == (0, "")


def test_diff_between_two_audiences(sandbox_cli, store, night1, night2):
    assert sandbox_cli("sync", "A", "--csv", str(night1), "--create").exit_code == 0
    assert sandbox_cli("sync", "B", "--csv", str(night2), "--create").exit_code == 0
    result = sandbox_cli("diff", "A", "B", "--json")
    assert result.exit_code == 1
    groups = json.loads(result.stdout)
    assert [m["phoneNumber"] for m in groups["add"]] == ["+14155550103"]
    assert [u["fields"] for u in groups["update"]] == [{"stage": {"from": "lead", "to": "won"}}]
    assert sandbox_cli("diff", "A", "A").exit_code == 0
    both = sandbox_cli("diff", "A", "B", "--csv", str(night1))
    assert both.exit_code == 2


def test_add_counts_stale_members_and_update_replaces_them(sandbox_cli, store, night1, night2):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    stale = sandbox_cli("add", "Nightly", "--csv", str(night2), "--json")
    assert stale.exit_code == 0, stale.stderr
    report = json.loads(stale.stdout)["report"]
    assert (report["added"], report["skipped"], report["stale"]) == (1, 2, 1)
    assert "1 member already there has different data; --update replaces it" in stale.stderr
    assert members(store, "Nightly")["+14155550100"]["stage"] == "lead"  # kept, not silently
    updated = sandbox_cli("add", "Nightly", "--csv", str(night2), "--update", "--json")
    assert updated.exit_code == 0, updated.stderr
    report = json.loads(updated.stdout)["report"]
    assert (report["added"], report["updated"]) == (0, 1)
    assert members(store, "Nightly")["+14155550100"]["stage"] == "won"
    assert "+14155550101" in members(store, "Nightly")  # add never removes
    quiet = sandbox_cli("add", "Nightly", "--csv", str(night2), "--json")
    assert json.loads(quiet.stdout)["report"]["stale"] == 0


def test_remove_every_number_of_a_file_twice_with_missing_ok(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 30)
    opt_outs = tmp_path / "opt-outs.csv"
    opt_outs.write_text(
        "Mobile Number\n" + "".join(f"(415) 555-{i:04d}\n" for i in (1, 3, 5, 7)) + "x\n"
        + "".join(f"+1415555{i:04d}\n" for i in range(100, 130))  # not in the audience
    )  # fmt: skip
    first = sandbox_cli(
        "remove", "Leads", "--csv", str(opt_outs), "--region", "US", "--missing-ok", "--yes"
    )
    assert first.exit_code == 3, first.stderr  # one row was not a number
    assert "Removed 4 members from 'Leads'." in first.stderr
    assert "… and 20 more numbers not in 'Leads'" in first.stderr
    assert "warning" not in first.stderr  # notes, with --missing-ok
    assert store.count_members(audience_id) == 26
    again = sandbox_cli(
        "remove", "Leads", "--csv", str(opt_outs), "--region", "US", "--missing-ok", "--yes"
    )
    assert again.exit_code == 3  # the bad row again; nothing to remove is not an error
    assert "Nothing to remove from 'Leads'" in again.stderr
    assert store.count_members(audience_id) == 26
    strict = sandbox_cli("remove", "Leads", "--csv", str(opt_outs), "--region", "US", "--yes")
    assert strict.exit_code == 5  # without --missing-ok, none found is an error


def test_remove_of_a_csv_reads_the_audience_once_instead_of_searching(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 50)
    numbers = tmp_path / "n.csv"
    numbers.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(40)))
    recorder = RecordingTransport(store)
    result = sandbox_cli("remove", "Leads", "--csv", str(numbers), "--yes", transport=recorder)
    assert result.exit_code == 0, result.stderr
    assert not any(path.endswith("/search") for _, path in recorder.calls)
    assert store.count_members(store.list_audiences()[0]["_id"]) == 10


@pytest.mark.slow
def test_the_nightly_example_runs_twice_against_the_sandbox(tmp_path, store):
    example = Path(__file__).resolve().parents[2] / "examples" / "nightly-import.sh"
    shutil.copy(example, tmp_path / "nightly-import.sh")
    others = [f"+1212555{i:04d},Name{i},Other,lead\n" for i in range(20)]
    (tmp_path / "export.csv").write_text(HEADER + ADA.format(stage="lead") + ALAN + "".join(others))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "audience"
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m audience_cli "$@"\n')
    tool.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "AUDIENCE_SANDBOX": "1",
        "MAIL": "true",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    script = str(tmp_path / "nightly-import.sh")
    for night in (1, 2):
        done = subprocess.run(["sh", script], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (night, done.stderr)
        assert len(store.list_audiences()) == 1
        assert len(members(store, "Nightly Leads")) == 22
    # Night 3: Ada changed, Alan left, Edsger joined.
    (tmp_path / "export.csv").write_text(
        HEADER + ADA.format(stage="won") + EDSGER + "".join(others)
    )
    third = subprocess.run(["sh", script], env=env, capture_output=True, text=True, timeout=60)
    assert third.returncode == 0, third.stderr
    final = members(store, "Nightly Leads")
    assert len(final) == 22 and "+14155550101" not in final
    assert final["+14155550100"]["stage"] == "won" and "+14155550103" in final


def test_diff_screens_the_file_as_sync_does(sandbox_cli, store, night1):
    assert sandbox_cli("sync", "Nightly", "--csv", str(night1), "--create").exit_code == 0
    assert sandbox_cli("sandbox", "dnc", "add", "+14155550101").exit_code == 0
    # Alan is on the do-not-call list: not in the file as sync sees it, so he would go.
    result = sandbox_cli("diff", "Nightly", "--csv", str(night1), "-F", "jsonl")
    assert result.exit_code == 1
    changes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(c["action"], c["phone"]) for c in changes] == [("remove", "+14155550101")]
    unscreened = sandbox_cli("diff", "Nightly", "--csv", str(night1), "--no-dnc")
    assert (unscreened.exit_code, unscreened.stdout) == (0, "")


def test_sandbox_reset_empties_the_do_not_call_list_too(sandbox_cli, store):
    assert sandbox_cli("sandbox", "dnc", "add", "+14155550101").exit_code == 0
    assert sandbox_cli("sandbox", "reset", "--yes").exit_code == 0
    assert store.count_dnc() == 0


def test_remove_takes_out_the_numbers_a_file_marks_do_not_call(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 5)
    opt_outs = tmp_path / "opt-outs.csv"
    opt_outs.write_text("Phone,Do Not Call\n+14155550001,1\n+14155550002,true\n")
    result = sandbox_cli("remove", "Leads", "--csv", str(opt_outs), "--yes")
    assert result.exit_code == 0, result.stderr  # the marks are the point, not rejects
    assert "Removed 2 members from 'Leads'." in result.stderr
    assert store.count_members(audience_id) == 3


def test_an_excluded_row_says_why(sandbox_cli, store, tmp_path):
    exclude = tmp_path / "exclude.txt"
    exclude.write_text("+14155550001\n")
    result = sandbox_cli(
        "validate", str(write(tmp_path, "in.csv", ADA.format(stage="x"))), "--exclude",
        str(exclude),
    )  # fmt: skip
    assert result.exit_code == 0  # Ada is not excluded
    leads = tmp_path / "leads.csv"
    leads.write_text("phone\n+14155550001\n+14155550100\n")
    excluded = sandbox_cli("validate", str(leads), "--exclude", str(exclude))
    assert excluded.exit_code == 3
    assert f"line 2: '+14155550001' EXCLUDED: in {exclude} (--exclude)" in excluded.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["add", "Leads", "--member-limit", "300"],  # near the limit: read to count exactly
        ["sync", "Leads", "--yes"],
        ["diff", "Leads"],
    ],
)
def test_reading_the_audience_shows_a_bar_on_a_terminal(sandbox_cli, store, tmp_path, command):
    seed_audience(store, "Leads", 250)
    source = tmp_path / "same.csv"
    source.write_text(
        "firstName,lastName,phone\n"
        + "".join(f"First{i},Last{i},+1415555{i:04d}\n" for i in range(250))
    )
    result = sandbox_cli(*command, "--csv", str(source), tty=True)
    assert result.exit_code == 0, result.stderr
    assert "Reading 'Leads'" in result.plain_err and "250/250" in result.plain_err
    quiet = sandbox_cli("--quiet", *command, "--csv", str(source), tty=True)
    assert quiet.exit_code == 0 and "Reading" not in quiet.plain_err
