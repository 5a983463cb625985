"""core/hours.py on its own: the split's groups (every member
once, each start safe and earliest, the unknown group kept apart), across a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from audience_cli.calling.rules import load_rules
from audience_cli.calling.windows import verdict
from audience_cli.core.callability import CallingRequest
from audience_cli.core.hours import (
    Contact,
    check_hours,
    group_name,
    next_day_start,
    plan_split,
)

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def contacts(*phones: str, **fields: str) -> list[Contact]:
    return [Contact(p, "", {"phoneNumber": p, **fields}) for p in phones]


def test_next_day_starts_at_the_latest_local_midnight() -> None:
    at = datetime(2026, 12, 7, 10, 0, tzinfo=NEW_YORK)
    start = next_day_start(at, ["America/Chicago", "America/New_York"])
    assert start.astimezone(UTC) == datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # Chicago's


def plan(phones: list[str], at: datetime, **fields: str):
    rules = load_rules()
    request = CallingRequest(rules, NOW)
    report = check_hours("test", contacts(*phones, **fields), request, at)
    return plan_split(report.rows, at, rules), rules


def test_every_member_once_and_each_start_safe_and_earliest() -> None:
    phones = [f"+1{code}555{i:04d}" for i, code in enumerate(
        ["212", "305", "850", "214", "303", "602", "415", "808", "907", "270", "906"] * 9
    )]  # fmt: skip
    phones += ["+18685550123", "+18685550124"]  # no zone
    at = datetime(2026, 12, 7, 10, 0, tzinfo=NEW_YORK)
    groups, rules = plan(phones, at)
    placed = [c.phone for g in groups for c in g.members]
    assert sorted(placed) == sorted(phones) and len(placed) == len(set(placed))
    unknown = [g for g in groups if g.unknown]
    assert len(unknown) == 1 and {c.phone for c in unknown[0].members} == set(phones[-2:])
    assert groups[-1].unknown  # last
    known = [g for g in groups if not g.unknown]
    starts = [g.scheduled_at for g in known]
    assert starts == sorted(starts)  # earliest first
    for group in known:
        assert group.scheduled_at is not None and group.ends_at is not None
        assert group.scheduled_at < group.ends_at
        for member in group.members:
            report = check_hours("m", [member], CallingRequest(rules, NOW), group.scheduled_at)
            assert report.rows[0].status == "inside", (group.key, member.phone)
            last = group.ends_at - timedelta(minutes=1)
            assert check_hours("m", [member], CallingRequest(rules, NOW), last).all_callable
        minute_before = group.scheduled_at - timedelta(minutes=1)
        early = check_hours("g", list(group.members), CallingRequest(rules, NOW), minute_before)
        assert not early.all_callable, group.key


def test_the_panhandle_uses_both_zones_and_florida_hours() -> None:
    at = datetime(2026, 12, 7, 10, 0, tzinfo=NEW_YORK)
    groups, _ = plan(["+18505550100", "+13055550100"], at)
    by_window = {g.window: g for g in groups}
    panhandle = by_window["08:00\u201320:00 America/Chicago, America/New_York"]
    # 08:00 in Chicago is 09:00 in New York: the later of the two starts.
    assert panhandle.scheduled_at == datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    # Ends at 20:00 in New York, the earlier end.
    assert panhandle.ends_at == datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
    miami = by_window["08:00\u201320:00 America/New_York"]
    assert miami.scheduled_at == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)


def test_the_next_day_across_the_dst_change() -> None:
    # Saturday 2026-03-07 in New York; Sunday the 8th clocks go forward: 08:00 EDT = 12:00Z.
    at = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    groups, _ = plan(["+12125550100"], at)
    assert groups[0].scheduled_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert groups[0].ends_at == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


def test_a_bad_zone_value_goes_to_the_unknown_group() -> None:
    at = datetime(2026, 12, 7, 10, 0, tzinfo=NEW_YORK)
    groups, _ = plan(["+12125550100"], at, tz="Mars/Olympus")
    assert len(groups) == 1 and groups[0].unknown


def test_a_holiday_next_day_moves_the_start() -> None:
    # France counts its holidays: the day after 2026-12-24 is Christmas, then a Saturday
    # and a Sunday (weekdays only): the next start is Monday the 28th at 10:00.
    at = datetime(2026, 12, 24, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    groups, rules = plan(["+33612345678"], at)
    assert groups[0].scheduled_at == datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
    found = verdict(frozenset({"Europe/Paris"}), "FR", None, groups[0].scheduled_at, rules)
    assert found.status == "inside"


def test_group_names() -> None:
    at = datetime(2026, 12, 7, 10, 0, tzinfo=NEW_YORK)
    groups, _ = plan(["+12125550100", "+18685550123"], at)
    assert group_name("{name} {window}", "Leads", groups[0], 1) == (
        "Leads 08:00\u201321:00 America/New_York"
    )
    assert group_name("{name} {n} {zone}", "Leads", groups[1], 2) == "Leads 2 unknown"
    with pytest.raises(ValueError, match="nope"):
        group_name("{nope}", "Leads", groups[0], 1)
