"""The calling rules: windows, days and holidays by country and US state, and the zone
tables (split area codes, ZIP prefixes, states), read from a TOML file (`rules.toml` in
this package, or the user's) and checked whole when read: a mistake is one line naming
the file, the key and the problem."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from audience_cli.errors import RulesFileError

ENV_RULES = "AUDIENCE_CALLING_RULES"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RULE_KEYS = frozenset({"windows", "days", "holidays", "max_calls_per_24h"})
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)\Z")
_ZIP_KEY = re.compile(r"(\d{3})(?:-(\d{3}))?\Z")

Window = tuple[time, time]


@dataclass(frozen=True)
class WindowRule:
    """When a member may be called, in their local time: the windows ([start, end)), the
    weekdays allowed (0 = Monday), the holiday calendars that forbid calls ((country,
    subdivision or None) for the `holidays` package; empty: holidays do not matter) and
    the calls allowed per 24 hours (recorded and reported: the tool cannot count the calls
    Atoms makes)."""

    windows: tuple[Window, ...]
    days: frozenset[int]
    holiday_calendars: tuple[tuple[str, str | None], ...] = ()
    max_calls_per_24h: int | None = None

    @property
    def holidays(self) -> bool:
        return bool(self.holiday_calendars)

    def combined(self, other: WindowRule) -> WindowRule:
        """The rule that satisfies both: windows intersected, days in both, every
        holiday calendar, the smaller call limit."""
        windows = tuple(
            (max(a0, b0), min(a1, b1))
            for a0, a1 in self.windows
            for b0, b1 in other.windows
            if max(a0, b0) < min(a1, b1)
        )
        limits = [n for n in (self.max_calls_per_24h, other.max_calls_per_24h) if n is not None]
        calendars = tuple(dict.fromkeys(self.holiday_calendars + other.holiday_calendars))
        return WindowRule(
            windows=tuple(sorted(windows)),
            days=self.days & other.days,
            holiday_calendars=calendars,
            max_calls_per_24h=min(limits) if limits else None,
        )


@dataclass(frozen=True, eq=False)
class Rules:
    """Calling rules as read from `source` (hashed by identity, so that caches can key on
    them). Rule tables hold the keys as written (`windows`, `days`…) already checked."""

    source: str
    default: Mapping[str, Any]
    countries: Mapping[str, Mapping[str, Any]]
    us_states: Mapping[str, Mapping[str, Any]]
    split_area_codes: Mapping[str, frozenset[str]]
    zip3: Mapping[str, frozenset[str]]
    zip3_states: Mapping[str, str]
    us_state_zones: Mapping[str, frozenset[str]]
    ca_province_zones: Mapping[str, frozenset[str]]
    ca_postal_letters: Mapping[str, str]
    state_names: Mapping[str, str]
    area_code_states: Mapping[str, str]
    _cache: dict[tuple[str | None, str | None], WindowRule] = field(
        default_factory=dict, repr=False
    )

    def window_for(self, region: str | None, state: str | None) -> WindowRule:
        """The rule for a member in `region` (ISO country) and `state` (a US state code):
        the state's keys over the country's over the default's."""
        key = (region, state)
        if (found := self._cache.get(key)) is not None:
            return found
        merged: dict[str, Any] = dict(self.default)
        merged.update(self.countries.get(region or "", {}))
        state_rule = self.us_states.get(state or "", {}) if region in (None, "US") else {}
        merged.update(state_rule)
        calendars: tuple[tuple[str, str | None], ...] = ()
        if merged.get("holidays") and region:
            calendars = ((region, state if region == "US" and state else None),)
        rule = WindowRule(
            windows=merged["windows"],
            days=merged["days"],
            holiday_calendars=calendars,
            max_calls_per_24h=merged.get("max_calls_per_24h"),
        )
        self._cache[key] = rule
        return rule

    def rule_for(self, region: str | None, states: Iterable[str]) -> WindowRule:
        """The rule every one of `states` allows (none: the country's rule)."""
        rules = [self.window_for(region, s) for s in sorted(set(states))]
        if not rules:
            return self.window_for(region, None)
        first, *rest = rules
        for other in rest:
            first = first.combined(other)
        return first

    def state_code(self, value: str) -> str | None:
        """A state or province as written (code or English name) to its code, or None."""
        text = " ".join(value.split()).upper()
        if text in self.us_state_zones or text in self.ca_province_zones:
            return text
        return self.state_names.get(text)


def load_rules(path: str | None = None) -> Rules:
    """The rules of `path`, else of the file named by AUDIENCE_CALLING_RULES, else the
    package's own (read once)."""
    chosen = path or os.environ.get(ENV_RULES) or None
    if chosen is None:
        return _package_rules()
    try:
        data = Path(chosen).read_bytes()
    except OSError as exc:
        raise RulesFileError(chosen, "(file)", f"cannot read it: {exc.strerror or exc}") from exc
    return parse_rules(data, chosen)


@lru_cache(maxsize=1)
def _package_rules() -> Rules:
    from importlib.resources import files

    return parse_rules((files(__package__) / "rules.toml").read_bytes(), "rules.toml (built in)")


