"""Planned times as written: every form, against a frozen now; mistakes are one error."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from audience_cli.calling.instants import parse_instant
from audience_cli.errors import BadInstantError

NOW = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # Monday 18:30 in New York


def test_now_is_the_run_time() -> None:
    assert parse_instant(" now ", NOW) is NOW


def test_date_time_and_zone() -> None:
    found = parse_instant("2026-12-07 10:00 America/New_York", NOW)
    assert found == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    assert found.tzinfo == ZoneInfo("America/New_York")


def test_time_and_zone_is_today_in_that_zone() -> None:
    # 23:30 UTC on the 7th is already the 8th in Paris: "today" is the zone's day.
    found = parse_instant("10:00 Europe/Paris", NOW)
    assert found == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    found = parse_instant("09:15 America/Chicago", NOW)
    assert found == datetime(2026, 12, 7, 15, 15, tzinfo=UTC)


def test_iso_8601_with_offset() -> None:
    assert parse_instant("2026-12-07T15:00:00Z", NOW) == datetime(2026, 12, 7, 15, tzinfo=UTC)
    assert parse_instant("2026-12-07T10:00-05:00", NOW) == datetime(2026, 12, 7, 15, tzinfo=UTC)
    assert parse_instant("2026-12-07 15:00 UTC", NOW) == datetime(2026, 12, 7, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tomorrow", "not a time"),
        ("2026-12-07T10:00", "no time zone"),
        ("2026-12-07 10:00 Mars/Olympus", "no time zone 'Mars/Olympus'"),
        ("2026-02-30 10:00 Europe/Paris", "no such date"),
        ("25:00 Europe/Paris", "no such time"),
        ("2026-03-08 02:30 America/New_York", "does not exist"),  # US clocks go forward
    ],
)
def test_mistakes_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(BadInstantError) as caught:
        parse_instant(text, NOW)
    assert problem in caught.value.problem
