"""create, add, sync and validate with the calling options: members outside their local
calling window at --callable-at, on a holiday, of unknown zone or without consent are
rejects with their line (report, --rejects file, exit 3); address columns; --enrich adds
`timezone` and `local_window`; mistakes in what was asked are one line, exit 2, before any
request. Instants are frozen (--callable-at, and the run's clock for consent ages)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import members_of, phones_in, seed_audience

# Monday 2026-12-07, 20:30 in New York: 19:30 in Dallas, 15:30 in Honolulu, 02:30
# (Tuesday) in Paris. Florida's window ends at 20:00, the default one at 21:00.
EVENING = "2026-12-07 20:30 America/New_York"
MIAMI, DALLAS, HONOLULU = "+13055550101", "+12145550102", "+18085550103"
MOBILE_RU = "+79161234567"  # a Russian mobile: any of Russia's eleven zones, unknown
PARIS = "+33123456789"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # the run's clock, for consent ages


def write(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


MIXED = (
    f"phone,first name\n{MIAMI},Mia\n{DALLAS},Dal\n{MOBILE_RU},Tri\n{PARIS},Pia\n{HONOLULU},Hon\n"
)


def test_create_keeps_only_members_inside_their_window(sandbox_cli, store, tmp_path):
    source = write(tmp_path, MIXED)
    rejects = tmp_path / "rejects.csv"
    result = sandbox_cli(
        "create", "Evening", "--csv", str(source), "--callable-at", EVENING,
        "--rejects", str(rejects),
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    assert sorted(phones_in(store, result.stdout.strip())) == [DALLAS, HONOLULU]
    assert (
        "5 rows read · 2 valid · 3 rejected (OUTSIDE_HOURS 2, UNKNOWN_TIMEZONE 1)" in result.stderr
    )
    assert (
        f"line 2: '{MIAMI}' OUTSIDE_HOURS: Mon 20:30 America/New_York; "
        "window 08:00\u201320:00 America/New_York" in result.stderr
    )
    assert f"line 4: '{MOBILE_RU}' UNKNOWN_TIMEZONE" in result.stderr
    assert f"line 5: '{PARIS}' OUTSIDE_HOURS: Tue 02:30 Europe/Paris" in result.stderr
    assert [row[:4] for row in rows_of(rejects)] == [
        ["line", "reason", "phone", "first name"],
        ["2", "OUTSIDE_HOURS", MIAMI, "Mia"],
        ["4", "UNKNOWN_TIMEZONE", MOBILE_RU, "Tri"],
        ["5", "OUTSIDE_HOURS", PARIS, "Pia"],
    ]


def test_strict_refuses_the_whole_file(sandbox_cli, store, recorder, tmp_path):
    source = write(tmp_path, MIXED)
    result = sandbox_cli(
        "create", "Evening", "--csv", str(source), "--callable-at", EVENING, "--strict",
        transport=recorder,
    )  # fmt: skip
    assert result.exit_code == 3
    assert "nothing was sent" in result.stderr
    assert store.list_audiences() == []


def test_add_on_a_public_holiday_where_the_rules_forbid_calls(sandbox_cli, store, tmp_path):
    audience = seed_audience(store, "Leads", 0)
    # Friday 2026-12-25, 15:00 in Paris (09:00 in New York): Christmas. France forbids
    # calls on its public holidays; the US rules do not (a setting).
    source = write(tmp_path, f"phone\n{PARIS}\n{DALLAS}\n+33145678901\n")
    result = sandbox_cli(
        "add", audience, "--csv", str(source), "--callable-at", "2026-12-25 15:00 Europe/Paris",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)["report"]
    assert [(r["line"], r["reason"]) for r in report["rejects"]] == [
        (2, "HOLIDAY"),
        (4, "HOLIDAY"),
    ]
    assert phones_in(store, audience) == [DALLAS]
    # The day after, the French numbers are callable again (a weekday, 15:00).
    again = sandbox_cli(
        "add", audience, "--csv", str(source), "--callable-at", "2026-12-28 15:00 Europe/Paris"
    )
    assert again.exit_code == 0, again.stderr
    assert sorted(phones_in(store, audience)) == sorted([DALLAS, PARIS, "+33145678901"])


def test_sync_with_callable_at_removes_nothing_it_rejects_from_the_file(
    sandbox_cli, store, tmp_path
):
    audience = seed_audience(store, "Leads", 0)
    source = write(tmp_path, MIXED)
    result = sandbox_cli("sync", audience, "--csv", str(source), "--callable-at", EVENING, "--json")
    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)["report"]
    assert report["invalid"] == 3
    assert [r["line"] for r in report["rejects"]] == [2, 4, 5]
    assert sorted(phones_in(store, audience)) == [DALLAS, HONOLULU]


def test_require_consent(sandbox_cli, store, tmp_path):
    source = write(
        tmp_path,
        "phone,consent\n"
        "+14155550001,yes\n"
        "+14155550002,no\n"
        "+14155550003,\n"
        "+14155550004,2024-01-15\n"  # older than a year on the run's day
        "+14155550005,2026-06-01\n"
        "+14155550006,opted in\n"
        "+14155550007,maybe\n",
    )
    result = sandbox_cli(
        "create", "Consented", "--csv", str(source), "--require-consent",
        "--consent-max-age", "365", "--json", now=NOW,
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    out = json.loads(result.stdout)
    assert [(r["line"], r["reason"]) for r in out["report"]["rejects"]] == [
        (3, "NO_CONSENT"),
        (4, "NO_CONSENT"),
        (5, "NO_CONSENT"),
        (8, "NO_CONSENT"),
    ]
    assert sorted(phones_in(store, out["audience"]["_id"])) == [
        "+14155550001",
        "+14155550005",
        "+14155550006",
    ]


def test_consent_ages_count_from_the_run_clock(sandbox_cli, store, tmp_path):
    source = write(tmp_path, "phone,opt_in_date\n+14155550001,2026-06-01\n")
    later = datetime(2027, 7, 1, tzinfo=UTC)  # 395 days after the opt-in
    args = ("--csv", str(source), "--require-consent", "--consent-max-age", "365")
    old = sandbox_cli("validate", *args, "--json", now=later)
    assert old.exit_code == 3, old.stderr
    assert json.loads(old.stdout)["report"]["rejects"][0]["reason"] == "NO_CONSENT"
    fresh = sandbox_cli("create", "Fresh", *args, now=NOW)
    assert fresh.exit_code == 0, fresh.stderr
    assert phones_in(store, fresh.stdout.strip()) == ["+14155550001"]


def test_a_zip_column_overrides_the_area_code_and_both_must_be_inside(sandbox_cli, store, tmp_path):
    # 21:30 in New York is 20:30 in Dallas: a Dallas number alone is inside (until 21:00),
    # one whose ZIP is in New York is not.
    source = write(
        tmp_path,
        f"phone,zip\n{DALLAS},\n+12145550104,10001\n+12125550105,75201\n",
    )
    result = sandbox_cli(
        "create", "Late", "--csv", str(source), "--callable-at",
        "2026-12-07 21:30 America/New_York", "--json",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    out = json.loads(result.stdout)
    # A New York number whose ZIP is in Dallas: 20:30 there, 21:30 here: outside too.
    assert [(r["line"], r["reason"], r["detail"]) for r in out["report"]["rejects"]] == [
        (3, "OUTSIDE_HOURS", "Mon 20:30 America/Chicago, Mon 21:30 America/New_York; window "
         "08:00\u201321:00 America/Chicago, America/New_York"),
        (4, "OUTSIDE_HOURS", "Mon 20:30 America/Chicago, Mon 21:30 America/New_York; window "
         "08:00\u201321:00 America/Chicago, America/New_York"),
    ]  # fmt: skip
    assert sorted(phones_in(store, out["audience"]["_id"])) == [DALLAS]


def test_a_value_that_cannot_be_read_is_a_reject_with_its_line(sandbox_cli, store, tmp_path):
    source = write(
        tmp_path,
        f"phone,tz,state\n{DALLAS},Mars/Base,\n+12145550104,,Narnia\n+12145550105,,TX\n",
    )
    result = sandbox_cli(
        "create", "Zones", "--csv", str(source), "--tz-column", "TZ", "--callable-at", EVENING,
        "--json",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    out = json.loads(result.stdout)
    assert out["report"]["rejects"] == [
        {
            "line": 2,
            "value": DALLAS,
            "reason": "BAD_TIMEZONE",
            "detail": "column 'tz': cannot read 'Mars/Base' as a timezone",
        },
        {
            "line": 3,
            "value": "+12145550104",
            "reason": "BAD_TIMEZONE",
            "detail": "column 'state': cannot read 'Narnia' as a state",
        },
    ]
    assert phones_in(store, out["audience"]["_id"]) == ["+12145550105"]


def test_a_column_named_that_the_file_lacks_stops_before_any_request(
    sandbox_cli, store, recorder, tmp_path
):
    source = write(tmp_path, MIXED)
    for flag in ("--tz-column", "--zip-column", "--state-column", "--consent-column"):
        result = sandbox_cli(
            "create", "Nope", "--csv", str(source), flag, "postcode", transport=recorder
        )
        assert result.exit_code == 2, (flag, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert f"column 'postcode' ({flag}): the columns are" in result.stderr
    assert recorder.calls == []
    assert store.list_audiences() == []


def test_enrich_adds_the_zone_and_the_local_window(sandbox_cli, store, tmp_path):
    source = write(
        tmp_path,
        f"phone,zip\n{DALLAS},\n+12145550104,10001\n{MOBILE_RU},\n",
    )
    result = sandbox_cli("create", "Rich", "--csv", str(source), "--enrich")
    assert result.exit_code == 0, result.stderr
    assert "added country, number_type, timezone, carrier, local_window" in result.stderr
    data = {m["phoneNumber"]: m for m in members_of(store, result.stdout.strip())}
    assert data[DALLAS]["timezone"] == "America/Chicago"
    assert data[DALLAS]["local_window"] == "08:00\u201321:00 America/Chicago"
    # The address's zone and the number's: both, and the window in each.
    assert data["+12145550104"]["timezone"] == "America/Chicago;America/New_York"
    assert data["+12145550104"]["local_window"] == (
        "08:00\u201321:00 America/Chicago, America/New_York"
    )
    # A zone unknown: nothing said.
    assert data[MOBILE_RU].get("timezone", "") == data[MOBILE_RU].get("local_window", "") == ""


def test_enrich_never_writes_over_a_column_of_the_file(sandbox_cli, store, tmp_path):
    source = write(tmp_path, f"phone,timezone\n{DALLAS},America/Denver\n")
    result = sandbox_cli("create", "Own", "--csv", str(source), "--enrich")
    assert result.exit_code == 0, result.stderr
    [member] = members_of(store, result.stdout.strip())
    assert member["timezone"] == "America/Denver"
    # The window follows the file's zone and the number's (both must be inside).
    assert member["local_window"] == "08:00\u201321:00 America/Chicago, America/Denver"


def test_a_rules_file_with_a_mistake_is_one_line_naming_file_and_key(
    sandbox_cli, store, recorder, tmp_path
):
    rules = write(tmp_path, '[default]\nwindows = [["08:00"]]\n', name="rules.toml")
    source = write(tmp_path, MIXED)
    result = sandbox_cli(
        "create", "X", "--csv", str(source), "--rules", str(rules), "--callable-at", EVENING,
        transport=recorder,
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert str(rules) in result.stderr and "default.windows" in result.stderr
    assert recorder.calls == []
    assert store.list_audiences() == []


def test_a_rules_file_changes_the_verdict(sandbox_cli, store, tmp_path):
    late = "2026-12-07 22:30 America/New_York"  # 21:30 in Dallas: outside by default
    source = write(tmp_path, f"phone\n{DALLAS}\n")
    default = sandbox_cli("validate", str(source), "--callable-at", late, "--json")
    assert default.exit_code == 3
    assert json.loads(default.stdout)["report"]["rejects"][0]["reason"] == "OUTSIDE_HOURS"
    rules = write(
        tmp_path,
        '[default]\nwindows = [["09:00", "22:00"]]\ndays = ["mon", "tue", "wed", "thu", "fri"]\n',
        name="late.toml",
    )
    result = sandbox_cli(
        "create", "Late", "--csv", str(source), "--rules", str(rules), "--callable-at", late
    )
    assert result.exit_code == 0, result.stderr
    assert phones_in(store, result.stdout.strip()) == [DALLAS]
    # The same file by the environment variable.
    env = sandbox_cli(
        "create", "Late env", "--csv", str(source), "--callable-at", late,
        env={"AUDIENCE_CALLING_RULES": str(rules)},
    )  # fmt: skip
    assert env.exit_code == 0, env.stderr
    assert phones_in(store, env.stdout.strip()) == [DALLAS]


def test_a_time_that_cannot_be_read_is_one_line(sandbox_cli, store, recorder, tmp_path):
    source = write(tmp_path, MIXED)
    result = sandbox_cli(
        "create", "X", "--csv", str(source), "--callable-at", "tomorrow 9am", transport=recorder
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --callable-at 'tomorrow 9am': not a time")
    assert recorder.calls == []
    assert store.list_audiences() == []


def test_callable_at_now_reads_the_run_clock(sandbox_cli, store, tmp_path):
    source = write(tmp_path, MIXED)
    # 16:00 UTC: 11:00 in New York, 10:00 in Dallas, 06:00 in Honolulu, 17:00 in Paris.
    at_four = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    result = sandbox_cli(
        "create", "Now", "--csv", str(source), "--callable-at", "now", "--json", now=at_four
    )
    assert result.exit_code == 3, result.stderr
    out = json.loads(result.stdout)
    assert [(r["line"], r["reason"]) for r in out["report"]["rejects"]] == [
        (4, "UNKNOWN_TIMEZONE"),
        (6, "OUTSIDE_HOURS"),
    ]
    assert sorted(phones_in(store, out["audience"]["_id"])) == sorted([MIAMI, DALLAS, PARIS])


def test_flag_numbers_are_screened_too(sandbox_cli, store):
    audience = seed_audience(store, "Leads", 0)
    result = sandbox_cli(
        "add", audience, "--phone", MIAMI, "--phone", DALLAS, "--callable-at", EVENING
    )
    assert result.exit_code == 3, result.stderr
    assert f"line 0: '{MIAMI}' OUTSIDE_HOURS" in result.stderr
    assert phones_in(store, audience) == [DALLAS]


def test_a_campaigns_members_to_call_again_are_screened_and_enriched(sandbox_cli, store):
    from audience_cli.core.outcomes import RUNNING_STATUSES
    from audience_cli.sandbox.campaign_run import run_campaign

    # San Francisco numbers whose own tz field says New York: both clocks count.
    leads = seed_audience(store, "Leads", 40, tz="America/New_York")
    made = store.create_campaign(leads, name="Spring", agent_id="a1" * 12)
    results = run_campaign(store, made["_id"], seed=3, finish="completed")
    wanted = {
        r.phone
        for r in results
        if r.final_status != "completed" and r.final_status not in RUNNING_STATUSES
    }
    assert wanted
    # 20:30 in San Francisco is 23:30 in New York: nobody may be called.
    late = sandbox_cli(
        "create", "Retry", "--from-campaign", "Spring", "--callable-at",
        "2026-12-07 20:30 America/Los_Angeles", "--json",
    )  # fmt: skip
    assert late.exit_code == 3, late.stderr
    report = json.loads(late.stdout)["report"]
    assert report["campaign"]["excluded"]["OUTSIDE_HOURS"] == len(wanted)
    assert sorted(a["name"] for a in store.list_audiences()) == ["Leads"]
    # At 17:00 there (20:00 in New York) all of them, with their zones and windows.
    made_now = sandbox_cli(
        "create", "Retry", "--from-campaign", "Spring", "--callable-at",
        "2026-12-07 17:00 America/Los_Angeles", "--enrich",
    )  # fmt: skip
    assert made_now.exit_code == 0, made_now.stderr
    members = members_of(store, made_now.stdout.strip())
    assert {m["phoneNumber"] for m in members} == wanted
    assert {m["timezone"] for m in members} == {"America/Los_Angeles;America/New_York"}
    assert {m["local_window"] for m in members} == {
        "08:00\u201321:00 America/Los_Angeles, America/New_York"
    }


def test_a_time_of_day_in_a_zone_is_today_there_by_the_run_clock(sandbox_cli, store, tmp_path):
    source = write(tmp_path, f"phone\n{MIAMI}\n{DALLAS}\n")
    # The run is on Monday 2026-12-07 (12:00 UTC): 19:30 in Chicago is 20:30 in Miami.
    result = sandbox_cli(
        "create", "Today", "--csv", str(source), "--callable-at", "19:30 America/Chicago",
        "--json", now=NOW,
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    out = json.loads(result.stdout)
    [reject] = out["report"]["rejects"]
    assert reject["detail"].startswith("Mon 20:30 America/New_York")
    assert phones_in(store, out["audience"]["_id"]) == [DALLAS]


def test_an_empty_column_name_is_refused(sandbox_cli, store, tmp_path):
    source = write(tmp_path, MIXED)
    result = sandbox_cli("create", "X", "--csv", str(source), "--zip-column", " ")
    assert result.exit_code == 2
    assert result.stderr == "error: --zip-column is empty: give a column's name\n"
    assert store.list_audiences() == []
