"""Phone numbers to E.164: the one normaliser every input path goes through."""

from __future__ import annotations

import re
from enum import StrEnum


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


def normalize_phone(value: str, region: str | None = None) -> str:
    """Return `value` as an E.164 string, or raise `PhoneNumberError`.

    `region` (ISO 3166 alpha-2, e.g. "US") is used for numbers written in
    national format. Numbers already in E.164 skip the text clean-up but are
    still validated against the number plan.
    """
    import phonenumbers

    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise PhoneNumberError(value, PhoneReason.EMPTY)
    if not _E164.fullmatch(text):
        compact = _PUNCTUATION.sub("", text)
        if compact.startswith("00") and compact[2:].isdigit():
            compact = "+" + compact[2:]
        text = compact if _E164.fullmatch(compact) else text
    region_code = region.upper() if region else None
    try:
        parsed = phonenumbers.parse(text, region_code)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError(value, _reason_for_parse_error(exc, text, region_code)) from None
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneNumberError(value, _reason_for_invalid(parsed))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _reason_for_parse_error(exc: object, text: str, region: str | None) -> PhoneReason:
    import phonenumbers

    kind = getattr(exc, "error_type", None)
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


def _reason_for_invalid(parsed: object) -> PhoneReason:
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
