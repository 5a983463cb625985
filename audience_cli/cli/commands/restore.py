"""`audience restore`: put a snapshot back, or the members an interrupted update left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.output import Output
from audience_cli.model import DEFAULT_CHUNK_SIZE, DEFAULT_MEMBER_LIMIT

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.cli.safekeeping import Guard
    from audience_cli.core.restore import RestorePlan
    from audience_cli.state.snapshots import SnapshotInfo


@dataclass(frozen=True)
class RestoreOptions:
    ref: str | None  # a snapshot (or, with --pending, an audience)
    to: str | None
    pending: bool
    yes: bool
    dry_run: bool
    chunk_size: int
    stdout: Output  # its format (None: nothing on stdout) and fields


@o.output_options("RESTORE_FIELDS")
def restore(
    ctx: typer.Context,
    snapshot: Annotated[
        str | None,
        typer.Argument(
            metavar="SNAPSHOT",
            help="A snapshot's ID (from `audience snapshots`) or the path of its .csv.gz. "
            "With --pending: an audience (default: every audience with members pending).",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="NAME",
            help="Restore into this audience (a name or id) instead of the snapshot's own; "
            "a name no audience has is created.",
            show_default=False,
        ),
    ] = None,
    pending: Annotated[
        bool,
        typer.Option(
            "--pending",
            help="Put back the members that an interrupted sync or add --update took out "
            "for an update and did not add back (any write to the audience does it first).",
        ),
    ] = False,
    yes: o.YesOpt = False,
    dry_run: o.DryRunOpt = False,
    chunk_size: o.ChunkSizeOpt = DEFAULT_CHUNK_SIZE,
    stdout: Output = o.NO_OUTPUT,
    wait: o.WaitOpt = 60.0,
    no_snapshot: o.NoSnapshotOpt = False,
) -> None:
    """Make an audience equal to a snapshot: its members, with exactly their fields.

    Members missing from the audience are added, extra ones removed, and members
    whose data differs are replaced. A deleted audience is created again, with
    its name, description and phone column (--to restores into another audience).
    The audience is snapshotted first, so a restore can be undone the same way.
    Removing or replacing members asks on a terminal and needs --yes otherwise.

    [bold]Examples[/bold]

      audience snapshots "Nightly Leads"

      audience restore 20261207T020001123456Z --dry-run

      audience restore 20261207T020001123456Z --to "Nightly Leads (copy)" --yes

      audience restore --pending
    """
    from audience_cli.errors import UsageError

    o.keep_safe(ctx, wait, no_snapshot)
    if snapshot is None and not pending:
        raise UsageError(
            "give a SNAPSHOT (`audience snapshots` lists them), or --pending to put back "
            "members an interrupted update left out"
        )
    if pending and to is not None:
        raise UsageError("--to goes with a SNAPSHOT, not with --pending")
    options = RestoreOptions(
        ref=snapshot,
        to=to,
        pending=pending,
        yes=yes,
        dry_run=dry_run,
        chunk_size=chunk_size,
        stdout=stdout,
    )
    if pending:
        run_restore_pending(ctx.obj, options)
    else:
        run_restore(ctx.obj, options)


def run_restore_pending(app: AppContext, opts: RestoreOptions) -> None:
    """Every journal of this API (or the named audience's): its members added back."""
    from audience_cli.cli.safekeeping import api_state, guarded_write
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.errors import AudienceNotFoundError
    from audience_cli.state.journal import Journal, journals_in
    from audience_cli.text import plural

    folder = api_state(app)
    client = app.client()
    if opts.ref is not None:
        audience = resolve_audience(client, opts.ref)
        journals = [j for j in [Journal(folder, str(audience.get("_id")))] if len(j)]
    else:
        journals = journals_in(folder)
    if not journals:
        app.note("No members are waiting in a journal: nothing to put back.")
        return
    for journal in journals:
        name = journal.audience.get("name") or journal.audience_id
        if opts.dry_run:
            app.say(
                f"Dry run: {plural(len(journal), 'member')} of {name!r} "
                f"({journal.audience_id}) would be put back (journal {journal.path})."
            )
            continue
        try:
            audience = resolve_audience(client, journal.audience_id)
        except AudienceNotFoundError:
            app.warn(
                f"the audience {name!r} ({journal.audience_id}) no longer exists: its "
                f"{plural(len(journal), 'member')} stay in {journal.path}; "
                "`audience restore` a snapshot of it to make it again"
            )
            continue
        with guarded_write(app, audience):
            pass  # taking the audience puts its journal back first


def run_restore(app: AppContext, opts: RestoreOptions) -> None:
    from audience_cli.cli.progress import read_progress
    from audience_cli.cli.safekeeping import api_state, guarded_write, name_lock
    from audience_cli.core.restore import find_target, plan_restore
    from audience_cli.state.snapshots import find_snapshot, read_rows

    info = find_snapshot(api_state(app), opts.ref or "")
    rows = read_rows(info)
    client = app.client()
    target = find_target(client, info.audience, opts.to)
    if target is None:
        name = (opts.to or str(info.audience.get("name") or "")).strip()
        with name_lock(app, name):
            target = find_target(client, info.audience, opts.to)  # made while waiting?
            if target is None:
                _create(app, opts, info, plan_restore(client, info.audience, rows, None, name=name))
                return
    with guarded_write(app, target, dry_run=opts.dry_run) as guard:
        with read_progress(app, f"Reading {target.get('name')!r}") as on_page:
            plan = plan_restore(client, info.audience, rows, target, on_page=on_page)
        _make_equal(app, opts, info, plan, guard)


def _create(app: AppContext, opts: RestoreOptions, info: SnapshotInfo, plan: RestorePlan) -> None:
    from audience_cli.cli.completion_cache import remember_change
    from audience_cli.cli.output import emit, emit_lines
    from audience_cli.cli.progress import upload_progress
    from audience_cli.cli.views import restore_summary
    from audience_cli.core.upload import create_from_rows
    from audience_cli.text import plural

    if opts.dry_run:
        app.say(
            f"Dry run: no audience {plan.name!r}: would create it with "
            f"{plural(len(plan.rows), 'member')} from snapshot {info.id}; nothing was sent."
        )
        if opts.stdout.fmt is not None:
            emit(app, restore_summary(info, plan, created=None, dry_run=True), opts.stdout)
        return
    if not plan.rows:
        from audience_cli.errors import UsageError

        raise UsageError(
            f"snapshot {info.id} holds no members, and Atoms cannot create an empty "
            "audience: nothing was changed"
        )
    requests = -(-len(plan.rows) // opts.chunk_size) + 1
    with upload_progress(app, len(plan.rows), f"Creating {plan.name!r}", requests=requests) as step:
        made = create_from_rows(
            app.client(),
            plan.name,
            plan.rows,
            phone_column=plan.phone_column,
            chunk_size=opts.chunk_size,
            identifier_column=plan.settings.get("identifierColumnName"),
            description=plan.settings.get("description"),
            progress=step,
        )
    remember_change(app, made=[made.audience])
    app.success(
        f"Created audience {plan.name!r} ({made.audience.get('_id')}) with "
        f"{plural(made.added + made.skipped, 'member')} from snapshot {info.id}."
    )
    if opts.stdout.fmt is None:
        emit_lines(app, [str(made.audience.get("_id"))])
    else:
        emit(app, restore_summary(info, plan, created=made.audience, dry_run=False), opts.stdout)


def _make_equal(
    app: AppContext, opts: RestoreOptions, info: SnapshotInfo, plan: RestorePlan, guard: Guard
) -> None:
    from audience_cli.cli.commands.sync import plan_text
    from audience_cli.cli.output import emit
    from audience_cli.cli.progress import upload_progress
    from audience_cli.cli.prompts import require_confirmation
    from audience_cli.cli.views import restore_summary
    from audience_cli.core.audiences import label
    from audience_cli.core.sync import SyncResult, send_sync

    assert plan.sync is not None and plan.target is not None
    target, sync = plan.target, plan.sync
    name = label(target)
    if opts.dry_run:
        app.say(f"Dry run: {plan_text(sync)} in {name}; nothing was changed.")
        if opts.stdout.fmt is not None:
            emit(
                app, restore_summary(info, plan, result=SyncResult(sync), dry_run=True), opts.stdout
            )
        return
    if sync.equal:
        app.note(f"{name} already equals snapshot {info.id}: nothing to do.")
        result = SyncResult(sync)
    else:
        if sync.remove or sync.update:
            require_confirmation(
                app,
                yes=opts.yes,
                action=f"{plan_text(sync, verbs=True)} in {name}",
                type_to_confirm=str(target.get("name") or target.get("_id")),
            )
            guard.snapshot((m.data for m in plan.present.values()), reason="restore")
        requests = sync.requests(opts.chunk_size)
        removals_first = sync.removals_first(len(plan.present), DEFAULT_MEMBER_LIMIT)
        label_text = f"Restoring {target.get('name')!r}"
        with upload_progress(app, sync.work, label_text, requests=requests) as step:
            result = send_sync(
                app.client(),
                sync,
                chunk_size=opts.chunk_size,
                journal=guard.journal,
                removals_first=removals_first,
                progress=step,
            )
        app.success(
            f"Restored {name} from snapshot {info.id}: {result.added:,} added, "
            f"{result.removed:,} removed, {result.updated:,} replaced, "
            f"{sync.unchanged:,} unchanged."
        )
    if opts.stdout.fmt is not None:
        emit(app, restore_summary(info, plan, result=result, dry_run=False), opts.stdout)
