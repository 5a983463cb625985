"""Calling hours of a whole list: who may be called at an instant (`check_hours`), and
the list cut into groups that may each be called from one start time the next day
(`plan_split`). The contacts come from an audience (its members, read whole) or a
file (through the import pipeline); each is assessed once by `core.callability`.

Nothing here reads the clock: the instant (`at`) and the time of the run (`now`, for
the age of a consent date) are given.

How `plan_split` groups: each member's window for the next day is worked out in UTC
terms: from the instant the day after `at` has begun in every zone of theirs (local
midnight, the latest of them), the member's first safe instant (every zone of theirs
inside its window, on an allowed day that is not a holiday) and the end of that
stretch. Members go together when they have the same window text (zones and hours)
and the same stretch: one start time, `scheduledAt`, is then safe for every one of
them, and stays safe until the stretch ends. Members with no zone (or a zone value
that cannot be read, or no safe instant within three weeks) go to their own group,
`unknown`, with no start time: never into another group. Every member is in exactly
one group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from audience_cli.errors import BadZoneValueError

if TYPE_CHECKING:
    from audience_cli.calling.rules import Rules
    from audience_cli.client import AtomsClient
    from audience_cli.contacts import ContactBatch
    from audience_cli.core.callability import Assessment, CallingRequest

Status = Literal["inside", "outside", "holiday", "unknown", "bad_value"]
STATUSES: tuple[Status, ...] = ("inside", "outside", "holiday", "unknown", "bad_value")
Consent = Literal["yes", "no", "absent"]
UNKNOWN_GROUP = "unknown"


@dataclass(frozen=True)
class Contact:
    """A contact to assess: its number, its name, and every field it has (a member's data
    as the audience holds it, or a file's columns)."""

    phone: str
    name: str
    fields: Mapping[str, str]
    line: int | None = None


@dataclass(frozen=True)
class HoursRow:
    """One contact at the instant asked."""

    contact: Contact
    status: Status
    zones: tuple[str, ...] = ()
    local_times: tuple[tuple[str, datetime], ...] = ()
    window: str = ""
    next_start: datetime | None = None
    consent: Consent = "absent"
    detail: str = ""  # the value that could not be read (bad_value)
    assessment: Assessment | None = field(default=None, repr=False, compare=False)

    @property
    def callable(self) -> bool:
        return self.status == "inside"

    def local_text(self) -> str:
        """The local time in each zone: "Mon 20:30 America/New_York"."""
        return ", ".join(f"{t:%a %H:%M} {z}" for z, t in self.local_times)

    def to_json(self) -> dict[str, Any]:
        return {
            "phone": self.contact.phone,
            "name": self.contact.name,
            "status": self.status,
            "zones": list(self.zones),
            "local_time": [{"zone": z, "time": t.isoformat()} for z, t in self.local_times],
            "window": self.window,
            "next_start": iso_utc(self.next_start),
            "consent": self.consent,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class HoursReport:
    """Every contact's calling hours at `at`, and the counts."""

    source: str
    at: datetime
    rows: Sequence[HoursRow]
    consent_column: str | None  # the column consent was read from (None: there is none)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(r.status for r in self.rows)
        return {s: found.get(s, 0) for s in STATUSES}

    @property
    def all_callable(self) -> bool:
        return all(r.callable for r in self.rows)

    @property
    def lacking_consent(self) -> int | None:
        """Members without consent; None when there is no consent column."""
        if self.consent_column is None:
            return None
        return sum(1 for r in self.rows if r.consent != "yes")

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "at": self.at.isoformat(),
            "members": len(self.rows),
            "callable": self.counts["inside"],
            "not_callable": len(self.rows) - self.counts["inside"],
            "by_status": self.counts,
            "consent_column": self.consent_column,
            "lacking_consent": self.lacking_consent,
        }


def iso_utc(when: datetime | None) -> str | None:
    """An instant in ISO 8601 UTC ("2026-12-08T13:00:00Z"), as Atoms' scheduledAt takes it."""
    if when is None:
        return None
    from datetime import UTC

    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading ----------------------------------------------------------------------------


def audience_contacts(client: AtomsClient, ref: str) -> tuple[str, list[Contact], str]:
    """The members of the audience `ref` (read whole): its label, the contacts, and the
    audience's phone column."""
    from audience_cli.core.audiences import label, resolve_audience
    from audience_cli.core.members import read_all_data
    from audience_cli.model import FIRST_NAME_KEY, LAST_NAME_KEY, phone_column_of

    audience = resolve_audience(client, ref)
    column = phone_column_of(audience)
    contacts = []
    for data in read_all_data(client, audience):
        fields = {str(k): "" if v is None else str(v) for k, v in data.items()}
        phone = fields.get(column, "")
        if not phone:
            continue
        name = " ".join(x for x in (fields.get(FIRST_NAME_KEY), fields.get(LAST_NAME_KEY)) if x)
        contacts.append(Contact(phone, name, fields))
    return label(audience), contacts, column


def batch_contacts(batch: ContactBatch) -> list[Contact]:
    """The valid contacts of a file, as the import pipeline read them (numbers checked,
    repeats dropped), each with its member fields (names, number, columns) under the
    default phone column: what an audience made of them would hold."""
    from audience_cli.model import DEFAULT_PHONE_COLUMN

    return [
        Contact(
            c.phone,
            " ".join(x for x in (c.first_name, c.last_name) if x),
            c.to_member(DEFAULT_PHONE_COLUMN),
            c.line,
        )
        for c in batch
    ]


# --- checking ---------------------------------------------------------------------------


def check_hours(
    source: str, contacts: Sequence[Contact], request: CallingRequest, at: datetime
) -> HoursReport:
    """Every contact assessed at `at` (its columns found among the contacts' fields)."""
    from audience_cli.calling.consent import has_consent
    from audience_cli.core.callability import assess_all, bad_value_detail

    keys = list(dict.fromkeys(k for c in contacts for k in c.fields))
    request = request.with_columns(keys)
    consent_column = request.columns.consent
    rows: list[HoursRow] = []
    consents: dict[str, Consent] = {}  # a consent value -> its answer: a list has few
    pairs = ((c.phone, c.fields) for c in contacts)
    for contact, (_, _, found) in zip(contacts, assess_all(pairs, request, at), strict=True):
        consent: Consent = "absent"
        if consent_column is not None:
            value = contact.fields.get(consent_column, "")
            known = consents.get(value)
            if known is None:
                given = has_consent(value, request.now, request.consent_max_age)
                known = consents[value] = "yes" if given else "no"
                if len(consents) > 100_000:
                    consents.clear()
            consent = known
        if isinstance(found, BadZoneValueError):
            detail = bad_value_detail(found, request.columns)
            rows.append(HoursRow(contact, "bad_value", consent=consent, detail=detail))
            continue
        judged = found.verdict
        assert judged is not None
        rows.append(
            HoursRow(
                contact,
                judged.status,
                tuple(sorted(found.zones)),
                judged.local_times,
                judged.window,
                judged.next_start,
                consent,
                assessment=found,
            )
        )
    return HoursReport(source, at, rows, consent_column)


# --- splitting --------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitGroup:
    """Members who may all be called from `scheduled_at` (None: the unknown group) until
    `ends_at`, the next day."""

    key: str  # the window text, or "unknown"
    window: str
    zones: tuple[str, ...]
    scheduled_at: datetime | None
    ends_at: datetime | None
    members: tuple[Contact, ...]

    @property
    def unknown(self) -> bool:
        return self.scheduled_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.key,
            "window": self.window,
            "zones": list(self.zones),
            "members": len(self.members),
            "scheduledAt": iso_utc(self.scheduled_at),
            "endsAt": iso_utc(self.ends_at),
        }


