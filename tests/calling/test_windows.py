"""Verdicts at frozen instants: DST changes in the US and the EU, state windows, split area
codes, holidays, unknown zones, the address against the number, the next safe instant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from audience_cli.calling.rules import Rules, load_rules
from audience_cli.calling.windows import local_window_text, verdict
from audience_cli.calling.zones import (
    member_zones,
    state_for_address,
    state_for_number,
    zones_for_address,
    zones_for_number,
)
from tests.calling.conftest import utc

NEW_YORK = frozenset({"America/New_York"})
PARIS = frozenset({"Europe/Paris"})


def plain(window: str) -> str:
    """A window's text with its en dashes as hyphens (ruff flags en dashes in source)."""
    assert "\u2013" in window
    return window.replace("\u2013", "-")


def of_number(e164: str, region: str, now: datetime, rules: Rules) -> tuple[str, str]:
    """(status, local time of the first zone as HH:MM) of a number at `now`."""
    zones = zones_for_number(e164, rules)
    result = verdict(zones, region, state_for_number(e164, rules), now, rules)
    first = f"{result.local_times[0][1]:%H:%M}" if result.local_times else ""
    return result.status, first


# --- Daylight saving time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 8 March 2026, 02:00 EST -> 03:00 EDT: 12:30 UTC is 07:30 before, 08:30 after.
        (utc(2026, 3, 7, 12, 30), ("outside", "07:30")),
        (utc(2026, 3, 9, 12, 30), ("inside", "08:30")),
        # 1 November 2026, 02:00 EDT -> 01:00 EST: 08:30 before, 07:30 after.
        (utc(2026, 10, 31, 12, 30), ("inside", "08:30")),
        (utc(2026, 11, 2, 12, 30), ("outside", "07:30")),
    ],
)
def test_a_new_york_number_on_each_side_of_the_us_changes(
    rules: Rules, now: datetime, expected: tuple[str, str]
) -> None:
    assert of_number("+12125550123", "US", now, rules) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 29 March 2026, 01:00 UTC: CET -> CEST. France calls from 10:00, weekdays.
        (utc(2026, 3, 27, 8, 30), ("outside", "09:30")),  # Friday before
        (utc(2026, 3, 30, 8, 30), ("inside", "10:30")),  # Monday after
        # 25 October 2026, 01:00 UTC: CEST -> CET.
        (utc(2026, 10, 23, 8, 30), ("inside", "10:30")),
        (utc(2026, 10, 26, 8, 30), ("outside", "09:30")),
    ],
)
def test_a_paris_number_on_each_side_of_the_eu_changes(
    rules: Rules, now: datetime, expected: tuple[str, str]
) -> None:
    assert of_number("+33612345678", "FR", now, rules) == expected


def test_a_london_number_the_day_before_and_the_day_of_the_eu_change(rules: Rules) -> None:
    assert of_number("+442079460000", "GB", utc(2026, 3, 28, 7, 30), rules) == (
        "outside",
        "07:30",
    )
    assert of_number("+442079460000", "GB", utc(2026, 3, 29, 7, 30), rules) == (
        "inside",
        "08:30",
    )


# --- State windows -----------------------------------------------------------------------


def test_florida_and_oklahoma_close_at_20_texas_at_21(rules: Rules) -> None:
    # Monday 7 December 2026, 20:30 local in each.
    florida = verdict(
        zones_for_number("+13055550123", rules), "US", "FL", utc(2026, 12, 8, 1, 30), rules
    )
    assert (florida.status, f"{florida.local_times[0][1]:%H:%M}") == ("outside", "20:30")
    assert florida.max_calls_per_24h == 3
    assert plain(florida.window) == "08:00-20:00 America/New_York"
    assert of_number("+13055550123", "US", utc(2026, 12, 8, 1, 30), rules) == ("outside", "20:30")
    assert of_number("+12145550123", "US", utc(2026, 12, 8, 2, 30), rules) == ("inside", "20:30")
    assert of_number("+14055550123", "US", utc(2026, 12, 8, 2, 30), rules) == ("outside", "20:30")
    assert state_for_number("+14055550123", rules) == "OK"


