"""Header to column plan: which column is the phone, which are names, what the rest is called.

Column names are matched case- and punctuation-insensitively, after surrounding
whitespace is stripped: "Phone Number", " phone_number " and "PHONE-NUMBER" are
the same name. Every other column is carried into the member's data under a key
the API accepts (letters, digits and underscores), and so are cells beyond the
header (as "column_<n>", the name the rejects file gives them too).

Without --phone-column, every phone-like column is a candidate: a row takes its
number from the first one (in order of preference) that has a value; the
others stay data. The names cover the exports of HubSpot ("Phone Number",
"Mobile Phone Number"), Salesforce and Zoho ("Phone", "Mobile", "Home Phone",
"Other Phone"), Google Contacts ("Phone 1 - Value"), Outlook ("Business Phone 2",
"Primary Phone"…) and Pipedrive ("Phone - Work", "Person - Phone - Mobile"…).

Two kinds of column say how to treat a row rather than what to store:

- a do-not-call column ("Do Not Call", "DNC", "Opted Out", "HasOptedOutOfCalls",
  "Unsubscribed"…): a true value rejects the row. It is not carried into the
  member's data.
- a country column ("Country", "Mailing Country", "Country/Region", "Phone
  Country", "Country Code"…, or --country-column): the region a row's national
  number is read in. It stays data: it is the contact's country as the file has it.

And a column named exactly like a field the server sets on a member (`_id`, as in
a members CSV or an export; `createdAt`, `audienceId`…: `model.SERVER_MEMBER_FIELDS`)
is not imported: Atoms gives each member its own, so it is no contact data. The
report names such columns. A column picked with --phone-column or a name option is
used all the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from audience_cli.contacts.model import FIRST_NAME_KEY, LAST_NAME_KEY, PHONE_KEY, CsvOptions
from audience_cli.errors import (
    NoPhoneColumnError,
    UnknownColumnError,
    UnknownColumnsError,
    UsageError,
)
from audience_cli.model import SERVER_MEMBER_FIELDS

# In order of preference: the first present wins.
PHONE_NAMES: tuple[str, ...] = (
    "phonenumber", "phone", "mobilenumber", "mobile", "mobilephone", "mobileno",
    "cellphone", "cell", "cellnumber", "cellular", "tel", "telephone", "telephonenumber",
    "telno", "phoneno", "contactnumber", "contactno", "contactphone", "number",
    "whatsapp", "whatsappnumber", "msisdn", "primaryphone", "homephone",
    "businessphone", "workphone", "telefon", "telefonnummer", "handy", "handynummer",
    "mobil", "mobilnummer", "portable", "telephoneportable", "telefono", "celular", "movil",
    # CRM exports: HubSpot, Salesforce/Zoho, Outlook, Pipedrive ("Person - Phone - Work").
    "mobilephonenumber", "otherphone", "homephone2", "businessphone2", "companymainphone",
    "carphone", "personphone", "phonework", "phonemobile", "phonehome", "phoneother",
    "personphonework", "personphonemobile", "personphonehome", "personphoneother",
)  # fmt: skip
_PHONE_RANK = {name: rank for rank, name in enumerate(PHONE_NAMES)}
# Too vague to fall back on ("Number" may be an order or house number): only ever
# the phone column when no better name is there.
_WEAK_PHONE_NAMES = frozenset({"number"})
# "Phone 1 - Value" (Google Contacts), "Phone 2", "Mobile 1"...: in header order.
_NUMBERED_PHONE = re.compile(r"(?:phone|mobile|cell|tel|telephone|whatsapp)\d+(?:value|number)?")
FIRST_NAMES: tuple[str, ...] = (
    "firstname", "first", "fname", "givenname", "forename", "vorname", "prenom",
    "personfirstname",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "lastname", "last", "lname", "surname", "familyname", "nachname", "nom", "apellido",
    "apellidos", "personlastname",
)  # fmt: skip
FULL_NAMES: tuple[str, ...] = (
    "name", "fullname", "contactname", "displayname", "customername", "clientname",
    "leadname", "personname",
)  # fmt: skip
# Columns that mark a row not to be called (any of them true rejects the row). Only
# these exact names: "Email Opt Out" or "Unsubscribed from all email" are about e-mail.
DO_NOT_CALL_NAMES = frozenset({
    "donotcall", "dnc", "dontcall", "nocall", "donotphone", "donotcontact", "dncflag",
    "optedout", "optout", "optedoutofcalls", "hasoptedoutofcalls", "calloptout",
    "phoneoptout", "unsubscribed",
})  # fmt: skip
# Cell values that mean yes in a do-not-call column (any case); anything else is no.
TRUE_VALUES = frozenset({"1", "true", "yes", "y", "x"})
# Country columns, in order of preference: a row takes its country from the first
# that has a value ("Phone Country" says most about the number, then the contact's).
COUNTRY_NAMES: tuple[str, ...] = (
    "phonecountry", "countrycode", "country", "countryregion", "countryname",
    "mailingcountry", "countryofpostaladdress", "personcountryofpostaladdress",
    "address1country", "homecountry", "homecountryregion", "businesscountry",
    "businesscountryregion", "billingcountry", "shippingcountry", "othercountry",
    "othercountryregion", "land", "pays", "pais",
)  # fmt: skip
_COUNTRY_RANK = {name: rank for rank, name in enumerate(COUNTRY_NAMES)}

# Letters that Unicode decomposition does not turn into ASCII.
_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th"})
_SAFE_KEY = re.compile(r"[A-Za-z0-9_]+")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_RESERVED = {FIRST_NAME_KEY.casefold(), LAST_NAME_KEY.casefold(), PHONE_KEY.casefold()}
# Data keys for what a phone cell holds besides the number (renamed if a column has them).
EXTENSION_KEY = "phone_extension"
OTHER_PHONES_KEY = "other_phones"
MAX_LISTED = 12  # column names shown in an error message
MAX_NAME_CHARS = 40  # characters of one column name shown in an error message
# Stripped from around column names: whitespace, and the invisible characters
# (zero-width space, direction marks, a stray byte-order mark) that exports leave.
# (str.strip, not a regular expression: "[…]+$" tries every start in a long run of
# spaces inside a name, which made a header of long cells quadratic.)
_AROUND_NAME = "".join(
    [" \t\r\n\v\f\u00a0\u1680\u205f\u2060\u3000\ufeff"]
    + [chr(c) for c in (*range(0x2000, 0x2010), *range(0x2028, 0x2030))]
)
# A header cell that is data: a phone number (7+ digits) or an e-mail address.
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]*")


def _ascii(name: str) -> str:
    """Lower-case ASCII letters for `name`: "Straße" -> "strasse", "Société" -> "societe"."""
    if name.isascii():  # what the steps below make of it, in one
        return name.lower()
    folded = name.casefold().translate(_LETTERS)
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()


def simple_name(name: str) -> str:
    """A column name for matching: accents and punctuation stripped, lower case."""
    return _NOT_ALNUM.sub("", _ascii(name))  # ASCII: str.isalnum is [A-Za-z0-9]


def api_key(name: str) -> str:
    """`name` as a data key the API accepts; "" when nothing usable is left.

    Names that are already letters, digits and underscores are kept as they
    are; others become snake case: "Company Name" -> "company_name".
    """
    if _SAFE_KEY.fullmatch(name):
        return name
    return _NOT_ALNUM.sub("_", _ascii(name)).strip("_")


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
    header: list[str] = field(default_factory=list)  # the names as written (stripped)
    # Phone-like columns a row falls back on, in order, when the phone column is empty.
    phone_fallbacks: list[int] = field(default_factory=list)
    keep_overflow: bool = True  # cells beyond the header become data (not with --columns)
    # Data keys for a number's extension and a cell's other numbers; None: not kept
    # (--columns without them).
    extension_key: str | None = EXTENSION_KEY
    other_phones_key: str | None = OTHER_PHONES_KEY
    # Do-not-call columns (not data), and the country columns (data too), best first.
    do_not_call: list[int] = field(default_factory=list)
    countries: list[int] = field(default_factory=list)
    # Columns named like a field the server sets (`_id`…): not imported.
    server_fields: list[int] = field(default_factory=list)
    _overflow: dict[int, str] = field(default_factory=dict)  # index -> key, as met
    # Built on first use, then kept (the plan's names never change): every key an
    # overflow cell may not take (casefolded), and where each header name first is.
    _taken: set[str] = field(default_factory=set, compare=False, repr=False)
    _first_at: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def overflow_key(self, index: int) -> str:
        """The key of cell `index` of a row longer than the header: "column_<n>".

        The same key names the cell in a rejected row and in a member's data.
        """
        key = self._overflow.get(index)
        if key is None:
            taken = self._taken
            if not taken:
                taken.update(name.casefold() for name in self.names)
                taken.update(key.casefold() for _, key in self.extras)
                taken.update(_RESERVED)
                taken.update(k.casefold() for k in (self.extension_key, self.other_phones_key) if k)
            base = f"column_{index + 1}"
            key, n = base, 1
            while key.casefold() in taken:
                n += 1
                key = f"{base}_{n}"
            taken.add(key.casefold())
            self._overflow[index] = key
        return key

    def overflow_keys(self) -> list[str]:
        """The keys given to cells beyond the header so far, in column order."""
        return [self._overflow[i] for i in sorted(self._overflow)]

    def label(self, index: int) -> str:
        """Column `index` as the report names it: its header name, told apart when needed."""
        header = self.header or self.names
        if index >= len(header):
            return f"(column {index + 1}, beyond the header)"
        name = header[index]
        if not name:
            return f"(column {index + 1}, no name)"
        first_at = self._first_at
        if not first_at:
            for position, each in enumerate(header):
                first_at.setdefault(each, position)
        if first_at[name] < index:  # a name the header has before
            return f"{name} (column {index + 1})"
        return name

    def mapping(
        self, used_keys: Sequence[str] | None = None, used_phones: Collection[int] = ()
    ) -> dict[str, str]:
        """Column (as `label` names it) -> member key, in column order.

        Extra columns and cells beyond the header are listed only if in
        `used_keys` (when given), so columns that were empty in every kept row
        do not clutter the report. A fallback phone column that only ever gave
        numbers (`used_phones`) maps to the phone key.
        """
        roles = {self.phone: PHONE_KEY}
        if self.first is not None:
            roles[self.first] = FIRST_NAME_KEY
        if self.last is not None:
            roles[self.last] = LAST_NAME_KEY
        if self.full is not None:
            roles[self.full] = f"{FIRST_NAME_KEY}+{LAST_NAME_KEY}"
        used = None if used_keys is None else set(used_keys)
        for index, key in [*self.extras, *self._overflow.items()]:
            if used is None or key in used:
                roles[index] = key
        for index in used_phones:
            roles.setdefault(index, PHONE_KEY)
        result: dict[str, str] = {}
        for index in sorted(roles):
            label = self.label(index)
            while label in result:  # a header that already holds such a label
                label += "'"
            result[label] = roles[index]
        return result

    def server_fields_note(self) -> str | None:
        """The report's note on the columns not imported because the server sets them."""
        if not self.server_fields:
            return None
        names = ", ".join(self.label(i) for i in self.server_fields)
        return f"not imported: {names} (set by Atoms for each member, not contact data)"


