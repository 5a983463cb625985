"""Making an audience equal to its source of truth (a contacts file, or another audience).

Atoms has no "update member" endpoint: a member whose data changed is removed
and added again with the source's row, and gets a new id.

Numbers are compared in E.164. Data is compared field by field on the source's
non-empty values, after the same column mapping the upload uses. An update keeps what
the source does not speak for: the member comes back with its old data and the
source's non-empty values laid over it, so fields only the audience has (added by the
server, by another tool, or a column the file leaves empty) survive. `replace_fields`
is the other way: the member comes back as the source's row alone.

Every member an update removes is journaled until it is back (`core.updates`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audience_cli.core.chunks import chunked
from audience_cli.core.members import Present, iter_members, read_audience
from audience_cli.core.updates import ReplaceStopped, UpdateJournal, replace_members
from audience_cli.core.upload import AddPlan, CreatedAudience, Progress, add_in_chunks
from audience_cli.errors import (
    AudienceError,
    PartialUploadError,
    TooManyRemovalsError,
    exit_code_for,
    stop_word,
)
from audience_cli.model import (
    FIRST_NAME_KEY,
    LAST_NAME_KEY,
    NAME_KEYS,
    Audience,
    phone_column_of,
)
from audience_cli.reasons import RowReason
from audience_cli.text import cell_text

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient
    from audience_cli.contacts import ContactBatch


def _no_progress(members: int) -> None:
    return None


# --- the two sides -------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What the audience should hold: member rows (under the target's phone column), the
    data keys they speak for, and a name for reports."""

    rows: Iterable[dict[str, str]]
    keys: list[str]  # compared fields (names included when the source has them)
    name: str


def source_from_batch(batch: ContactBatch, phone_column: str) -> Source:
    """A checked contacts file (or --phone flags) as a source: its rows as the upload sends them."""
    mapped = set(batch.report.column_mapping.values())
    full = f"{FIRST_NAME_KEY}+{LAST_NAME_KEY}"
    if batch.report.column_mapping:  # a file: the names its columns give
        names = [k for k in NAME_KEYS if k in mapped or full in mapped]
    else:  # --phone flags: names only when some --name was given
        named = any(c.first_name or c.last_name for c in batch)
        names = list(NAME_KEYS) if named else []
    keys = [*names, *batch.csv_header_keys()]

    def rows() -> Iterator[dict[str, str]]:
        for contact in batch:
            yield contact.to_member(phone_column)

    return Source(rows(), keys, batch.report.source)


def source_from_audience(
    client: AtomsClient, other: Audience, phone_column: str
) -> tuple[Source, int]:
    """Another audience's members as a source (their numbers under `phone_column`).

    Returns the source and how many members it has."""
    other_column = phone_column_of(other)
    members = [dict(m.get("data") or {}) for m in iter_members(client, str(other.get("_id")))]
    keys: dict[str, None] = {}
    rows: list[dict[str, str]] = []
    for data in members:
        phone = str(data.pop(other_column, "") or "")
        if not phone:
            continue
        row = {k: cell_text(v) for k, v in data.items()}
        row[phone_column] = phone
        rows.append(row)
        keys.update(dict.fromkeys(k for k in row if k != phone_column))
    return Source(rows, list(keys), f"audience {other.get('name')!r}"), len(rows)


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    """A member whose data differs from the source's row: (old, new) per field that
    changes, and `row`, the member as it is added back."""

    phone: str
    member_id: str
    row: dict[str, str]
    fields: dict[str, tuple[str, str]]


