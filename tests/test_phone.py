"""The E.164 normaliser: examples, properties, and the E.164 fast path against the full parser."""

from __future__ import annotations

from functools import cache

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from audience_cli.phone import (
    NUMBER_TYPES,
    REASON_TEXT,
    PhoneDetails,
    PhoneNumberError,
    PhoneReason,
    country_key,
    normalize_phone,
    normalize_region,
    number_extras,
    phone_details,
    phone_or_reason,
    region_for_country,
    valid_elsewhere,
)
from audience_cli.phone.countries import _COUNTRY_TABLE
from audience_cli.phone.normalize import _national_as_e164, _parse_details, _type_name
from audience_cli.phone.number_plan import _fast_e164, _valid_e164

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
        ("1.41556E+10", "US", PhoneReason.ROUNDED_BY_SPREADSHEET),  # digits lost, not guessed
        ("4.47912E+11", "GB", PhoneReason.ROUNDED_BY_SPREADSHEET),
        ("1.4155550132E+09", "US", PhoneReason.NOT_A_NUMBER),  # not a whole number
        ("415.555.0132.0", "US", PhoneReason.TOO_LONG),  # dots as separators: not a float
        # phonenumbers takes this German number; E.164 allows 15 digits, not 16.
        ("+4948081234567890", None, PhoneReason.TOO_LONG),
        ("048081234567890", "DE", PhoneReason.TOO_LONG),
    ],
)
def test_rejected_numbers(value: str, region: str | None, reason: PhoneReason) -> None:
    with pytest.raises(PhoneNumberError) as caught:
        normalize_phone(value, region)
    assert caught.value.reason is reason
    assert caught.value.value == value
    assert str(caught.value) == f"{value!r}: {REASON_TEXT[reason]}"
    assert phone_or_reason(value, region) is reason


US = ("US", "FIXED_LINE_OR_MOBILE")  # region and number type of +1 415 555 01xx


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("+1 415 555 0132 x123", None, PhoneDetails("+14155550132", "123", *US)),
        ("(415) 555-0132 ext. 45", "US", PhoneDetails("+14155550132", "45", *US)),
        ("+1 415 555 0132 extension 6", None, PhoneDetails("+14155550132", "6", *US)),
        ("+14155550132", None, PhoneDetails("+14155550132", "", *US)),
        ("14155550132.0", "US", PhoneDetails("+14155550132", "", *US)),
        ("1.4155550132E+10", "US", PhoneDetails("+14155550132", "", *US)),
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
    if len(value) <= 16 and (info := _fast_e164(value)) is not None:
        assert info == _region_and_type(value)


def _region_and_type(e164: str) -> tuple[str, str]:
    """What phonenumbers itself says of a valid number: region and type."""
    number = phonenumbers.parse(e164)
    assert phonenumbers.is_valid_number(number)
    region = phonenumbers.region_code_for_number(number)
    return region, _type_name(phonenumbers.number_type(number))


@pytest.mark.slow  # every example number of every region
def test_region_and_type_agree_with_phonenumbers_for_every_example_number() -> None:
    """Every region's example number of every type, and neighbours of it (digits
    changed): the compiled plan gives the region and type phonenumbers gives."""
    kinds = [v for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()]
    numbers = []
    for region in REGIONS:
        for kind in kinds:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.append(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                )
    numbers += [
        phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
        for cc in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS
        if (n := phonenumbers.example_number_for_non_geo_entity(cc)) is not None
    ]
    neighbours = [e[:-3] + f"{d}{d}{(d * 7) % 10}" for e in numbers for d in range(10)]
    checked = set()
    for e164 in numbers + neighbours:
        parsed = phonenumbers.parse(e164)
        if not phonenumbers.is_valid_number(parsed):
            assert _fast_e164(e164) is None, e164
            continue
        result = phone_details(e164)
        assert isinstance(result, PhoneDetails), e164
        assert (result.region, result.number_type) == _region_and_type(e164), e164
        checked.add(result.number_type)
    assert checked == set(NUMBER_TYPES)  # every type was met


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("+1 900 555 0123", None, ("US", "PREMIUM_RATE")),
        ("0900 1234567", "DE", ("DE", "PREMIUM_RATE")),
        ("0180 1234567", "DE", ("DE", "SHARED_COST")),
        ("0800 123 4567", "GB", ("GB", "TOLL_FREE")),
        ("+1 800 555 0199", None, ("US", "TOLL_FREE")),
        ("07400 123456", "GB", ("GB", "MOBILE")),
        ("020 7946 0958", "GB", ("GB", "FIXED_LINE")),
        ("(415) 555-0132", "US", ("US", "FIXED_LINE_OR_MOBILE")),
        ("+39 06 1234 5678", None, ("IT", "FIXED_LINE")),  # the slow path (leading zero)
        ("+800 1234 5678", None, ("001", "TOLL_FREE")),  # non-geographic
        ("(416) 555-0142", "CA", ("CA", "FIXED_LINE_OR_MOBILE")),  # +1 outside the US
    ],
)
def test_region_and_type_of_valid_numbers(
    value: str, region: str | None, expected: tuple[str, str]
) -> None:
    result = phone_details(value, region)
    assert isinstance(result, PhoneDetails)
    assert (result.region, result.number_type) == expected