def strip_name(name: str) -> str:
    """A header cell without the whitespace and invisible characters around it."""
    return name.strip(_AROUND_NAME)


def plan_columns(
    header: Sequence[str], options: CsvOptions, source: str, *, delimiter: str = ","
) -> ColumnPlan:
    stripped = [strip_name(cell) for cell in header]
    names = unique_names(stripped)
    simple = [simple_name(name) for name in stripped]
    first_at: dict[str, int] = {}
    for position, name in enumerate(simple):
        first_at.setdefault(name, position)

    fallbacks: list[int] = []
    if options.phone_column is not None:
        try:
            phone = _explicit(options.phone_column, names, simple, source, "phone_column")
        except UsageError as exc:
            if _looks_like_data(stripped):
                exc.hint = _add_a_header_hint(stripped, delimiter)
            raise
    else:
        candidates = _phone_candidates(simple)
        if not candidates:
            if _looks_like_data(stripped):
                raise UsageError(
                    f"{source}: the file seems to have no header row: its first line is data "
                    f"({_listing(stripped)})",
                    hint=_add_a_header_hint(stripped, delimiter),
                )
            raise NoPhoneColumnError(f"{source}: no phone column in the header ({_listing(names)})")
        phone, *fallbacks = candidates

    def pick(option: str | None, setting: str, candidates: tuple[str, ...]) -> int | None:
        if option is not None:
            return _explicit(option, names, simple, source, setting)
        index = _find(first_at, candidates)
        return None if index == phone else index

    first = pick(options.first_name_column, "first_name_column", FIRST_NAMES)
    last = pick(options.last_name_column, "last_name_column", LAST_NAMES)
    full = None
    if first is None and last is None:
        full = _find(first_at, FULL_NAMES)
        full = None if full == phone else full

    taken = {i for i in (phone, first, last, full) if i is not None}
    fallbacks = [i for i in fallbacks if i not in taken and simple[i] not in _WEAK_PHONE_NAMES]
    do_not_call = [i for i, name in enumerate(simple) if name in DO_NOT_CALL_NAMES]
    do_not_call = [i for i in do_not_call if i not in taken]
    if options.country_column is not None:
        countries = [_explicit(options.country_column, names, simple, source, "country_column")]
    else:
        ranked = sorted((_COUNTRY_RANK[n], i) for i, n in enumerate(simple) if n in _COUNTRY_RANK)
        countries = [i for _, i in ranked]
    countries = [i for i in countries if i not in taken]
    taken.update(do_not_call)
    server_fields = [
        i for i, name in enumerate(stripped) if name in SERVER_MEMBER_FIELDS and i not in taken
    ]
    countries = [i for i in countries if i not in server_fields]
    taken.update(server_fields)
    extras = _extra_keys(names, taken)
    derived: dict[str, str | None] = {
        EXTENSION_KEY: EXTENSION_KEY,
        OTHER_PHONES_KEY: OTHER_PHONES_KEY,
    }
    if options.columns is not None:
        extras = _keep_only(options.columns, extras, names, simple, taken, source, derived)
    used = {key.casefold() for _, key in extras}
    derived = {k: None if v is None else _free_key(v, used) for k, v in derived.items()}
    return ColumnPlan(
        names,
        phone,
        first,
        last,
        full,
        extras,
        header=stripped,
        phone_fallbacks=fallbacks,
        keep_overflow=options.columns is None,
        extension_key=derived[EXTENSION_KEY],
        other_phones_key=derived[OTHER_PHONES_KEY],
        do_not_call=do_not_call,
        countries=countries,
        server_fields=server_fields,
    )


