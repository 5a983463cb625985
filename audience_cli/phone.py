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
is returned apart by `phone_details`, with the number's region and type
(`MOBILE`, `PREMIUM_RATE`…, from the number plan's patterns, compiled once per
country code). `region_for_country` reads a country cell (ISO code, English
name, calling code) as the region national numbers are read in.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from audience_cli.reasons import REASON_TEXT, PhoneReason, RowReason

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


# Number types as phonenumbers names them (`PhoneNumberType`), in the order it tests
# them: the first that matches is the number's type.
PREMIUM_RATE: str = RowReason.PREMIUM_RATE
SHARED_COST: str = RowReason.SHARED_COST
_SPECIAL_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail",
)  # fmt: skip
NUMBER_TYPES: tuple[str, ...] = (
    *(t.upper() for t in _SPECIAL_TYPES),
    "FIXED_LINE_OR_MOBILE",
    "FIXED_LINE",
    "MOBILE",
)


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


def _valid_e164(text: str) -> str | None:
    """`text` itself when it is a valid E.164 number that parsing would leave unchanged
    (see `_fast_e164`), else None."""
    return text if _fast_e164(text) else None


def _fast_e164(text: str) -> tuple[str, str] | None:
    """(region, type) of `text` when it is a valid E.164 number that parsing would
    leave unchanged.

    Reads the country code and national number straight from the digits and
    checks them with `_plan` (the number plan's patterns, compiled once per
    country code) instead of `phonenumbers.parse` and `is_valid_number`.
    Returns None whenever the full path could answer differently (a leading
    zero, a national prefix the parser might strip, no match), so the caller
    falls back to it: the fast path only ever says yes.
    """
    import phonenumbers

    if len(text) > 16:  # past E.164's 15 digits: the full path says TOO_LONG
        return None
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
    return _classify_in(regions, national)


def _classify(country_code: int, national: str) -> tuple[str, str] | None:
    """(region, type) of a parsed number (its national significant number), or None."""
    plan = _plan(country_code)
    return None if plan is None else _classify_in(plan[1], national)


def _classify_in(regions: tuple[_Region, ...], national: str) -> tuple[str, str] | None:
    """The region that `national` belongs to, as phonenumbers picks it, and its type there.

    With several regions, the first whose leading digits match decides (valid
    there or not); a region without leading digits is picked when the number is
    valid in it.
    """
    length = len(national)
    for region in regions:
        by_length = region.by_length
        if by_length is None:  # the first number that gets this far in this region
            by_length = region.compile()
        leading = region.leading
        if leading is not None and not leading.match(national):
            continue
        pattern = by_length.get(length)
        match = pattern.fullmatch(national) if pattern is not None else None
        if match is not None:
            return region.code, match.lastgroup or ""
        if leading is not None:
            return None
    return None


class _Region:
    """A region of a country code: its code, the leading-digits pattern that picks it
    (None: no picking), and per national number length one pattern that matches exactly
    the valid numbers, with a named group per number type.

    Compiled when a number first gets to it: +1 has 25 regions, and a file of US
    numbers needs the US's patterns only (compiling them all took 40-60 ms).
    """

    __slots__ = ("by_length", "code", "country_code", "leading", "picked")

    def __init__(self, code: str, country_code: int, picked: bool) -> None:
        self.code = code
        self.country_code = country_code
        self.picked = picked  # one of several regions: picked by leading digits
        self.leading: re.Pattern[str] | None = None
        self.by_length: dict[int, re.Pattern[str]] | None = None

    def compile(self) -> dict[int, re.Pattern[str]]:
        import phonenumbers

        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
            self.country_code, self.code
        )
        by_length = _typed_patterns(metadata) if metadata is not None else {}
        # With several regions, phonenumbers picks one by leading digits (or by
        # validity) and validates in it; with one region there is nothing to pick.
        leading = metadata.leading_digits if metadata is not None and self.picked else None
        self.leading = re.compile(leading) if leading else None
        self.by_length = by_length
        return by_length


_Plan = tuple["re.Pattern[str] | None", tuple[_Region, ...]]
_PLANS: dict[int, _Plan | None] = {}  # compiled on first use, a region at a time


def _plan(country_code: int) -> _Plan | None:
    """The number plan of a country code, compiled: (national prefix, regions in order)."""
    if country_code not in _PLANS:
        _PLANS[country_code] = _compile_plan(country_code)
    return _PLANS[country_code]


