"""Header to column plan: which column is the phone, which are names, what the rest is called.

Column names are matched case- and punctuation-insensitively: "Phone Number",
"phone_number" and "PHONE-NUMBER" are the same name. Every other column is
carried into the member's data under a key the API accepts (letters, digits
and underscores).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from audience_cli.contacts.model import FIRST_NAME_KEY, LAST_NAME_KEY, PHONE_KEY, CsvOptions
from audience_cli.errors import UsageError

# In order of preference: the first present wins.
PHONE_NAMES: tuple[str, ...] = (
    "phonenumber", "phone", "mobilenumber", "mobile", "mobilephone", "mobileno",
    "cellphone", "cell", "cellnumber", "cellular", "tel", "telephone", "telephonenumber",
    "telno", "phoneno", "contactnumber", "contactno", "contactphone", "number",
    "whatsapp", "whatsappnumber", "msisdn", "primaryphone", "homephone",
    "businessphone", "workphone", "telefon", "telefonnummer", "handy", "handynummer",
    "mobil", "mobilnummer", "portable", "telephoneportable", "telefono", "celular", "movil",
)  # fmt: skip
# "Phone 1 - Value" (Google Contacts), "Phone 2", "Mobile 1"...: in header order.
_NUMBERED_PHONE = re.compile(r"(?:phone|mobile|cell|tel|telephone|whatsapp)\d+(?:value|number)?")
FIRST_NAMES: tuple[str, ...] = (
    "firstname", "first", "fname", "givenname", "forename", "vorname", "prenom",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "lastname", "last", "lname", "surname", "familyname", "nachname", "nom", "apellido",
    "apellidos",
)  # fmt: skip
FULL_NAMES: tuple[str, ...] = (
    "name", "fullname", "contactname", "displayname", "customername", "clientname",
    "leadname",
)  # fmt: skip

# Letters that Unicode decomposition does not turn into ASCII.
_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th"})
_SAFE_KEY = re.compile(r"[A-Za-z0-9_]+")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9]+")
_RESERVED = {FIRST_NAME_KEY.casefold(), LAST_NAME_KEY.casefold(), PHONE_KEY.casefold()}
MAX_LISTED = 15


def _ascii(name: str) -> str:
    """Lower-case ASCII letters for `name`: "Straße" -> "strasse", "Société" -> "societe"."""
    folded = name.casefold().translate(_LETTERS)
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()


def simple_name(name: str) -> str:
    """A column name for matching: accents and punctuation stripped, lower case."""
    return "".join(ch for ch in _ascii(name) if ch.isalnum())


def api_key(name: str) -> str:
    """`name` as a data key the API accepts; "" when nothing usable is left.

    Names that are already letters, digits and underscores are kept as they
    are; others become snake case: "Company Name" -> "company_name".
    """
    if _SAFE_KEY.fullmatch(name):
        return name
    return _UNSAFE_RUN.sub("_", _ascii(name)).strip("_")


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """Where each member value comes from, by column index."""

    names: list[str]  # the header, made unique (keys of a rejected row)
    phone: int
    first: int | None = None
    last: int | None = None
    full: int | None = None
    extras: list[tuple[int, str]] = field(default_factory=list)  # (index, data key)
    headerless: bool = False  # a bare list of numbers: the first line is data

    def mapping(self, used_keys: Sequence[str] | None = None) -> dict[str, str]:
        """Original column -> member key, in header order.

        Extra columns are listed only if in `used_keys` (when given), so columns
        that were empty in every kept row do not clutter the report.
        """
        roles = {self.phone: PHONE_KEY}
        if self.first is not None:
            roles[self.first] = FIRST_NAME_KEY
        if self.last is not None:
            roles[self.last] = LAST_NAME_KEY
        if self.full is not None:
            roles[self.full] = f"{FIRST_NAME_KEY}+{LAST_NAME_KEY}"
        used = None if used_keys is None else set(used_keys)
        for index, key in self.extras:
            if used is None or key in used:
                roles[index] = key
        return {self.names[i]: roles[i] for i in sorted(roles)}


def plan_columns(header: Sequence[str], options: CsvOptions, source: str) -> ColumnPlan:
    names = unique_names([cell.strip() for cell in header])
    simple = [simple_name(name) for name in names]

    if options.phone_column is not None:
        phone = _explicit(options.phone_column, names, simple, source, "--phone-column")
    else:
        found = _find(simple, PHONE_NAMES)
        if found is None:
            found = next((i for i, s in enumerate(simple) if _NUMBERED_PHONE.fullmatch(s)), None)
        if found is None:
            raise UsageError(
                f"{source}: no phone column in the header ({_listing(names)})",
                hint="name it with --phone-column, e.g. --phone-column 'Mobile'",
            )
        phone = found

    def pick(option: str | None, flag: str, candidates: tuple[str, ...]) -> int | None:
        if option is not None:
            return _explicit(option, names, simple, source, flag)
        index = _find(simple, candidates)
        return None if index == phone else index

    first = pick(options.first_name_column, "--first-name-column", FIRST_NAMES)
    last = pick(options.last_name_column, "--last-name-column", LAST_NAMES)
    full = None
    if first is None and last is None:
        full = _find(simple, FULL_NAMES)
        full = None if full == phone else full

    taken = {i for i in (phone, first, last, full) if i is not None}
    extras = _extra_keys(names, taken)
    if options.columns is not None:
        extras = _keep_only(options.columns, extras, names, simple, taken, source)
    return ColumnPlan(names, phone, first, last, full, extras)


def unique_names(names: Sequence[str]) -> list[str]:
    """The header with empty names filled in ("column_3") and repeats numbered ("Phone_2")."""
    result: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        base = name or f"column_{position}"
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


def _extra_keys(names: Sequence[str], taken: set[int]) -> list[tuple[int, str]]:
    used = set(_RESERVED)
    extras: list[tuple[int, str]] = []
    for index, name in enumerate(names):
        if index in taken:
            continue
        base = api_key(name) or f"column_{index + 1}"
        key, n = base, 1
        while key.casefold() in used:
            n += 1
            key = f"{base}_{n}"
        used.add(key.casefold())
        extras.append((index, key))
    return extras


def _keep_only(
    wanted: Sequence[str],
    extras: list[tuple[int, str]],
    names: Sequence[str],
    simple: Sequence[str],
    taken: set[int],
    source: str,
) -> list[tuple[int, str]]:
    """The extra columns named in `wanted` (by original name, data key or simple name)."""
    keep: set[int] = set()
    unknown: list[str] = []
    for item in wanted:
        text = item.strip()
        index = next((i for i, key in extras if text in (names[i], key)), None)
        if index is None:
            index = next((i for i, _ in extras if simple[i] == simple_name(text)), None)
        if index is not None:
            keep.add(index)
        elif not _matches(text, names, simple, taken):
            unknown.append(item)
    if unknown:
        listed = ", ".join(repr(u) for u in unknown)
        raise UsageError(
            f"{source}: unknown column(s) {listed} in --columns; "
            f"available: {_listing([names[i] for i, _ in extras])}"
        )
    return [(i, key) for i, key in extras if i in keep]


def _matches(text: str, names: Sequence[str], simple: Sequence[str], indexes: set[int]) -> bool:
    """True when `text` names one of `indexes` (a phone or name column: always kept)."""
    return any(text == names[i] or simple_name(text) == simple[i] for i in indexes)


def _find(simple: Sequence[str], candidates: tuple[str, ...]) -> int | None:
    positions = {name: i for i, name in reversed(list(enumerate(simple)))}
    return next((positions[c] for c in candidates if c in positions), None)


def _explicit(
    wanted: str, names: Sequence[str], simple: Sequence[str], source: str, flag: str
) -> int:
    text = wanted.strip()
    if text in names:
        return names.index(text)
    target = simple_name(text)
    if target and target in simple:
        return simple.index(target)
    raise UsageError(f"{source}: no column {wanted!r} ({flag}); the header has: {_listing(names)}")


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return f"{shown}, … and {more} more" if more > 0 else shown or "nothing"
