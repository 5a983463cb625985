"""A national number read in the wrong region: the regions where it is valid instead.

What the report says of a number that is too short, too long or not valid in the
region it was read in, when a common region reads it as a valid number written in
full (the likely mix-up).
"""

from __future__ import annotations

import re
from functools import lru_cache

from audience_cli.phone.normalize import (
    _PLAIN_NATIONAL,
    _PUNCTUATION,
    PhoneDetails,
    _integer_from_float,
    _parse_details,
    _plain_national_details,
)
from audience_cli.reasons import PhoneReason

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
