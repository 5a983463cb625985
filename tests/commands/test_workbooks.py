"""Every command that reads contacts takes an .xlsx workbook where it takes a CSV file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.workbooks import write_workbook

ROWS = [
    ["First Name", "Last Name", "Mobile"],
    ["Ada", "Lovelace", 4155550102],
    ["Grace", "Hopper", 4155550103],
    ["Linus", "Torvalds", 12345],
]


def workbook(tmp_path: Path, rows=ROWS, name: str = "leads.xlsx", **kwargs) -> str:
    return str(write_workbook(tmp_path / name, rows, **kwargs))


def phones(sandbox_cli, audience: str) -> list[str]:
    listed = sandbox_cli("members", audience, "--all", "--json")
    assert listed.exit_code == 0, listed.stderr
    return sorted(m["data"]["phoneNumber"] for m in json.loads(listed.stdout))


def test_create_and_add_read_a_workbook(sandbox_cli, tmp_path):
    path = workbook(tmp_path)
    created = sandbox_cli("create", "Leads", "--csv", path, "--region", "US")
    assert created.exit_code == 3, created.stderr  # one row rejected
    assert "leads.xlsx: 3 rows read · 2 valid · 1 rejected (TOO_SHORT 1)" in created.stderr
    assert "Sheet1!4: '12345' TOO_SHORT: too short" in created.stderr
    assert phones(sandbox_cli, "Leads") == ["+14155550102", "+14155550103"]
    more = workbook(tmp_path, [["Phone"], ["+1 415 555 0104"]], name="more.xlsx", title="New")
    added = sandbox_cli("add", "Leads", "--csv", more, "--json")
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["report"]["added"] == 1
    assert phones(sandbox_cli, "Leads") == ["+14155550102", "+14155550103", "+14155550104"]


def test_sync_and_diff_read_a_sheet_by_name(sandbox_cli, tmp_path):
    path = workbook(
        tmp_path,
        [["Phone"], ["+14155550199"]],
        title="Old",
        sheets={"Current": [["Phone", "Stage"], ["+14155550102", "won"], ["+14155550103", "lead"]]},
    )
    made = sandbox_cli("sync", "CRM", "--csv", path, "--sheet", "Current", "--create")
    assert made.exit_code == 0, made.stderr
    assert phones(sandbox_cli, "CRM") == ["+14155550102", "+14155550103"]
    same = sandbox_cli("diff", "CRM", "--csv", path, "--sheet", "current")
    assert same.exit_code == 0, same.stderr
    differs = sandbox_cli("diff", "CRM", "--csv", path)  # the first sheet: Old
    assert differs.exit_code == 1, differs.stderr
    assert "read sheet 'Old', the first; --sheet NAME reads another ('Current')" in differs.stderr
    unknown = sandbox_cli("sync", "CRM", "--csv", path, "--sheet", "Nope", "--yes")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith(
        f"error: {path}: no sheet 'Nope' (--sheet); the workbook has 'Old', 'Current'\n"
    )


def test_remove_reads_a_workbook(sandbox_cli, tmp_path):
    assert sandbox_cli("create", "Leads", "--phone", "+14155550102", "--phone", "+14155550103")
    path = workbook(tmp_path, [["Phone"], [14155550102]], name="optouts.xlsx")
    removed = sandbox_cli(
        "remove", "Leads", "--csv", path, "--region", "US", "--yes", "--no-snapshot"
    )
    assert removed.exit_code == 0, removed.stderr
    assert phones(sandbox_cli, "Leads") == ["+14155550103"]


def test_validate_writes_clean_and_rejected_rows_of_a_workbook(sandbox_cli, tmp_path):
    path = workbook(tmp_path)
    rejects = tmp_path / "rejects.csv"
    result = sandbox_cli(
        "validate", "--csv", path, "--region", "US", "-o", "-", "--rejects", str(rejects)
    )
    assert result.exit_code == 3, result.stderr
    assert result.stdout.splitlines() == [
        "firstName,lastName,phoneNumber",
        "Ada,Lovelace,+14155550102",
        "Grace,Hopper,+14155550103",
    ]
    assert rejects.read_text().splitlines() == [
        "line,reason,First Name,Last Name,Mobile",
        "Sheet1!4,TOO_SHORT,Linus,Torvalds,12345",
    ]


def test_dnc_check_reads_a_workbook(sandbox_cli, tmp_path):
    assert sandbox_cli("sandbox", "dnc", "add", "+14155550103").exit_code == 0
    path = workbook(tmp_path)
    result = sandbox_cli("dnc", "check", path, "--region", "US", "--json")
    assert result.exit_code == 1, result.stderr
    (match,) = json.loads(result.stdout)
    assert (match["phoneNumber"], match["line"]) == ("+14155550103", "Sheet1!3")
    on_audience = sandbox_cli("dnc", "check", "Nowhere", "--sheet", "Leads")
    assert on_audience.exit_code == 2
    assert "--sheet 'Leads' names a sheet of an .xlsx workbook" in on_audience.stderr


def test_a_damaged_workbook_is_one_line_and_exit_2(sandbox_cli, tmp_path):
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    result = sandbox_cli("create", "Leads", "--csv", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[-2].startswith(f"error: {path}: a damaged .xlsx workbook or ZIP archive (")
    assert lines[-1] == "open it in Excel and save it again as .xlsx, or export it as CSV (UTF-8)"
    assert "Traceback" not in result.stderr
