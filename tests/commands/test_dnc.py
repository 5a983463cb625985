"""The do-not-call list from the command line: imports reject the numbers on it (and on
--exclude lists), `dnc list`, `dnc check`, `remove --dnc`, and `sandbox dnc`."""

from __future__ import annotations

import csv
import json
import threading

import httpx
import pytest

from audience_cli.sandbox.server import running_server
from tests.conftest import RecordingTransport, phones_in, seed_audience

AGENT = "a" * 24
OTHER_AGENT = "b" * 24
KEY = {"SMALLEST_API_KEY": "sk_test_0123456789"}
NO_KEY_WARNING = (
    "warning: the do-not-call list was not checked (no API key): numbers on it are not "
    "rejected. Check it with a key (`audience auth login`, SMALLEST_API_KEY) or --sandbox; "
    "--no-dnc says you mean to skip it.\n"
)


def leads(tmp_path, *rows: str, name: str = "leads.csv"):
    path = tmp_path / name
    path.write_text("phone,first name\n" + "".join(f"{r}\n" for r in rows))
    return path


@pytest.fixture
def listed(store):
    """+14155550001 on the organisation's list, +14155550002 on AGENT's."""
    store.add_dnc("+14155550001")
    store.add_dnc("+14155550002", agent_id=AGENT, source="call")
    return store


FOUR = ("+14155550000,Ada", "+14155550001,Alan", "+14155550002,Grace", "+14155550003,Edsger")


# --- imports ---------------------------------------------------------------------------------


def test_create_rejects_numbers_on_the_list_into_the_report_and_rejects_file(
    sandbox_cli, listed, tmp_path
):
    source = leads(tmp_path, *FOUR)
    rejects = tmp_path / "rejects.csv"
    result = sandbox_cli("create", "Leads", "--csv", str(source), "--rejects", str(rejects))
    assert result.exit_code == 3, result.stderr
    audience_id = result.stdout.strip()
    assert phones_in(listed, audience_id) == ["+14155550000", "+14155550002", "+14155550003"]
    assert "4 rows read · 3 valid · 1 rejected (DO_NOT_CALL 1)" in result.stderr
    assert "  line 3: '+14155550001' DO_NOT_CALL" in result.stderr
    assert list(csv.reader(rejects.open())) == [
        ["line", "reason", "phone", "first name"],
        ["3", "DO_NOT_CALL", "+14155550001", "Alan"],
    ]


def test_an_agents_entries_apply_only_with_agent(sandbox_cli, listed, tmp_path):
    source = leads(tmp_path, *FOUR)
    result = sandbox_cli("create", "Leads", "--csv", str(source), "--agent", AGENT.upper())
    assert result.exit_code == 3, result.stderr
    assert phones_in(listed, result.stdout.strip()) == ["+14155550000", "+14155550003"]
    assert "2 rejected (DO_NOT_CALL 2)" in result.stderr


def test_an_agent_with_no_entries_is_noted(sandbox_cli, listed, tmp_path):
    result = sandbox_cli("validate", str(leads(tmp_path, *FOUR)), "--agent", OTHER_AGENT)
    assert result.exit_code == 3
    assert (
        f"No do-not-call entry is for agent {OTHER_AGENT}: the organisation-wide entries apply."
        in result.stderr
    )


def test_no_dnc_turns_the_check_off_and_reads_nothing(sandbox_cli, listed, recorder, tmp_path):
    source = leads(tmp_path, *FOUR)
    result = sandbox_cli("create", "Leads", "--csv", str(source), "--no-dnc", transport=recorder)
    assert result.exit_code == 0, result.stderr
    assert len(phones_in(listed, result.stdout.strip())) == 4
    assert ("GET", "/dnc") not in recorder.calls


def test_the_list_is_read_once_per_run(sandbox_cli, listed, recorder, tmp_path):
    seed_audience(listed, "Leads", 0)
    source = leads(tmp_path, *FOUR)
    result = sandbox_cli("add", "Leads", "--csv", str(source), "--json", transport=recorder)
    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)["report"]
    assert (report["added"], report["invalid"]) == (3, 1)
    assert report["rejects"] == [{"line": 3, "value": "+14155550001", "reason": "DO_NOT_CALL"}]
    assert recorder.calls.count(("GET", "/dnc")) == 1