# --- Split area codes ---------------------------------------------------------------------


def test_850_gets_both_zones_and_the_overlap_and_floridas_close(rules: Rules) -> None:
    zones = zones_for_number("+18504441234", rules)
    assert zones == {"America/Chicago", "America/New_York"}
    assert state_for_number("+18504441234", rules) == "FL"
    # 07:30 Chicago = 08:30 New York: inside New York only -> outside.
    assert verdict(zones, "US", "FL", utc(2026, 12, 7, 13, 30), rules).status == "outside"
    assert verdict(NEW_YORK, "US", "FL", utc(2026, 12, 7, 13, 30), rules).status == "inside"
    # 08:30 Chicago = 09:30 New York: inside both.
    assert verdict(zones, "US", "FL", utc(2026, 12, 7, 14, 30), rules).status == "inside"
    # 19:30 Chicago = 20:30 New York: past Florida's 20:00 in New York's half.
    late = verdict(zones, "US", "FL", utc(2026, 12, 8, 1, 30), rules)
    assert late.status == "outside"
    assert [f"{t:%H:%M}" for _, t in late.local_times] == ["19:30", "20:30"]
    assert plain(late.window) == "08:00-20:00 America/Chicago, America/New_York"


def test_270_kentucky_keeps_the_federal_21_in_both_zones(rules: Rules) -> None:
    zones = zones_for_number("+12702021234", rules)  # phonenumbers alone says Chicago
    assert zones == {"America/Chicago", "America/New_York"}
    assert verdict(zones, "US", "KY", utc(2026, 12, 8, 1, 30), rules).status == "inside"
    assert verdict(zones, "US", "KY", utc(2026, 12, 8, 2, 30), rules).status == "outside"
    assert verdict(zones, "US", "KY", utc(2026, 12, 7, 13, 30), rules).status == "outside"
    assert verdict(zones, "US", "KY", utc(2026, 12, 7, 14, 0), rules).status == "inside"


# --- Holidays ---------------------------------------------------------------------------


def write_rules(tmp_path: Path, text: str) -> Rules:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[default]\nwindows = [["08:00", "21:00"]]\n'
        'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n' + text
    )
    return load_rules(str(path))


def test_a_federal_holiday_matters_only_when_the_rules_say_so(rules: Rules, tmp_path: Path) -> None:
    thanksgiving = utc(2026, 11, 26, 15, 0)  # 10:00 in New York
    assert verdict(NEW_YORK, "US", "NY", thanksgiving, rules).status == "inside"
    off = write_rules(tmp_path, "[countries.US]\nholidays = false\n")
    assert verdict(NEW_YORK, "US", "NY", thanksgiving, off).status == "inside"
    on = write_rules(tmp_path, "[countries.US]\nholidays = true\n")
    result = verdict(NEW_YORK, "US", "NY", thanksgiving, on)
    assert result.status == "holiday"
    assert result.next_start == utc(2026, 11, 27, 13, 0)  # Friday 08:00 EST
    assert verdict(NEW_YORK, "US", "NY", utc(2026, 11, 25, 15, 0), on).status == "inside"


def test_a_state_holiday_where_the_rules_count_them(rules: Rules, tmp_path: Path) -> None:
    mardi_gras = utc(2026, 2, 17, 16, 0)  # Tuesday, 10:00 in New Orleans
    central = frozenset({"America/Chicago"})
    assert of_number("+15045550123", "US", mardi_gras, rules)[0] == "holiday"
    assert verdict(central, "US", "LA", mardi_gras, rules).status == "holiday"
    # The same day in Texas is no holiday, and Texas does not count them.
    assert verdict(central, "US", "TX", mardi_gras, rules).status == "inside"
    # A state given `holidays = true` in a rules file: Texas Independence Day, 2 March.
    texas = write_rules(tmp_path, "[us_states.TX]\nholidays = true\n")
    assert verdict(central, "US", "TX", utc(2026, 3, 2, 16, 0), texas).status == "holiday"
    assert verdict(central, "US", "TX", utc(2026, 3, 2, 16, 0), rules).status == "inside"
    # The state's holidays are the holidays of that state only.
    assert verdict(central, "US", "TX", mardi_gras, texas).status == "inside"


