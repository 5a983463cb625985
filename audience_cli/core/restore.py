"""Putting a snapshot back: the audience made equal to it, or made again when deleted.

A snapshot holds an audience's settings and every member with all its fields (see
`state.snapshots`). Restoring makes the target hold exactly those members with exactly
those fields: missing members are added, extra ones removed, and members whose data
differs are replaced (remove + add, journaled as in a sync). A target that no longer
exists is created again, with the snapshot's name, description and phone column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audience_cli.core.audiences import resolve_audience
from audience_cli.core.members import Present, read_audience
from audience_cli.core.sync import Source, SyncPlan, plan_sync
from audience_cli.errors import AudienceNotFoundError, NameInUseError, NotFoundError
from audience_cli.model import Audience, phone_column_of

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient
    from audience_cli.core.members import PageRead


@dataclass
class RestorePlan:
    """What putting the snapshot back does: create `name`, or make `target` equal to it."""

    settings: Mapping[str, Any]  # the snapshot's audience: name, description, phone column
    rows: list[dict[str, str]]  # the snapshot's members, under the target's phone column
    name: str
    target: Audience | None = None  # None: the audience is created
    present: dict[str, Present] = field(default_factory=dict)
    sync: SyncPlan | None = None

    @property
    def creates(self) -> bool:
        return self.target is None

    @property
    def phone_column(self) -> str:
        if self.target is not None:
            return phone_column_of(self.target)
        return str(self.settings.get("phoneNumberColumnName") or "phoneNumber")


def find_target(
    client: AtomsClient, settings: Mapping[str, Any], to: str | None = None
) -> Audience | None:
    """The audience to restore into: `to` (a name or id), else the snapshot's own audience
    by its id. None: it does not exist, and is to be created."""
    return _target(client, settings, to)


def plan_restore(
    client: AtomsClient,
    settings: Mapping[str, Any],
    rows: Sequence[Mapping[str, str]],
    target: Audience | None,
    *,
    name: str | None = None,
    on_page: PageRead | None = None,
) -> RestorePlan:
    """The changes that make `target` equal to the snapshot (None: create it, named
    `name` or the snapshot's name). Reads the target; sends no write."""
    if target is None:
        column = str(settings.get("phoneNumberColumnName") or "phoneNumber")
        made = (name or "").strip() or str(settings.get("name") or "")
        return RestorePlan(settings, _under(rows, settings, column), made)
    column = phone_column_of(target)
    mapped = _under(rows, settings, column)
    present = read_audience(client, target, on_page=on_page)
    keys = list(dict.fromkeys(k for row in mapped for k in row if k != column))
    source = Source(mapped, keys, "the snapshot")
    sync = plan_sync(target, present, source, replace_fields=True)
    return RestorePlan(settings, mapped, str(target.get("name")), target, present, sync)


def _target(client: AtomsClient, settings: Mapping[str, Any], to: str | None) -> Audience | None:
    if to is not None:
        try:
            return resolve_audience(client, to)
        except AudienceNotFoundError:
            return None
    audience_id = str(settings.get("_id") or "")
    try:
        return client.get_audience(audience_id)
    except NotFoundError:
        pass
    name = str(settings.get("name") or "")
    taken = [a for a in client.list_audiences() if a.get("name") == name]
    if taken:
        raise NameInUseError(name, str(taken[0].get("_id")))
    return None


def _under(
    rows: Sequence[Mapping[str, str]], settings: Mapping[str, Any], column: str
) -> list[dict[str, str]]:
    """The rows with their number under `column` (the target's phone column)."""
    own = str(settings.get("phoneNumberColumnName") or "phoneNumber")
    if own == column:
        return [dict(r) for r in rows]
    moved = []
    for row in rows:
        data = {k: v for k, v in row.items() if k != own}
        data[column] = row.get(own, "")
        moved.append(data)
    return moved
