"""`audience outcomes CAMPAIGN` through the CLI runner, on a MockTransport campaign server."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.campaign_server import CampaignServer, campaign, outcome

KEY = "sk_live_Zq8Xw3Vt5Rn7Pm2Kj4Hg"
BASE = "https://atoms.invalid"
ENV = {"SMALLEST_API_KEY": KEY}
CID = "c" * 24
CID2 = "d" * 24


def server(*, total: int | None = None, status: str = "completed") -> CampaignServer:
    records = [
        outcome("m1", "+14155550101", "completed", 1, 90, 0.25, firstName="Ann"),
        outcome("m2", "+14155550102", "no_answer", 3, 0, 0.0, firstName="Bob"),
        outcome("m3", "+14155550103", "voicemail", 2, 30, 0.05, firstName="Cy"),
        outcome("m4", "+14155550104", None, 0, 0, 0.0, firstName="Di"),
    ]
    fake = CampaignServer([campaign(CID, "Spring", status)], exports={CID: records})
    if total is not None:
        fake.totals[CID] = total
    return fake


def run(cli, fake: CampaignServer, *args: str, env: dict[str, str] | None = None):
    return cli("--base-url", BASE, "outcomes", *args, transport=fake.transport(), env=env or ENV)


@pytest.mark.parametrize("export_format", ["json", "csv"])
def test_json_carries_records_and_summary(cli, export_format: str) -> None:
    fake = server()
    result = run(cli, fake, "Spring", "--json", "--export-format", export_format)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["campaign"] == {"_id": CID, "name": "Spring", "status": "completed"}
    assert (doc["total"], doc["export_format"]) == (4, export_format)
    first = doc["records"][0]
    assert first == {
        "member_id": "m1",
        "phone": "+14155550101",
        "status": "completed",
        "group": "completed",
        "attempts": 1,
        "duration_s": 90.0,
        "cost": 0.25,
        "data": {"phoneNumber": "+14155550101", "firstName": "Ann"},
    }
    assert doc["records"][3]["status"] is None and doc["records"][3]["group"] == "none"
    summary = doc["summary"]
    assert [(r["status"], r["count"]) for r in summary["by_status"]] == [
        ("completed", 1),
        ("no_answer", 1),
        ("voicemail", 1),
        (None, 1),
    ]
    assert summary["total"] == {"count": 4, "share": 1.0, "minutes": 2.0, "cost": 0.3}
    assert fake.requests[-1].url.params["format"] == export_format


def test_the_table_has_the_summary_under_it(cli) -> None:
    result = run(cli, server(), "Spring", "--format", "table")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "MEMBER ID" in out and "+14155550103" in out and "voicemail" in out
    assert "firstName: Ann" in out  # the fields folded into DATA
    assert "phoneNumber:" not in out  # the PHONE column has it
    assert "GROUP" in out.split("By status")[1] and "GROUP" not in out.split("By status")[0]
    assert "By status" in out and "TOTAL" in out and "(none)" in out and "25.0%" in out
    assert out.index("+14155550104") < out.index("By status")


def test_csv_has_a_column_per_field_and_the_summary_on_stderr(cli) -> None:
    result = run(cli, server(), "Spring", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "member_id", "phone", "status", "group", "attempts", "duration_s", "cost",
        "phoneNumber", "firstName",
    ]  # fmt: skip
    assert [r["status"] for r in rows] == ["completed", "no_answer", "voicemail", ""]
    assert rows[1]["firstName"] == "Bob"
    assert f"'Spring' ({CID}): 4 members: completed 1, no_answer 1, voicemail 1, (none) 1" in (
        result.stderr
    )
    assert "2.0 minutes · cost 0.30" in result.stderr


def test_tsv_and_jsonl_are_a_line_a_member(cli) -> None:
    tsv = run(cli, server(), "Spring", "--format", "tsv")
    assert tsv.exit_code == 0 and len(tsv.stdout.splitlines()) == 4
    assert tsv.stdout.splitlines()[1].split("\t")[:3] == ["m2", "+14155550102", "no_answer"]
    jsonl = run(cli, server(), "Spring", "--format", "jsonl")
    lines = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["member_id"] for r in lines] == ["m1", "m2", "m3", "m4"]
    assert "4 members" in jsonl.stderr


def test_fields_shape_every_format(cli) -> None:
    fields = "phone,status,firstName"
    as_csv = run(cli, server(), "Spring", "--fields", fields, "--format", "csv")
    assert as_csv.stdout.splitlines()[:2] == [
        "phone,status,firstName",
        "+14155550101,completed,Ann",
    ]
    as_json = json.loads(run(cli, server(), "Spring", "--fields", fields, "--json").stdout)
    assert as_json["records"][1] == {
        "phone": "+14155550102",
        "status": "no_answer",
        "data": {"firstName": "Bob"},
    }
    assert "summary" in as_json
    names = run(cli, server(), "Spring", "--fields", "help").stdout.split()
    assert names[:3] == ["member_id", "phone", "status"] and "firstName" in names
    unknown = run(cli, server(), "Spring", "--fields", "colour")
    assert unknown.exit_code == 2 and "no field 'colour'" in unknown.stderr


def test_status_filters_rows_but_not_the_summary(cli) -> None:
    result = run(cli, server(), "Spring", "--status", "final,none", "--json")
    doc = json.loads(result.stdout)
    assert [r["member_id"] for r in doc["records"]] == ["m2", "m4"]
    assert doc["summary"]["total"]["count"] == 4
    assert "2 of 4 members shown" in result.stderr
    named = json.loads(run(cli, server(), "Spring", "--status", "VoiceMail", "--json").stdout)
    assert [r["member_id"] for r in named["records"]] == ["m3"]


def test_a_short_export_exits_7_naming_both_counts(cli) -> None:
    result = run(cli, server(total=10), "Spring", "--json")
    assert result.exit_code == 7
    assert result.stdout == ""
    assert "holds 4 records but counts 10 audience members" in result.stderr
    assert "Atoms may still be writing the export" in result.stderr  # the hint
    assert "Traceback" not in result.stderr


def test_no_record_is_a_valid_export(cli) -> None:
    fake = CampaignServer([campaign(CID, "Empty")], exports={CID: []})
    table = run(cli, fake, "Empty", "--format", "table")
    assert table.exit_code == 0, table.stderr
    assert "No members in this export." in table.stderr
    assert table.stdout.startswith("By status") and "TOTAL" in table.stdout
    doc = json.loads(run(cli, fake, "Empty", "--json").stdout)
    assert doc["records"] == [] and doc["total"] == 0
    assert doc["summary"] == {
        "by_status": [],
        "total": {"count": 0, "share": 0.0, "minutes": 0.0, "cost": 0.0},
    }


def test_an_unknown_campaign_exits_5(cli) -> None:
    result = run(cli, server(), "Autumn")
    assert result.exit_code == 5
    assert "no campaign with id or name 'Autumn'" in result.stderr
    assert "exact name" in result.stderr  # the hint


def test_an_ambiguous_name_exits_2_listing_the_matches(cli) -> None:
    fake = server()
    fake.campaigns.append(campaign(CID2, "Spring", "running"))
    result = run(cli, fake, "Spring")
    assert result.exit_code == 2
    assert "2 campaigns are named 'Spring'" in result.stderr
    assert CID in result.stderr and CID2 in result.stderr and "running" in result.stderr
    assert not any("export" in p for p in fake.paths())


def test_a_running_campaign_is_shown_with_a_warning(cli) -> None:
    result = run(cli, server(status="running"), CID, "--json")
    assert result.exit_code == 0
    assert "is running: its outcomes may still change" in result.stderr


def test_a_bad_setting_stops_before_any_request(cli) -> None:
    fake = server()
    env = {**ENV, "AUDIENCE_CALL_DURATION_UNIT": "hours"}
    result = run(cli, fake, "Spring", env=env)
    assert result.exit_code == 2 and "AUDIENCE_CALL_DURATION_UNIT" in result.stderr
    assert fake.requests == []


def test_milliseconds_by_setting(cli) -> None:
    env = {**ENV, "AUDIENCE_CALL_DURATION_UNIT": "ms"}
    doc = json.loads(run(cli, server(), "Spring", "--json", env=env).stdout)
    assert doc["records"][0]["duration_s"] == 0.09


def test_help_has_examples_and_settings(cli) -> None:
    result = cli("outcomes", "--help")
    assert result.exit_code == 0
    assert "Examples" in result.stdout and "AUDIENCE_CALL_DURATION_UNIT" in result.stdout
    assert "AUDIENCE_OUTCOME_COLUMNS" in result.stdout


def test_more_records_than_counted_are_shown_with_a_warning(cli) -> None:
    result = run(cli, server(total=3), "Spring", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["records"]) == 4
    assert "holds 4 records, more than the 3 audience members it counts" in result.stderr
