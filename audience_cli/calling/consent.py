"""Consent to be called, as a contacts file records it: which columns hold it (matched
like the phone column: case, spaces, dashes and underscores aside) and whether a value
says yes. Unknown text is no consent, never an error."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

# Column names that hold consent, as compared (lower case, no space, dash or underscore).
CONSENT_COLUMNS = (
    "consent", "optin", "tcpaconsent", "expressconsent", "writtenconsent", "callconsent",
    "consentdate", "optindate", "consentedat", "optedin", "optedinat", "consentgiven",
)  # fmt: skip
TRUTHY = frozenset({
    "yes", "y", "true", "t", "1", "x", "✓", "✔", "☑", "on", "optedin", "optin", "granted",
    "given", "consented", "agreed", "accepted", "si", "oui", "ja",
})  # fmt: skip
FALSY = frozenset({
    "", "no", "n", "false", "f", "0", "off", "optedout", "optout", "revoked", "withdrawn",
    "denied", "declined", "refused", "none", "null", "non", "nein", "-",
})  # fmt: skip
_SEPARATORS = re.compile(r"[\s_\-]+")
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?\Z")


def column_key(name: str) -> str:
    """A column name as compared: "Opt-In Date" -> "optindate"."""
    return _SEPARATORS.sub("", name.strip().lower())


def is_consent_column(name: str) -> bool:
    return column_key(name) in CONSENT_COLUMNS


def find_consent_column(header: Iterable[str]) -> str | None:
    """The first column of `header` that holds consent by its name, or None."""
    return next((name for name in header if is_consent_column(name)), None)


def consent_date(value: str) -> date | None:
    """The date of a value written as an ISO date (2026-03-01, 2026/03/01, with a time or
    not), or None."""
    match = _ISO_DATE.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def has_consent(value: str, now: datetime, max_age_days: int | None = None) -> bool:
    """Whether `value` records consent at `now`: a yes (yes, y, true, 1, x, ✓, opted in…),
    or a date no later than a day after `now` and, when `max_age_days` is set, no older
    than that. A yes without a date has no age. No, empty and unknown text: no."""
    text = value.strip()
    word = _SEPARATORS.sub("", text.lower())
    if word in TRUTHY:
        return True
    if word in FALSY:
        return False
    when = consent_date(text)
    if when is None:
        return False
    today = now.date()
    if when > today + timedelta(days=1):
        return False
    return max_age_days is None or (today - when).days <= max_age_days
