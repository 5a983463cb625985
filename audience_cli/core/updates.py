"""Members replaced with new data, and members put back: nothing is lost in between.

Atoms has no "update member" endpoint: an update removes the member and adds it again
with its new row. Between the two requests the member exists only on this machine, so
each chunk's new rows go into the audience's journal (on disk) before the removal is
sent, and are crossed out once the add is answered. When the add fails, or the run is
stopped, the rows stay in the journal and `add_back` puts them in the audience on the
next run; a run stopped by Ctrl-C or SIGTERM tries once to put them back at once.

Adding back is safe to repeat: the API skips numbers already present, so a member the
killed run did add back (or never removed) is not doubled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from audience_cli.core.chunks import chunked
from audience_cli.errors import AudienceError
from audience_cli.model import Audience, phone_column_of

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient


class UpdateJournal(Protocol):
    """Where rows wait between their member's removal and their add (`state.journal`)."""

    def record(
        self, audience: Mapping[str, Any], phone_column: str, rows: Sequence[Mapping[str, str]]
    ) -> None: ...

    def settle(self, phones: Sequence[str]) -> None: ...

    def pending(self) -> list[dict[str, str]]: ...


@dataclass
class Replaced:
    """What an update run really did: members removed, and how many of them are back."""

    removed: int = 0
    added_back: int = 0

    @property
    def missing(self) -> int:
        """Members removed for an update that are not back (they wait in the journal)."""
        return max(0, self.removed - self.added_back)


class ReplaceStopped(Exception):
    """An update run stopped half way: `cause` is why, `done` what it did."""

    def __init__(self, cause: BaseException, done: Replaced, pending: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.done = done
        self.pending = pending  # rows left in the journal


def replace_members(
    client: AtomsClient,
    audience: Audience,
    rows: Sequence[tuple[str, Mapping[str, str]]],
    chunk_size: int,
    journal: UpdateJournal,
    progress: Callable[[int], None] | None = None,
) -> Replaced:
    """Replace members with new rows: `rows` are (member id, its new row). Journaled: a
    chunk's rows are on disk before its removal is sent, and crossed out once added."""
    audience_id = str(audience.get("_id"))
    column = phone_column_of(audience)
    done = Replaced()
    try:
        for chunk in chunked(rows, chunk_size):
            new_rows = [row for _, row in chunk]
            journal.record(audience, column, new_rows)
            answer = client.remove_members(audience_id, [member_id for member_id, _ in chunk])
            deleted = int(answer.get("deletedCount", 0) or 0)
            # A retried removal answers only for what its last attempt found.
            done.removed += len(chunk) if answer.get("retried") else deleted
            added = client.add_members(audience_id, new_rows)
            # Every number of the chunk was just removed: skipped ones are back already
            # (an earlier attempt of this add, or someone else's add).
            done.added_back += added["added"] + added["skipped"]
            journal.settle([row[column] for row in new_rows])
            if progress is not None:
                progress(len(chunk))
    except (AudienceError, KeyboardInterrupt) as exc:
        if isinstance(exc, KeyboardInterrupt):
            done.added_back += _add_back_now(client, audience, journal)
        raise ReplaceStopped(exc, done, len(journal.pending())) from None
    return done


def _add_back_now(client: AtomsClient, audience: Audience, journal: UpdateJournal) -> int:
    """Stopped by the user: one quick try to put the journal's rows back before exiting."""
    try:
        return add_back(client, audience, journal, chunk_size=1000).added
    except (AudienceError, KeyboardInterrupt):
        return 0  # they stay in the journal for the next run


@dataclass(frozen=True)
class AddedBack:
    added: int  # members put back
    present: int  # rows whose number was in the audience already


def add_back(
    client: AtomsClient, audience: Audience, journal: UpdateJournal, *, chunk_size: int
) -> AddedBack:
    """Add the journal's rows to the audience, crossing each chunk out once answered."""
    audience_id = str(audience.get("_id"))
    column = phone_column_of(audience)
    added = present = 0
    for chunk in chunked(journal.pending(), chunk_size):
        answer = client.add_members(audience_id, chunk)
        added += answer["added"]
        present += answer["skipped"]
        journal.settle([row.get(column, "") for row in chunk])
    return AddedBack(added, present)
