"""Every option of a command is checked before its first request: a mistake in how the
output should look never comes after the audience was created, changed or deleted."""

from __future__ import annotations

import pytest

from tests.conftest import RecordingTransport, seed_audience

CREATE = ["id", "name", "members", "rows", "valid", "invalid", "duplicates", "added", "skipped"]
ADD = ["id", "name", "rows", "valid", "invalid", "duplicates", "added", "skipped", "stale"]
ADD += ["updated"]
SYNC = ["id", "name", "rows", "valid", "invalid", "duplicates", "added", "removed", "updated"]
SYNC += ["unchanged", "to_add", "to_remove", "to_update"]  # a dry run's plan
REMOVE = ["id", "name", "members", "not_found", "removed", "dry_run"]
DELETE = ["id", "name", "members", "deleted", "dry_run"]
RESTORE = ["snapshot", "id", "name", "created", "added", "removed", "updated", "unchanged"]
RESTORE += ["to_create", "to_add", "to_remove", "to_update"]
VALIDATE = ["source", "rows", "valid", "invalid", "duplicates"]
DIFF = ["action", "phone", "first_name", "last_name", "member_id", "fields"]
SNAPSHOTS = ["id", "name", "audienceId", "members", "takenAt", "reason", "path"]
AUDIENCES = [
    "_id",
    "name",
    "memberCount",
    "campaigns",
    "createdAt",
    "description",
    "phoneNumberColumnName",
    "updatedAt",
]

# Each command as a user would run it, and the fields its result has.
COMMANDS = {
    "create": (["create", "New", "--phone", "+14155550199"], CREATE),
    "create --csv": (["create", "New", "--csv", "{csv}"], CREATE),
    "add": (["add", "Leads", "--phone", "+14155550199"], ADD),
    "add --update": (["add", "Leads", "--csv", "{csv}", "--update"], ADD),
    "sync": (["sync", "Leads", "--csv", "{csv}", "--yes"], SYNC),
    "sync --create": (["sync", "Brand New", "--csv", "{csv}", "--create"], SYNC),
    "remove": (["remove", "Leads", "--phone", "+14155550000", "--yes"], REMOVE),
    "remove --dnc": (["remove", "Leads", "--dnc", "--yes"], REMOVE),
    "delete": (["delete", "Leads", "--yes"], DELETE),
    "restore": (["restore", "20261207T020001123456Z", "--yes"], RESTORE),
    "validate": (["validate", "{csv}"], VALIDATE),
    "diff": (["diff", "Leads", "--csv", "{csv}"], DIFF),
    "snapshots": (["snapshots"], SNAPSHOTS),
    "list": (["list"], AUDIENCES),
}


@pytest.fixture
def arranged(store, tmp_path):
    """An audience 'Leads' of 3 members, and a file of one of them with new data."""
    seed_audience(store, "Leads", 3)
    csv = tmp_path / "contacts.csv"
    csv.write_text("phoneNumber,firstName,stage\n+14155550000,Ada,won\n")
    return store, str(csv)


def run_of(name: str, csv: str) -> tuple[list[str], list[str]]:
    args, fields = COMMANDS[name]
    return [a.replace("{csv}", csv) for a in args], fields


def members_of(store) -> dict[str, list[str]]:
    return {
        a["name"]: sorted(m["data"]["phoneNumber"] for m in store.all_members(a["_id"]))
        for a in store.list_audiences()
    }


@pytest.mark.parametrize("name", list(COMMANDS))
def test_fields_help_lists_the_fields_and_sends_nothing(sandbox_cli, arranged, name):
    store, csv = arranged
    before = members_of(store)
    recorder = RecordingTransport(store)
    args, fields = run_of(name, csv)
    result = sandbox_cli(*args, "--fields", "help", transport=recorder)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == fields
    assert recorder.calls == []
    assert members_of(store) == before


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_unknown_field_is_refused_before_any_request(sandbox_cli, arranged, name):
    store, csv = arranged
    before = members_of(store)
    recorder = RecordingTransport(store)
    args, fields = run_of(name, csv)
    result = sandbox_cli(*args, "--fields", f"{fields[1]},bogus", "--json", transport=recorder)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --fields: no field 'bogus'; the fields are: {', '.join(fields)}"
    ]
    assert result.stdout == ""
    assert recorder.calls == []
    assert members_of(store) == before


def test_delete_with_fields_help_keeps_the_audience(sandbox_cli, store):
    """The report of issue #18: the audience was deleted, then the run exited 2."""
    seed_audience(store, "R", 2)
    result = sandbox_cli("delete", "R", "--yes", "--fields", "help")
    assert result.exit_code == 0
    assert [a["name"] for a in store.list_audiences()] == ["R"]


def test_the_fields_named_are_still_what_the_command_reports(sandbox_cli, arranged):
    _, csv = arranged
    result = sandbox_cli("create", "New", "--csv", csv, "--fields", "name,added", "--header")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["name\tadded", "New\t1"]
    removed = sandbox_cli(
        "remove", "Leads", "--phone", "+14155550001", "--yes", "--fields", "removed"
    )
    assert removed.exit_code == 0, removed.stderr
    assert removed.stdout.splitlines() == ["1"]


@pytest.mark.parametrize(
    ("args", "fields", "shown"),
    [
        (["add", "Leads"], "stale,invalid", "0\t1"),
        (["sync", "Leads", "--yes"], "removed,invalid", "0\t1"),
        (["create", "New"], "members,invalid", "0\t1"),
    ],
)
def test_a_refused_import_reports_every_field_the_command_takes(
    sandbox_cli, store, tmp_path, args, fields, shown
):
    seed_audience(store, "Leads", 3)
    bad = tmp_path / "bad.csv"
    bad.write_text("phone\nabc\n+14155550177\n")
    result = sandbox_cli(*args, "--csv", str(bad), "--strict", "--fields", fields)
    assert result.exit_code == 3, result.stderr
    assert result.stdout.splitlines() == [shown]
    assert "strict mode is on: nothing was sent" in result.stderr