def test_france_on_14_july_is_a_holiday(rules: Rules) -> None:
    result = verdict(PARIS, "FR", None, utc(2026, 7, 14, 8, 30), rules)  # Tuesday 10:30
    assert result.status == "holiday"
    assert result.next_start == utc(2026, 7, 15, 8, 0)  # Wednesday 10:00 CEST


# --- Unknown zones ----------------------------------------------------------------------


def test_trinidad_and_a_number_without_zone_are_unknown(rules: Rules) -> None:
    import phonenumbers
    from phonenumbers import timezone

    # phonenumbers answers `Etc/Unknown` alone for this +1 868 number: unknown.
    assert timezone.time_zones_for_number(phonenumbers.parse("+18685550123")) == ("Etc/Unknown",)
    assert zones_for_number("+18685550123", rules) == frozenset()
    # Newer phonenumbers data gives Trinidad's other numbers a zone: we say what it says,
    # and an unknown answer for one number is not kept for the others of its prefix.
    known = set(timezone.time_zones_for_number(phonenumbers.parse("+18686221234")))
    assert zones_for_number("+18686221234", rules) == known - {"Etc/Unknown"}
    result = verdict(frozenset(), "TT", None, utc(2026, 12, 7, 15, 0), rules)
    assert (result.status, result.local_times, result.next_start) == ("unknown", (), None)
    assert local_window_text(frozenset(), "TT", None, rules) == ""


# --- The address against the number -----------------------------------------------------


def test_a_zip_alone_decides(rules: Rules) -> None:
    address = zones_for_address(tz=None, zip_code="90210", state=None, region="US", rules=rules)
    zones = member_zones(frozenset(), address)
    assert zones == {"America/Los_Angeles"}
    assert verdict(zones, "US", None, utc(2026, 12, 7, 15, 30), rules).status == "outside"  # 07:30
    assert verdict(zones, "US", None, utc(2026, 12, 7, 16, 30), rules).status == "inside"


def test_a_number_and_a_different_zip_must_both_be_inside(rules: Rules) -> None:
    address = zones_for_address(
        tz=None, zip_code="90210-1234", state=None, region="US", rules=rules
    )
    zones = member_zones(zones_for_number("+12125550123", rules), address)
    assert zones == {"America/New_York", "America/Los_Angeles"}
    # 09:30 New York, 06:30 Los Angeles: New York alone would be inside.
    assert verdict(zones, "US", "NY", utc(2026, 12, 7, 14, 30), rules).status == "outside"
    # 21:30 New York, 18:30 Los Angeles.
    assert verdict(zones, "US", "NY", utc(2026, 12, 8, 2, 30), rules).status == "outside"
    # 12:00 and 09:00.
    result = verdict(zones, "US", "NY", utc(2026, 12, 7, 17, 0), rules)
    assert result.status == "inside"
    assert plain(result.window) == "08:00-21:00 America/Los_Angeles, America/New_York"
    # No address: the number's zones.
    assert member_zones(NEW_YORK, None) == NEW_YORK


def test_a_florida_zip_brings_floridas_close_to_a_texas_number(rules: Rules) -> None:
    number = "+12145550123"
    zones = member_zones(
        zones_for_number(number, rules),
        zones_for_address(tz=None, zip_code="32501", state=None, region="US", rules=rules),
    )
    assert zones == {"America/Chicago"}  # Pensacola is Central, like Dallas
    states = {
        state_for_number(number, rules),
        state_for_address(zip_code="32501", state=None, rules=rules),
    }
    assert states == {"TX", "FL"}
    assert verdict(zones, "US", states, utc(2026, 12, 8, 2, 30), rules).status == "outside"  # 20:30
    assert verdict(zones, "US", "TX", utc(2026, 12, 8, 2, 30), rules).status == "inside"