@dataclass
class SyncPlan:
    audience: Audience
    phone_column: str
    add: list[dict[str, str]] = field(default_factory=list)
    remove: list[tuple[str, Present]] = field(default_factory=list)  # (phone, member)
    update: list[Update] = field(default_factory=list)
    unchanged: int = 0
    # Members not in the source that are kept all the same: their number is a rejected
    # row's, or the source has rows it could not read (`hold_removals`).
    kept: list[tuple[str, Present]] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (self.add or self.remove or self.update)

    @property
    def work(self) -> int:
        """Members to send or take out: what a progress bar counts."""
        return len(self.add) + len(self.update) + len(self.remove)

    def requests(self, chunk_size: int) -> int:
        """About how many write requests carrying it out takes (adds, updates and removals
        in chunks, and one more)."""
        return -(-self.work // chunk_size) + 1

    def removals_first(self, present: int, member_limit: int) -> bool:
        """Adds go first, so that an interrupted sync never leaves fewer members than
        either side; unless the adds alone would take the `present` members past the
        limit."""
        return present + len(self.add) > member_limit

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.add),
            "removed": len(self.remove),
            "updated": len(self.update),
            "unchanged": self.unchanged,
        }

    def groups(self) -> dict[str, Any]:
        """The members in each group, for JSON: what a dry run or a diff shows."""
        column = self.phone_column
        return {
            "add": list(self.add),
            "remove": [
                {"_id": member.member_id, "data": dict(member.data)} for _, member in self.remove
            ],
            "update": [
                {
                    "_id": u.member_id,
                    column: u.phone,
                    "fields": {k: {"from": old, "to": new} for k, (old, new) in u.fields.items()},
                }
                for u in self.update
            ],
            "unchanged": self.unchanged,
            "kept": [
                {"_id": member.member_id, "data": dict(member.data)} for _, member in self.kept
            ],
        }


def _text(value: Any) -> str:
    return cell_text(value).strip()


