"""Making an audience equal to its source of truth (a contacts file, or another audience).

Atoms has no "update member" endpoint: a member whose data changed is removed
and added again with the source's row, and gets a new id.

Numbers are compared in E.164. Data is compared field by field on the fields the
source has, after the same column mapping the upload uses; fields only the
audience has (added by the server, or by another tool) are ignored, and an empty
value equals a missing one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audience_cli.core.chunks import chunked
from audience_cli.core.members import Present, iter_members, read_audience
from audience_cli.core.upload import Progress, add_in_chunks
from audience_cli.errors import (
    AudienceError,
    ExitCode,
    PartialUploadError,
    TooManyRemovalsError,
)
from audience_cli.model import (
    FIRST_NAME_KEY,
    LAST_NAME_KEY,
    NAME_KEYS,
    Audience,
    phone_column_of,
)
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
    """A member whose data differs from the source's row: (old, new) per field."""

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

    @property
    def equal(self) -> bool:
        return not (self.add or self.remove or self.update)

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


def plan_sync(audience: Audience, present: Mapping[str, Present], source: Source) -> SyncPlan:
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
        changed = differences(member.data, row, source.keys)
        if changed:
            plan.update.append(Update(phone, member.member_id, row, changed))
        else:
            plan.unchanged += 1
    plan.remove = [(phone, m) for phone, m in present.items() if phone not in seen]
    return plan


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


# --- guard rails -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RemovalLimit:
    """How many members a sync may remove: a number, or a share of the audience."""

    number: int
    percent: bool = False
    text: str = ""

    def of(self, audience_size: int) -> int:
        return math.floor(audience_size * self.number / 100) if self.percent else self.number


def check_removals(plan: SyncPlan, size: int, limit: RemovalLimit) -> None:
    """Refuse a plan that removes more than `limit` (a truncated export must not empty it)."""
    allowed = limit.of(size)
    if len(plan.remove) > allowed:
        raise TooManyRemovalsError(len(plan.remove), size, allowed, limit.text)


# --- carrying it out -------------------------------------------------------------------------


@dataclass
class SyncResult:
    plan: SyncPlan
    added: int = 0
    removed: int = 0
    updated: int = 0

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
    removals_first: bool = False,
    progress: Progress = _no_progress,
) -> SyncResult:
    """Adds first, then updates (remove + add), then removals: an interrupted sync never
    leaves fewer members than either side had, and running it again finishes the job.

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

    try:
        if removals_first:
            remove()
        add()
        result.updated = replace_members(client, plan.audience, plan.update, chunk_size, progress)
        if not removals_first:
            remove()
    except (AudienceError, KeyboardInterrupt) as exc:
        raise sync_failed(exc, result) from None
    return result


def replace_members(
    client: AtomsClient,
    audience: Audience,
    updates: Sequence[Update],
    chunk_size: int,
    progress: Progress = _no_progress,
) -> int:
    """Replace members with their source rows (remove, then add: they get new ids)."""
    audience_id = str(audience.get("_id"))
    done = 0
    for chunk in chunked(updates, chunk_size):
        client.remove_members(audience_id, [u.member_id for u in chunk])
        client.add_members(audience_id, [u.row for u in chunk])
        done += len(chunk)
        progress(len(chunk))
    return done


def sync_failed(exc: AudienceError | KeyboardInterrupt, result: SyncResult) -> PartialUploadError:
    """The error for a sync stopped half way: what was done, and that a re-run finishes it."""
    done = ", ".join(f"{n:,} {k}" for k, n in result.counts().items() if k != "unchanged")
    what = exc.message if isinstance(exc, AudienceError) else "interrupted"
    code = exc.exit_code if isinstance(exc, AudienceError) else ExitCode.INTERRUPTED
    return PartialUploadError(
        f"the sync stopped half way ({what}) after {done}",
        exit_code=code,
        audience_id=str(result.plan.audience.get("_id")),
        created=False,
    )