def test_flags_are_checked_too(sandbox_cli, listed):
    audience_id = seed_audience(listed, "Leads", 0)
    result = sandbox_cli("add", "Leads", "--phone", "+14155550001", "--phone", "+14155550009")
    assert result.exit_code == 3, result.stderr
    assert phones_in(listed, audience_id) == ["+14155550009"]


def test_sync_leaves_numbers_on_the_list_out_so_members_with_them_go(sandbox_cli, listed, tmp_path):
    audience_id = seed_audience(listed, "Leads", 4)  # +14155550000 … 0003
    source = leads(tmp_path, *FOUR)
    result = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes")
    assert result.exit_code == 3, result.stderr
    assert "Synced 'Leads'" in result.stderr and "0 added, 1 removed" in result.stderr
    assert phones_in(listed, audience_id) == ["+14155550000", "+14155550002", "+14155550003"]


def test_validate_checks_the_list_with_the_sandbox(sandbox_cli, listed, tmp_path):
    clean = tmp_path / "clean.csv"
    result = sandbox_cli("validate", str(leads(tmp_path, *FOUR)), "--output", str(clean))
    assert result.exit_code == 3
    assert "1 rejected (DO_NOT_CALL 1)" in result.stderr
    assert "+14155550001" not in clean.read_text()


def test_validate_without_a_key_says_once_that_the_list_was_not_checked(cli, listed, tmp_path):
    source = leads(tmp_path, *FOUR)
    result = cli("validate", str(source))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("do-not-call") == 1
    assert result.stderr.startswith(NO_KEY_WARNING)
    quiet = cli("--quiet", "validate", str(source))
    assert quiet.stderr == NO_KEY_WARNING  # a warning, not a note: --quiet keeps it
    unasked = cli("validate", str(source), "--no-dnc")
    assert "do-not-call" not in unasked.stderr


