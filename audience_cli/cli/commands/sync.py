"""`audience sync`: make an audience's members equal to a contacts file, safely, re-runnably."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.commands.calling_options import CallingInput, calling_options
from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.commands.suppression_options import SuppressionInput, suppression_options
from audience_cli.cli.output import Output
from audience_cli.errors import AudienceNotFoundError, ExitCode, TooManyRemovalsError
from audience_cli.model import DEFAULT_CHUNK_SIZE, DEFAULT_MEMBER_LIMIT

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.contacts import ContactBatch
    from audience_cli.core.sync import RemovalLimit, SyncPlan
    from audience_cli.core.upload import UploadSettings
    from audience_cli.model import Audience


@dataclass(frozen=True)
class SyncOptions:
    audience: str
    contacts: ContactInput
    suppression: SuppressionInput
    yes: bool
    create: bool
    max_remove: RemovalLimit
    replace_fields: bool
    remove_with_rejects: bool
    upload: UploadSettings
    stdout: Output  # its format (None: nothing on stdout) and fields
    calling: CallingInput = field(default_factory=CallingInput)  # none: nothing checked


@contact_options(campaign=True)
@suppression_options()
@calling_options()
@o.output_options("SYNC_FIELDS")
def sync(
    ctx: typer.Context,
    audience: o.AudienceArg,
    contacts: ContactInput,
    suppression: SuppressionInput,
    calling: CallingInput,
    yes: o.YesOpt = False,
    create: Annotated[
        bool,
        typer.Option(
            "--create",
            help="Create the audience from the file when no audience has this name yet "
            "(the first night), so the same command serves every night.",
        ),
    ] = False,
    max_remove: Annotated[
        str | None,
        typer.Option(
            "--max-remove",
            metavar="N|N%",
            envvar="AUDIENCE_MAX_REMOVE",
            show_default=False,
            help="Refuse a sync that would take out more members than this: a number, a "
            "share of the audience, or both (10%,100: 10% of the audience or 100 members, "
            "whichever is more). Updates count, since each removes its member and adds it "
            "again. A truncated export cannot empty an audience. [default: 10%,100]",
            rich_help_panel=o.SAFETY_PANEL,
        ),
    ] = None,
    replace_fields: o.ReplaceFieldsOpt = False,
    remove_with_rejects: o.RemoveWithRejectsOpt = False,
    wait: o.WaitOpt = 60.0,
    no_snapshot: o.NoSnapshotOpt = False,
    strict: o.StrictOpt = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show what would be added, removed and updated; change nothing.",
            rich_help_panel=o.CHECKS_PANEL,
        ),
    ] = False,
    chunk_size: o.ChunkSizeOpt = DEFAULT_CHUNK_SIZE,
    member_limit: o.MemberLimitOpt = DEFAULT_MEMBER_LIMIT,
    stdout: Output = o.NO_OUTPUT,
) -> None:
    """Make an audience's members equal to a contacts file: add, remove, update.

    Numbers missing from the audience are added, members whose number is not in
    the file are removed, and members whose data differs from their row are
    updated (Atoms has no update: the member is removed and added again, with a new
    id). Members that match are left alone, so a second run changes nothing. An
    update keeps the fields the file has no value for (--replace-fields drops them).
    Adds go first, removals last. Removing or replacing members asks on a terminal
    and needs --yes otherwise; taking out more than --max-remove (default 10% of
    the audience or 100 members, whichever is more; updates count) is refused, and a file
    with rejected rows removes nothing (--remove-with-rejects). Before members are
    removed or replaced the audience is snapshotted (`audience restore` puts it
    back), and members taken out for an update are journaled until they are back.
    Numbers on the organisation's do-not-call list are rejected rows (DO_NOT_CALL)
    unless --no-dnc, as are numbers of --exclude lists (EXCLUDED): not in the
    source, so members that have them are removed.

    [bold]Examples[/bold]

      audience sync "Nightly Leads" --csv export.csv --region US --create --yes

      audience sync "Nightly Leads" --csv export.csv --dry-run --json
    """
    o.keep_safe(ctx, wait, no_snapshot)
    from audience_cli.core.upload import UploadSettings

    options = SyncOptions(
        audience=audience,
        contacts=contacts,
        suppression=suppression,
        calling=calling,
        yes=yes,
        create=create,
        max_remove=parse_max_remove(max_remove or DEFAULT_MAX_REMOVE),
        replace_fields=replace_fields,
        remove_with_rejects=remove_with_rejects,
        upload=UploadSettings(
            chunk_size=chunk_size, member_limit=member_limit, dry_run=dry_run, strict=strict
        ),
        stdout=stdout,
    )
    raise typer.Exit(int(run_sync(ctx.obj, options)))


DEFAULT_MAX_REMOVE = "10%,100"


def parse_max_remove(text: str) -> RemovalLimit:
    """--max-remove: a number of members (500), a share of the audience (10%), or both
    (10%,100: whichever allows more)."""
    import re

    from audience_cli.core.sync import RemovalLimit
    from audience_cli.errors import UsageError

    parts: list[tuple[int, bool]] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d{1,12})\s*(%?)\s*", part)
        if match is None:
            raise UsageError(
                f"--max-remove {text!r}: give a number of members (500), a share of the "
                "audience (10%), or both (10%,100)"
            )
        number, percent = int(match.group(1)), bool(match.group(2))
        if percent and number > 100:
            raise UsageError(f"--max-remove {text!r}: a share is at most 100%")
        parts.append((number, percent))
    shown = ",".join(p.strip() for p in text.split(","))
    return RemovalLimit(tuple(parts), f"--max-remove {shown}")


def run_sync(app: AppContext, opts: SyncOptions) -> ExitCode:
    from audience_cli.cli.commands.contact_options import (
        import_contacts,
        report_refusal,
        rows_exit_code,
    )
    from audience_cli.cli.hints import sync_without_create
    from audience_cli.cli.safekeeping import name_lock
    from audience_cli.cli.views import SYNC_FIELDS
    from audience_cli.core.audiences import OBJECT_ID, resolve_audience
    from audience_cli.core.imports import ImportRequest
    from audience_cli.core.upload import check_rejects

    request = ImportRequest(
        opts.contacts,
        opts.suppression,
        calling=opts.calling.request(app.now(), enrich=opts.contacts.options.enrich),
    )
    with import_contacts(app, request, stdout_taken=opts.stdout.fmt is not None) as batch:
        report = batch.report
        with report_refusal(app, report, opts.stdout, SYNC_FIELDS):
            check_rejects(batch, opts.upload, allow_empty=True)
        client = app.client()
        try:
            audience = resolve_audience(client, opts.audience)
        except AudienceNotFoundError as exc:
            if OBJECT_ID.fullmatch(opts.audience.strip()):
                raise
            if not opts.create:
                exc.hint = exc.hint or sync_without_create(exc)
                raise
            with name_lock(app, opts.audience):
                try:  # another run may have made it while this one waited for the lock
                    audience = resolve_audience(client, opts.audience)
                except AudienceNotFoundError:
                    _create_instead(app, opts, batch)
                    return rows_exit_code(report)
                _sync_into(app, opts, batch, audience)
            return rows_exit_code(report)
        _sync_into(app, opts, batch, audience)
    return rows_exit_code(report)


def _create_instead(app: AppContext, opts: SyncOptions, batch: ContactBatch) -> None:
    """The first night: no audience of that name yet, so the file becomes it."""
    from audience_cli.cli.completion_cache import remember_change
    from audience_cli.cli.output import emit
    from audience_cli.cli.progress import upload_progress
    from audience_cli.cli.views import sync_summary
    from audience_cli.core.sync import SyncResult, first_sync_result, plan_first_sync
    from audience_cli.core.upload import create_checked, plan_create
    from audience_cli.text import plural

    name = opts.audience.strip()
    plan = plan_create(batch, name, opts.upload, split=False)
    if opts.upload.dry_run:
        app.say(
            f"Dry run: no audience is named {name!r}: would create it with "
            f"{plural(len(batch), 'member')}; nothing was sent."
        )
        if opts.stdout.fmt is not None:
            made = SyncResult(plan_first_sync(batch, name))
            emit(app, sync_summary(batch.report, made, dry_run=True), opts.stdout)
        return
    with upload_progress(app, len(batch), f"Creating {name!r}", requests=plan.requests) as step:
        result = create_checked(app.client(), batch, plan, progress=step)
    (created,) = result.created
    remember_change(app, made=[created.audience])
    app.success(
        f"Created audience {name!r} ({created.audience.get('_id')}) with "
        f"{plural(created.added, 'member')} (--create: no audience had that name)."
    )
    if opts.stdout.fmt is not None:
        done = first_sync_result(created, plan.phone_column)
        emit(app, sync_summary(batch.report, done, dry_run=False), opts.stdout)


def _sync_into(app: AppContext, opts: SyncOptions, batch: ContactBatch, target: Audience) -> None:
    from audience_cli.cli.output import emit
    from audience_cli.cli.progress import read_progress, upload_progress
    from audience_cli.cli.prompts import require_confirmation
    from audience_cli.cli.safekeeping import guarded_write
    from audience_cli.cli.views import sync_summary
    from audience_cli.core.audiences import label
    from audience_cli.core.sync import (
        SyncResult,
        check_removals,
        plan_from_batch,
        read_audience,
        send_sync,
    )

    client = app.client()
    name = label(target)
    with guarded_write(app, target, dry_run=opts.upload.dry_run) as guard:
        with read_progress(app, f"Reading {target.get('name')!r}") as on_page:
            present = read_audience(client, target, on_page=on_page)
        plan, unread = plan_from_batch(
            target,
            present,
            batch,
            replace_fields=opts.replace_fields,
            remove_with_rejects=opts.remove_with_rejects,
        )
        say_kept(app, plan, unread, opts.remove_with_rejects)
        if opts.upload.dry_run:
            app.say(f"Dry run: {plan_text(plan)} in {name}; nothing was changed.")
            try:
                check_removals(plan, len(present), opts.max_remove)
            except TooManyRemovalsError as exc:  # a real run would refuse: say so
                app.warn(f"a real run would refuse: {exc.message}")
            if opts.stdout.fmt is not None:
                emit(app, sync_summary(batch.report, SyncResult(plan), dry_run=True), opts.stdout)
            return
        if plan.equal:
            app.note(f"{name} already matches {batch.report.source}: nothing to do.")
            result = SyncResult(plan)
        else:
            check_removals(plan, len(present), opts.max_remove)
            if plan.remove or plan.update:
                require_confirmation(
                    app,
                    yes=opts.yes,
                    action=f"{plan_text(plan, verbs=True)} in {name}",
                    type_to_confirm=str(target.get("name") or target.get("_id")),
                )
                guard.snapshot((m.data for m in present.values()), reason="sync")
            removals_first = plan.removals_first(len(present), opts.upload.member_limit)
            if removals_first:
                app.note(
                    "Removing first: adding first would take the audience past its "
                    f"{opts.upload.member_limit:,}-member limit."
                )
            requests = plan.requests(opts.upload.chunk_size)
            label_text = f"Syncing {target.get('name')!r}"
            with upload_progress(app, plan.work, label_text, requests=requests) as step:
                result = send_sync(
                    client,
                    plan,
                    chunk_size=opts.upload.chunk_size,
                    journal=guard.journal,
                    removals_first=removals_first,
                    progress=step,
                )
            app.success(
                f"Synced {name}: {result.added:,} added, {result.removed:,} removed, "
                f"{result.updated:,} updated, {result.plan.unchanged:,} unchanged."
            )
    batch.report.added = result.added
    if opts.stdout.fmt is not None:
        emit(app, sync_summary(batch.report, result, dry_run=False), opts.stdout)


def say_kept(
    app: AppContext, plan: SyncPlan, unread: int, remove_with_rejects: bool, *, would: bool = False
) -> None:
    """Members kept although the file lacks them: say why, once (`would`: a diff's plan)."""
    from audience_cli.text import plural

    if not plan.kept:
        return
    kept = f"{'would keep' if would else 'kept'} {plural(len(plan.kept), 'member')}"
    if unread and not remove_with_rejects:
        app.warn(
            f"{kept} that the file does not have: {plural(unread, 'row')} of it could not "
            "be used, so it is not the whole list; fix them, or pass --remove-with-rejects "
            "to remove the others"
        )
    else:
        app.warn(
            f"{kept} whose number is a rejected row's (the row is in the file, though it "
            "could not be used)"
        )


def plan_text(plan: SyncPlan, *, verbs: bool = False) -> str:
    from audience_cli.text import plural

    if verbs:
        parts = [
            f"{kind} {plural(n, 'member')}"
            for kind, n in (
                ("add", len(plan.add)),
                ("remove", len(plan.remove)),
                ("replace", len(plan.update)),
            )
            if n
        ]
        return ", ".join(parts) or "change nothing"
    return (
        f"would add {len(plan.add):,}, remove {len(plan.remove):,}, update "
        f"{len(plan.update):,}, leave {plan.unchanged:,} unchanged"
    )