def _compile_plan(country_code: int) -> _Plan | None:
    import phonenumbers

    region_codes = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not region_codes:
        return None
    main = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, phonenumbers.region_code_for_country_code(country_code)
    )
    if main is None:
        return None
    several = len(region_codes) > 1
    regions = [_Region(code, country_code, several) for code in region_codes]
    prefix = main.national_prefix_for_parsing
    return (re.compile(prefix) if prefix else None), tuple(regions)


def _typed_patterns(metadata: object) -> dict[int, re.Pattern[str]]:
    """Length -> pattern that matches what `phonenumbers.is_valid_number` accepts, the
    matching group named after the number type `phonenumbers.number_type` gives.

    phonenumbers calls a national number valid when it matches the general
    description and the description of at least one number type, each checked
    against its list of possible lengths (an empty list allows any length). Its
    type is the first that matches, special types first; a fixed-line pattern
    that the mobile pattern matches too (or one region-wide flag) makes
    FIXED_LINE_OR_MOBILE. Alternatives are tried in that order, so the group
    that matched (`Match.lastgroup`) is the type.
    """
    general = _desc(getattr(metadata, "general_desc", None))
    if general is None:
        return {}
    general_lengths, general_pattern = general
    special = [(name.upper(), _desc(getattr(metadata, name, None))) for name in _SPECIAL_TYPES]
    fixed = _desc(getattr(metadata, "fixed_line", None))
    mobile = _desc(getattr(metadata, "mobile", None))
    same = bool(getattr(metadata, "same_mobile_and_fixed_line_pattern", False))
    result: dict[int, re.Pattern[str]] = {}
    for length in range(1, 18):
        if general_lengths and length not in general_lengths:
            continue

        def fits(desc: tuple[frozenset[int], str] | None, n: int = length) -> bool:
            return desc is not None and (not desc[0] or n in desc[0])

        alternatives = [f"(?P<{name}>{d[1]})" for name, d in special if d and fits(d)]
        mobile_fits = mobile is not None and fits(mobile)
        if fixed is not None and fits(fixed):
            if same:
                alternatives.append(f"(?P<FIXED_LINE_OR_MOBILE>{fixed[1]})")
            elif mobile is not None and mobile_fits:
                # A fixed-line number is FIXED_LINE_OR_MOBILE when the mobile pattern
                # matches it too: each pattern is tried once unless it is fixed only.
                alternatives.append(
                    f"(?=(?:{fixed[1]})\\Z)"
                    f"(?:(?P<FIXED_LINE_OR_MOBILE>{mobile[1]})|(?P<FIXED_LINE>{fixed[1]}))"
                )
            else:
                alternatives.append(f"(?P<FIXED_LINE>{fixed[1]})")
        if mobile is not None and not same and mobile_fits:
            alternatives.append(f"(?P<MOBILE>{mobile[1]})")
        if alternatives:
            any_type = "|".join(alternatives)
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


# --- a number read in the wrong region ------------------------------------------------------

# Where a national number that is not valid in the region it was read in is tried
# instead, most used first (a few dozen parses at most, and only for such rejects).
_LIKELY_REGIONS = (
    "US", "GB", "IN", "CA", "AU", "DE", "FR", "ES", "IT", "NL", "IE", "NZ", "ZA", "BR", "MX",
    "SG", "AE", "PH", "NG", "PK", "BE", "CH", "AT", "SE", "PL", "PT", "JP",
)  # fmt: skip
MAX_OTHER_REGIONS = 3  # regions looked for
# Rejects whose number might be valid in another region (`valid_elsewhere` says where).
WRONG_REGION_REASONS = frozenset(
    {PhoneReason.TOO_SHORT, PhoneReason.TOO_LONG, PhoneReason.INVALID_NUMBER}
)
# A national number without its trunk prefix is only suggested from this many digits
# (the full length of a mobile or geographic number in most countries is 9 or more).
MIN_BARE_DIGITS = 9