def test_both_states_rules_apply_when_the_number_and_address_differ(rules: Rules) -> None:
    # A Texas number living in Florida: Florida's 20:00 close applies.
    central = frozenset({"America/Chicago"})
    at_2030 = utc(2026, 12, 8, 2, 30)
    assert verdict(central, "US", "TX", at_2030, rules).status == "inside"
    assert verdict(central, "US", {"TX", "FL"}, at_2030, rules).status == "outside"
    assert verdict(central, "US", ["TX", None], at_2030, rules).status == "inside"


# --- The next safe instant --------------------------------------------------------------


def test_next_start_across_a_french_weekend(rules: Rules) -> None:
    friday_evening = utc(2026, 12, 11, 19, 30)  # 20:30 in Paris
    result = verdict(PARIS, "FR", None, friday_evening, rules)
    assert result.status == "outside"
    assert result.next_start == utc(2026, 12, 14, 9, 0)  # Monday 10:00 CET
    # The lunch break.
    assert verdict(PARIS, "FR", None, utc(2026, 12, 14, 12, 30), rules).next_start == utc(
        2026, 12, 14, 13, 0
    )


def test_next_start_across_a_holiday_and_a_weekend(rules: Rules) -> None:
    christmas_eve = utc(2026, 12, 24, 19, 30)  # Thursday; Friday 25 is a holiday
    assert verdict(PARIS, "FR", None, christmas_eve, rules).next_start == utc(2026, 12, 28, 9, 0)


def test_next_start_across_the_dst_changes(rules: Rules) -> None:
    # Saturday 7 March 22:00 EST; Sunday opens at 08:00 EDT = 12:00 UTC, not 13:00.
    result = verdict(NEW_YORK, "US", "NY", utc(2026, 3, 8, 3, 0), rules)
    assert (result.status, result.next_start) == ("outside", utc(2026, 3, 8, 12, 0))
    # Saturday 31 October 22:00 EDT; Sunday opens at 08:00 EST = 13:00 UTC.
    result = verdict(NEW_YORK, "US", "NY", utc(2026, 11, 1, 2, 0), rules)
    assert result.next_start == utc(2026, 11, 1, 13, 0)
    # Paris on the Saturday before the spring change: Monday 10:00 CEST = 08:00 UTC.
    assert verdict(PARIS, "FR", None, utc(2026, 3, 28, 12, 0), rules).next_start == utc(
        2026, 3, 30, 8, 0
    )


def test_next_start_of_a_split_zone_is_the_overlap(rules: Rules) -> None:
    zones = frozenset({"America/Chicago", "America/New_York"})
    late = verdict(zones, "US", "FL", utc(2026, 12, 8, 1, 30), rules)
    assert late.next_start == utc(2026, 12, 8, 14, 0)  # 08:00 Chicago (09:00 New York)


def test_inside_is_callable_now_and_now_must_be_aware(rules: Rules) -> None:
    now = utc(2026, 12, 7, 16, 0)
    result = verdict(NEW_YORK, "US", "NY", now, rules)
    assert result.callable and result.next_start == now
    with pytest.raises(ValueError, match="aware"):
        verdict(NEW_YORK, "US", "NY", datetime(2026, 12, 7, 16, 0), rules)


def test_the_window_text(rules: Rules) -> None:
    assert plain(local_window_text(PARIS, "FR", None, rules)) == (
        "10:00-13:00, 14:00-20:00 mon-fri Europe/Paris"
    )
    assert plain(local_window_text(NEW_YORK, "US", "FL", rules)) == "08:00-20:00 America/New_York"
    assert plain(local_window_text(NEW_YORK, "US", None, rules)) == "08:00-21:00 America/New_York"