def _phone_candidates(simple: Sequence[str]) -> list[int]:
    """The phone-like columns, best first: by name (`PHONE_NAMES` order), then numbered."""
    ranked = []
    for index, name in enumerate(simple):
        rank = _PHONE_RANK.get(name)
        if rank is None and _NUMBERED_PHONE.fullmatch(name):
            rank = len(PHONE_NAMES)
        if rank is not None:
            ranked.append((rank, index))
    return [index for _, index in sorted(ranked)]


def _free_key(key: str, used: set[str]) -> str:
    candidate, n = key, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{key}_{n}"
    return candidate


def _looks_like_data(cells: Sequence[str]) -> bool:
    """True when a header cell is a phone number or an e-mail address: a row, not names."""
    return any(
        (_PHONE_LIKE.fullmatch(cell) and sum(ch.isdigit() for ch in cell) >= 7) or email_like(cell)
        for cell in cells
    )


def email_like(cell: str) -> bool:
    """True for an e-mail address: one "@" after something, a dot inside the part after
    it, no whitespace. (The same as the regular expression "[^@\\s]+@[^@\\s]+\\.[^@\\s]+",
    which backtracked on a long cell of dots: quadratic.)"""
    local, at, domain = cell.partition("@")
    return (
        bool(local and at)
        and "@" not in domain
        and "." in domain[1:-1]
        and not any(ch.isspace() for ch in cell)
    )