@lru_cache(maxsize=1024)
def valid_elsewhere(value: str, region: str) -> tuple[str, ...]:
    """The common regions (at most `MAX_OTHER_REGIONS`, most used first) where `value`, a
    national number not valid in `region`, is a valid number written in full: the
    likely mix-up.

    "In full": the region's trunk prefix then the number ("07400 123456" in GB), or
    the number at the longest length its type has there ("7400 123456", a GB
    mobile that lost its 0). A number that is merely valid somewhere ("555-0100",
    a US number without its area code, is a German one) is not suggested.
    Numbers with their own country code, and text too short or too long for a
    phone number, give (). Regions that read it as the same number (US and CA)
    count once. Regions whose national format groups the digits as `value` does
    ("06 12 34 56 78" is French, "030 1234567" German) come first.
    """
    text = _integer_from_float(value.strip())
    if not text or text.lstrip().startswith(("+", "\uff0b")):
        return ()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not 6 <= len(digits) <= 15 or digits.startswith("00"):
        return ()
    groups = _digit_groups(text)
    found: dict[str, tuple[bool, str]] = {}  # E.164 -> (grouped otherwise, region)
    compact = _PUNCTUATION.sub("", text)
    plain = compact.isdigit() and _PLAIN_NATIONAL.fullmatch(text) is not None
    for code in _LIKELY_REGIONS:
        if code == region:
            continue
        # Only whether it is valid matters here, not why not.
        answer = _plain_national_details(compact, code, reason=False) if plain else None
        result = answer if answer is not None else _parse_details(text, code)
        if isinstance(result, PhoneReason) or result.e164 in found:
            continue
        if _written_in_full(digits, result, code):
            found[result.e164] = (len(groups) > 1 and groups != _national_groups(result), code)
    ranked = sorted(found.values(), key=lambda item: item[0])  # stable: most used first
    return tuple(code for _, code in ranked[:MAX_OTHER_REGIONS])


def _digit_groups(text: str) -> tuple[int, ...]:
    return tuple(len(run) for run in re.findall(r"\d+", text))


def _national_groups(number: PhoneDetails) -> tuple[int, ...]:
    """How the number's own region writes it in national format: digit group lengths."""
    import phonenumbers

    parsed = phonenumbers.parse(number.e164)
    return _digit_groups(
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    )


def _written_in_full(digits: str, number: PhoneDetails, region: str) -> bool:
    """True when `digits` are the region's trunk prefix and the national number, or the
    national number (of `MIN_BARE_DIGITS` at least) at the longest length of its type in
    the region."""
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return False
    national = number.e164[1 + len(str(metadata.country_code)) :]
    prefix = metadata.national_prefix or ""
    if prefix and digits == prefix + national:
        return True
    if digits != national or len(national) < MIN_BARE_DIGITS:
        return False
    kinds = (
        ("fixed_line", "mobile")
        if number.number_type == "FIXED_LINE_OR_MOBILE"
        else (number.number_type.lower(),)
    )
    lengths = [
        n
        for kind in kinds
        for n in (getattr(getattr(metadata, kind, None), "possible_length", None) or ())
    ]
    if not lengths and metadata.general_desc is not None:
        lengths = list(metadata.general_desc.possible_length or ())
    return bool(lengths) and len(national) == max(lengths)


# --- the country of a row ------------------------------------------------------------------


@lru_cache(maxsize=1024)
def region_for_country(value: str) -> str | None:
    """The region (ISO code) a country cell names, or None when it names none known.

    Reads ISO 3166 alpha-2 codes ("US", "gb"; "UK" too), alpha-3 codes ("USA",
    "DEU"), English names ("United States of America", "Côte d'Ivoire", "St.
    Lucia"), a few native names ("Deutschland", "España") and calling codes
    ("+44", "44", "0044"; "+1" and "001" are US, the main region of +1). A calling
    code without a region (+800) names none.
    """
    text = value.strip()
    compact = _PUNCTUATION.sub("", text)
    if not compact:
        return None
    if compact[0] in "+\uff0b" or compact.isdigit():
        digits = compact.lstrip("+\uff0b")
        if digits.startswith("00"):
            digits = digits[2:]
        if not (digits.isascii() and digits.isdigit()) or not 1 <= len(digits) <= 3:
            return None
        import phonenumbers

        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits), ())
        return regions[0] if regions and regions[0] != "001" else None
    upper = text.upper()
    if len(upper) == 2 and upper.isascii() and upper.isalpha():
        code = _REGION_ALIASES.get(upper, upper)
        return code if code in _countries().regions else None
    if len(upper) == 3 and upper in _countries().alpha3:
        return _countries().alpha3[upper]
    return _countries().names.get(country_key(text))


def country_key(name: str) -> str:
    """A country name for matching: lower case, no accents or punctuation, "the" and
    "and"/"&" alike dropped, "St." as "saint": "The Bahamas" == "bahamas"."""
    folded = unicodedata.normalize("NFKD", name.casefold().replace("&", " and "))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[^\W_]+", plain)
    return "".join("saint" if w in ("st", "ste") else w for w in words if w not in ("the", "and"))


