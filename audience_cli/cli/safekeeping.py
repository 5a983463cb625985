"""What every command that changes an audience does first: lock it, put back what an
earlier run left in the journal, and (before removing or replacing members) snapshot it.

The CLI edge of `state/`: it speaks to the user (notes, the snapshot's path) and knows
the run's API, so commands stay thin: `with guarded_write(app, audience) as guard:`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.model import Audience
    from audience_cli.state.journal import Journal
    from audience_cli.state.snapshots import SnapshotInfo


def api_state(app: AppContext) -> Path:
    """This run's API's folder in the state folder."""
    from audience_cli.state import api_folder

    return api_folder(app.env, app.settings.base_url)


@dataclass
class Guard:
    """An audience this run holds the lock of."""

    app: AppContext
    folder: Path
    audience: Audience
    journal: Journal

    def snapshot(self, members: Iterable[Mapping[str, Any]], *, reason: str) -> SnapshotInfo | None:
        """Snapshot the audience holding `members` (their data), unless --no-snapshot."""
        return take_snapshot(self.app, self.folder, self.audience, members, reason=reason)

    def snapshot_read(self, *, reason: str) -> SnapshotInfo | None:
        """Read every member of the audience and snapshot it (unless --no-snapshot)."""
        if not self.app.take_snapshots:
            return None
        from audience_cli.cli.progress import read_progress
        from audience_cli.core.members import read_all_data

        with read_progress(self.app, f"Snapshotting {self.audience.get('name')!r}") as on_page:
            members = read_all_data(self.app.client(), self.audience, on_page=on_page)
        return self.snapshot(members, reason=reason)


def take_snapshot(
    app: AppContext,
    folder: Path,
    audience: Audience,
    members: Iterable[Mapping[str, Any]],
    *,
    reason: str,
) -> SnapshotInfo | None:
    from audience_cli.state.snapshots import read_keep
    from audience_cli.state.snapshots import take_snapshot as write_snapshot
    from audience_cli.text import plural

    if not app.take_snapshots:
        return None
    info = write_snapshot(folder, audience, members, reason=reason, keep=read_keep(app.env))
    app.note(
        f"Snapshot of {audience.get('name')!r} ({plural(info.members, 'member')}): "
        f"{info.path} (`audience restore {info.id}` puts it back)"
    )
    return info


@contextmanager
def guarded_write(app: AppContext, audience: Audience, *, dry_run: bool = False) -> Iterator[Guard]:
    """Hold `audience`'s lock for the block, after putting back the members an earlier
    run took out for an update and could not add back. A dry run changes nothing: it
    takes no lock and only says what is waiting."""
    from audience_cli.core.audiences import label
    from audience_cli.state.journal import Journal
    from audience_cli.state.locks import audience_lock
    from audience_cli.text import plural

    folder = api_state(app)
    audience_id = str(audience.get("_id"))
    if dry_run:
        journal = Journal(folder, audience_id)
        if len(journal):
            app.warn(
                f"{plural(len(journal), 'member')} taken out for an update by an earlier run "
                f"{'is' if len(journal) == 1 else 'are'} not back in {label(audience)}: "
                "a real run puts them back first"
            )
        yield Guard(app, folder, audience, journal)
        return
    with audience_lock(
        folder, "audience", audience_id, what=label(audience), wait=app.lock_wait, on_wait=app.note
    ):
        journal = Journal(folder, audience_id)
        if len(journal):
            put_back(app, audience, journal)
        yield Guard(app, folder, audience, journal)


@contextmanager
def name_lock(app: AppContext, name: str) -> Iterator[None]:
    """Hold the lock of an audience name (two creates of one name make two audiences)."""
    from audience_cli.state.locks import audience_lock

    with audience_lock(
        api_state(app),
        "name",
        name.strip(),
        what=f"the audience name {name.strip()!r}",
        wait=app.lock_wait,
        on_wait=app.note,
    ):
        yield


def put_back(app: AppContext, audience: Audience, journal: Journal) -> int:
    """Add the journal's members back to `audience`, saying so. Returns how many it held."""
    from audience_cli.core.audiences import label
    from audience_cli.core.updates import add_back
    from audience_cli.model import DEFAULT_CHUNK_SIZE
    from audience_cli.text import plural

    count = len(journal)
    app.note(
        f"Putting back {plural(count, 'member')} of {label(audience)} that an earlier run "
        f"took out for an update and did not add back (journal {journal.path})…"
    )
    done = add_back(app.client(), audience, journal, chunk_size=DEFAULT_CHUNK_SIZE)
    app.success(
        f"Put back {plural(count, 'member')} in {label(audience)} "
        f"({done.added:,} added, {done.present:,} already there)."
    )
    return count
