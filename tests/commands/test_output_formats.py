"""Every command that prints data honours all five formats, write commands included:
a write result is one record per row in table/TSV/CSV, its documented document in JSON,
and one object per line in JSON lines. Without --format, create prints the new id alone
and the other write commands leave stdout empty."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.conftest import make_audience, seed_audience

FORMATS = ("table", "tsv", "csv", "json", "jsonl")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def leads(tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone,name\n+14155550100,Ada Lovelace\n+14155550101,Alan Turing\nnope,x\n")
    return source


def test_create_in_every_format(sandbox_cli, store, leads):
    results = {
        fmt: sandbox_cli("create", f"Leads {fmt}", "--csv", str(leads), "--format", fmt)
        for fmt in FORMATS
    }
    ids = {a["name"]: a["_id"] for a in store.list_audiences()}
    assert all(r.exit_code == 3 for r in results.values())  # one row rejected
    (row,) = csv_rows(results["csv"].stdout)
    assert row == {
        "id": ids["Leads csv"],
        "name": "Leads csv",
        "members": "2",
        "rows": "3",
        "valid": "2",
        "invalid": "1",
        "duplicates": "0",
        "added": "2",
        "skipped": "0",
    }
    assert results["tsv"].stdout == f"{ids['Leads tsv']}\tLeads tsv\t2\t3\t2\t1\t0\t2\t0\n"
    table = results["table"].stdout
    assert "ADDED" in table and ids["Leads table"] in table
    document = json.loads(results["json"].stdout)
    assert document["audience"]["_id"] == ids["Leads json"]
    assert document["report"]["invalid"] == 1
    (line,) = results["jsonl"].stdout.splitlines()
    assert json.loads(line)["audience"]["_id"] == ids["Leads jsonl"]


def test_create_without_a_format_prints_the_id_alone(sandbox_cli, store, leads):
    result = sandbox_cli("create", "Leads", "--csv", str(leads))
    (audience,) = store.list_audiences()
    assert result.stdout == f"{audience['_id']}\n"
    on_a_terminal = sandbox_cli("create", "Leads 2", "--phone", "+14155550199", tty=True)
    assert re.fullmatch(r"[0-9a-f]{24}\n", on_a_terminal.plain)


def test_create_dry_run_in_csv_lists_the_planned_audiences(sandbox_cli, store, tmp_path):
    source = tmp_path / "many.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(25)))
    result = sandbox_cli(
        "create", "Big", "--csv", str(source), "--member-limit", "10", "--split",
        "--dry-run", "-F", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert [(r["id"], r["name"], r["members"], r["added"]) for r in rows] == [
        ("", "Big (1/3)", "9", ""),
        ("", "Big (2/3)", "8", ""),
        ("", "Big (3/3)", "8", ""),
    ]
    assert store.list_audiences() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_add_in_every_format(sandbox_cli, store, fmt):
    audience_id = seed_audience(store, "Leads", 1)
    result = sandbox_cli(
        "add", "Leads", "--phone", "+14155550000", "--phone", "+14155552671", "--format", fmt
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if fmt == "csv":
        (row,) = csv_rows(out)
        assert (row["id"], row["added"], row["skipped"], row["rows"]) == (
            audience_id,
            "1",
            "1",
            "2",
        )
    elif fmt == "tsv":
        assert (
            out == f"{audience_id}\tLeads\t2\t2\t0\t0\t1\t1\t0\t0\n"
        )  # 0 stale: no --name, names not compared; 0 updated: no --update
    elif fmt == "table":
        assert "SKIPPED" in out and audience_id in out
    else:
        document = json.loads(out.splitlines()[0] if fmt == "jsonl" else out)
        assert document["audience"]["_id"] == audience_id
        assert (document["report"]["added"], document["report"]["skipped"]) == (1, 1)
    assert store.count_members(audience_id) == 2


def test_add_without_a_format_prints_nothing(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    assert sandbox_cli("add", "Leads", "--phone", "+14155552671").stdout == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_validate_in_every_format(cli, leads, fmt):
    result = cli("validate", str(leads), "-F", fmt)
    assert result.exit_code == 3
    if fmt == "csv":
        assert csv_rows(result.stdout) == [
            {"source": str(leads), "rows": "3", "valid": "2", "invalid": "1", "duplicates": "0"}
        ]
    elif fmt == "tsv":
        assert result.stdout == f"{leads}\t3\t2\t1\t0\n"
    elif fmt == "table":
        assert "INVALID" in result.stdout
    else:
        text = result.stdout.splitlines()[0] if fmt == "jsonl" else result.stdout
        assert json.loads(text)["report"]["valid"] == 2


def test_validate_output_to_stdout_and_a_format_conflict(cli, leads):
    result = cli("validate", str(leads), "-o", "-", "-F", "csv")
    assert result.exit_code == 2
    assert "--output - would mix with this command's output" in result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_remove_in_every_format(sandbox_cli, store, fmt):
    audience_id = seed_audience(store, "Leads", 3)
    result = sandbox_cli(
        "remove", "Leads", "--phone", "+14155550001", "--phone", "+14155559999",
        "--yes", "-F", fmt,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    if fmt == "csv":
        (row,) = csv_rows(result.stdout)
        assert (row["id"], row["members"], row["not_found"], row["removed"]) == (
            audience_id, "1", "1", "1",
        )  # fmt: skip
    elif fmt == "tsv":
        assert result.stdout == f"{audience_id}\tLeads\t1\t1\t1\tfalse\n"
    elif fmt == "table":
        assert "REMOVED" in result.stdout
    else:
        text = result.stdout.splitlines()[0] if fmt == "jsonl" else result.stdout
        assert json.loads(text)["deletedCount"] == 1
    assert store.count_members(audience_id) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_delete_in_every_format(sandbox_cli, store, fmt):
    audience_id = make_audience(sandbox_cli, "Leads", "+14155552671")
    result = sandbox_cli("delete", "Leads", "--yes", "-F", fmt)
    assert result.exit_code == 0, result.stderr
    if fmt == "csv":
        assert csv_rows(result.stdout) == [
            {"id": audience_id, "name": "Leads", "members": "1", "deleted": "true",
             "dry_run": "false"}
        ]  # fmt: skip
    elif fmt == "tsv":
        assert result.stdout == f"{audience_id}\tLeads\t1\ttrue\tfalse\n"
    elif fmt == "table":
        assert "DELETED" in result.stdout
    else:
        text = result.stdout.splitlines()[0] if fmt == "jsonl" else result.stdout
        assert json.loads(text)["deleted"] is True
    assert store.list_audiences() == []


def test_rows_that_stop_an_import_still_give_the_report_in_the_format_asked(
    sandbox_cli, store, leads
):
    result = sandbox_cli("create", "Leads", "--csv", str(leads), "--strict", "-F", "csv")
    assert result.exit_code == 3
    (row,) = csv_rows(result.stdout)
    assert (row["invalid"], row["added"]) == ("1", "0")
    assert store.list_audiences() == []


REGION_COMMANDS = [
    ("validate", "{csv}", "--region", "{region}"),
    ("--sandbox", "create", "UK leads", "--csv", "{csv}", "--region", "{region}"),
    ("--sandbox", "add", "Leads", "--csv", "{csv}", "--region", "{region}"),
    ("--sandbox", "add", "Leads", "--phone", "020 7946 0958", "--region", "{region}"),
    ("--sandbox", "remove", "Leads", "--phone", "020 7946 0000", "--region", "{region}", "--yes"),
]


@pytest.mark.parametrize(
    "args", REGION_COMMANDS, ids=["validate", "create", "add --csv", "add --phone", "remove"]
)
@pytest.mark.parametrize("region", ["uk", "UK", "gb", "Gb"])
def test_region_uk_works_wherever_region_does(cli, store, tmp_path, args, region):
    seed_audience(store, "Leads", 0)
    store.add_members(
        store.list_audiences()[0]["_id"], "phoneNumber", [{"phoneNumber": "+442079460000"}]
    )
    source = tmp_path / "uk.csv"
    source.write_text("phone\n020 7946 0958\n")
    result = cli(*(a.format(csv=source, region=region) for a in args))
    assert result.exit_code == 0, result.stderr
    phones = {m["data"]["phoneNumber"] for a in store.list_audiences()
              for m in store.all_members(a["_id"])}  # fmt: skip
    if args[0] == "validate":
        assert "1 valid" in result.stderr
    elif "remove" in args:
        assert "+442079460000" not in phones
    else:
        assert "+442079460958" in phones


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "{csv}", "--region", "XX"),
        ("--sandbox", "add", "Leads", "--csv", "{csv}", "--region", "XX"),
        ("--sandbox", "remove", "Leads", "--phone", "020 7946 0000", "--region", "XX", "--yes"),
    ],
)
def test_an_unknown_region_is_the_same_error_everywhere(cli, store, tmp_path, args):
    seed_audience(store, "Leads", 1)
    source = tmp_path / "uk.csv"
    source.write_text("phone\n020 7946 0958\n")
    result = cli(*(a.format(csv=source) for a in args))
    assert result.exit_code == 2
    assert "unknown region 'XX': use an ISO 3166 alpha-2 code such as US, GB, DE" in result.stderr
    assert store.count_members(store.list_audiences()[0]["_id"]) == 1


def test_fields_shape_list_in_every_format(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    tsv = sandbox_cli("list", "--fields", "name,memberCount", "--header")
    assert tsv.stdout == "name\tmemberCount\nLeads\t2\n"
    csv_out = sandbox_cli("list", "--fields", "_id,description", "--format", "csv")
    assert csv_rows(csv_out.stdout) == [{"_id": audience_id, "description": ""}]
    assert json.loads(sandbox_cli("list", "--fields", "name", "--json").stdout) == [
        {"name": "Leads"}
    ]
    (line,) = sandbox_cli("list", "--fields", "memberCount,name", "-F", "jsonl").stdout.splitlines()
    assert json.loads(line) == {"memberCount": 2, "name": "Leads"}
    table = sandbox_cli("list", "--fields", "name", "-F", "table").stdout
    assert "NAME" in table and "MEMBERS" not in table
    assert sandbox_cli("list", "--header").stdout.startswith("_id\tname\tmemberCount\t")


def test_fields_help_and_unknown_fields(sandbox_cli, store):
    seed_audience(store, "Leads", 1, city="Paris")
    listed = sandbox_cli("list", "--fields", "help")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[:3] == ["_id", "name", "memberCount"]
    members = sandbox_cli("members", "Leads", "--fields", "help")
    assert members.stdout.splitlines() == ["_id", "phoneNumber", "firstName", "lastName", "city"]
    wrong = sandbox_cli("list", "--fields", "nope")
    assert wrong.exit_code == 2
    assert "--fields: no field 'nope'; the fields are: _id, name" in wrong.stderr


def test_fields_shape_members_columns_and_json(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2, city="Paris")
    rows = csv_rows(
        sandbox_cli("members", "Leads", "--fields", "phoneNumber,city", "-F", "csv").stdout
    )
    assert rows == [
        {"phoneNumber": "+14155550000", "city": "Paris"},
        {"phoneNumber": "+14155550001", "city": "Paris"},
    ]
    data = json.loads(
        sandbox_cli("members", "Leads", "--all", "--fields", "_id,city", "--json").stdout
    )
    ids = [m["_id"] for m in store.all_members(audience_id)]
    assert data == [
        {"_id": ids[0], "data": {"city": "Paris"}},
        {"_id": ids[1], "data": {"city": "Paris"}},
    ]


def test_fields_shape_what_the_write_commands_report(sandbox_cli, cli, store, leads):
    seed_audience(store, "Target", 1)
    added = sandbox_cli(
        "add", "Target", "--csv", str(leads), "--fields", "added,skipped,invalid", "--header"
    )
    assert added.exit_code == 3
    assert added.stdout == "added\tskipped\tinvalid\n2\t0\t1\n"
    checked = cli("validate", str(leads), "--fields", "valid,invalid", "--json")
    assert json.loads(checked.stdout) == {"valid": 2, "invalid": 1}
    made = sandbox_cli(
        "create", "New", "--csv", str(leads), "--fields", "name,members", "-F", "csv"
    )
    assert csv_rows(made.stdout) == [{"name": "New", "members": "2"}]
    wrong = cli("validate", str(leads), "--fields", "nope", "--json")
    assert wrong.exit_code == 2
    assert "--fields: no field 'nope'; the fields are: source, rows, valid" in wrong.stderr