class _Countries(NamedTuple):
    regions: frozenset[str]
    alpha3: dict[str, str]
    names: dict[str, str]  # country_key(name) -> region


@cache
def _countries() -> _Countries:
    regions: set[str] = set()
    alpha3: dict[str, str] = {}
    names: dict[str, str] = {}
    for entry in _COUNTRY_TABLE.replace("\n", " ").split(";"):
        code, three, name = entry.strip().split(" ", 2)
        regions.add(code)
        if three != "-":
            alpha3[three] = code
        names[country_key(name)] = code
    for code, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            names.setdefault(country_key(alias), code)
    return _Countries(frozenset(regions), alpha3, names)


# Every region of the number plan (`phonenumbers.SUPPORTED_REGIONS`): its ISO 3166
# alpha-2 code, alpha-3 code ("-": none) and English name. Why a table here: Python
# ships no country names; phonenumbers has them (the English names below are its
# `geocoder` names, tests/test_phone.py checks they still agree) but only in
# `phonenumbers.geodata.locale`, which costs ~0.4 s and ~100 MB to import. The
# alpha-3 codes are ISO 3166-1's (XKX: the code in common use for Kosovo).
_COUNTRY_TABLE = """
AC - Ascension Island; AD AND Andorra; AE ARE United Arab Emirates; AF AFG Afghanistan;
AG ATG Antigua and Barbuda; AI AIA Anguilla; AL ALB Albania; AM ARM Armenia; AO AGO Angola;
AR ARG Argentina; AS ASM American Samoa; AT AUT Austria; AU AUS Australia; AW ABW Aruba;
AX ALA Åland Islands; AZ AZE Azerbaijan; BA BIH Bosnia and Herzegovina; BB BRB Barbados;
BD BGD Bangladesh; BE BEL Belgium; BF BFA Burkina Faso; BG BGR Bulgaria; BH BHR Bahrain;
BI BDI Burundi; BJ BEN Benin; BL BLM Saint Barthélemy; BM BMU Bermuda; BN BRN Brunei;
BO BOL Bolivia; BQ BES Bonaire, Sint Eustatius and Saba; BR BRA Brazil; BS BHS Bahamas;
BT BTN Bhutan; BW BWA Botswana; BY BLR Belarus; BZ BLZ Belize; CA CAN Canada;
CC CCK Cocos Islands; CD COD The Democratic Republic Of Congo;
CF CAF Central African Republic; CG COG Congo; CH CHE Switzerland; CI CIV Côte d'Ivoire;
CK COK Cook Islands; CL CHL Chile; CM CMR Cameroon; CN CHN China; CO COL Colombia;
CR CRI Costa Rica; CU CUB Cuba; CV CPV Cape Verde; CW CUW Curaçao; CX CXR Christmas Island;
CY CYP Cyprus; CZ CZE Czech Republic; DE DEU Germany; DJ DJI Djibouti; DK DNK Denmark;
DM DMA Dominica; DO DOM Dominican Republic; DZ DZA Algeria; EC ECU Ecuador; EE EST Estonia;
EG EGY Egypt; EH ESH Western Sahara; ER ERI Eritrea; ES ESP Spain; ET ETH Ethiopia;
FI FIN Finland; FJ FJI Fiji; FK FLK Falkland Islands; FM FSM Micronesia;
FO FRO Faroe Islands; FR FRA France; GA GAB Gabon; GB GBR United Kingdom; GD GRD Grenada;
GE GEO Georgia; GF GUF French Guiana; GG GGY Guernsey; GH GHA Ghana; GI GIB Gibraltar;
GL GRL Greenland; GM GMB Gambia; GN GIN Guinea; GP GLP Guadeloupe;
GQ GNQ Equatorial Guinea; GR GRC Greece; GT GTM Guatemala; GU GUM Guam;
GW GNB Guinea-Bissau; GY GUY Guyana; HK HKG Hong Kong; HN HND Honduras; HR HRV Croatia;
HT HTI Haiti; HU HUN Hungary; ID IDN Indonesia; IE IRL Ireland; IL ISR Israel;
IM IMN Isle Of Man; IN IND India; IO IOT British Indian Ocean Territory; IQ IRQ Iraq;
IR IRN Iran; IS ISL Iceland; IT ITA Italy; JE JEY Jersey; JM JAM Jamaica; JO JOR Jordan;
JP JPN Japan; KE KEN Kenya; KG KGZ Kyrgyzstan; KH KHM Cambodia; KI KIR Kiribati;
KM COM Comoros; KN KNA Saint Kitts And Nevis; KP PRK North Korea; KR KOR South Korea;
KW KWT Kuwait; KY CYM Cayman Islands; KZ KAZ Kazakhstan; LA LAO Laos; LB LBN Lebanon;
LC LCA Saint Lucia; LI LIE Liechtenstein; LK LKA Sri Lanka; LR LBR Liberia; LS LSO Lesotho;
LT LTU Lithuania; LU LUX Luxembourg; LV LVA Latvia; LY LBY Libya; MA MAR Morocco;
MC MCO Monaco; MD MDA Moldova; ME MNE Montenegro; MF MAF Saint Martin; MG MDG Madagascar;
MH MHL Marshall Islands; MK MKD Macedonia; ML MLI Mali; MM MMR Myanmar; MN MNG Mongolia;
MO MAC Macao; MP MNP Northern Mariana Islands; MQ MTQ Martinique; MR MRT Mauritania;
MS MSR Montserrat; MT MLT Malta; MU MUS Mauritius; MV MDV Maldives; MW MWI Malawi;
MX MEX Mexico; MY MYS Malaysia; MZ MOZ Mozambique; NA NAM Namibia; NC NCL New Caledonia;
NE NER Niger; NF NFK Norfolk Island; NG NGA Nigeria; NI NIC Nicaragua; NL NLD Netherlands;
NO NOR Norway; NP NPL Nepal; NR NRU Nauru; NU NIU Niue; NZ NZL New Zealand; OM OMN Oman;
PA PAN Panama; PE PER Peru; PF PYF French Polynesia; PG PNG Papua New Guinea;
PH PHL Philippines; PK PAK Pakistan; PL POL Poland; PM SPM Saint Pierre And Miquelon;
PR PRI Puerto Rico; PS PSE Palestine; PT PRT Portugal; PW PLW Palau; PY PRY Paraguay;
QA QAT Qatar; RE REU Reunion; RO ROU Romania; RS SRB Serbia; RU RUS Russia; RW RWA Rwanda;
SA SAU Saudi Arabia; SB SLB Solomon Islands; SC SYC Seychelles; SD SDN Sudan;
SE SWE Sweden; SG SGP Singapore; SH SHN Saint Helena; SI SVN Slovenia;
SJ SJM Svalbard And Jan Mayen; SK SVK Slovakia; SL SLE Sierra Leone; SM SMR San Marino;
SN SEN Senegal; SO SOM Somalia; SR SUR Suriname; SS SSD South Sudan;
ST STP Sao Tome And Principe; SV SLV El Salvador; SX SXM Sint Maarten (Dutch part);
SY SYR Syria; SZ SWZ Swaziland; TA - Tristan da Cunha; TC TCA Turks And Caicos Islands;
TD TCD Chad; TG TGO Togo; TH THA Thailand; TJ TJK Tajikistan; TK TKL Tokelau;
TL TLS Timor-Leste; TM TKM Turkmenistan; TN TUN Tunisia; TO TON Tonga; TR TUR Turkey;
TT TTO Trinidad and Tobago; TV TUV Tuvalu; TW TWN Taiwan; TZ TZA Tanzania; UA UKR Ukraine;
UG UGA Uganda; US USA United States; UY URY Uruguay; UZ UZB Uzbekistan; VA VAT Vatican;
VC VCT Saint Vincent And The Grenadines; VE VEN Venezuela; VG VGB British Virgin Islands;
VI VIR U.S. Virgin Islands; VN VNM Vietnam; VU VUT Vanuatu; WF WLF Wallis And Futuna;
WS WSM Samoa; XK XKX Kosovo; YE YEM Yemen; YT MYT Mayotte; ZA ZAF South Africa;
ZM ZMB Zambia; ZW ZWE Zimbabwe
"""