def _add_a_header_hint(cells: Sequence[str], delimiter: str) -> str:
    """Suggest a header line for a file without one, e.g. "name,phone"."""
    names: list[str] = []
    for position, cell in enumerate(cells[:MAX_LISTED], start=1):
        if _PHONE_LIKE.fullmatch(cell) and sum(ch.isdigit() for ch in cell) >= 7:
            name = "phone" if "phone" not in names else f"phone{position}"
        elif email_like(cell):
            name = "email" if "email" not in names else f"email{position}"
        elif "name" not in names and cell and not any(ch.isdigit() for ch in cell):
            name = "name"
        else:
            name = f"column{position}"
        names.append(name)
    more = delimiter + "…" if len(cells) > MAX_LISTED else ""
    shown = delimiter.join(names) + more
    return f"add a first line naming the columns, e.g. {shown!r}"


def unique_names(names: Sequence[str]) -> list[str]:
    """The header with empty names filled in ("column_3") and repeats numbered ("Phone_2")."""
    result: list[str] = []
    seen: set[str] = set()
    tried: dict[str, int] = {}  # base -> the last n taken for it (names only get added)
    for position, name in enumerate(names, start=1):
        base = name or f"column_{position}"
        n = tried.get(base, 1)
        candidate = base if n == 1 else f"{base}_{n}"
        while candidate in seen:
            n += 1
            candidate = f"{base}_{n}"
        tried[base] = n
        seen.add(candidate)
        result.append(candidate)
    return result


