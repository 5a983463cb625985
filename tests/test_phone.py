"""The E.164 normaliser: examples, properties, and the E.164 fast path against the full parser."""

from __future__ import annotations

from functools import cache

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from audience_cli.phone import (
    REASON_TEXT,
    PhoneDetails,
    PhoneNumberError,
    PhoneReason,
    _parse_details,
    _valid_e164,
    normalize_phone,
    normalize_region,
    phone_details,
    phone_or_reason,
)

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
regions = st.none() | st.sampled_from(REGIONS) | st.text(max_size=3)
# Text that looks like phone numbers, so that some of it is valid.
phone_like = st.from_regex(r"\A(\+|00)?[0-9 ().\-]{4,20}\Z")
e164_like = st.from_regex(r"\A\+[1-9][0-9]{6,14}\Z")


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("+1 (415) 555-0132", None, "+14155550132"),
        ("  +14155550132\t", None, "+14155550132"),
        ("(415) 555-0132", "US", "+14155550132"),
        ("(415) 555-0132", "us", "+14155550132"),
        ("030 1234567", "DE", "+49301234567"),
        ("+49 (0)30 1234567", None, "+49301234567"),
        ("0049 30 1234567", None, "+49301234567"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+39 06 1234 5678", None, "+390612345678"),  # Italian leading zero kept
        ("+4402079460958", None, "+442079460958"),  # national prefix after the code
        ("+800 1234 5678", None, "+80012345678"),  # non-geographic
        ("\uff0b1 415 555 0132", None, "+14155550132"),  # full-width plus
        ("0011 44 20 7946 0958", "AU", "+442079460958"),  # Australia dials out with 0011
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("0049 30 1234567", "US", "+49301234567"),  # 00 read as + when the region cannot
        # Floats from pandas or a spreadsheet: the integer they stand for.
        ("14155550132.0", "US", "+14155550132"),
        ("4155550132.00", "US", "+14155550132"),
        ("1.4155550132E+10", "US", "+14155550132"),
        ("1.4155550132e10", "US", "+14155550132"),
        ("4.4207946095800E+11", "GB", "+442079460958"),
        ("7911123456.0", "GB", "+447911123456"),  # the national 0 was lost too
        # An extension is not part of the E.164 number.
        ("+1 415 555 0132 x123", None, "+14155550132"),
        ("+1 (415) 555-0132 ext. 123", None, "+14155550132"),
    ],
)
def test_valid_numbers(value: str, region: str | None, expected: str) -> None:
    assert normalize_phone(value, region) == expected


@pytest.mark.parametrize(
    ("value", "region", "reason"),
    [
        ("", None, PhoneReason.EMPTY),
        ("   ", None, PhoneReason.EMPTY),
        ("call me", None, PhoneReason.NOT_A_NUMBER),
        ("+1 415 55", None, PhoneReason.TOO_SHORT),
        ("+1 415 555 0100 1234 5678", None, PhoneReason.TOO_LONG),
        ("+999 1234 5678", None, PhoneReason.INVALID_COUNTRY_CODE),
        ("07911 123456", None, PhoneReason.MISSING_REGION),
        ("+1 099 555 0100", None, PhoneReason.INVALID_NUMBER),
        ("+19995550100", None, PhoneReason.INVALID_NUMBER),  # E.164 shape, fast path says no
        ("14155550132.0", None, PhoneReason.MISSING_REGION),  # the float lost the "+"
        ("1.41556E+10", "US", PhoneReason.NOT_A_NUMBER),  # rounded: digits lost, not guessed
        ("1.4155550132E+09", "US", PhoneReason.NOT_A_NUMBER),  # not a whole number
        ("415.555.0132.0", "US", PhoneReason.TOO_LONG),  # dots as separators: not a float
    ],
)
def test_rejected_numbers(value: str, region: str | None, reason: PhoneReason) -> None:
    with pytest.raises(PhoneNumberError) as caught:
        normalize_phone(value, region)
    assert caught.value.reason is reason
    assert caught.value.value == value
    assert str(caught.value) == f"{value!r}: {REASON_TEXT[reason]}"
    assert phone_or_reason(value, region) is reason


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("+1 415 555 0132 x123", None, PhoneDetails("+14155550132", "123")),
        ("(415) 555-0132 ext. 45", "US", PhoneDetails("+14155550132", "45")),
        ("+1 415 555 0132 extension 6", None, PhoneDetails("+14155550132", "6")),
        ("+14155550132", None, PhoneDetails("+14155550132", "")),
        ("14155550132.0", "US", PhoneDetails("+14155550132", "")),
        ("1.4155550132E+10", "US", PhoneDetails("+14155550132", "")),
        ("nope", None, PhoneReason.NOT_A_NUMBER),
    ],
)
def test_phone_details_returns_the_extension(
    value: str, region: str | None, expected: PhoneDetails | PhoneReason
) -> None:
    assert phone_details(value, region) == expected