# -- countries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("US", "US"), ("us", "US"), (" gb ", "GB"), ("UK", "GB"), ("DE", "DE"), ("XK", "XK"),
        ("USA", "US"), ("GBR", "GB"), ("IND", "IN"), ("DEU", "DE"), ("FRA", "FR"), ("bra", "BR"),
        ("United States", "US"), ("United States of America", "US"), ("U.S.A.", "US"),
        ("united kingdom", "GB"), ("Great Britain", "GB"), ("England", "GB"),
        ("India", "IN"), ("Germany", "DE"), ("Deutschland", "DE"), ("España", "ES"),
        ("The Netherlands", "NL"), ("Holland", "NL"), ("St. Lucia", "LC"),
        ("Saint Lucia", "LC"), ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"), ("Korea, Republic of", "KR"), ("South Korea", "KR"),
        ("Trinidad & Tobago", "TT"), ("Viet Nam", "VN"), ("Czechia", "CZ"), ("Türkiye", "TR"),
        ("Bosnia and Herzegovina", "BA"), ("Kosovo", "XK"), ("Ascension Island", "AC"),
        ("+44", "GB"), ("44", "GB"), ("0044", "GB"), ("(+44)", "GB"), ("+1", "US"),
        ("1", "US"), ("001", "US"), ("+91", "IN"), ("7", "RU"), ("+ 49", "DE"),
        ("Narnia", None), ("", None), ("ZZ", None), ("XYZ", None), ("+800", None),
        ("+999", None), ("1234", None), ("0", None), ("N/A", None),
    ],
)  # fmt: skip
def test_region_for_country(value: str, expected: str | None) -> None:
    assert region_for_country(value) == expected


def test_the_country_table_covers_every_region_with_phonenumbers_english_names() -> None:
    """The table's English names are phonenumbers' own (`geocoder`), so that a file
    using them is read; its alpha-3 codes are unique."""
    from phonenumbers.geocoder import _region_display_name

    entries = _COUNTRY_TABLE.replace("\n", " ").split(";")
    table = {
        code: (three, name) for code, three, name in (e.strip().split(" ", 2) for e in entries)
    }
    assert set(table) == set(phonenumbers.SUPPORTED_REGIONS)
    threes = [three for three, _ in table.values() if three != "-"]
    assert len(threes) == len(set(threes)) == len(table) - 2  # AC, TA: no alpha-3 code
    for code, (three, name) in table.items():
        english = _region_display_name(code, "en")
        assert name == (english or name), code
        assert region_for_country(name) == code
        assert three == "-" or region_for_country(three) == code


def test_country_key() -> None:
    assert country_key("The Bahamas") == country_key("bahamas") == "bahamas"
    assert country_key("St. Kitts & Nevis") == country_key("Saint Kitts And Nevis")
    assert country_key("Curaçao") == "curacao"


# -- hints ---------------------------------------------------------------------------------


def test_valid_elsewhere_names_the_region_a_national_number_belongs_to() -> None:
    assert phone_or_reason("07400 123456", "US") is PhoneReason.TOO_LONG
    assert valid_elsewhere("07400 123456", "US")[0] == "GB"
    assert phone_or_reason("(415) 555-0132", "GB") is PhoneReason.INVALID_NUMBER
    assert valid_elsewhere("(415) 555-0132", "GB")[0] == "US"
    assert "CA" not in valid_elsewhere("(415) 555-0132", "GB")  # the same number as US
    assert valid_elsewhere("7400 123456", "US")[0] == "GB"  # a GB mobile that lost its 0
    assert valid_elsewhere("+44 7400 123456", "US") == ()  # its own country code
    assert valid_elsewhere("12", "US") == ()  # too short to be anything
    assert valid_elsewhere("nope", "US") == ()


@pytest.mark.parametrize(
    ("value", "first"),
    [
        ("06 12 34 56 78", "FR"),  # also a valid German number: grouped the French way
        ("030 1234567", "DE"),  # also Australian
        ("0412 345 678", "AU"),
        ("0151 23456789", "DE"),
        ("098765 43210", "IN"),
    ],
)
def test_valid_elsewhere_ranks_the_region_that_groups_the_digits_alike(
    value: str, first: str
) -> None:
    assert valid_elsewhere(value, "US")[0] == first


@pytest.mark.parametrize("value", ["555-0100", "12345678", "5550100"])
def test_valid_elsewhere_does_not_guess_from_a_number_valid_somewhere(value: str) -> None:
    """A US number without its area code is a valid German number, but not written as
    one: no suggestion."""
    assert valid_elsewhere(value, "US") == ()