# Other names of a region people write in a country column: official and short
# forms, ISO's "Name, Republic of" forms, and the commonest native names.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.", "U.S.A.", "United States of America", "America"),
    "GB": (
        "UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
        "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland",
    ),
    "KR": ("Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)"),
    "KP": ("Korea, Democratic People's Republic of", "DPRK", "Korea (North)"),
    "RU": ("Russian Federation", "Rossiya"),
    "CZ": ("Czechia", "Česko", "Česká republika"),
    "MK": ("North Macedonia", "Macedonia, the former Yugoslav Republic of"),
    "SZ": ("Eswatini",),
    "TR": ("Türkiye", "Turkiye"),
    "CV": ("Cabo Verde",),
    "CI": ("Ivory Coast",),
    "CD": (
        "DR Congo", "DRC", "Democratic Republic of the Congo", "Congo-Kinshasa",
        "Congo, The Democratic Republic of the",
    ),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "MM": ("Burma",),
    "VN": ("Viet Nam",),
    "LA": ("Lao People's Democratic Republic",),
    "IR": ("Iran, Islamic Republic of",),
    "SY": ("Syrian Arab Republic",),
    "TZ": ("Tanzania, United Republic of",),
    "VE": ("Venezuela, Bolivarian Republic of",),
    "BO": ("Bolivia, Plurinational State of",),
    "MD": ("Moldova, Republic of",),
    "TW": ("Taiwan, Province of China", "Republic of China"),
    "PS": ("Palestine, State of", "Palestinian Territories"),
    "VA": ("Holy See", "Vatican City"),
    "AE": ("UAE", "Emirates"),
    "NL": ("Holland", "Nederland"),
    "FM": ("Micronesia, Federated States of",),
    "HK": ("Hong Kong SAR",),
    "MO": ("Macau", "Macao SAR"),
    "BN": ("Brunei Darussalam",),
    "FK": ("Falkland Islands (Malvinas)",),
    "CC": ("Cocos (Keeling) Islands",),
    "VI": ("US Virgin Islands", "Virgin Islands, U.S."),
    "VG": ("Virgin Islands, British",),
    "TL": ("East Timor",),
    "SH": ("Saint Helena, Ascension and Tristan da Cunha",),
    "AC": ("Ascension",),
    "DE": ("Deutschland",),
    "ES": ("España",),
    "IT": ("Italia",),
    "BR": ("Brasil",),
    "MX": ("México",),
    "AT": ("Österreich",),
    "CH": ("Schweiz", "Suisse", "Svizzera"),
    "SE": ("Sverige",),
    "NO": ("Norge",),
    "DK": ("Danmark",),
    "FI": ("Suomi",),
    "PL": ("Polska",),
    "BE": ("Belgique", "België"),
    "HU": ("Magyarország",),
    "GR": ("Hellas", "Ellada"),
    "IE": ("Éire", "Republic of Ireland"),
    "HR": ("Hrvatska",),
    "IN": ("Bharat",),
    "JP": ("Nippon", "Nihon"),
    "CN": ("People's Republic of China", "PRC"),
}  # fmt: skip