def test_a_dry_run_create_without_a_key_works_and_says_the_list_was_not_checked(cli, tmp_path):
    result = cli("create", "Leads", "--csv", str(leads(tmp_path, *FOUR)), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert NO_KEY_WARNING in result.stderr
    assert "Dry run: would create 'Leads' with 4 members." in result.stderr


def test_a_file_that_fails_its_own_checks_costs_no_request(sandbox_cli, recorder, tmp_path):
    result = sandbox_cli("add", "Leads", "--csv", str(tmp_path / "nope.csv"), transport=recorder)
    assert result.exit_code == 2
    assert recorder.calls == []


class DncRefused(RecordingTransport):
    """The sandbox, but `GET /dnc` answers `status` (or the connection fails)."""

    def __init__(self, store, status: int | None) -> None:
        super().__init__(store)
        self.status = status

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/dnc"):
            self.calls.append(("GET", "/dnc"))
            if self.status is None:
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(
                self.status, json={"status": False, "message": "Not allowed to read the list"}
            )
        return super().handle_request(request)


@pytest.mark.parametrize("command", ["create", "add", "sync", "validate"])
def test_a_list_that_cannot_be_read_stops_the_import_and_names_no_dnc(
    sandbox_cli, store, tmp_path, command
):
    audience_id = seed_audience(store, "Leads", 1)
    transport = DncRefused(store, 403)
    source = str(leads(tmp_path, *FOUR))
    args = {
        "create": ["create", "New", "--csv", source],
        "add": ["add", "Leads", "--csv", source],
        "sync": ["sync", "Leads", "--csv", source, "--yes"],
        "validate": ["validate", source],
    }[command]
    result = sandbox_cli(*args, transport=transport)
    assert result.exit_code == 4
    assert result.stderr.endswith(
        "error: cannot read the organisation's do-not-call list: Not allowed to read the list\n"
        "The key is valid but not allowed here: check the workspace and its usage limits.\n"
        "Nothing was done: the do-not-call check is never skipped unasked. Run it again once "
        "the list can be read, or add --no-dnc to go without the check (numbers on the list "
        "may then be called).\n"
    )
    assert transport.writes() == []
    assert [a["_id"] for a in store.list_audiences()] == [audience_id]
    assert store.count_members(audience_id) == 1
    assert sandbox_cli(*args, "--no-dnc", transport=transport).exit_code in (0, 3)


def test_a_network_failure_reading_the_list_exits_7(sandbox_cli, store, tmp_path):
    result = sandbox_cli(
        "create", "New", "--csv", str(leads(tmp_path, *FOUR)), transport=DncRefused(store, None)
    )
    assert result.exit_code == 7
    assert "error: cannot read the organisation's do-not-call list: cannot reach" in result.stderr
    assert "--no-dnc" in result.stderr
    assert store.list_audiences() == []


# --- --exclude and --exclude-audience ---------------------------------------------------------


def test_exclude_files_csv_or_one_number_a_line(sandbox_cli, store, tmp_path):
    csv_list = tmp_path / "optouts.csv"
    csv_list.write_text("Name,Mobile\nAlan,(415) 555-0001\nJunk,call me\n")
    bare_list = tmp_path / "bare.txt"
    bare_list.write_text("+14155550002\n")
    rejects = tmp_path / "rejects.csv"
    result = sandbox_cli(
        "create",
        "Leads",
        "--csv",
        str(leads(tmp_path, *FOUR)),
        "--region",
        "US",
        "--exclude",
        str(csv_list),
        "--exclude",
        str(bare_list),
        "--rejects",
        str(rejects),
    )
    assert result.exit_code == 3, result.stderr
    assert phones_in(store, result.stdout.strip()) == ["+14155550000", "+14155550003"]
    assert "2 rejected (EXCLUDED 2)" in result.stderr
    assert f"--exclude {csv_list}: 1 row without a valid number excludes nothing" in result.stderr
    reasons = [(row["line"], row["reason"]) for row in csv.DictReader(rejects.open())]
    assert reasons == [("3", "EXCLUDED"), ("4", "EXCLUDED")]


def test_an_exclude_file_is_checked_before_any_request(sandbox_cli, recorder, tmp_path):
    result = sandbox_cli(
        "add",
        "Leads",
        "--phone",
        "+14155550000",
        "--exclude",
        str(tmp_path / "missing.csv"),
        transport=recorder,
    )
    assert result.exit_code == 2
    assert "missing.csv: no such file" in result.stderr
    assert recorder.calls == []


def test_exclude_audience_and_do_not_call_wins(sandbox_cli, listed):
    seed_audience(listed, "Customers", 3)  # +14155550000 … 0002
    target = seed_audience(listed, "Leads", 0)
    result = sandbox_cli(
        "add",
        "Leads",
        "--phone",
        "+14155550000",
        "--phone",
        "+14155550001",
        "--phone",
        "+14155550009",
        "--exclude-audience",
        "Customers",
        "--json",
    )
    assert result.exit_code == 3, result.stderr
    assert phones_in(listed, target) == ["+14155550009"]
    rejects = json.loads(result.stdout)["report"]["rejects"]
    assert [(r["value"], r["reason"]) for r in rejects] == [
        ("+14155550000", "EXCLUDED"),
        ("+14155550001", "DO_NOT_CALL"),
    ]


def test_excluded_numbers_repeated_in_the_file_are_duplicates_and_the_option_is_named(
    sandbox_cli, store, tmp_path
):
    seed_audience(store, "Customers", 1)  # +14155550000
    source = tmp_path / "in.csv"
    source.write_text(
        "phone,name\n+14155550000,A\n+14155550000,A again\n+14155550001,B\n+14155550001,B\n"
    )
    rejects = tmp_path / "rejects.csv"
    result = sandbox_cli(
        "validate", str(source), "--no-dnc", "--exclude-audience", "Customers",
        "--rejects", str(rejects), "--json",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)["report"]
    assert (report["rows"], report["valid"], report["invalid"], report["duplicates"]) == (
        4, 1, 1, 2,
    )  # fmt: skip
    assert report["rejects"] == [
        {
            "line": 2,
            "value": "+14155550000",
            "reason": "EXCLUDED",
            "detail": "in audience 'Customers' (--exclude-audience)",
        }
    ]
    assert [row["line"] for row in csv.DictReader(rejects.open())] == ["2"]
    shown = sandbox_cli("validate", str(source), "--no-dnc", "--exclude-audience", "Customers")
    assert "1 rejected (EXCLUDED 1) · 2 duplicates dropped" in shown.stderr
    assert (
        "line 2: '+14155550000' EXCLUDED: in audience 'Customers' (--exclude-audience)"
        in shown.stderr
    )
    assert "--exclude list" not in shown.stderr
    flags = sandbox_cli(
        "add", "Customers", "--phone", "+14155550000", "--phone", "+1 415 555 0000",
        "--exclude-audience", "Customers", "--no-dnc", "--json",
    )  # fmt: skip
    flagged = json.loads(flags.stdout)["report"]
    assert (flagged["invalid"], flagged["duplicates"]) == (1, 1)


def test_suppression_options_are_checked(sandbox_cli, tmp_path):
    source = str(leads(tmp_path, *FOUR))
    bad_agent = sandbox_cli("validate", source, "--agent", "nope")
    assert bad_agent.exit_code == 2
    assert "--agent 'nope': not an agent id (24 hex characters)" in bad_agent.stderr
    both = sandbox_cli("validate", source, "--agent", AGENT, "--no-dnc")
    assert both.exit_code == 2
    assert "it means nothing with --no-dnc" in both.stderr
    stdin = sandbox_cli("validate", source, "--exclude", "-")
    assert stdin.exit_code == 2


# --- dnc list --------------------------------------------------------------------------------


def test_dnc_list_shows_the_agent_of_each_entry_in_every_format(sandbox_cli, listed):
    org, agent = listed.page_dnc(limit=10, skip=0, sort_order="asc")
    tsv = sandbox_cli("dnc", "list")
    assert tsv.exit_code == 0, tsv.stderr
    assert tsv.stdout == (
        f"{org['id']}\t+14155550001\t\tmanual\t\t{org['createdAt']}\n"
        f"{agent['id']}\t+14155550002\t{AGENT}\tcall\t\t{agent['createdAt']}\n"
    )
    assert "page 1 of 1 · 2 entries" in tsv.stderr
    assert json.loads(sandbox_cli("dnc", "list", "--json").stdout) == [org, agent]
    lines = sandbox_cli("dnc", "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == [org, agent]
    rows = list(csv.reader(sandbox_cli("dnc", "list", "--format", "csv").stdout.splitlines()))
    assert rows[0] == ["id", "phoneNumber", "agentId", "source", "detectedInCallId", "createdAt"]
    assert [r[1:4] for r in rows[1:]] == [  # cells as stored: the default
        ["+14155550001", "", "manual"],
        ["+14155550002", AGENT, "call"],
    ]
    safe = sandbox_cli("dnc", "list", "--format", "csv", "--safe").stdout
    assert "\n" + agent["id"] + ",'+14155550002," in safe
    raw = sandbox_cli("dnc", "list", "--format", "csv", "--raw").stdout  # old scripts
    assert "\n" + agent["id"] + ",+14155550002," in raw
    table = sandbox_cli("dnc", "list", "--format", "table")
    header, first, second = table.lines
    assert header.split() == ["ID", "PHONE", "AGENT", "SOURCE", "CALL", "ADDED"]
    assert first.split()[1:] == ["+14155550001", "org-wide", "manual", "just", "now"]
    assert second.split()[1:] == ["+14155550002", AGENT, "call", "just", "now"]


def test_dnc_list_pages_search_agent_and_all(sandbox_cli, store):
    for i in range(5):
        store.add_dnc(f"+1415555{i:04d}")
    store.add_dnc("+14155559999", agent_id=AGENT)

    def phones(*args: str) -> list[str]:
        result = sandbox_cli("dnc", "list", "--json", *args)
        assert result.exit_code == 0, result.stderr
        return [e["phoneNumber"] for e in json.loads(result.stdout)]

    second = sandbox_cli("dnc", "list", "--page", "2", "--page-size", "2", "--json")
    assert [e["phoneNumber"] for e in json.loads(second.stdout)] == ["+14155550002", "+14155550003"]
    assert "page 2 of 3 · 6 entries · next: --page 3" in second.stderr
    assert phones("--search", "(415) 555-0003") == ["+14155550003"]
    assert phones("--agent", AGENT) == ["+14155559999"]
    assert phones("--all") == [*(f"+1415555{i:04d}" for i in range(5)), "+14155559999"]
    past = sandbox_cli("dnc", "list", "--page", "9", "--page-size", "2")
    assert "page 9 of 3 · 6 entries · past the last page: try --page 3" in past.stderr
    both = sandbox_cli("dnc", "list", "--all", "--page", "2")
    assert both.exit_code == 2
    assert "--all and --page cannot be combined" in both.stderr


def test_dnc_list_of_an_empty_list(sandbox_cli):
    result = sandbox_cli("dnc", "list")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "no entries" in result.stderr


def test_dnc_list_errors_name_the_list(sandbox_cli, store):
    result = sandbox_cli("dnc", "list", transport=DncRefused(store, 403))
    assert result.exit_code == 4
    assert "error: cannot read the organisation's do-not-call list" in result.stderr
    assert "--no-dnc" not in result.stderr  # nothing to go without: it only reads the list


# --- dnc check -------------------------------------------------------------------------------


def test_dnc_check_a_file_one_row_per_number_on_the_list_exit_1(sandbox_cli, listed, tmp_path):
    source = leads(tmp_path, *FOUR, "junk,Nobody")
    result = sandbox_cli("dnc", "check", str(source), "--format", "csv", "--raw")
    assert result.exit_code == 1, result.stderr
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows[0] == ["PHONE", "FIRST NAME", "LAST NAME", "LINE", "AGENT", "SOURCE", "ADDED"]
    assert [r[:6] for r in rows[1:]] == [["+14155550001", "Alan", "", "3", "", "manual"]]
    assert f"{source}: 1 row without a valid number was not checked" in result.stderr
    assert (
        f"{source}: 1 of 4 numbers is on the do-not-call list (checked against 1 number: "
        "its organisation-wide entries)" in result.stderr
    )
    with_agent = sandbox_cli("dnc", "check", str(source), "--agent", AGENT, "--json")
    assert with_agent.exit_code == 1
    found = json.loads(with_agent.stdout)
    assert [(m["phoneNumber"], m["line"], m["dnc"].get("agentId")) for m in found] == [
        ("+14155550001", 3, None),
        ("+14155550002", 4, AGENT),
    ]


def test_dnc_check_exit_0_when_none_is_on_the_list(sandbox_cli, listed, tmp_path):
    result = sandbox_cli("dnc", "check", str(leads(tmp_path, "+14155550000,Ada")))
    assert (result.exit_code, result.stdout) == (0, "")
    assert "0 of 1 number are on the do-not-call list" in result.stderr


def test_dnc_check_an_audience(sandbox_cli, listed):
    audience_id = seed_audience(listed, "Leads", 3)
    member = {m["data"]["phoneNumber"]: m["_id"] for m in listed.all_members(audience_id)}
    result = sandbox_cli("dnc", "check", "Leads")
    assert result.exit_code == 1, result.stderr
    fields = result.stdout.rstrip("\n").split("\t")
    assert fields[:6] == ["+14155550001", "First1", "Last1", member["+14155550001"], "", "manual"]
    assert "Leads: 1 of 3 numbers is on the do-not-call list" in result.stderr
    by_id = sandbox_cli("dnc", "check", audience_id, "--agent", AGENT, "--json")
    assert [m["memberId"] for m in json.loads(by_id.stdout)] == [
        member["+14155550001"],
        member["+14155550002"],
    ]


def test_dnc_check_of_something_that_is_neither(sandbox_cli):
    missing_file = sandbox_cli("dnc", "check", "exports/leads.csv")
    assert missing_file.exit_code == 2
    assert "exports/leads.csv: no such file, and no audience has that name" in missing_file.stderr
    assert sandbox_cli("dnc", "check", "No Such Audience").exit_code == 5


def test_dnc_check_help_documents_the_exit_codes(cli):
    result = cli("dnc", "check", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Exit 0 when no number is on the list and 1 when some are, like diff(1)" in text


# --- remove --dnc ----------------------------------------------------------------------------


def test_remove_dnc_dry_run_then_yes(sandbox_cli, listed):
    audience_id = seed_audience(listed, "Leads", 3)
    dry = sandbox_cli("remove", "Leads", "--dnc", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "+14155550001 is on the do-not-call list\n" in dry.stderr
    assert "Would remove 1 member from 'Leads'. Nothing was changed (--dry-run)." in dry.stderr
    assert len(phones_in(listed, audience_id)) == 3
    refused = sandbox_cli("remove", "Leads", "--dnc")
    assert refused.exit_code == 2
    assert "--yes is required" in refused.stderr
    done = sandbox_cli("remove", "Leads", "--dnc", "--agent", AGENT, "--yes", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["deletedCount"] == 2
    assert phones_in(listed, audience_id) == ["+14155550000"]


def test_remove_dnc_confirms_on_a_terminal(sandbox_cli, listed):
    audience_id = seed_audience(listed, "Leads", 2)
    result = sandbox_cli("remove", "Leads", "--dnc", tty=True, input="Leads\n")
    assert result.exit_code == 0, result.stderr
    assert phones_in(listed, audience_id) == ["+14155550000"]


def test_remove_dnc_with_no_member_on_the_list_is_not_an_error(sandbox_cli, listed):
    audience_id = seed_audience(listed, "Leads", 1)
    result = sandbox_cli("remove", "Leads", "--dnc", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "Nothing to remove from 'Leads': no member is on the do-not-call list." in result.stderr
    assert phones_in(listed, audience_id) == ["+14155550000"]


def test_remove_agent_goes_with_dnc(sandbox_cli, listed):
    seed_audience(listed, "Leads", 1)
    result = sandbox_cli("remove", "Leads", "--phone", "+14155550000", "--agent", AGENT)
    assert result.exit_code == 2
    assert "--agent picks which do-not-call entries apply: it goes with --dnc" in result.stderr


# --- sandbox dnc -----------------------------------------------------------------------------


def test_sandbox_dnc_add_normalises_and_keeps_one_entry_per_number_and_agent(cli, store):
    added = cli("sandbox", "dnc", "add", "(415) 555-0100", "+44 20 7946 0958", "--region", "US")
    assert added.exit_code == 0, added.stderr
    assert "Added 2 numbers to the organisation-wide do-not-call list of the sandbox" in (
        added.stderr
    )
    again = cli("sandbox", "dnc", "add", "+14155550100", "--source", "call")
    assert "Added 0 numbers" in again.stderr and "; 1 already on it." in again.stderr
    scoped = cli("sandbox", "dnc", "add", "+14155550100", "--agent", AGENT.upper())
    assert f"Added 1 number to agent {AGENT}'s do-not-call list" in scoped.stderr
    entries = store.page_dnc(limit=10, skip=0, sort_order="asc")
    assert [(e["phoneNumber"], e.get("agentId"), e["source"]) for e in entries] == [
        ("+14155550100", None, "manual"),
        ("+442079460958", None, "manual"),
        ("+14155550100", AGENT, "manual"),
    ]
    listed = cli("sandbox", "dnc", "list", "--json")
    assert json.loads(listed.stdout) == entries
    assert "3 entries" in listed.stderr


def test_sandbox_dnc_add_refuses_an_invalid_number_before_writing(cli, store):
    result = cli("sandbox", "dnc", "add", "+14155550100", "12")
    assert result.exit_code == 2
    assert "invalid phone number '12'" in result.stderr
    assert store.count_dnc() == 0


def test_sandbox_dnc_remove(cli, store):
    store.add_dnc("+14155550100")
    store.add_dnc("+14155550100", agent_id=AGENT)
    store.add_dnc("+14155550101")
    scoped = cli("sandbox", "dnc", "remove", "(415) 555-0100", "--region", "US", "--agent", AGENT)
    assert scoped.exit_code == 0, scoped.stderr
    assert "Removed 1 entry from the do-not-call list of the sandbox" in scoped.stderr
    every = cli("sandbox", "dnc", "remove", "+14155550100", "+14155550199")
    assert every.exit_code == 0
    assert "warning: +14155550199 is not on the do-not-call list of the sandbox" in every.stderr
    none = cli("sandbox", "dnc", "remove", "+14155550199")
    assert none.exit_code == 5
    assert [e["phoneNumber"] for e in store.page_dnc(limit=10, skip=0)] == ["+14155550101"]


# --- over a served sandbox -------------------------------------------------------------------


@pytest.mark.slow
def test_over_a_served_sandbox_the_list_is_read_in_pages_at_once(cli, tmp_path, no_proxies):
    from audience_cli.sandbox.store import SandboxStore

    db = tmp_path / "served.db"
    served = SandboxStore(db)
    for i in range(1100):  # three pages of 500
        served.add_dnc(f"+1415555{i:04d}")
    served.add_dnc("+14155559999", agent_id=AGENT)
    with running_server(db, port=0) as base_url:
        base = ["--base-url", base_url.removesuffix("/atoms/v1")]
        source = leads(tmp_path, "+14155550007,Ada", "+14155551099,Alan", "+14155552000,Grace")

        checked = cli(*base, "validate", str(source), "--json", env=KEY)
        assert checked.exit_code == 3, checked.stderr
        rejects = json.loads(checked.stdout)["report"]["rejects"]
        assert [(r["value"], r["reason"]) for r in rejects] == [
            ("+14155550007", "DO_NOT_CALL"),
            ("+14155551099", "DO_NOT_CALL"),
        ]

        created = cli(*base, "create", "Served", "--csv", str(source), "--no-dnc", env=KEY)
        assert created.exit_code == 0, created.stderr

        everything = cli(*base, "dnc", "list", "--all", "--format", "jsonl", env=KEY)
        assert everything.exit_code == 0, everything.stderr
        assert len(everything.lines) == 1101
        assert "1,101 entries" in everything.stderr

        found = cli(*base, "dnc", "check", "Served", "--agent", AGENT, env=KEY)
        assert found.exit_code == 1
        assert [line.split("\t")[0] for line in found.lines] == ["+14155550007", "+14155551099"]

        removed = cli(*base, "remove", "Served", "--dnc", "--yes", env=KEY)
        assert removed.exit_code == 0, removed.stderr
        assert "Removed 2 members from 'Served'." in removed.stderr
        members = json.loads(cli(*base, "members", "Served", "--json", env=KEY).stdout)
        assert [m["data"]["phoneNumber"] for m in members] == ["+14155552000"]


def test_dnc_list_fields_and_header(sandbox_cli, store):
    assert sandbox_cli("sandbox", "dnc", "add", "+14155550001").exit_code == 0
    shaped = sandbox_cli("dnc", "list", "--fields", "phoneNumber,source", "--header")
    assert shaped.stdout == "phoneNumber\tsource\n+14155550001\tmanual\n"
    assert json.loads(sandbox_cli("dnc", "list", "--fields", "phoneNumber", "--json").stdout) == [
        {"phoneNumber": "+14155550001"}
    ]
    helped = sandbox_cli("dnc", "list", "--fields", "help")
    assert helped.stdout.splitlines()[:3] == ["id", "phoneNumber", "agentId"]


def test_dnc_list_all_reads_concurrency_pages_at_once(sandbox_cli, store):
    from tests.in_flight import Gate, GatedTransport

    for i in range(1001):  # three pages of 500
        store.add_dnc(f"+1415555{i:04d}")
    after_first = GatedTransport(
        RecordingTransport(store), Gate(2), held=lambda r: r.url.params.get("page") != "1"
    )
    two = sandbox_cli("--concurrency", "2", "dnc", "list", "--all", transport=after_first)
    assert two.exit_code == 0, two.stderr
    assert len(two.lines) == 1001
    assert after_first.gate.opened.is_set() and after_first.gate.most == 2
    one = GatedTransport(RecordingTransport(store), Gate(2), held=lambda _: False)
    result = sandbox_cli("--concurrency", "1", "dnc", "list", "--all", transport=one)
    assert result.stdout == two.stdout
    assert one.gate.most == 1  # a page after another, in the command's own thread
    assert one.gate.threads == {threading.current_thread().name}


# --- the side doors read files as the front door does ----------------------------------------


def test_dnc_check_a_file_reads_it_with_encoding_phone_column_and_region(
    sandbox_cli, listed, tmp_path
):
    source = tmp_path / "kunden.csv"
    source.write_bytes("Name,Nummer,Fax\nZoë,(415) 555-0001,(415) 555-0009\n".encode("cp1252"))
    args = ("--encoding", "cp1252", "--phone-column", "Nummer", "--region", "US")
    result = sandbox_cli("dnc", "check", str(source), *args, "--json")
    assert result.exit_code == 1, result.stderr
    (found,) = json.loads(result.stdout)
    assert (found["phoneNumber"], found["firstName"]) == ("+14155550001", "Zoë")
    for flag, value in (("--encoding", "cp1252"), ("--phone-column", "Nummer")):
        audience = sandbox_cli("dnc", "check", "No Such Audience", flag, value)
        assert audience.exit_code == 2
        assert f"{flag} {value!r} says how a file is read" in audience.stderr


def test_exclude_files_are_read_with_the_contacts_encoding_phone_column_and_region(
    sandbox_cli, store, tmp_path
):
    contacts = tmp_path / "kunden.csv"
    rows = "Nummer,Name\n(415) 555-0000,Ada\n(415) 555-0001,Zoë\n(415) 555-0002,Al\n"
    contacts.write_bytes(rows.encode("cp1252"))
    optouts = tmp_path / "optouts.csv"
    optouts.write_bytes("Bemerkung,Nummer\nnicht anrufen (Zoë),(415) 555-0001\n".encode("cp1252"))
    bare = tmp_path / "bare.txt"  # no such column: found by name, as before
    bare.write_text("4155550002\n")
    args = ("--encoding", "cp1252", "--phone-column", "Nummer", "--region", "US", "--no-dnc")
    excludes = ("--exclude", str(optouts), "--exclude", str(bare))
    result = sandbox_cli("create", "Kunden", "--csv", str(contacts), *args, *excludes)
    assert result.exit_code == 3, result.stderr
    assert phones_in(store, result.stdout.strip()) == ["+14155550000"]
    assert "2 rejected (EXCLUDED 2)" in result.stderr


def test_dnc_check_fields_and_header(sandbox_cli, listed, tmp_path):
    source = str(leads(tmp_path, *FOUR))
    shaped = sandbox_cli("dnc", "check", source, "--fields", "line,phone", "--header")
    assert (shaped.exit_code, shaped.stdout) == (1, "LINE\tPHONE\n3\t+14155550001\n")
    as_json = sandbox_cli("dnc", "check", source, "--fields", "phone,source", "--json")
    assert json.loads(as_json.stdout) == [{"phone": "+14155550001", "source": "manual"}]
    helped = sandbox_cli("dnc", "check", source, "--fields", "help")
    assert helped.exit_code == 0
    assert helped.stdout.splitlines()[:4] == ["phone", "first name", "last name", "line"]
    unknown = sandbox_cli("dnc", "check", source, "--fields", "nope")
    assert unknown.exit_code == 2
    assert "--fields: no field 'nope'; the fields are: phone, first name" in unknown.stderr


def test_sandbox_dnc_list_fields_and_header(cli, store):
    store.add_dnc("+14155550001")
    shaped = cli("sandbox", "dnc", "list", "--fields", "phoneNumber,source", "--header")
    assert shaped.stdout == "phoneNumber\tsource\n+14155550001\tmanual\n"
    helped = cli("sandbox", "dnc", "list", "--fields", "help")
    assert helped.stdout.splitlines()[:3] == ["id", "phoneNumber", "agentId"]