def test_number_extras() -> None:
    # Several zones for a GB number: the Crown dependencies share +44.
    assert number_extras("+447400123456") == (
        "Europe/Guernsey;Europe/Isle_of_Man;Europe/Jersey;Europe/London",
        "Three",
    )
    zones, carrier = number_extras("+4915123456789")
    assert (zones, carrier) == ("Europe/Berlin", "T-Mobile")
    assert number_extras("+80012345678") == ("", "")  # no time zone known
    assert number_extras("+14155550132")[0] == "America/Los_Angeles"


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


# -- the national fast path ------------------------------------------------------------------


def _full_parser(value: str, region: str) -> PhoneDetails | PhoneReason:
    """What phonenumbers itself says of `value` read in `region` (no fast path, no plan),
    within E.164's 15 digits."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return PhoneReason.NOT_A_NUMBER  # some reason: only "not valid" is compared
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number) or len(e164) > 16:
        return PhoneReason.INVALID_NUMBER
    return PhoneDetails(
        e164,
        number.extension or "",
        phonenumbers.region_code_for_number(number) or "",
        _type_name(phonenumbers.number_type(number)),
    )


def _agrees(value: str, region: str) -> None:
    from audience_cli.phone.normalize import _integer_from_float

    ours = phone_details.__wrapped__(value, region)  # type: ignore[attr-defined]
    text = _integer_from_float(value.strip())  # "4155550132.0": the number it stands for
    if text is None:
        assert ours is PhoneReason.ROUNDED_BY_SPREADSHEET
        return
    theirs = _full_parser(text, region)
    if isinstance(theirs, PhoneReason):
        assert isinstance(ours, PhoneReason), (value, region, ours)
        assert ours == _parse_details(text, region), (value, region)  # the same reason
    else:
        assert ours == theirs, (value, region)


def test_national_example_numbers_of_every_region_agree_with_the_full_parser() -> None:
    """Every region's example numbers of every type, written nationally, with and without
    punctuation, and neighbours of them: the fast reading gives what the parser gives."""
    kinds = [v for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()]
    fast = 0
    for region in REGIONS:
        for kind in kinds:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            digits = "".join(ch for ch in national if ch.isdigit())
            for value in (national, digits, digits[:-1] + "7", digits + "1", digits[1:]):
                _agrees(value, region)
                fast += _national_as_e164(digits, region) is not None
    assert fast > 500  # national numbers without a trunk prefix: the common case abroad


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("(415) 555-0132", "US"),
        ("415.555.0132", "US"),
        ("1 415 555 0132", "US"),  # starts with the country code: the parser decides
        ("011 44 20 7946 0958", "US"),  # the international prefix
        ("(416) 555-0142", "CA"),
        ("7400 123456", "GB"),  # a GB mobile without its 0
        ("20 7946 0958", "GB"),
        ("441234567890", "GB"),  # starts with 44
        ("30 1234567", "DE"),
        ("6 12 34 56 78", "FR"),
        ("2 1234 5678", "AR"),  # a national prefix that may be empty
        ("200 555 0000", "US"),  # no such area code
        ("415\t555 0132", "US"),  # a tab is not punctuation to the parser
        ("415 555 0132 ext 12", "US"),
        ("1-800-FLOWERS", "US"),
        ("20100000000000", "DE"),  # +49 and 14 digits: past E.164, TOO_LONG either way
    ],
)
def test_the_national_reading_agrees_with_the_full_parser(value: str, region: str) -> None:
    _agrees(value, region)


@pytest.mark.slow  # a thousand generated numbers
@settings(max_examples=1000)
@given(
    region=st.sampled_from(REGIONS),
    value=st.from_regex(r"\A[1-9][0-9 ()./\-]{2,16}[0-9]\Z"),
)
def test_plain_national_numbers_agree_with_the_full_parser(region: str, value: str) -> None:
    _agrees(value, region)


def test_a_plan_is_compiled_for_valid_numbers_only() -> None:
    """A rejected number tried in another country compiles no plan there (40-60 ms
    each): the plans stay lazy."""
    from audience_cli.phone import normalize, number_plan

    number_plan._PLANS.pop(263, None)  # Zimbabwe
    assert isinstance(normalize._parse_details("1", "ZW"), PhoneReason)
    assert isinstance(normalize._parse_details("77 123", "ZW"), PhoneReason)
    assert 263 not in number_plan._PLANS
    assert not isinstance(normalize._parse_details("071 212 3456", "ZW"), PhoneReason)
    assert 263 in number_plan._PLANS


def test_importing_the_normaliser_compiles_no_plan() -> None:
    import subprocess
    import sys

    code = (
        "import sys, audience_cli.phone.number_plan as p; import audience_cli.phone\n"
        "print(len(p._PLANS), 'phonenumbers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]
