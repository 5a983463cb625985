"""Whether a member may be called at a given instant: inside their window in every one of
their zones, on an allowed day that is not a holiday the rules count; and the earliest
instant at which they may be. `now` is always given (an aware datetime)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from audience_cli.calling.rules import DAY_NAMES, Rules, WindowRule

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

Status = Literal["inside", "outside", "holiday", "unknown"]
STATUSES: tuple[Status, ...] = ("inside", "outside", "holiday", "unknown")
# How far ahead the next safe instant is looked for (a long weekend with holidays, a
# country that allows few days).
SEARCH_DAYS = 21
DASH = "\u2013"  # the en dash between the ends of a window


@dataclass(frozen=True)
class Verdict:
    """A member at one instant: `status`, their local time in each zone, the window as
    text ("08:00-20:00 America/Chicago", an en dash) and the earliest instant >= now at which every
    zone is inside its window on an allowed day (None: unknown zone, or none within
    three weeks)."""

    status: Status
    local_times: tuple[tuple[str, datetime], ...]
    window: str
    next_start: datetime | None
    max_calls_per_24h: int | None = None

    @property
    def callable(self) -> bool:
        return self.status == "inside"


States = str | Iterable[str | None] | None


def _states(state: States) -> frozenset[str]:
    """One state, several (None among them ignored: a source that said nothing), or none."""
    if state is None:
        return frozenset()
    return frozenset({state}) if isinstance(state, str) else frozenset(s for s in state if s)


def verdict(
    zones: frozenset[str],
    region: str | None,
    state: States,
    now: datetime,
    rules: Rules,
) -> Verdict:
    """The verdict for a member in `zones` (empty: unknown), of `region` (ISO country)
    and `state` (a US state code, or several: every one's rule must allow the call), at
    `now` (aware). Cached: a list shares few (zones, region, state) at one instant."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return _verdict(frozenset(zones), region, _states(state), now, rules)


@lru_cache(maxsize=4096)
def _verdict(
    zones: frozenset[str], region: str | None, states: frozenset[str], now: datetime, rules: Rules
) -> Verdict:
    if not zones:
        return Verdict("unknown", (), "", None)
    rule = rules.rule_for(region, states)
    ordered = tuple(sorted(zones))
    local_times = tuple((z, now.astimezone(zone_info(z))) for z in ordered)
    status: Status = "inside"
    for _, local in local_times:
        if _is_holiday(rule, local.date()):
            status = "holiday"
            break
        if not _inside_on_day(rule, local):
            status = "outside"
    next_start = now if status == "inside" else _next_start(ordered, rule, now)
    return Verdict(
        status, local_times, window_text(ordered, rule), next_start, rule.max_calls_per_24h
    )


def local_window_text(
    zones: frozenset[str], region: str | None, state: States, rules: Rules
) -> str:
    """The member's window as text for the `local_window` field: "08:00-20:00
    America/Chicago" (en dashes), days named when not every day ("10:00-13:00,
    14:00-20:00 mon-fri Europe/Paris"); "" for an unknown zone."""
    if not zones:
        return ""
    return window_text(tuple(sorted(zones)), rules.rule_for(region, _states(state)))


def window_text(zones: tuple[str, ...], rule: WindowRule) -> str:
    hours = ", ".join(f"{a:%H:%M}{DASH}{b:%H:%M}" for a, b in rule.windows) or "no hours"
    parts = [hours]
    if rule.days != frozenset(range(7)):
        parts.append(_days_text(rule.days))
    parts.append(", ".join(zones))
    return " ".join(parts)


def _days_text(days: frozenset[int]) -> str:
    if not days:
        return "no days"
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{DAY_NAMES[ordered[0]]}{DASH}{DAY_NAMES[ordered[-1]]}"
    return ",".join(DAY_NAMES[d] for d in ordered)


def _inside_on_day(rule: WindowRule, local: datetime) -> bool:
    if local.weekday() not in rule.days:
        return False
    clock = local.time().replace(tzinfo=None)
    return any(start <= clock < end for start, end in rule.windows)


def _is_holiday(rule: WindowRule, day: date) -> bool:
    return any(day in holiday_dates(c, s, day.year) for c, s in rule.holiday_calendars)


def _allowed(zones: tuple[str, ...], rule: WindowRule, instant: datetime) -> bool:
    for z in zones:
        local = instant.astimezone(zone_info(z))
        if _is_holiday(rule, local.date()) or not _inside_on_day(rule, local):
            return False
    return True


def _next_start(zones: tuple[str, ...], rule: WindowRule, now: datetime) -> datetime | None:
    """The earliest instant >= now allowed in every zone. The allowed time is a union of
    intervals whose starts are window starts in some zone, so only those are tried."""
    if not rule.windows or not rule.days:
        return None
    candidates: set[datetime] = set()
    for z in zones:
        info = zone_info(z)
        first = now.astimezone(info).date()
        for offset in range(-1, SEARCH_DAYS + 1):
            day = first + timedelta(days=offset)
            if day.weekday() not in rule.days:
                continue
            for start, _ in rule.windows:
                instant = _local_instant(day, start, info)
                if instant >= now:
                    candidates.add(instant)
    for instant in sorted(candidates):
        if _allowed(zones, rule, instant):
            return instant.astimezone(now.tzinfo)
    return None


def _local_instant(day: date, clock: time, info: ZoneInfo) -> datetime:
    """The instant a local clock shows `clock` on `day`; a time skipped by a DST change
    (02:30 on the spring-forward night) is read with the later offset, which is the
    later instant (03:30 after the jump): never earlier than the window allows."""
    local = datetime.combine(day, clock, tzinfo=info)
    instant = local.astimezone(UTC)
    if instant.astimezone(info).replace(tzinfo=None) != local.replace(tzinfo=None):
        later = datetime.combine(day, clock, tzinfo=info).replace(fold=1)
        instant = max(instant, later.astimezone(UTC))
    return instant


@lru_cache(maxsize=512)
def zone_info(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@lru_cache(maxsize=256)
def holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The public holidays of `country` (and its `subdivision`, e.g. a US state) in `year`,
    from the `holidays` package; none for a country it does not know."""
    import holidays

    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        if subdivision is None:
            return frozenset()
        return holiday_dates(country, None, year)
    return frozenset(calendar)
