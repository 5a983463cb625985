"""A member's time zones: from the number (phonenumbers' zone data, with the area codes
the rules list as split across zones), from the address (a time-zone, ZIP/postal code or
state value), and the two together. An empty set means unknown."""

from __future__ import annotations

import re
from functools import lru_cache

from audience_cli.calling.rules import Rules, is_zone_name
from audience_cli.errors import BadZoneValueError

UNKNOWN_ZONE = "Etc/Unknown"
_US_ZIP = re.compile(r"(\d{5})(?:[- ]?\d{4})?\Z")
_CA_POSTAL = re.compile(r"([A-Z])\d[A-Z] ?\d[A-Z]\d\Z")


def zones_for_number(e164: str, rules: Rules) -> frozenset[str]:
    """The zones of a valid E.164 number; empty when unknown (`Etc/Unknown` alone). A NANP
    number of an area code the rules list as split gets every zone listed."""
    prefix = _zone_prefix(e164)
    zones = _BY_PREFIX.get(prefix)
    if zones is None:
        zones = _phonenumbers_zones(e164)
        if zones and zones == frozenset(_zone_data()[0].get(prefix, ())):
            _BY_PREFIX[prefix] = zones  # the prefix's own zones: every number of it shares them
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


# phonenumbers' zones by prefix of its zone data, kept when a number's answer is the
# prefix's entry (not a country-wide or unknown answer, which depends on the number).
_BY_PREFIX: dict[str, frozenset[str]] = {}


def _phonenumbers_zones(e164: str) -> frozenset[str]:
    """phonenumbers' zones of a number, without `Etc/Unknown`."""
    import phonenumbers
    from phonenumbers import timezone

    try:
        zones = timezone.time_zones_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return frozenset()
    return frozenset(z for z in zones if z != UNKNOWN_ZONE)


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


def state_for_address(state: str | None, rules: Rules) -> str | None:
    """The code of a state or province as written, or None (nothing written, or unknown:
    `zones_for_address` reports the unknown one)."""
    return rules.state_code(state) if state and state.strip() else None


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
