"""`audience check-hours AUDIENCE|FILE`: statuses at a frozen instant, every format, the
exit codes a cron job gates on, consent counts, --at forms and mistakes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import seed_audience

# Monday 2026-12-07 20:30 in New York = 19:30 in Chicago = 17:30 in Los Angeles.
AT = "2026-12-07 20:30 America/New_York"
ROWS = [
    ("+13055550100", "Miami", "", "", "yes"),  # FL: 08-20, so outside at 20:30
    ("+12145550101", "Dallas", "", "", "no"),  # TX: 19:30 Chicago, inside
    ("+18505550102", "Pensacola", "", "", "yes"),  # 850: Chicago and New York, FL: outside
    ("+12125550104", "Moved", "", "60601", "yes"),  # NY number, Chicago ZIP: both, inside
    ("+12125550105", "Bad Tz", "Mars/Olympus", "", "yes"),  # bad_value
    ("+13105550106", "Los Angeles", "", "", ""),  # inside, no consent
]


def write_leads(path: Path, rows: list[tuple[str, ...]] = ROWS, consent: bool = True) -> Path:
    lines = ["phone,first_name,tz,zip" + (",consent" if consent else "")]
    for phone, name, tz, zip_code, agreed in rows:
        lines.append(f"{phone},{name},{tz},{zip_code}" + (f",{agreed}" if consent else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    return write_leads(tmp_path / "leads.csv")


def statuses(stdout: str) -> dict[str, str]:
    return {r["phone"]: r["status"] for r in csv.DictReader(io.StringIO(stdout))}


def test_statuses_and_exit_8_when_some_are_not_callable(cli, leads: Path) -> None:
    result = cli("check-hours", str(leads), "--at", AT, "-F", "csv")
    assert result.exit_code == 9, result.stderr
    assert statuses(result.stdout) == {
        "+13055550100": "outside",
        "+12145550101": "inside",
        "+18505550102": "outside",
        "+12125550104": "inside",
        "+12125550105": "bad_value",
        "+13105550106": "inside",
    }
    rows = {r["phone"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["+13055550100"]["local_time"] == "Mon 20:30 America/New_York"
    assert rows["+13055550100"]["window"] == "08:00\u201320:00 America/New_York"
    assert rows["+13055550100"]["next_start"] == "2026-12-08T13:00:00Z"
    assert rows["+12125550104"]["zones"] == "America/Chicago America/New_York"
    assert "column 'tz'" in rows["+12125550105"]["detail"]
    assert "inside 3, outside 2, bad_value 1" in result.stderr
    assert "2 of 6 members lack consent (column 'consent')" in result.stderr


def test_exit_0_when_every_member_is_callable(cli, tmp_path: Path) -> None:
    # 14:00 in New York: Florida, Texas and California are all inside.
    leads = write_leads(tmp_path / "ok.csv", [r for r in ROWS if r[1] != "Bad Tz"])
    result = cli("check-hours", str(leads), "--at", "2026-12-07 14:00 America/New_York")
    assert result.exit_code == 0, result.stderr
    assert "inside 5" in result.stderr


def test_json_has_the_summary_and_every_member(cli, leads: Path) -> None:
    result = cli("check-hours", str(leads), "--at", AT, "--json")
    assert result.exit_code == 9
    document = json.loads(result.stdout)
    summary = document["summary"]
    assert summary["members"] == 6
    assert summary["by_status"] == {
        "inside": 3,
        "outside": 2,
        "holiday": 0,
        "unknown": 0,
        "bad_value": 1,
    }
    assert summary["callable"] == 3 and summary["not_callable"] == 3
    assert summary["consent_column"] == "consent" and summary["lacking_consent"] == 2
    assert summary["at"] == "2026-12-07T20:30:00-05:00"
    miami = next(m for m in document["members"] if m["phone"] == "+13055550100")
    assert miami["local_time"] == [
        {"zone": "America/New_York", "time": "2026-12-07T20:30:00-05:00"}
    ]
    assert miami["next_start"] == "2026-12-08T13:00:00Z"


def test_jsonl_tsv_and_fields(cli, leads: Path) -> None:
    lines = cli("check-hours", str(leads), "--at", AT, "-F", "jsonl", "--fields", "phone,status")
    assert lines.exit_code == 9
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert len(records) == 6 and set(records[0]) == {"phone", "status"}
    tsv = cli("check-hours", str(leads), "--at", AT, "-F", "tsv")
    assert tsv.exit_code == 9
    assert len(tsv.stdout.splitlines()) == 6
    assert all(len(line.split("\t")) == 9 for line in tsv.stdout.splitlines())
    bad = cli("check-hours", str(leads), "--at", AT, "--fields", "phone,nope")
    assert bad.exit_code == 2 and "nope" in bad.stderr


def test_table_shows_counts_then_members_not_callable(cli, leads: Path) -> None:
    result = cli("check-hours", str(leads), "--at", AT, "-F", "table")
    assert result.exit_code == 9
    out = result.stdout
    assert "OUTSIDE" not in out  # statuses are values, not headers
    for word in ("inside", "outside", "bad_value", "total", "Miami", "Pensacola"):
        assert word in out
    assert "Dallas" not in out  # callable members are counted, not listed


def test_table_lists_many_members_only_with_all(cli, tmp_path: Path) -> None:
    rows = [(f"+1305555{i:04d}", f"P{i}", "", "", "yes") for i in range(30)]
    leads = write_leads(tmp_path / "many.csv", rows)
    short = cli("check-hours", str(leads), "--at", AT, "-F", "table")
    assert short.exit_code == 9 and "P7" not in short.stdout
    assert "30 members not callable: --all lists them" in short.stderr
    full = cli("check-hours", str(leads), "--at", AT, "-F", "table", "--all")
    assert all(f"P{i}" in full.stdout for i in range(30))


def test_no_consent_column_is_said(cli, tmp_path: Path) -> None:
    leads = write_leads(tmp_path / "nc.csv", ROWS, consent=False)
    result = cli("check-hours", str(leads), "--at", AT, "--json")
    assert json.loads(result.stdout)["summary"]["lacking_consent"] is None
    said = cli("check-hours", str(leads), "--at", AT, "-F", "csv")
    assert "No consent column: consent to be called was not checked." in said.stderr


def test_consent_max_age_and_named_columns(cli, tmp_path: Path) -> None:
    path = tmp_path / "named.csv"
    path.write_text(
        "phone,Where,Agreed On\n+12145550101,America/Chicago,2026-01-01\n"
        "+12145550102,America/Chicago,2026-12-01\n",
        encoding="utf-8",
    )
    args = ["check-hours", str(path), "--at", "2026-12-07 12:00 America/Chicago", "--json"]
    result = cli(*args, "--tz-column", "where", "--consent-column", "agreed on")
    summary = json.loads(result.stdout)["summary"]
    assert summary["consent_column"] == "agreed_on" and summary["lacking_consent"] == 0
    aged = cli(*args, "--consent-column", "Agreed On", "--consent-max-age", "30")
    assert json.loads(aged.stdout)["summary"]["lacking_consent"] == 1
    missing = cli(*args, "--tz-column", "nowhere")
    assert missing.exit_code == 2 and "no timezone column 'nowhere'" in missing.stderr


def test_holiday(cli, tmp_path: Path) -> None:
    # France's rules count its public holidays: 2026-12-25 is Christmas (a Friday).
    path = tmp_path / "fr.csv"
    path.write_text("phone\n+33612345678\n", encoding="utf-8")
    result = cli("check-hours", str(path), "--at", "2026-12-25 11:00 Europe/Paris", "-F", "csv")
    assert result.exit_code == 9
    assert statuses(result.stdout) == {"+33612345678": "holiday"}


def test_an_audience_with_an_unknown_zone(sandbox_cli, store) -> None:
    audience_id = seed_audience(store, "Mixed", 3)  # +1 415: Los Angeles
    store.add_members(
        audience_id, "phoneNumber", [{"phoneNumber": "+18685550123", "firstName": "Trini"}]
    )
    result = sandbox_cli("check-hours", "Mixed", "--at", "2026-12-07 10:00 America/Los_Angeles")
    assert result.exit_code == 9, result.stderr
    rows = dict(line.split("\t")[::2][:2] for line in result.stdout.splitlines())
    assert rows == {
        "+14155550000": "inside",
        "+14155550001": "inside",
        "+14155550002": "inside",
        "+18685550123": "unknown",
    }
    by_id = sandbox_cli("check-hours", audience_id, "--at", "10:00 America/Los_Angeles")
    assert by_id.exit_code == 9


def test_default_is_now_read_once_at_the_edge(cli, tmp_path: Path) -> None:
    leads = write_leads(tmp_path / "tx.csv", [ROWS[1]])  # Dallas
    night = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # 03:00 in Chicago
    day = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)  # 12:00 in Chicago
    assert cli("check-hours", str(leads), "-F", "csv", now=night).exit_code == 9
    assert cli("check-hours", str(leads), "-F", "csv", now=day).exit_code == 0
    # "HH:MM ZONE" is today in that zone, by the run's clock.
    late = cli("check-hours", str(leads), "--at", "22:00 America/Chicago", "--json", now=day)
    assert json.loads(late.stdout)["summary"]["at"] == "2026-12-08T22:00:00-06:00"


@pytest.mark.parametrize(
    "at",
    ["2026-12-07T15:00:00Z", "2026-12-07T10:00-05:00", "2026-12-07 10:00 America/New_York"],
)
def test_at_forms(cli, leads: Path, at: str) -> None:
    result = cli("check-hours", str(leads), "--at", at, "--json")
    assert json.loads(result.stdout)["summary"]["at"].startswith("2026-12-07T")
    assert datetime.fromisoformat(json.loads(result.stdout)["summary"]["at"]) == datetime(
        2026, 12, 7, 15, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("at", "said"),
    [
        ("tomorrow", "--at 'tomorrow': not a time"),
        ("2026-12-07T10:00", "no time zone: add one"),  # no offset
        ("25:00 America/New_York", "no such time '25:00'"),
        ("10:00 Mars/Olympus", "no time zone 'Mars/Olympus'"),
        ("2026-13-01 10:00 UTC", "no such date '2026-13-01'"),
        ("a b c d", "not a time"),
    ],
)
def test_bad_at_is_one_line_exit_2(cli, leads: Path, at: str, said: str) -> None:
    result = cli("check-hours", str(leads), "--at", at)
    assert result.exit_code == 2
    assert said in result.stderr and "--at" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_rules_file_is_one_line(cli, leads: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[default]\nwindows = [["25:00", "21:00"]]\n', encoding="utf-8")
    result = cli("check-hours", str(leads), "--at", AT, "--rules", str(rules))
    assert result.exit_code == 2 and str(rules) in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_audience(sandbox_cli) -> None:
    result = sandbox_cli("check-hours", "No Such Audience", "--at", AT)
    assert result.exit_code == 5


def test_a_trinidad_mobile_in_a_file_keeps_its_own_zone(cli, tmp_path: Path) -> None:
    # phonenumbers gives a valid +1 868 mobile every NANP zone; the rules keep the area
    # code's own: 20:30 in New York is 21:30 in Port of Spain, past 21:00.
    leads = write_leads(tmp_path / "tt.csv", [("+18686201234", "Trini", "", "", "yes")])
    result = cli("check-hours", str(leads), "--at", AT, "--json")
    assert result.exit_code == 9
    member = json.loads(result.stdout)["members"][0]
    assert member["zones"] == ["America/Port_of_Spain"] and member["status"] == "outside"


@pytest.mark.parametrize("command", ["check-hours", "split"])
def test_a_file_that_is_not_there_is_named_as_such(sandbox_cli, command: str) -> None:
    args = ["--by", "timezone", "--dry-run"] if command == "split" else []
    result = sandbox_cli(command, "leads-typo.csv", *args, "--at", "2026-12-07 10:00 UTC")
    assert result.exit_code == 2
    assert "leads-typo.csv: no such file, and no audience has that name" in result.stderr
    assert "Traceback" not in result.stderr
    named = sandbox_cli(command, "No Such Audience", *args, "--at", "2026-12-07 10:00 UTC")
    assert named.exit_code == 5
    assert "no audience with id or name 'No Such Audience'" in named.stderr
