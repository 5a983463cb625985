"""The values the contacts pipeline hands out: contacts, rejected rows, CSV options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from audience_cli.contacts.csv_reader import parse_delimiter
from audience_cli.errors import UsageError
from audience_cli.model import DEFAULT_PHONE_COLUMN, FIRST_NAME_KEY, LAST_NAME_KEY
from audience_cli.phone import normalize_region

# Member keys the API gives a meaning to; extra data never uses them.
PHONE_KEY = DEFAULT_PHONE_COLUMN


@dataclass(frozen=True, slots=True)
class Contact:
    """One valid audience member: an E.164 number, optional names and extra data."""

    phone: str
    first_name: str = ""
    last_name: str = ""
    fields: Mapping[str, str] = field(default_factory=dict, hash=False)
    line: int | None = None

    def to_member(self, phone_column: str = PHONE_KEY) -> dict[str, str]:
        """The member object for the API: names (when set), the number, then extra data.

        An extra key that would overwrite a name or the number is left out.
        """
        member: dict[str, str] = {}
        if self.first_name:
            member[FIRST_NAME_KEY] = self.first_name
        if self.last_name:
            member[LAST_NAME_KEY] = self.last_name
        member[phone_column] = self.phone
        reserved = {FIRST_NAME_KEY, LAST_NAME_KEY, phone_column}
        for key, value in self.fields.items():
            if key not in reserved:
                member[key] = value
        return member


@dataclass(slots=True)
class Reject:
    """An input row whose number was not valid."""

    line: int
    value: str
    reason: str
    row: dict[str, str] = field(default_factory=dict)  # original cells by original header


@dataclass(slots=True)
class CsvOptions:
    """How to read contacts. Checked once, here: an unknown region or a delimiter that
    is not one character is a `UsageError`; `region` becomes its ISO code (UK -> GB,
    any case) and `delimiter` the character ("tab" -> a tab)."""

    encoding: str | None = None
    delimiter: str | None = None
    phone_column: str | None = None
    first_name_column: str | None = None
    last_name_column: str | None = None
    columns: list[str] | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        self.region = check_region(self.region)
        if self.delimiter is not None:
            self.delimiter = parse_delimiter(self.delimiter)


def check_region(region: str | None) -> str | None:
    """`region` as the ISO code the number plan knows (UK -> GB, any case), or a `UsageError`."""
    try:
        return normalize_region(region)
    except ValueError as exc:
        raise UsageError(str(exc), hint="--region takes an ISO 3166 country code") from None


def split_name(full: str) -> tuple[str, str]:
    """("First", "Last") from a single name: first word, then the rest.

    "Last, First" (one comma, as CRMs export it) is read the other way round.
    """
    text = " ".join(full.split())
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if first and last:
            return first, last
    first, _, rest = text.partition(" ")
    return first, rest
