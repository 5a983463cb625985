"""The values the contacts pipeline hands out: contacts, rejected rows, CSV options."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from audience_cli.contacts.csv_reader import parse_delimiter
from audience_cli.errors import UnknownRegionError, UsageError
from audience_cli.model import DEFAULT_PHONE_COLUMN, FIRST_NAME_KEY, LAST_NAME_KEY
from audience_cli.phone import PREMIUM_RATE, SHARED_COST, normalize_region

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


# Number types rejected unless allowed: calling them costs the caller extra.
BARRED_TYPES = frozenset({PREMIUM_RATE, SHARED_COST})


@dataclass(slots=True)
class Reject:
    """An input row whose number was not valid, or must not be called."""

    line: int
    value: str
    reason: str
    row: dict[str, str] = field(default_factory=dict)  # original cells by original header
    # What the report says after the reason code when the reason's usual text is not
    # enough (the column that said do-not-call, the country not known, a hint).
    detail: str = ""


@dataclass(slots=True)
class CsvOptions:
    """How to read contacts. Checked once, here: an unknown region or a delimiter that
    is not one character is a `UsageError`; `region` becomes its ISO code (UK -> GB,
    any case) and `delimiter` the character ("tab" -> a tab).

    `country_column` names the column whose country decides how a row's national
    number is read (default: found by name); `allow_types` lifts the default
    rejection of premium-rate and shared-cost numbers ("premium_rate",
    "shared_cost"; checked here); `enrich` adds country, number type, time zone
    and carrier to each contact's data. `screen` False (for numbers being taken
    out of an audience) keeps rows that the file marks do-not-call and numbers
    of any type.
    """

    encoding: str | None = None
    delimiter: str | None = None
    phone_column: str | None = None
    first_name_column: str | None = None
    last_name_column: str | None = None
    columns: list[str] | None = None
    region: str | None = None
    country_column: str | None = None
    allow_types: Collection[str] = ()
    enrich: bool = False
    screen: bool = True
    max_columns: int | None = None  # cells a row may have; None: AUDIENCE_MAX_COLUMNS, 10,000
    sheet: str | None = None  # the sheet of an .xlsx workbook to read (None: the first)

    def __post_init__(self) -> None:
        self.region = check_region(self.region)
        if self.delimiter is not None:
            self.delimiter = parse_delimiter(self.delimiter)
        self.allow_types = check_allowed_types(self.allow_types)

    @property
    def barred_types(self) -> frozenset[str]:
        """The number types rejected: premium rate and shared cost unless allowed."""
        return BARRED_TYPES - frozenset(self.allow_types) if self.screen else frozenset()


def check_allowed_types(values: Collection[str]) -> frozenset[str]:
    """Allowed type values ("premium_rate", "Shared-Cost", "premium_rate,shared_cost")
    as type names, or a `UsageError` naming the choices."""
    allowed: set[str] = set()
    for value in values:
        for item in value.split(","):
            name = "_".join(item.replace("-", " ").replace("_", " ").split()).upper()
            if not name:
                continue
            if name not in BARRED_TYPES:
                choices = " or ".join(sorted(t.lower() for t in BARRED_TYPES))
                raise UsageError(
                    f"{item.strip()!r}: not a type that is rejected; use {choices}",
                    hint="other number types (mobile, toll-free, VoIP…) are always accepted",
                    option="allow_type",
                )
            allowed.add(name)
    return frozenset(allowed)


def check_region(region: str | None) -> str | None:
    """`region` as the ISO code the number plan knows (UK -> GB, any case), or a `UsageError`."""
    try:
        return normalize_region(region)
    except ValueError as exc:
        raise UnknownRegionError(str(exc), option="region") from None


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