def test_not_a_string_is_empty() -> None:
    with pytest.raises(PhoneNumberError) as caught:
        normalize_phone(None, None)  # type: ignore[arg-type]
    assert caught.value.reason is PhoneReason.EMPTY


def test_every_reason_has_a_text() -> None:
    assert set(REASON_TEXT) == set(PhoneReason)


def test_normalize_region() -> None:
    assert normalize_region(None) is None
    assert normalize_region(" ") is None
    assert normalize_region("de") == "DE"
    assert normalize_region("UK") == "GB"
    with pytest.raises(ValueError, match="unknown region 'ZZ'"):
        normalize_region("ZZ")


@settings(max_examples=500)
@given(value=st.text(), region=regions)
@example(value="+" + "9" * 300, region=None)
@example(value="\x00", region="\x00")
@example(value="1", region="ß")
def test_never_raises_anything_but_phone_number_error(value: str, region: str | None) -> None:
    try:
        result = normalize_phone(value, region)
    except PhoneNumberError as exc:
        assert exc.reason in PhoneReason
    else:
        assert result.startswith("+") and result[1:].isdigit()


@pytest.mark.slow  # 500 generated values
@settings(max_examples=500)
@given(value=st.text() | phone_like, region=regions)
def test_idempotent(value: str, region: str | None) -> None:
    try:
        once = normalize_phone(value, region)
    except PhoneNumberError:
        return
    assert normalize_phone(once) == once
    assert normalize_phone(once, region) == once


@cache
def _national_examples() -> list[tuple[str, str]]:
    """(region, an example number in national format) for every region that has one."""
    result = []
    for region in REGIONS:
        number = phonenumbers.example_number(region)
        if number is not None:
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            result.append((region, national))
    return result


@st.composite
def national_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A region's example number with some of its digits changed (often still valid)."""
    region, national = draw(st.sampled_from(_national_examples()))
    chars = list(national)
    digit_positions = [i for i, ch in enumerate(chars) if ch.isdigit()]
    for i in draw(st.lists(st.sampled_from(digit_positions), max_size=3)):
        chars[i] = draw(st.sampled_from("0123456789"))
    return region, "".join(chars)


@pytest.mark.slow  # 500 generated numbers
@settings(max_examples=500)
@given(case=national_numbers())
def test_idempotent_on_national_numbers(case: tuple[str, str]) -> None:
    region, value = case
    result = phone_or_reason(value, region)
    if isinstance(result, PhoneReason):
        return
    assert normalize_phone(result, region) == result
    assert normalize_phone(result) == result


def test_most_national_examples_are_valid() -> None:
    valid = [phone_or_reason(n, r) for r, n in _national_examples()]
    assert sum(not isinstance(v, PhoneReason) for v in valid) > 200


@pytest.mark.slow  # a thousand generated numbers
@settings(max_examples=1000)
@given(value=e164_like | st.sampled_from([f"+{cc}" for cc in range(1, 1000)]).flatmap(
    lambda prefix: st.from_regex(rf"\A\{prefix}[0-9]{{5,12}}\Z")
))  # fmt: skip
@example(value="+14155550132")
@example(value="+390612345678")
@example(value="+4402079460958")
@example(value="+80012345678")
def test_fast_path_agrees_with_the_full_parser(value: str) -> None:
    fast = _valid_e164(value) if len(value) <= 16 else None
    if fast is not None:
        full = _parse_details(value, None)
        assert not isinstance(full, PhoneReason)
        assert full.e164 == fast == value


def test_valid_example_numbers_of_every_region_take_the_fast_path_or_agree() -> None:
    fast = 0
    for region in REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if not phonenumbers.is_valid_number(number):
                continue
            result = _valid_e164(e164)
            assert result in (None, e164)
            assert normalize_phone(e164) == e164
            fast += result is not None
    assert fast > 300  # the fast path is the common case, not an exception
