"""Zones from a number and from an address: split area codes, ZIP and postal codes,
states, and the values that cannot be read."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType, timezone

from audience_cli.calling import zones as zones_module
from audience_cli.calling.rules import Rules
from audience_cli.calling.zones import (
    Place,
    member_place,
    state_for_address,
    state_for_number,
    zones_for_address,
    zones_for_number,
)
from audience_cli.errors import BadZoneValueError, UsageError


def address(rules: Rules, **given: str | None) -> frozenset[str] | None:
    fields: dict[str, str | None] = {"tz": None, "zip_code": None, "state": None, "region": None}
    fields.update(given)
    return zones_for_address(rules=rules, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        ("timezone", {"tz": "America/Nowhere"}),
        ("timezone", {"tz": "../../etc/passwd"}),
        ("timezone", {"tz": "Etc/Unknown"}),
        ("zip", {"zip_code": "ABCDE"}),
        ("zip", {"zip_code": "000"}),
        ("zip", {"zip_code": "00000"}),  # no such prefix
        ("state", {"state": "Atlantis"}),
        ("state", {"state": "ZZ"}),
    ],
)
def test_a_value_that_cannot_be_read_names_its_kind_and_value(
    rules: Rules, kind: str, given: dict[str, str]
) -> None:
    with pytest.raises(BadZoneValueError) as caught:
        address(rules, **given)
    value = next(iter(given.values()))
    assert (caught.value.kind, caught.value.value) == (kind, value)
    assert caught.value.message == f"cannot read the {kind} {value!r}"
    assert isinstance(caught.value, UsageError)


def test_the_address_fields_in_order_of_precedence(rules: Rules) -> None:
    assert address(rules) is None
    assert address(rules, tz="  ", zip_code="", state=" ") is None
    assert address(rules, tz="Europe/Paris", zip_code="90210") == {"Europe/Paris"}
    assert address(rules, zip_code="90210", state="NY") == {"America/Los_Angeles"}
    assert address(rules, zip_code="32501") == {"America/Chicago"}  # Pensacola
    assert address(rules, zip_code="33101") == {"America/New_York"}  # Miami
    assert address(rules, zip_code="79901") == {"America/Denver"}  # El Paso
    assert address(rules, zip_code="K1A 0B1") == {"America/Toronto", "America/Winnipeg"}
    assert address(rules, zip_code="v6b1a1") == {"America/Vancouver", "America/Edmonton"}
    assert address(rules, state="TX") == {"America/Chicago", "America/Denver"}
    assert address(rules, state=" new  york ") == {"America/New_York"}
    assert address(rules, state="az") == {"America/Phoenix", "America/Denver"}
    assert address(rules, state="Quebec", region="CA") == {"America/Toronto", "America/Halifax"}


def test_split_area_codes_get_every_zone_others_what_phonenumbers_says(rules: Rules) -> None:
    assert zones_for_number("+15415550123", rules) == {"America/Los_Angeles", "America/Boise"}
    assert zones_for_number("+12085550123", rules) >= {"America/Los_Angeles", "America/Boise"}
    assert zones_for_number("+12145550123", rules) == {"America/Chicago"}
    assert zones_for_number("+33612345678", rules) == {"Europe/Paris"}
    assert state_for_number("+12145550123", rules) == "TX"
    assert state_for_number("+14165550123", rules) == "ON"
    assert state_for_number("+33612345678", rules) is None


@pytest.mark.parametrize("region", ["US", "CA", "FR", "GB", "DE", "IN", "BR", "MX", "AU", "RU"])
def test_the_prefix_cache_agrees_with_phonenumbers(rules: Rules, region: str) -> None:
    zones_module._BY_PREFIX.clear()
    checked = 0
    for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE):
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
        # phonenumbers' answer, but a country-wide one of several clocks says nothing
        # (`test_a_country_wide_answer_of_several_clocks_says_nothing`).
        expected = set(zones_module._phonenumbers_zones(e164))
        answer = set(timezone.time_zones_for_number(example)) - {"Etc/Unknown"}
        assert expected == answer or len(answer) > 1
        expected |= (
            rules.split_area_codes.get(e164[2:5], set()) if region in ("US", "CA") else set()
        )
        # Twice: the second answer comes from the cache.
        assert zones_for_number(e164, rules) == expected
        assert zones_for_number(e164, rules) == expected
        checked += 1
    assert checked


def test_a_country_wide_answer_of_several_clocks_says_nothing(rules: Rules) -> None:
    # phonenumbers gives a non-geographic number its whole country's zones: a Russian
    # mobile all of Russia's, a +1 868 mobile all 42 of NANP's (no instant is inside
    # every one of their windows). Russia's: unknown; NANP's area code is still a place.
    assert zones_for_number("+79161234567", rules) == frozenset()
    assert zones_for_number("+61412345678", rules) == frozenset()
    assert zones_for_number("+18686201234", rules) == {"America/Port_of_Spain"}
    # The UK's four zones keep one clock: kept.
    assert "Europe/London" in zones_for_number("+447400123456", rules)


def test_the_state_of_an_address(rules: Rules) -> None:
    assert state_for_address(zip_code="33101", state=None, rules=rules) == "FL"
    assert state_for_address(zip_code="90210", state="Texas", rules=rules) == "TX"
    assert state_for_address(zip_code="K1A 0B1", state=None, rules=rules) == "ON"
    assert state_for_address(zip_code=None, state=None, rules=rules) is None
    assert state_for_address(zip_code="ABCDE", state=None, rules=rules) is None


def test_the_zip_tables_agree(rules: Rules) -> None:
    """Every ZIP prefix with zones has a state, and its zones are among the state's."""
    assert set(rules.zip3) == set(rules.zip3_states)
    assert [
        (prefix, state)
        for prefix, state in rules.zip3_states.items()
        if not rules.zip3[prefix] <= rules.us_state_zones[state]
    ] == []
    # Every area code's state or province is known, with its zones.
    known = set(rules.us_state_zones) | set(rules.ca_province_zones)
    assert set(rules.area_code_states.values()) <= known


def test_a_member_s_place_from_the_number_and_the_address(rules: Rules) -> None:
    assert member_place("+12125550123", region="US", rules=rules) == Place(
        frozenset({"America/New_York"}), frozenset({"NY"})
    )
    moved = member_place("+12145550123", zip_code="33101", region="US", rules=rules)
    assert moved == Place(
        frozenset({"America/Chicago", "America/New_York"}), frozenset({"TX", "FL"})
    )
    assert member_place("+33612345678", tz="Europe/Paris", region="FR", rules=rules) == Place(
        frozenset({"Europe/Paris"}), frozenset()
    )
    with pytest.raises(BadZoneValueError):
        member_place("+12125550123", state="Atlantis", region="US", rules=rules)
