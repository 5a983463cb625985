"""Phone numbers to E.164: the one normaliser every input path goes through.

`normalize_phone` is the public entry point. Bulk callers (the CSV pipeline)
use `phone_or_reason`, or `phone_details` when they also want the extension;
both return the reason instead of raising and cache their answers, so repeated
values (duplicates, the same junk) cost a dict look-up. Numbers already written
in E.164 take a fast path that still validates them against the number plan but
skips `phonenumbers.parse`.

Numbers that went through a spreadsheet or pandas as floats ("14155550132.0",
"1.4155550132E+10") are read as the integer they stand for, as long as no digit
was lost; an extension ("x123", "ext. 123") is not part of the E.164 number and
is returned apart by `phone_details`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # phonenumbers is imported lazily: it costs start-up time
    from phonenumbers import NumberParseException, PhoneNumber


class PhoneReason(StrEnum):
    """Why a number was rejected (used in reports and the rejects file)."""

    EMPTY = "EMPTY"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    INVALID_COUNTRY_CODE = "INVALID_COUNTRY_CODE"
    MISSING_REGION = "MISSING_REGION"
    TOO_SHORT = "TOO_SHORT"
    TOO_LONG = "TOO_LONG"
    INVALID_NUMBER = "INVALID_NUMBER"


REASON_TEXT: dict[PhoneReason, str] = {
    PhoneReason.EMPTY: "no phone number",
    PhoneReason.NOT_A_NUMBER: "not a phone number",
    PhoneReason.INVALID_COUNTRY_CODE: "unknown country calling code",
    PhoneReason.MISSING_REGION: "national number without a country: add +CC or pass --region",
    PhoneReason.TOO_SHORT: "too short",
    PhoneReason.TOO_LONG: "too long",
    PhoneReason.INVALID_NUMBER: "not a valid number for its country",
}


class PhoneNumberError(ValueError):
    def __init__(self, value: str, reason: PhoneReason) -> None:
        super().__init__(f"{value!r}: {REASON_TEXT[reason]}")
        self.value = value
        self.reason = reason


_E164 = re.compile(r"\+[1-9]\d{6,14}")
# Characters people put in numbers that carry no meaning.
_PUNCTUATION = re.compile(r"[\s().\-/\u00a0\u2010-\u2015]")
# Region names people use that are not ISO 3166 codes.
_REGION_ALIASES = {"UK": "GB"}
# A whole number written as a float: "14155550132.0" (pandas), "1.4155550132E+10".
_FLOAT_INTEGER = re.compile(r"(\d+)\.0+")
_SCIENTIFIC = re.compile(r"([1-9])(?:\.(\d+))?[eE]\+?(\d{1,2})")


class PhoneDetails(NamedTuple):
    """A valid number: E.164, and the extension written after it ("" when none)."""

    e164: str
    extension: str = ""


def normalize_region(region: str | None) -> str | None:
    """`region` as an upper-case ISO 3166 alpha-2 code known to the number plan.

    Raises `ValueError` (with a readable message) for an unknown region.
    """
    if region is None or not region.strip():
        return None
    import phonenumbers

    code = region.strip().upper()
    code = _REGION_ALIASES.get(code, code)
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"unknown region {region!r}: use an ISO 3166 alpha-2 code such as US, GB, DE"
        )
    return code


def normalize_phone(value: str, region: str | None = None) -> str:
    """Return `value` as an E.164 string, or raise `PhoneNumberError`.

    `region` (ISO 3166 alpha-2, e.g. "US") is used for numbers written in
    national format. Numbers already in E.164 skip the text clean-up but are
    still validated against the number plan.
    """
    if not isinstance(value, str):
        raise PhoneNumberError(value, PhoneReason.EMPTY)
    result = phone_or_reason(value, region)
    if isinstance(result, PhoneReason):
        raise PhoneNumberError(value, result)
    return result


@lru_cache(maxsize=4096)
def phone_or_reason(value: str, region: str | None = None) -> str | PhoneReason:
    """`value` as E.164, or the `PhoneReason` it is not a valid number (never raises).

    Cached: the same text costs one dictionary look-up the second time. An
    extension is dropped; `phone_details` returns it.
    """
    result = phone_details(value, region)
    return result if isinstance(result, PhoneReason) else result.e164


@lru_cache(maxsize=4096)
def phone_details(value: str, region: str | None = None) -> PhoneDetails | PhoneReason:
    """`value` as E.164 plus its extension, or the `PhoneReason` it is not valid (never raises)."""
    text = _integer_from_float(value.strip())
    if not text:
        return PhoneReason.EMPTY
    region_code = region.upper() if region else None
    region_code = _REGION_ALIASES.get(region_code, region_code) if region_code else None
    compact = text if _E164.fullmatch(text) else _PUNCTUATION.sub("", text)
    if compact.startswith("00") and compact[2:].isdigit():
        international = "+" + compact[2:]
        if region_code is None:
            compact = international
        else:
            # "00" is the international prefix in most countries, but not all
            # (US 011, Australia 0011): the region's own reading comes first.
            result = _parse_details(text, region_code)
            if isinstance(result, PhoneReason) and _E164.fullmatch(international):
                fast = _valid_e164(international)
                other = PhoneDetails(fast) if fast else _parse_details(international, region_code)
                return result if isinstance(other, PhoneReason) else other
            return result
    if _E164.fullmatch(compact):
        fast = _valid_e164(compact)
        return PhoneDetails(fast) if fast else _parse_details(compact, region_code)
    return _parse_details(text, region_code)


def _integer_from_float(text: str) -> str:
    """The digits of a whole number written as a float; any other text unchanged.

    "14155550132.0" -> "14155550132"; "1.4155550132E+10" -> "14155550132". A
    mantissa too short for its exponent ("1.41556E+10", a spreadsheet's display
    of 14155550132) has lost digits: it is left alone, and so rejected, rather
    than read as a different number.
    """
    if "." not in text and "e" not in text and "E" not in text:
        return text
    match = _FLOAT_INTEGER.fullmatch(text)
    if match:
        return match.group(1)
    match = _SCIENTIFIC.fullmatch(text)
    if match:
        lead, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3))
        if len(fraction) >= exponent and not fraction[exponent:].strip("0"):
            return lead + fraction[:exponent]
    return text


def _valid_e164(text: str) -> str | None:
    """`text` itself when it is a valid E.164 number that parsing would leave unchanged.

    Reads the country code and national number straight from the digits and
    checks them with `_plan` (the number plan's patterns, compiled once per
    country code) instead of `phonenumbers.parse` and `is_valid_number`.
    Returns None whenever the full path could answer differently (a leading
    zero, a national prefix the parser might strip, no match), so the caller
    falls back to it: the fast path only ever says yes.
    """
    import phonenumbers

    digits = text[1:]
    for size in (1, 2, 3):  # country codes are prefix-free: the first known one is it
        country_code = int(digits[:size])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    plan = _plan(country_code)
    if plan is None:
        return None
    national = digits[size:]
    if not national or national[0] == "0":
        return None
    prefix, regions = plan
    if prefix is not None and prefix.match(national):
        return None
    length = len(national)
    for leading, by_length in regions:
        if leading is None:
            pattern = by_length.get(length)
            if pattern is not None and pattern.fullmatch(national):
                return text
        elif leading.match(national):
            pattern = by_length.get(length)
            return text if pattern is not None and pattern.fullmatch(national) else None
    return None


# Per region: the leading-digits pattern that picks it (None: no picking), and per
# national number length one pattern that matches exactly the valid numbers.
_Region = tuple["re.Pattern[str] | None", dict[int, "re.Pattern[str]"]]


@cache
def _plan(country_code: int) -> tuple[re.Pattern[str] | None, tuple[_Region, ...]] | None:
    """The number plan of a country code, compiled: (national prefix, regions in order)."""
    import phonenumbers

    region_codes = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not region_codes:
        return None
    main = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, phonenumbers.region_code_for_country_code(country_code)
    )
    if main is None:
        return None
    regions: list[_Region] = []
    for code in region_codes:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
            country_code, code
        )
        if metadata is None:
            return None
        # With several regions, phonenumbers picks one by leading digits (or by
        # validity) and validates in it; with one region there is nothing to pick.
        leading = metadata.leading_digits if len(region_codes) > 1 else None
        regions.append((re.compile(leading) if leading else None, _valid_patterns(metadata)))
    prefix = main.national_prefix_for_parsing
    return (re.compile(prefix) if prefix else None), tuple(regions)


def _valid_patterns(metadata: object) -> dict[int, re.Pattern[str]]:
    """Length -> pattern that matches what `phonenumbers.is_valid_number` accepts.

    phonenumbers calls a national number valid when it matches the general
    description and the description of at least one number type, each checked
    against its list of possible lengths (an empty list allows any length).
    """
    general = _desc(getattr(metadata, "general_desc", None))
    if general is None:
        return {}
    general_lengths, general_pattern = general
    types = [
        _desc(getattr(metadata, name, None))
        for name in (
            "premium_rate", "toll_free", "shared_cost", "voip", "personal_number",
            "pager", "uan", "voicemail", "fixed_line", "mobile",
        )
    ]  # fmt: skip
    descs = [d for d in types if d is not None]
    result: dict[int, re.Pattern[str]] = {}
    for length in range(1, 18):
        if general_lengths and length not in general_lengths:
            continue
        alternatives = [p for lengths, p in descs if not lengths or length in lengths]
        if alternatives:
            any_type = "|".join(f"(?:{p})" for p in alternatives)
            result[length] = re.compile(f"(?=(?:{general_pattern})\\Z)(?:{any_type})")
    return result


def _desc(desc: object) -> tuple[frozenset[int], str] | None:
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return None
    return frozenset(getattr(desc, "possible_length", None) or ()), pattern


def _parse_details(text: str, region_code: str | None) -> PhoneDetails | PhoneReason:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region_code)
    except phonenumbers.NumberParseException as exc:
        return _reason_for_parse_error(exc, text, region_code)
    if not phonenumbers.is_valid_number(parsed):
        return _reason_for_invalid(parsed)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneDetails(e164, parsed.extension or "")


def _reason_for_parse_error(
    exc: NumberParseException, text: str, region: str | None
) -> PhoneReason:
    import phonenumbers

    kind = exc.error_type
    e = phonenumbers.NumberParseException
    if kind == e.INVALID_COUNTRY_CODE:
        if not text.lstrip().startswith("+") and region is None:
            return PhoneReason.MISSING_REGION
        return PhoneReason.INVALID_COUNTRY_CODE
    if kind in (e.TOO_SHORT_NSN, e.TOO_SHORT_AFTER_IDD):
        return PhoneReason.TOO_SHORT
    if kind == e.TOO_LONG:
        return PhoneReason.TOO_LONG
    return PhoneReason.NOT_A_NUMBER


def _reason_for_invalid(parsed: PhoneNumber) -> PhoneReason:
    import phonenumbers

    result = phonenumbers.is_possible_number_with_reason(parsed)
    r = phonenumbers.ValidationResult
    if result == r.INVALID_COUNTRY_CODE:
        return PhoneReason.INVALID_COUNTRY_CODE
    if result == r.TOO_SHORT:
        return PhoneReason.TOO_SHORT
    if result in (r.TOO_LONG, r.INVALID_LENGTH):
        return PhoneReason.TOO_LONG if result == r.TOO_LONG else PhoneReason.INVALID_NUMBER
    return PhoneReason.INVALID_NUMBER
