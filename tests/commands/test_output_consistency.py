"""One rule for what the commands print: table headers are a field's words in capitals
(`FIRST NAME` in members, diff, dnc check alike), counts a run knows are numbers (never
an empty cell), and an empty table says so in words."""

from __future__ import annotations

import re

from tests.conftest import make_audience, seed_audience


def headers(table: str) -> list[str]:
    """A rich table's header line, split on its runs of two or more spaces."""
    return re.split(r"\s{2,}", table.splitlines()[0].strip())


def test_table_headers_follow_one_rule_across_commands(sandbox_cli, store, tmp_path):
    seed_audience(store, "A", 2)
    source = tmp_path / "b.csv"
    source.write_text("phoneNumber,firstName,lastName\n+14155550000,First0,Changed\n")
    diff = sandbox_cli("diff", "A", "--csv", str(source), "-F", "table")
    assert headers(diff.stdout) == [
        "ACTION", "PHONE", "FIRST NAME", "LAST NAME", "MEMBER ID", "FIELDS",
    ]  # fmt: skip
    members = sandbox_cli("members", "A", "-F", "table")
    assert headers(members.stdout)[:4] == ["ID", "PHONE", "FIRST NAME", "LAST NAME"]
    removed = sandbox_cli("remove", "A", "--phone", "+14155550001", "--yes", "-F", "table")
    assert removed.exit_code == 0, removed.stderr
    assert "NOT FOUND" in headers(removed.stdout) and "DRY RUN" in headers(removed.stdout)
    snapshots = sandbox_cli("snapshots", "-F", "table")
    assert "AUDIENCE ID" in headers(snapshots.stdout)
    for table in (diff, members, removed, snapshots):
        assert "_" not in table.stdout.splitlines()[0], table.stdout


def test_add_reports_stale_and_updated_as_numbers(sandbox_cli, store):
    make_audience(sandbox_cli, "A", "+14155550100")
    added = sandbox_cli("add", "A", "--phone", "+14155550101", "--format", "tsv", "--header")
    assert added.exit_code == 0, added.stderr
    header, row = (line.split("\t") for line in added.stdout.splitlines())
    assert dict(zip(header, row, strict=True))["updated"] == "0"
    assert dict(zip(header, row, strict=True))["stale"] == "0"


def test_an_empty_list_on_a_terminal_says_so_instead_of_a_lone_header(sandbox_cli):
    result = sandbox_cli("--quiet", "list", tty=True)
    assert result.exit_code == 0, result.stderr
    assert "ID" not in result.plain and "NAME" not in result.plain
    assert "No audiences yet. Create one with `audience create NAME" in result.plain_err
    piped = sandbox_cli("list")
    assert piped.stdout == "" and "No audiences yet" not in piped.stderr
