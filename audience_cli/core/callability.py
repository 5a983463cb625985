"""Whether a contact may be called: its time zones (from its number, and from its own
time-zone, ZIP/postal or state column), its calling window at an instant, and its
consent. The one place where a contact's fields meet the calling rules (`calling/`):
the import pipeline rejects by it (`screen`), `check-hours` reports by it and
`split` groups by it.

Columns are found by name like the phone column (case, spaces, dashes and underscores
aside), or named by the caller. Nothing here reads the clock: the instant is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from audience_cli.calling.consent import column_key
from audience_cli.errors import BadZoneValueError, UsageError
from audience_cli.reasons import RowReason

if TYPE_CHECKING:
    from audience_cli.calling.rules import Rules
    from audience_cli.calling.windows import Verdict

# Column names, as compared (lower case, no space, dash or underscore), per kind.
TIMEZONE_NAMES = ("timezone", "tz", "timezonename", "ianatimezone", "localtimezone", "zone")
ZIP_NAMES = ("zip", "zipcode", "zip5", "postalcode", "postcode", "postal", "zippostalcode")
STATE_NAMES = ("state", "statecode", "province", "provincecode", "stateprovince", "st")
KINDS = ("timezone", "zip", "state", "consent")

# A verdict's status -> the reject reason when the member is not callable.
STATUS_REASON = {
    "outside": RowReason.OUTSIDE_HOURS,
    "holiday": RowReason.HOLIDAY,
    "unknown": RowReason.UNKNOWN_TIMEZONE,
}


class NoSuchColumnError(UsageError):
    """A column named for a kind of value (`kind`: timezone, zip, state, consent) that the
    contacts do not have (`keys`: the ones they have)."""

    def __init__(self, kind: str, name: str, keys: Sequence[str]) -> None:
        shown = ", ".join(keys[:12]) + (", …" if len(keys) > 12 else "")
        super().__init__(f"no {kind} column {name!r}: the columns are {shown or 'none'}")
        self.kind = kind
        self.name = name


@dataclass(frozen=True)
class AddressColumns:
    """Which field of a contact holds each kind of value (None: none does)."""

    timezone: str | None = None
    zip: str | None = None
    state: str | None = None
    consent: str | None = None

    def resolved(self, keys: Sequence[str]) -> AddressColumns:
        """These columns (each must be one of `keys`, matched like a header) with the
        ones not named found by name among `keys`."""
        from audience_cli.calling.consent import find_consent_column

        by_key = {column_key(k): k for k in reversed(keys)}
        found: dict[str, str | None] = {}
        for kind in KINDS:
            given = getattr(self, kind)
            if given is not None:
                match = by_key.get(column_key(given))
                if match is None:
                    raise NoSuchColumnError(kind, given, list(keys))
                found[kind] = match
            elif kind == "consent":
                found[kind] = find_consent_column(keys)
            else:
                names = {"timezone": TIMEZONE_NAMES, "zip": ZIP_NAMES, "state": STATE_NAMES}
                found[kind] = next((by_key[n] for n in names[kind] if n in by_key), None)
        return AddressColumns(**found)

    def named(self) -> dict[str, str]:
        """kind -> column, for the columns there are."""
        return {kind: col for kind in KINDS if (col := getattr(self, kind))}


@dataclass(frozen=True)
class CallingRequest:
    """What an import or a check asks: callable at `at` (None: not checked), consent
    required (no older than `consent_max_age` days on `now`, the time of the run), and
    the zone fields added (`enrich`: `timezone` and `local_window`)."""

    rules: Rules
    now: datetime
    columns: AddressColumns = field(default_factory=AddressColumns)
    at: datetime | None = None
    require_consent: bool = False
    consent_max_age: int | None = None
    enrich: bool = False

    @property
    def screens(self) -> bool:
        """Some contacts may be rejected (not only enriched)."""
        return self.at is not None or self.require_consent

    def with_columns(self, keys: Sequence[str]) -> CallingRequest:
        return replace(self, columns=self.columns.resolved(keys))


@dataclass(frozen=True)
class Assessment:
    """One contact as the rules see it: its zones (empty: unknown), its country and
    states, its verdict at the instant asked (None: none asked), and its consent (None:
    not asked)."""

    zones: frozenset[str]
    region: str | None
    states: frozenset[str]
    verdict: Verdict | None = None
    consent: bool | None = None

    @property
    def zone(self) -> str:
        """The zones as one field: "America/Chicago", "America/Chicago;America/New_York"
        (as the number plan's zones are written), or "" when unknown."""
        return ";".join(sorted(self.zones))


def region_of(e164: str) -> str | None:
    """The ISO country of a valid E.164 number (a NANP number by its area code). Other
    numbers: the number plan's own patterns when they read it (the region phonenumbers
    picks), else phonenumbers (kept by number)."""
    if e164.startswith("+1"):
        return _region(e164[:5])
    from audience_cli.phone.number_plan import _fast_e164

    fast = _fast_e164(e164)
    return fast[0] if fast is not None else _region(e164)


@lru_cache(maxsize=65536)
def _region(key: str) -> str | None:
    import phonenumbers

    if key.startswith("+1"):
        key = key + "5550100"  # an area code's region: any valid-looking line of it
    try:
        parsed = phonenumbers.parse(key)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(parsed) or None


def assess(
    phone: str,
    fields: Mapping[str, str],
    columns: AddressColumns,
    rules: Rules,
    *,
    at: datetime | None = None,
    consent_at: datetime | None = None,
    consent_max_age: int | None = None,
) -> Assessment:
    """Assess the contact with number `phone` and data `fields` (`columns` resolved):
    its verdict at `at` (when given) and its consent on `consent_at` (when given).
    Raises `BadZoneValueError` for a time-zone, ZIP or state value that cannot be read."""
    from audience_cli.calling.consent import has_consent
    from audience_cli.calling.windows import verdict
    from audience_cli.calling.zones import member_place

    region = region_of(phone)
    place = member_place(
        phone,
        tz=fields.get(columns.timezone) if columns.timezone else None,
        zip_code=fields.get(columns.zip) if columns.zip else None,
        state=fields.get(columns.state) if columns.state else None,
        region=region,
        rules=rules,
    )
    zones, states = place.zones, place.states
    judged = verdict(zones, region, states, at, rules) if at is not None else None
    consent = None
    if consent_at is not None:
        value = fields.get(columns.consent, "") if columns.consent else ""
        consent = has_consent(value, consent_at, consent_max_age)
    return Assessment(zones, region, frozenset(states), judged, consent)


def reject_of(assessment: Assessment) -> tuple[RowReason, str] | None:
    """Why the contact must not be called (the reason, and a detail), or None."""
    if assessment.consent is False:
        return RowReason.NO_CONSENT, ""
    judged = assessment.verdict
    if judged is not None and not judged.callable:
        reason = STATUS_REASON[judged.status]
        if judged.status == "unknown":
            return reason, ""
        local = ", ".join(f"{t:%a %H:%M} {z}" for z, t in judged.local_times)
        return reason, f"{local}; window {judged.window}"
    return None


def bad_value_detail(exc: BadZoneValueError, columns: AddressColumns) -> str:
    """The detail of a BAD_TIMEZONE reject: the column and the value."""
    column = getattr(columns, exc.kind, None)
    where = f"column {column!r}" if column else exc.kind
    return f"{where}: cannot read {exc.value!r} as a {exc.kind}"


def enrich_fields(assessment: Assessment, rules: Rules) -> dict[str, str]:
    """The `timezone` and `local_window` fields for a contact ("" when unknown)."""
    from audience_cli.calling.windows import local_window_text

    window = local_window_text(assessment.zones, assessment.region, assessment.states, rules)
    return {"timezone": assessment.zone, "local_window": window}


# What `assess` answers for a contact depends only on these: the number's zones, country
# and state, and the contact's time-zone, ZIP, state and consent values. A list shares few
# of them, so `screen_for`, `enricher_for` and `assess_all` keep each answer by its key
# (at most MEMO_LIMIT, then they start again).
MemoKey = tuple[
    frozenset[str], str | None, str | None, str | None, str | None, str | None, str | None
]
MEMO_LIMIT = 100_000


def memo_key(
    phone: str, fields: Mapping[str, str], columns: AddressColumns, rules: Rules, *, consent: bool
) -> MemoKey:
    """Everything of a contact (number `phone`, data `fields`) that its assessment depends
    on (its consent value only when `consent`)."""
    from audience_cli.calling.zones import state_for_number, zones_for_number

    return (
        zones_for_number(phone, rules),
        region_of(phone),
        state_for_number(phone, rules),
        fields.get(columns.timezone) if columns.timezone else None,
        fields.get(columns.zip) if columns.zip else None,
        fields.get(columns.state) if columns.state else None,
        fields.get(columns.consent) if consent and columns.consent else None,
    )


def _keep(known: dict[MemoKey, Any], key: MemoKey, value: Any) -> None:
    if len(known) >= MEMO_LIMIT:
        known.clear()
    known[key] = value


Screen = Callable[[str, Mapping[str, str]], tuple[str, str] | None]


def screen_for(request: CallingRequest) -> Screen:
    """A contact's reject (reason, detail) under `request`, or None: for the pipeline,
    which gives the line. `request.columns` must be resolved."""
    consent_at = request.now if request.require_consent else None
    columns, rules = request.columns, request.rules
    known: dict[MemoKey, tuple[str, str] | None] = {}

    def judge(phone: str, fields: Mapping[str, str]) -> tuple[str, str] | None:
        try:
            assessment = assess(
                phone,
                fields,
                columns,
                rules,
                at=request.at,
                consent_at=consent_at,
                consent_max_age=request.consent_max_age,
            )
        except BadZoneValueError as exc:
            return RowReason.BAD_TIMEZONE, bad_value_detail(exc, columns)
        found = reject_of(assessment)
        return (str(found[0]), found[1]) if found else None

    def screen(phone: str, fields: Mapping[str, str]) -> tuple[str, str] | None:
        key = memo_key(phone, fields, columns, rules, consent=consent_at is not None)
        if key in known:
            return known[key]
        found = judge(phone, fields)
        _keep(known, key, found)
        return found

    return screen


Enrich = Callable[[str, Mapping[str, str]], dict[str, str]]


def enricher_for(request: CallingRequest) -> Enrich:
    """A contact's `timezone` and `local_window` fields under `request` (columns
    resolved): by its address and number; by its number alone when an address value
    cannot be read (a screen, when asked, rejects it)."""
    number_only = AddressColumns()
    columns, rules = request.columns, request.rules
    # The fields depend only on the zones, the country and the states: a few of them.
    by_place: dict[tuple[frozenset[str], str | None, frozenset[str]], dict[str, str]] = {}
    known: dict[MemoKey, dict[str, str]] = {}

    def fields_of(phone: str, fields: Mapping[str, str]) -> dict[str, str]:
        try:
            assessment = assess(phone, fields, columns, rules)
        except BadZoneValueError:
            assessment = assess(phone, fields, number_only, rules)
        place = (assessment.zones, assessment.region, assessment.states)
        found = by_place.get(place)
        if found is None:
            found = by_place[place] = enrich_fields(assessment, rules)
        return found

    def enrich(phone: str, fields: Mapping[str, str]) -> dict[str, str]:
        key = memo_key(phone, fields, columns, rules, consent=False)
        found = known.get(key)
        if found is None:
            found = fields_of(phone, fields)
            _keep(known, key, found)
        return dict(found)

    return enrich


def assess_all(
    contacts: Iterable[tuple[str, Mapping[str, str]]], request: CallingRequest, at: datetime
) -> Iterable[tuple[str, Mapping[str, str], Assessment | BadZoneValueError]]:
    """Each (phone, fields) with its assessment at `at`, or the value that could not be
    read (contacts alike in everything `assess` reads share one answer)."""
    columns, rules = request.columns, request.rules
    known: dict[MemoKey, Assessment | BadZoneValueError] = {}
    for phone, fields in contacts:
        key = memo_key(phone, fields, columns, rules, consent=True)
        found = known.get(key)
        if found is None:
            try:
                found = assess(
                    phone,
                    fields,
                    columns,
                    rules,
                    at=at,
                    consent_at=request.now,
                    consent_max_age=request.consent_max_age,
                )
            except BadZoneValueError as exc:
                found = exc
            _keep(known, key, found)
        yield phone, fields, found