def next_day_start(at: datetime, zones: Iterable[str]) -> datetime:
    """The instant the day after `at` has begun in every one of `zones` (the latest of
    their local midnights, each zone's next day being the one after its own date at
    `at`)."""
    from audience_cli.calling.windows import zone_info

    starts = []
    for zone in zones:
        info = zone_info(zone)
        day = at.astimezone(info).date() + timedelta(days=1)
        starts.append(datetime.combine(day, time(0), tzinfo=info))
    return max(starts).astimezone(at.tzinfo)


def _stretch(
    assessment: Assessment, rules: Rules, at: datetime
) -> tuple[datetime, datetime] | None:
    """The member's first safe instant on the next local day after `at` and when that
    safe stretch ends (the earliest window end in any of its zones), or None."""
    from audience_cli.calling.windows import verdict, zone_info

    if not assessment.zones:
        return None
    start_of_day = next_day_start(at, assessment.zones)
    found = verdict(assessment.zones, assessment.region, assessment.states, start_of_day, rules)
    start = found.next_start
    if start is None:
        return None
    rule = rules.rule_for(assessment.region, assessment.states)
    ends: list[datetime] = []
    for zone in assessment.zones:
        info = zone_info(zone)
        local = start.astimezone(info)
        clock = local.time().replace(tzinfo=None)
        for begin, end in rule.windows:
            if begin <= clock < end:
                ends.append(datetime.combine(local.date(), end, tzinfo=info))
    if not ends:
        return None
    return start, min(ends).astimezone(start.tzinfo)


def plan_split(rows: Iterable[HoursRow], at: datetime, rules: Rules) -> list[SplitGroup]:
    """The members of `rows` in groups by their window the next day (see the module's
    text): earliest start first, the unknown group last."""
    groups: dict[tuple[Any, ...], list[HoursRow]] = {}
    stretches: dict[tuple[Any, ...], tuple[datetime, datetime] | None] = {}
    for row in rows:
        found = row.assessment
        stretch = None
        if found is not None and found.zones:
            memo = (found.zones, found.region, found.states)
            if memo not in stretches:
                stretches[memo] = _stretch(found, rules, at)
            stretch = stretches[memo]
        key: tuple[Any, ...] = (UNKNOWN_GROUP,) if stretch is None else (row.window, stretch)
        groups.setdefault(key, []).append(row)
    made: list[SplitGroup] = []
    for key, members in groups.items():
        contacts = tuple(r.contact for r in members)
        if key == (UNKNOWN_GROUP,):
            zones = tuple(sorted({z for r in members for z in r.zones}))
            made.append(SplitGroup(UNKNOWN_GROUP, "", zones, None, None, contacts))
            continue
        window, (start, end) = key
        made.append(SplitGroup(window, window, members[0].zones, start, end, contacts))
    made.sort(key=lambda g: (g.unknown, g.scheduled_at or at, g.key))
    return made


def group_name(template: str, name: str, group: SplitGroup, index: int) -> str:
    """An audience name from `template` ({name}, {window}, {zone}, {n}); raises
    `ValueError` naming a placeholder it does not know."""
    zone = "unknown" if group.unknown else " ".join(group.zones)
    values = {
        "name": name,
        "window": "unknown zone" if group.unknown else group.window,
        "zone": zone,
        "n": str(index),
    }
    try:
        return template.format_map(values).strip()
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{template!r}: {exc}") from exc
