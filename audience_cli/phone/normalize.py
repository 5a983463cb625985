"""Phone numbers to E.164: the one normaliser every input path goes through.

`normalize_phone` is the public entry point. Bulk callers (the CSV pipeline)
use `phone_or_reason`, or `phone_details` when they also want the extension;
both return the reason instead of raising and cache their answers, so repeated
values (duplicates, the same junk) cost a dict look-up. Numbers already written
in E.164 take a fast path that still validates them against the number plan
(`number_plan.py`) but skips `phonenumbers.parse`.

Numbers that went through a spreadsheet or pandas as floats ("14155550132.0",
"1.4155550132E+10") are read as the integer they stand for, as long as no digit
was lost; an extension ("x123", "ext. 123") is not part of the E.164 number and
is returned apart by `phone_details`, with the number's region and type
(`MOBILE`, `PREMIUM_RATE`…).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from audience_cli.phone.number_plan import _PLANS, _classify, _fast_e164
from audience_cli.reasons import REASON_TEXT, PhoneReason

if TYPE_CHECKING:  # phonenumbers is imported lazily: it costs start-up time
    from phonenumbers import NumberParseException, PhoneNumber


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
# A national number written with digits and the punctuation people use in them, no more:
# what `_national_as_e164` reads without the parser (ASCII only, no letters, no "+", ";").
_PLAIN_NATIONAL = re.compile(r"[0-9 ()./-]{3,250}")
_FLOAT_INTEGER = re.compile(r"(\d+)\.0+")
_SCIENTIFIC = re.compile(r"([1-9])(?:\.(\d+))?[eE]\+?(\d{1,2})")


class PhoneDetails(NamedTuple):
    """A valid number: E.164, the extension written after it ("" when none), the region
    the number belongs to (ISO code; "001" for non-geographic numbers such as +800) and
    its type (one of `NUMBER_TYPES`)."""

    e164: str
    extension: str = ""
    region: str = ""
    number_type: str = ""


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
    """`value` as E.164 plus its extension, region and type, or the `PhoneReason` it is
    not valid (never raises)."""
    text = _integer_from_float(value.strip())
    if text is None:
        return PhoneReason.ROUNDED_BY_SPREADSHEET
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
                fast = _fast_e164(international)
                other = (
                    PhoneDetails(international, "", *fast)
                    if fast
                    else _parse_details(international, region_code)
                )
                return result if isinstance(other, PhoneReason) else other
            return result
    if _E164.fullmatch(compact):
        fast = _fast_e164(compact)
        return PhoneDetails(compact, "", *fast) if fast else _parse_details(compact, region_code)
    if region_code is not None and compact.isdigit() and _PLAIN_NATIONAL.fullmatch(text):
        plain = _plain_national_details(compact, region_code)
        if plain is not None:
            return plain
    return _parse_details(text, region_code)


def _plain_national_details(
    digits: str, region: str, *, reason: bool = True
) -> PhoneDetails | PhoneReason | None:
    """What `_parse_details` says of a national number written plainly (`_PLAIN_NATIONAL`,
    `digits` without the punctuation), without `phonenumbers.parse` when
    `_national_as_e164` knows what it would read; else None (ask the parser). Without
    `reason`, a number that is not valid is INVALID_NUMBER, whatever the reason.
    """
    e164 = _national_as_e164(digits, region)
    if e164 is None:
        return None
    fast = _fast_e164(e164)
    if fast is not None:
        return PhoneDetails(e164, "", *fast)
    from phonenumbers import PhoneNumber

    # What parse returns for these digits: the region's country code, the digits as
    # the national number (no leading zero, no extension).
    country_code = int(e164[1 : len(e164) - len(digits)])
    number = PhoneNumber(country_code=country_code, national_number=int(digits))
    return _details_of(number, reason=reason)


def _national_as_e164(digits: str, region: str) -> str | None:
    """The E.164 form `phonenumbers.parse(digits, region)` gives ASCII `digits` (a
    national number written without a prefix of any kind), or None when parsing could
    read them otherwise.

    Parsing takes the region's country code as the number's when the digits start
    with none of: a 0, the international prefix (011 in the US), the country code
    itself, or the national prefix (1 in the US); then nothing is stripped and the
    national significant number is the digits as written. Anything else, or a region
    without metadata, is left to the parser (None). Whether the number is valid is
    `_fast_e164`'s question.
    """
    reading = _national_reading(region)
    if reading is None or not 3 <= len(digits) <= 17 or digits[0] == "0":
        return None
    country, prefix, international = reading
    if digits.startswith(country):
        return None
    if (prefix is not None and prefix.match(digits)) or (
        international is not None and international.match(digits)
    ):
        return None
    return f"+{country}{digits}"


@cache
def _national_reading(
    region: str,
) -> tuple[str, re.Pattern[str] | None, re.Pattern[str] | None] | None:
    """(country code, national prefix for parsing, international prefix) of a region, the
    patterns compiled on first use; None for a region without metadata."""
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or not metadata.country_code:
        return None
    prefix = metadata.national_prefix_for_parsing
    international = metadata.international_prefix
    return (
        str(metadata.country_code),
        re.compile(prefix) if prefix else None,
        re.compile(international) if international else None,
    )


def _integer_from_float(text: str) -> str | None:
    """The digits of a whole number written as a float; any other text unchanged; None
    for a number a spreadsheet rounded.

    "14155550132.0" -> "14155550132"; "1.4155550132E+10" -> "14155550132". A
    mantissa too short for its exponent ("1.41556E+10", a spreadsheet's display
    of 14155550132) has lost digits: None, rather than a different number.
    """
    if "." not in text and "e" not in text and "E" not in text:
        return text
    match = _FLOAT_INTEGER.fullmatch(text)
    if match:
        return match.group(1)
    match = _SCIENTIFIC.fullmatch(text)
    if match:
        lead, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3))
        if len(fraction) < exponent:
            return None
        if not fraction[exponent:].strip("0"):
            return lead + fraction[:exponent]
    return text


def _parse_details(text: str, region_code: str | None) -> PhoneDetails | PhoneReason:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region_code)
    except phonenumbers.NumberParseException as exc:
        return _reason_for_parse_error(exc, text, region_code)
    return _details_of(parsed)


def _details_of(parsed: PhoneNumber, *, reason: bool = True) -> PhoneDetails | PhoneReason:
    """A parsed number's details, or the reason it is not valid (without `reason`:
    INVALID_NUMBER)."""
    import phonenumbers

    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if len(e164) > 16:  # E.164 allows 15 digits; phonenumbers accepts a few longer plans
        return PhoneReason.TOO_LONG if reason else PhoneReason.INVALID_NUMBER
    country_code = parsed.country_code or 0
    # E.164 is "+", the country code, then the national significant number. The
    # compiled plan matches exactly the numbers `is_valid_number` accepts, typed: once
    # compiled (for a country with a valid number before), a match saves asking it
    # (half the parser's time); no match is checked with it. A plan is compiled for a
    # valid number only, not for each country a rejected number is tried in.
    national = e164[1 + len(str(country_code)) :]
    if country_code in _PLANS:
        info = _classify(country_code, national)
        if info is not None:
            return PhoneDetails(e164, parsed.extension or "", *info)
    if not phonenumbers.is_valid_number(parsed):
        return _reason_for_invalid(parsed) if reason else PhoneReason.INVALID_NUMBER
    info = _classify(country_code, national) if country_code else None
    if info is None:  # not expected for a valid number: ask phonenumbers itself
        info = (
            phonenumbers.region_code_for_number(parsed) or "",
            _type_name(phonenumbers.number_type(parsed)),
        )
    return PhoneDetails(e164, parsed.extension or "", *info)


def _type_name(value: int) -> str:
    from phonenumbers import PhoneNumberType

    names = {v: k for k, v in vars(PhoneNumberType).items() if k.isupper()}
    return names.get(value, "UNKNOWN")


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