def _extra_keys(names: Sequence[str], taken: set[int]) -> list[tuple[int, str]]:
    used = set(_RESERVED)
    tried: dict[str, int] = {}  # casefolded base -> the last n taken for it
    extras: list[tuple[int, str]] = []
    for index, name in enumerate(names):
        if index in taken:
            continue
        base = api_key(name) or f"column_{index + 1}"
        folded = base.casefold()
        n = tried.get(folded, 1)
        key = base if n == 1 else f"{base}_{n}"
        while key.casefold() in used:
            n += 1
            key = f"{base}_{n}"
        tried[folded] = n
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
    derived: dict[str, str | None],
) -> list[tuple[int, str]]:
    """The extra columns named in `wanted` (by original name, data key or simple name).

    Keys of `derived` (data taken from the phone cell) not named are set to None.
    """
    keep: set[int] = set()
    unknown: list[str] = []
    named_derived: set[str] = set()
    # The first extra column (in header order) by name or key, and by simple name;
    # the phone and name columns by name and simple name (always kept).
    exact: dict[str, int] = {}
    loose: dict[str, int] = {}
    for i, key in extras:
        exact.setdefault(names[i], i)
        exact.setdefault(key, i)
        loose.setdefault(simple[i], i)
    fixed = {names[i] for i in taken} | {simple[i] for i in taken}
    for item in wanted:
        text = item.strip()
        plain = simple_name(text)
        index = exact.get(text, loose.get(plain))
        if index is not None:
            keep.add(index)
            continue
        named = next((k for k in derived if simple_name(k) == plain), None)
        if named is not None:
            named_derived.add(named)
        elif text not in fixed and plain not in fixed:
            unknown.append(item)
    for key in derived:
        if key not in named_derived:
            derived[key] = None
    if unknown:
        listed = ", ".join(repr(u) for u in unknown)
        raise UnknownColumnsError(
            source,
            listed,
            f"available: {_listing([names[i] for i, _ in extras])}"
            if extras
            else "the file has no columns besides the phone and name columns",
        )
    return [(i, key) for i, key in extras if i in keep]


def _find(first_at: Mapping[str, int], candidates: tuple[str, ...]) -> int | None:
    """The first column (by `first_at`: simple name -> first position) of the best candidate."""
    return next((first_at[c] for c in candidates if c in first_at), None)


def _explicit(
    wanted: str, names: Sequence[str], simple: Sequence[str], source: str, setting: str
) -> int:
    """The position of the column `wanted` names (the value of the option `setting`)."""
    text = wanted.strip()
    if text in names:
        return names.index(text)
    target = simple_name(text)
    if target and target in simple:
        return simple.index(target)
    raise UnknownColumnError(source, wanted, setting, _listing(names))


def _listing(names: Sequence[str]) -> str:
    """Column names for a one-line message: at most `MAX_LISTED`, each cut to `MAX_NAME_CHARS`."""
    shown = ", ".join(repr(_shorten(n)) for n in names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return f"{shown}, … and {more} more" if more > 0 else shown or "nothing"


def _shorten(name: str) -> str:
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"
