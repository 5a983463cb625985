"""Every reason a row is rejected, and the text a report gives it: the one place both
are defined.

The values are part of the tool's output (the rejects file, `--json` reports): they
never change. `PhoneReason` says why a number is not valid; `RowReason` why a row
with a valid number is rejected all the same. The texts state facts; the CLI adds the
options that change the outcome where it prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    ROUNDED_BY_SPREADSHEET = "ROUNDED_BY_SPREADSHEET"


class RowReason(StrEnum):
    """Why a row with a valid number is rejected all the same (`PhoneReason`: the number)."""

    DO_NOT_CALL = "DO_NOT_CALL"  # marked so in the file, or on the do-not-call list
    EXCLUDED = "EXCLUDED"  # on a list of numbers the command was given not to call
    UNKNOWN_COUNTRY = "UNKNOWN_COUNTRY"  # the country column names no country known
    # Number types barred by default (the values are the number types' names).
    PREMIUM_RATE = "PREMIUM_RATE"
    SHARED_COST = "SHARED_COST"
    # Calling windows and consent (calling/): not callable at the time asked.
    OUTSIDE_HOURS = "OUTSIDE_HOURS"  # outside the member's local calling window
    HOLIDAY = "HOLIDAY"  # a public holiday where the rules forbid calls
    UNKNOWN_TIMEZONE = "UNKNOWN_TIMEZONE"  # no time zone known for the member
    NO_CONSENT = "NO_CONSENT"  # no consent recorded (or too old)
    BAD_TIMEZONE = "BAD_TIMEZONE"  # a time-zone, ZIP or state value that cannot be read


REASON_TEXT: dict[PhoneReason, str] = {
    PhoneReason.EMPTY: "no phone number",
    PhoneReason.NOT_A_NUMBER: "not a phone number",
    PhoneReason.INVALID_COUNTRY_CODE: "unknown country calling code",
    PhoneReason.MISSING_REGION: "national number without a country: add +CC",
    PhoneReason.TOO_SHORT: "too short",
    PhoneReason.TOO_LONG: "too long",
    PhoneReason.INVALID_NUMBER: "not a valid number for its country",
    PhoneReason.ROUNDED_BY_SPREADSHEET: (
        "the spreadsheet rounded this number (scientific notation lost its last digits): "
        "format the column as text and export again"
    ),
}

ROW_REASON_TEXT: dict[RowReason, str] = {
    RowReason.DO_NOT_CALL: "on the do-not-call list",
    RowReason.EXCLUDED: "on a list of numbers not to call",
    RowReason.UNKNOWN_COUNTRY: "the country is not known",
    RowReason.PREMIUM_RATE: "a premium-rate number",
    RowReason.SHARED_COST: "a shared-cost number",
    RowReason.OUTSIDE_HOURS: "outside the calling window in the member's local time",
    RowReason.HOLIDAY: "a public holiday where the member is, when the rules forbid calls",
    RowReason.UNKNOWN_TIMEZONE: "the member's time zone is not known",
    RowReason.NO_CONSENT: "no consent to be called recorded (or it is too old)",
    RowReason.BAD_TIMEZONE: "a time zone, ZIP or state that cannot be read",
}


# What a reject's detail says to check when a number read in the default region is valid
# in another (the CLI names the flag that sets it: `ReportWords.in_detail`).
CHECK_REGION = "check the default region"


@dataclass(frozen=True)
class ReportWords:
    """What a program adds to a report's lines: after a reason's text, what would change
    the outcome (the CLI's flags); after the rejects shown, where the rest are; how a
    setting a note names is called (the CLI: its flag; plainly: its name)."""

    after_reason: Mapping[str, str] = field(default_factory=dict)
    more: str = ""
    setting: Callable[[str], str] = str
    in_detail: Mapping[str, str] = field(default_factory=dict)

    def detail_text(self, detail: str) -> str:
        """A reject's own detail, with this program's words for the phrases it names
        (`in_detail`: e.g. the CLI's flag for "check the region")."""
        for phrase, words in self.in_detail.items():
            detail = detail.replace(phrase, words)
        return detail

    def reason_text(self, reason: str) -> str:
        """What `reason` means, with what this program adds to it ("" when not known)."""
        try:
            text = REASON_TEXT[PhoneReason(reason)]
        except ValueError:
            try:
                text = ROW_REASON_TEXT[RowReason(reason)]
            except ValueError:
                return ""
        return text + self.after_reason.get(reason, "")


PLAIN_WORDS = ReportWords()
