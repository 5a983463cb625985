"""An instant as a person writes it: "2026-12-07 10:00 America/New_York", an ISO 8601
time with its offset ("2026-12-07T15:00:00Z"), "10:00 Europe/Paris" (today in that
zone) or "now". The one reading of a planned time; `now` is given (no clock here)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache

from audience_cli.errors import BadInstantError

FORMS = '"YYYY-MM-DD HH:MM ZONE", "HH:MM ZONE" (today there), ISO 8601 with an offset, or "now"'
_DATE_TIME_ZONE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?P<zone>\S+)"
)
_TIME_ZONE = re.compile(r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?P<zone>\S+)")


@lru_cache(maxsize=256)
def zone_named(name: str) -> tzinfo | None:
    """The IANA zone `name` ("UTC" and "Z" too), or None when there is none of that name."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def parse_instant(text: str, now: datetime) -> datetime:
    """The aware instant `text` names (`now`: aware, the time of the run). Raises
    `BadInstantError` for a text that is none of the forms, a zone that does not
    exist, or a local time that a clock change skips."""
    given = text.strip()
    if given.lower() == "now":
        return now
    match = _DATE_TIME_ZONE.fullmatch(given)
    if match is not None:
        zone = _zone(given, match["zone"])
        day = _date(given, match["date"])
        return _local(given, day, _time(given, match["time"]), zone)
    match = _TIME_ZONE.fullmatch(given)
    if match is not None:
        zone = _zone(given, match["zone"])
        return _local(given, now.astimezone(zone).date(), _time(given, match["time"]), zone)
    try:
        found = datetime.fromisoformat(given)
    except ValueError:
        raise BadInstantError(given, f"not a time: give {FORMS}") from None
    if found.tzinfo is None:
        raise BadInstantError(given, "no time zone: add one (e.g. America/New_York) or an offset")
    return found


def _zone(text: str, name: str) -> tzinfo:
    zone = zone_named(name)
    if zone is None:
        raise BadInstantError(text, f"no time zone {name!r} (an IANA name: Europe/Paris)")
    return zone


def _date(text: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInstantError(text, f"no such date {value!r}") from None


def _time(text: str, value: str) -> time:
    parts = [int(p) for p in value.split(":")]
    hour, minute, second = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    if hour > 23 or minute > 59 or second > 59:
        raise BadInstantError(text, f"no such time {value!r}")
    return time(hour, minute, second)


def _local(text: str, day: date, at: time, zone: tzinfo) -> datetime:
    """`day` `at` in `zone`; a time skipped when the clocks go forward is refused
    (a repeated one, when they go back, is the first)."""
    found = datetime.combine(day, at, tzinfo=zone)
    back = found.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != found.replace(tzinfo=None):
        raise BadInstantError(text, f"{at:%H:%M} does not exist on {day} in {zone} (clocks change)")
    return found