def parse_rules(data: bytes, source: str) -> Rules:
    """Rules from the TOML text `data`, read from `source` (for messages)."""
    import tomllib

    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RulesFileError(source, "(file)", "not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(source, "(syntax)", str(exc)) from exc
    return _Reader(source).rules(doc)


@dataclass
class _Reader:
    source: str

    def fail(self, key: str, problem: str) -> RulesFileError:
        return RulesFileError(self.source, key, problem)

    def table(self, doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = doc.get(key.rpartition(".")[2], {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return value

    def rules(self, doc: Mapping[str, Any]) -> Rules:
        known = {"default", "countries", "us_states", "split_area_codes", "us_zip3",
                 "us_zip3_states", "us_state_zones", "ca_province_zones", "ca_postal_letters",
                 "state_names", "nanp_area_codes"}  # fmt: skip
        for key in doc:
            if key not in known:
                raise self.fail(key, f"unknown table (known: {', '.join(sorted(known))})")
        default = self.rule(self.table(doc, "default"), "default")
        for needed in ("windows", "days"):
            if needed not in default:
                raise self.fail(f"default.{needed}", "missing")
        countries = self.table(doc, "countries")
        states = self.table(doc, "us_states")
        return Rules(
            source=self.source,
            default=default,
            countries={
                self.code(k, f"countries.{k}"): self.rule(v, f"countries.{k}")
                for k, v in countries.items()
            },
            us_states={
                self.code(k, f"us_states.{k}"): self.rule(v, f"us_states.{k}")
                for k, v in states.items()
            },
            split_area_codes=self.zone_table(doc, "split_area_codes", _area_code),
            zip3=self.zip_table(doc, "us_zip3", self.zones),
            zip3_states=self.zip_table(doc, "us_zip3_states", self.state),
            us_state_zones=self.zone_table(doc, "us_state_zones", None),
            ca_province_zones=self.zone_table(doc, "ca_province_zones", None),
            ca_postal_letters={
                k.upper(): self.text(v, f"ca_postal_letters.{k}")
                for k, v in self.table(doc, "ca_postal_letters").items()
            },
            state_names={
                " ".join(k.split()).upper(): self.text(v, f"state_names.{k}").upper()
                for k, v in self.table(doc, "state_names").items()
            },
            area_code_states=self.area_codes(doc),
        )

    def code(self, key: str, where: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", key):
            raise self.fail(where, "must be a two-letter code in capitals, e.g. FR")
        return key

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str):
            raise self.fail(key, "must be a string")
        return value

    def rule(self, value: object, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        rule: dict[str, Any] = {}
        for name, item in value.items():
            where = f"{key}.{name}"
            if name not in RULE_KEYS:
                raise self.fail(where, f"unknown key (known: {', '.join(sorted(RULE_KEYS))})")
            if name == "windows":
                rule[name] = self.windows(item, where)
            elif name == "days":
                rule[name] = self.days(item, where)
            elif name == "holidays":
                if not isinstance(item, bool):
                    raise self.fail(where, "must be true or false")
                rule[name] = item
            else:
                if not isinstance(item, int) or isinstance(item, bool) or item < 1:
                    raise self.fail(where, "must be a whole number of 1 or more")
                rule[name] = item
        return rule

    def windows(self, value: object, key: str) -> tuple[Window, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, 'must be a list of ["HH:MM", "HH:MM"] pairs')
        windows = []
        for pair in value:
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.fail(key, f'{pair!r} is not a ["HH:MM", "HH:MM"] pair')
            start, end = (self.clock(t, key) for t in pair)
            if start >= end:
                raise self.fail(key, f"{pair[0]} to {pair[1]} ends before it starts")
            windows.append((start, end))
        return tuple(sorted(windows))

    def clock(self, value: object, key: str) -> time:
        match = _TIME.match(value) if isinstance(value, str) else None
        if not match:
            raise self.fail(key, f"{value!r} is not a time of day as HH:MM (00:00 to 23:59)")
        return time(int(match[1]), int(match[2]))

    def days(self, value: object, key: str) -> frozenset[int]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of days ({', '.join(DAY_NAMES)})")
        days = set()
        for day in value:
            name = day.lower() if isinstance(day, str) else day
            if name not in DAY_NAMES:
                raise self.fail(key, f"unknown day {day!r} (days: {', '.join(DAY_NAMES)})")
            days.add(DAY_NAMES.index(name))
        return frozenset(days)

    def zones(self, value: object, key: str) -> frozenset[str]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, "must be a list of IANA time zones")
        for zone in value:
            if not isinstance(zone, str) or not is_zone_name(zone):
                raise self.fail(key, f"unknown time zone {zone!r}")
        return frozenset(value)

    def zone_table(
        self, doc: Mapping[str, Any], name: str, check: Any
    ) -> dict[str, frozenset[str]]:
        table = {}
        for key, value in self.table(doc, name).items():
            if check is not None and not check(key):
                raise self.fail(f"{name}.{key}", "not a three-digit area code")
            table[key.upper()] = self.zones(value, f"{name}.{key}")
        return table

    def state(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value):
            raise self.fail(key, "must be a two-letter state code")
        return value.upper()

    def zip_table(self, doc: Mapping[str, Any], name: str, read: Any) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for key, value in self.table(doc, name).items():
            where = f"{name}.{key}"
            match = _ZIP_KEY.match(key)
            if not match or (match[2] and match[2] < match[1]):
                raise self.fail(where, 'must be a ZIP prefix "350" or a range "350-369"')
            item = read(value, where)
            for n in range(int(match[1]), int(match[2] or match[1]) + 1):
                table[f"{n:03d}"] = item
        return table

    def area_codes(self, doc: Mapping[str, Any]) -> dict[str, str]:
        table = {}
        for state, codes in self.table(doc, "nanp_area_codes").items():
            where = f"nanp_area_codes.{state}"
            if not isinstance(codes, list) or not all(_area_code(c) for c in codes):
                raise self.fail(where, "must be a list of three-digit area codes")
            table.update(dict.fromkeys(codes, state.upper()))
        return table


def _area_code(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[2-9]\d\d", value) is not None


@lru_cache(maxsize=1024)
def is_zone_name(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows (never a path)."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found (a KeyError), a path, unreadable
        return False
    return True
