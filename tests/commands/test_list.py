import json

from tests.conftest import seed_audience


def test_list_on_a_terminal_is_a_table_with_relative_times(sandbox_cli, store):
    audience_id = seed_audience(store, "Q1 Sales Leads", 3)
    store.add_campaign(audience_id, name="January Outreach", status="running")
    result = sandbox_cli("list", tty=True)
    assert result.exit_code == 0, result.stderr
    header = result.lines[0].split()
    assert header == ["ID", "NAME", "MEMBERS", "CAMPAIGNS", "CREATED"]
    row = result.lines[1]
    assert audience_id in row and "Q1 Sales Leads" in row
    assert "1 (1 active)" in row
    assert "just now" in row


def test_list_piped_is_tsv_without_header_with_iso_times(sandbox_cli, store):
    audience_id = seed_audience(store, "Q1 Sales Leads", 3)
    result = sandbox_cli("list")
    assert result.exit_code == 0
    (line,) = result.lines
    cells = line.split("\t")
    assert cells[:4] == [audience_id, "Q1 Sales Leads", "3", "0"]
    assert cells[4].endswith("Z") and "T" in cells[4]


def test_list_json_is_the_api_objects(sandbox_cli, store):
    audience_id = seed_audience(store, "A", 2)
    data = json.loads(sandbox_cli("list", "--json").stdout)
    assert [a["_id"] for a in data] == [audience_id]
    assert data[0]["memberCount"] == 2
    assert data[0]["hasCampaigns"] is False
    assert data[0]["campaigns"] == []


def test_list_json_is_an_empty_array_when_there_are_none(sandbox_cli):
    result = sandbox_cli("list", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_sandbox_use_is_said_once_on_stderr(sandbox_cli):
    result = sandbox_cli("list")
    assert result.stderr.count("local sandbox") == 1
    assert result.stdout == ""


def test_conflicting_format_flags_are_a_usage_error(sandbox_cli):
    result = sandbox_cli("list", "--json", "--format", "csv")
    assert result.exit_code == 2
    assert "--json and --format csv" in result.stderr


def test_names_are_shown_literally_never_as_markup_or_escape_codes(sandbox_cli, store):
    seed_audience(store, "[/] [red]x[/red]", 1, note="[b]bold?[/b]")
    seed_audience(store, "Evil\x1b]0;pwned\x07\x1b[2J", 1)
    listed = sandbox_cli("list", tty=True, env={"NO_COLOR": "1"})
    assert listed.exit_code == 0, listed.stderr
    assert "[/] [red]x[/red]" in listed.stdout
    assert "Evil\\x1b]0;pwned\\x07\\x1b[2J" in listed.stdout
    assert "\x1b]0;" not in listed.stdout and "\x07" not in listed.stdout
    members = sandbox_cli("members", "[/] [red]x[/red]", tty=True, env={"NO_COLOR": "1"})
    assert members.exit_code == 0, members.stderr
    assert "note: [b]bold?[/b]" in members.stdout
    shown = sandbox_cli("show", "[/] [red]x[/red]", tty=True)
    assert shown.exit_code == 0, shown.stderr