# --- what else the number plan knows -------------------------------------------------------


@lru_cache(maxsize=4096)
def number_extras(e164: str) -> tuple[str, str]:
    """(IANA time zones of a valid E.164 number joined with ";", its carrier's name in
    English): "" where phonenumbers does not know. Loads phonenumbers' prefix data
    (a few MB) on first use."""
    import phonenumbers
    from phonenumbers import carrier, timezone

    parsed = phonenumbers.parse(e164)
    zones = [z for z in timezone.time_zones_for_number(parsed) if z != "Etc/Unknown"]
    return ";".join(zones), carrier.name_for_number(parsed, "en") or ""


# --- many numbers at once, in a worker process ---------------------------------------------

NumberQuery = tuple[str, "str | None", bool]  # value, region, whether it may need a hint
NumberAnswer = tuple["PhoneDetails | PhoneReason", "tuple[str, ...] | None"]


def details_of_chunk(
    queries: list[NumberQuery], hint_region: str | None, hints: int
) -> tuple[list[NumberAnswer], int]:
    """(answers, hint candidates): `phone_details` of each (value, region) and, for at
    most `hints` of the queries that may need a hint (read in `hint_region`, rejected as
    too short, too long or invalid), `valid_elsewhere`; None where it was not asked. The
    candidates are all such queries, `hints` or not.

    What a process pool's worker runs: it needs this module and phonenumbers, no more.
    """
    answers: list[NumberAnswer] = []
    candidates = 0
    for value, region, may_hint in queries:
        result = phone_details(value, region)
        elsewhere = None
        if (
            may_hint
            and hint_region is not None
            and region == hint_region
            and isinstance(result, PhoneReason)
            and result in WRONG_REGION_REASONS
        ):
            candidates += 1
            if candidates <= hints:
                elsewhere = valid_elsewhere(value, hint_region)
        answers.append((result, elsewhere))
    return answers, candidates
