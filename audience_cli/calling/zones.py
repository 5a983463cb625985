"""A member's time zones: from the number (phonenumbers' zone data, with the area codes
the rules list as split across zones), from the address (a time-zone, ZIP/postal code or
state value), and the two together. An empty set means unknown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from audience_cli.calling.rules import Rules, is_zone_name
from audience_cli.errors import BadZoneValueError
from audience_cli.phone.number_plan import _fast_e164

UNKNOWN_ZONE = "Etc/Unknown"
_US_ZIP = re.compile(r"(\d{5})(?:[- ]?\d{4})?\Z")
_CA_POSTAL = re.compile(r"([A-Z])\d[A-Z] ?\d[A-Z]\d\Z")


def zones_for_number(e164: str, rules: Rules) -> frozenset[str]:
    """The zones of a valid E.164 number; empty when unknown (`Etc/Unknown` alone). A NANP
    number of an area code the rules list as split gets every zone listed."""
    zones = _zones_of(e164)
    if e164.startswith("+1") and (split := rules.split_area_codes.get(e164[2:5])):
        return zones | split
    return zones


def state_for_number(e164: str, rules: Rules) -> str | None:
    """The US state or Canadian province of a NANP number's area code, or None."""
    return rules.area_code_states.get(e164[2:5]) if e164.startswith("+1") else None


@lru_cache(maxsize=1)
def _zone_data() -> tuple[dict[str, tuple[str, ...]], int]:
    from phonenumbers import tzdata

    return tzdata.TIMEZONE_DATA, tzdata.TIMEZONE_LONGEST_PREFIX


def _zone_prefix(e164: str) -> str:
    """The longest prefix of the number's digits that phonenumbers' zone data has (the
    cache key), or the number itself."""
    data, longest = _zone_data()
    digits = e164[1:]
    for size in range(min(longest, len(digits)), 0, -1):
        if digits[:size] in data:
            return digits[:size]
    return digits


# phonenumbers' zones of a number depend only on the longest prefix of its zone data
# that the number starts with and on the number's type (a non-geographic type gets its
# country's zones): answers are kept by both.
_BY_PREFIX: dict[tuple[str, str], frozenset[str]] = {}


def _zones_of(e164: str) -> frozenset[str]:
    fast = _fast_e164(e164)
    if fast is None:  # not a number the plan's patterns read: phonenumbers decides
        return _phonenumbers_zones(e164)
    key = (_zone_prefix(e164), fast[1])
    zones = _BY_PREFIX.get(key)
    if zones is None:
        zones = _BY_PREFIX[key] = _phonenumbers_zones(e164)
    return zones


def _phonenumbers_zones(e164: str) -> frozenset[str]:
    """phonenumbers' zones of a number, without `Etc/Unknown`."""
    import phonenumbers
    from phonenumbers import timezone

    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return frozenset()
    zones = frozenset(z for z in timezone.time_zones_for_number(parsed) if z != UNKNOWN_ZONE)
    data = _zone_data()[0]
    country = str(parsed.country_code)
    if (
        len(zones) > 1
        and zones == frozenset(data.get(country, ())) - {UNKNOWN_ZONE}
        and not _one_clock(zones)
    ):
        # The whole country's zones, several clocks (a mobile of a non-geographic plan:
        # +7, +61; a +1 868 mobile gets all 42 of NANP's): nothing said of this number,
        # and no instant is inside all of their windows. In NANP the area code is still
        # a place: its own entry, when the data has one.
        prefix = _zone_prefix(e164)
        own = data.get(prefix, ()) if country == "1" and prefix != country else ()
        return frozenset(z for z in own if z != UNKNOWN_ZONE)
    return zones


@lru_cache(maxsize=256)
def _one_clock(zones: frozenset[str]) -> bool:
    """The zones keep one time (the same offset in January and in July: the UK's four)."""
    from datetime import UTC, datetime

    from audience_cli.calling.windows import zone_info

    instants = (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))
    return all(
        len({instant.astimezone(zone_info(z)).utcoffset() for z in zones}) == 1
        for instant in instants
    )


def zones_for_address(
    *,
    tz: str | None,
    zip_code: str | None,
    state: str | None,
    region: str | None,
    rules: Rules,
) -> frozenset[str] | None:
    """The zones a contact's own data says (the first given of: an IANA time zone, a US ZIP
    or Canadian postal code, a state or province), or None when it says nothing. Raises
    `BadZoneValueError` for a value that cannot be read. `region` (ISO country) says whether
    a state is a US state or a Canadian province when both could be."""
    if tz and tz.strip():
        name = tz.strip()
        if not is_zone_name(name) or name == UNKNOWN_ZONE:
            raise BadZoneValueError("timezone", tz)
        return frozenset({name})
    if zip_code and zip_code.strip():
        return _zones_for_postal(zip_code, rules)
    if state and state.strip():
        code = rules.state_code(state)
        ca = rules.ca_province_zones.get(code or "")
        us = rules.us_state_zones.get(code or "")
        zones = ca if region == "CA" and ca else (us or ca)
        if not zones:
            raise BadZoneValueError("state", state)
        return zones
    return None


def state_for_address(*, zip_code: str | None, state: str | None, rules: Rules) -> str | None:
    """The state or province whose rules apply to a contact's address: the state column's
    (as a code), else the ZIP's or postal code's; None when neither says (an unreadable
    value is `zones_for_address`'s to report)."""
    if state and state.strip():
        return rules.state_code(state)
    text = (zip_code or "").strip().upper()
    if match := _US_ZIP.match(text):
        return rules.zip3_states.get(match[1][:3])
    if match := _CA_POSTAL.match(text):
        return rules.ca_postal_letters.get(match[1])
    return None


def _zones_for_postal(value: str, rules: Rules) -> frozenset[str]:
    text = value.strip().upper()
    if (match := _US_ZIP.match(text)) and (zones := rules.zip3.get(match[1][:3])):
        return zones
    match = _CA_POSTAL.match(text)
    province = rules.ca_postal_letters.get(match[1]) if match else None
    if zones := rules.ca_province_zones.get(province or ""):
        return zones
    raise BadZoneValueError("zip", value)


def member_zones(
    number_zones: frozenset[str], address_zones: frozenset[str] | None
) -> frozenset[str]:
    """The zones a member's window must hold in: the address's when the number has none,
    the number's when the address says nothing, and both when they differ (a number kept
    after a move): a call is safe only when it is inside the window in every one."""
    if address_zones is None:
        return number_zones
    return number_zones | address_zones


@dataclass(frozen=True)
class Place:
    """Where a member is, for the rules: every zone their window must hold in, and every
    state whose rules apply (the number's and the address's when they differ)."""

    zones: frozenset[str]
    states: frozenset[str]


def member_place(
    e164: str,
    *,
    tz: str | None = None,
    zip_code: str | None = None,
    state: str | None = None,
    region: str | None = None,
    rules: Rules,
) -> Place:
    """A member's `Place` from their valid E.164 number and the address columns a file
    has (None: no such column). Raises `BadZoneValueError` for a value that cannot be
    read. `region` is the number's country."""
    address = zones_for_address(tz=tz, zip_code=zip_code, state=state, region=region, rules=rules)
    states = {
        state_for_number(e164, rules),
        state_for_address(zip_code=zip_code, state=state, rules=rules),
    }
    return Place(
        member_zones(zones_for_number(e164, rules), address),
        frozenset(s for s in states if s),
    )