def differences(
    data: Mapping[str, Any], row: Mapping[str, str], keys: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """The fields of `keys` whose values differ, as (audience's, source's); empty == missing."""
    changed: dict[str, tuple[str, str]] = {}
    for key in keys:
        old, new = _text(data.get(key)), _text(row.get(key))
        if old != new:
            changed[key] = (old, new)
    return changed


def merged_row(data: Mapping[str, Any], row: Mapping[str, str]) -> dict[str, str]:
    """The member's data with the source row's non-empty values laid over it."""
    merged = {str(k): cell_text(v) for k, v in data.items() if _text(v)}
    merged.update({k: v for k, v in row.items() if _text(v)})
    return merged


def plan_update(
    member: Present, row: Mapping[str, str], keys: Sequence[str], *, replace_fields: bool
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """What an update of `member` to `row` changes, and the row it is added back with."""
    if replace_fields:  # the source's row alone: fields it lacks are dropped
        every = list(dict.fromkeys([*keys, *(str(k) for k in member.data)]))
        return differences(member.data, row, every), dict(row)
    filled = [k for k in keys if _text(row.get(k))]
    return differences(member.data, row, filled), merged_row(member.data, row)


def plan_sync(
    audience: Audience,
    present: Mapping[str, Present],
    source: Source,
    *,
    replace_fields: bool = False,
) -> SyncPlan:
    """What makes the audience equal to the source: adds, removals, updates."""
    column = phone_column_of(audience)
    plan = SyncPlan(audience, column)
    seen: set[str] = set()
    for row in source.rows:
        phone = row[column]
        seen.add(phone)
        member = present.get(phone)
        if member is None:
            plan.add.append(row)
            continue
        changed, new_row = plan_update(member, row, source.keys, replace_fields=replace_fields)
        if changed:
            plan.update.append(Update(phone, member.member_id, new_row, changed))
        else:
            plan.unchanged += 1
    plan.remove = [(phone, m) for phone, m in present.items() if phone not in seen]
    return plan


def plan_from_batch(
    audience: Audience,
    present: Mapping[str, Present],
    batch: ContactBatch,
    *,
    replace_fields: bool = False,
    remove_with_rejects: bool = False,
) -> tuple[SyncPlan, int]:
    """What a sync of `audience` (its members: `present`) to a checked contacts batch
    does, with the members a batch with rejected rows may still speak for kept
    (`screen_removals`); and how many of its rows could not be used."""
    source = source_from_batch(batch, phone_column_of(audience))
    plan = plan_sync(audience, present, source, replace_fields=replace_fields)
    rejects = batch.report.rejects
    unread = screen_removals(plan, rejects, remove_with_rejects=remove_with_rejects)
    return plan, unread


def plan_first_sync(batch: ContactBatch, name: str) -> SyncPlan:
    """What `sync --create` does when no audience has the name yet: every contact of the
    batch is added to a new audience (a dry run's plan; nothing is there to remove)."""
    plan = SyncPlan({"name": name}, "phoneNumber")
    plan.add = [c.to_member() for c in batch]
    return plan


def first_sync_result(created: CreatedAudience, phone_column: str) -> SyncResult:
    """`sync --create`'s result when it made the audience: all it did was add."""
    return SyncResult(SyncPlan(created.audience, phone_column), added=created.added)


def stale_members(
    client: AtomsClient,
    audience: Audience,
    batch: ContactBatch,
    present: Mapping[str, Present] | None = None,
) -> list[Update]:
    """Members whose number is in `batch` but whose data differs from its row
    (`present`: the audience's members, when they were read already)."""
    source = source_from_batch(batch, phone_column_of(audience))
    if present is None:
        present = read_audience(client, audience)
    return plan_sync(audience, present, source).update


@dataclass(frozen=True)
class AlreadyThere:
    """What became of the members an add found already there with other data: left as
    they are (`stale`) or replaced with the file's rows (`updated`)."""

    stale: int = 0
    updated: int = 0


def settle_already_there(
    client: AtomsClient,
    batch: ContactBatch,
    plan: AddPlan,
    *,
    update: bool,
    journal: UpdateJournal,
    snapshot: Callable[[Iterable[Mapping[str, str]]], object],
) -> AlreadyThere:
    """After an add: the members whose number was there already keep their data unless
    `update`, which replaces them (after `snapshot` of every member; journaled), never
    silently. The batch's report counts them (`stale` or `updated`).

    A replacement stopped half way is a `PartialUploadError` that says how far it got
    and carries the rows still out (`pending`)."""
    audience = plan.audience
    present = plan.present if plan.present is not None else read_audience(client, audience)
    stale = stale_members(client, audience, batch, present)
    report = batch.report
    if not update:
        report.stale = len(stale)
        return AlreadyThere(stale=len(stale))
    if stale:
        snapshot(m.data for m in present.values())
    rows = [(u.member_id, u.row) for u in stale]
    try:
        done = replace_members(client, audience, rows, plan.chunk_size, journal)
    except ReplaceStopped as stopped:
        cause = stopped.cause
        why = cause.message if isinstance(cause, AudienceError) else stop_word(cause)
        error = PartialUploadError(
            f"the update stopped half way ({why}) after "
            f"{stopped.done.removed:,} members were taken out for an update, of which "
            f"{stopped.done.added_back:,} are back with their new data",
            exit_code=exit_code_for(cause),
            audience_id=str(audience.get("_id")),
            created=False,
        )
        error.pending = stopped.pending
        raise error from None
    report.updated = done.removed
    return AlreadyThere(updated=len(stale))


# --- guard rails -----------------------------------------------------------------------------

# Rows rejected on purpose: their members are to go (the do-not-call scrub).
SUPPRESSED_REASONS = frozenset({RowReason.DO_NOT_CALL, RowReason.EXCLUDED})
_MATCH_DIGITS = 7  # a rejected number shorter than this protects only its exact digits


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def unread_rows(rejects: Iterable[Any]) -> list[str]:
    """The numbers (as written) of rejected rows that were not rejected on purpose: rows
    the source has but that could not be read, or were barred by a rule."""
    return [str(r.value) for r in rejects if str(r.reason) not in SUPPRESSED_REASONS]


def keep_rejected(plan: SyncPlan, rejected: Sequence[str]) -> None:
    """Never remove a member whose number is a rejected row's (by its digits: `(415)
    509-0005` that could not be read is +14155090005): the row is in the source."""
    wanted = [d for d in (_digits(v) for v in rejected) if d]
    if not wanted or not plan.remove:
        return
    exact = set(wanted)
    longer = [d for d in wanted if len(d) >= _MATCH_DIGITS]

    def matches(phone: str) -> bool:
        digits = _digits(phone)
        return digits in exact or any(digits.endswith(d) or d.endswith(digits) for d in longer)

    still: list[tuple[str, Present]] = []
    for phone, member in plan.remove:
        (plan.kept if matches(phone) else still).append((phone, member))
    plan.remove = still


def screen_removals(plan: SyncPlan, rejects: Iterable[Any], *, remove_with_rejects: bool) -> int:
    """Keep the members a source with rejected rows may still speak for: those whose number
    is a rejected row's, and (unless `remove_with_rejects`) every member it lacks. Returns
    how many rows could not be used."""
    unread = unread_rows(rejects)
    keep_rejected(plan, unread)
    if unread and not remove_with_rejects:
        hold_removals(plan)
    return len(unread)


def hold_removals(plan: SyncPlan) -> None:
    """Keep every member the source lacks: a source with unreadable rows is not the whole
    truth, so nothing is removed on its word."""
    plan.kept.extend(plan.remove)
    plan.remove = []


@dataclass(frozen=True)
class RemovalLimit:
    """How many members a sync may take out (removals and updates): a number, a share of
    the audience, or both (then whichever allows more: a small audience may lose up to the
    number, a large one up to the share)."""

    parts: tuple[tuple[int, bool], ...]  # (number, is a percentage)
    text: str = ""

    def of(self, audience_size: int) -> int:
        return max(
            (math.floor(audience_size * n / 100) if percent else n) for n, percent in self.parts
        )


def check_removals(plan: SyncPlan, size: int, limit: RemovalLimit) -> None:
    """Refuse a plan that takes out more than `limit` (a truncated export must not empty the
    audience). An update takes its member out too (remove, then add), so it counts."""
    allowed = limit.of(size)
    out = len(plan.remove) + len(plan.update)
    if out > allowed:
        raise TooManyRemovalsError(
            out, size, allowed, limit.text, removed=len(plan.remove), updated=len(plan.update)
        )


# --- carrying it out -------------------------------------------------------------------------


@dataclass
class SyncResult:
    plan: SyncPlan
    added: int = 0
    removed: int = 0
    updated: int = 0  # members taken out for an update and added back with their new data
    taken_out: int = 0  # members taken out for an update
    pending: int = 0  # of those, rows still in the journal (not back in the audience)

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "removed": self.removed,
            "updated": self.updated,
            "unchanged": self.plan.unchanged,
        }


def send_sync(
    client: AtomsClient,
    plan: SyncPlan,
    *,
    chunk_size: int,
    journal: UpdateJournal,
    removals_first: bool = False,
    progress: Progress = _no_progress,
) -> SyncResult:
    """Adds first, then updates (remove + add, journaled), then removals: an interrupted
    sync never leaves fewer members than either side had, no member taken out for an
    update is lost, and running it again finishes the job.

    `removals_first`: when the adds alone would pass the member limit."""
    audience_id = str(plan.audience.get("_id"))
    result = SyncResult(plan)

    def add() -> None:
        if plan.add:
            counts = add_in_chunks(client, plan.audience, plan.add, chunk_size, progress=progress)
            result.added = counts.added

    def remove() -> None:
        for chunk in chunked(plan.remove, chunk_size):
            answer = client.remove_members(audience_id, [m.member_id for _, m in chunk])
            deleted = int(answer.get("deletedCount", 0) or 0)
            # A retried removal answers only for what its last attempt found.
            result.removed += len(chunk) if answer.get("retried") else deleted
            progress(len(chunk))

    def update() -> None:
        rows = [(u.member_id, u.row) for u in plan.update]
        try:
            done = replace_members(client, plan.audience, rows, chunk_size, journal, progress)
        except ReplaceStopped as stopped:
            result.taken_out, result.updated = stopped.done.removed, stopped.done.added_back
            result.pending = stopped.pending
            raise stopped.cause from None
        result.taken_out = result.updated = done.removed

    try:
        if removals_first:
            remove()
        add()
        update()
        if not removals_first:
            remove()
    except (AudienceError, KeyboardInterrupt) as exc:
        raise sync_failed(exc, result) from None
    return result


def sync_failed(exc: AudienceError | KeyboardInterrupt, result: SyncResult) -> PartialUploadError:
    """The error for a sync stopped half way: what was really done, and that a re-run
    finishes it."""
    what = exc.message if isinstance(exc, AudienceError) else stop_word(exc)
    code = exit_code_for(exc)
    done = f"{result.added:,} added, {result.removed:,} removed"
    if result.taken_out:
        done += (
            f", {result.taken_out:,} taken out for an update of which "
            f"{result.updated:,} are back with their new data"
        )
    else:
        done += ", 0 updated"
    error = PartialUploadError(
        f"the sync stopped half way ({what}) after {done}",
        exit_code=code,
        audience_id=str(result.plan.audience.get("_id")),
        created=False,
    )
    error.pending = result.pending
    return error
