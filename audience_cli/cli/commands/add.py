"""`audience add`: contacts into an existing audience; numbers already there are skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.commands.calling_options import CallingInput, calling_options
from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.commands.suppression_options import SuppressionInput, suppression_options
from audience_cli.cli.output import Output
from audience_cli.errors import ExitCode
from audience_cli.model import DEFAULT_CHUNK_SIZE, DEFAULT_MEMBER_LIMIT

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.cli.safekeeping import Guard
    from audience_cli.contacts import ContactBatch
    from audience_cli.core.upload import AddPlan, UploadSettings
    from audience_cli.model import Audience


@dataclass(frozen=True)
class AddOptions:
    audience: str
    contacts: ContactInput
    suppression: SuppressionInput
    update: bool
    upload: UploadSettings
    stdout: Output  # its format (None: nothing on stdout) and fields
    calling: CallingInput = field(default_factory=CallingInput)  # none: nothing checked


@contact_options(campaign=True)
@suppression_options()
@calling_options()
@o.output_options("ADD_FIELDS")
def add(
    ctx: typer.Context,
    audience: o.AudienceArg,
    contacts: ContactInput,
    suppression: SuppressionInput,
    calling: CallingInput,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Replace members already there whose data differs with the file's row "
            "(removed and added again: they get new ids).",
        ),
    ] = False,
    strict: o.StrictOpt = False,
    dry_run: o.ImportDryRunOpt = False,
    chunk_size: o.ChunkSizeOpt = DEFAULT_CHUNK_SIZE,
    member_limit: o.MemberLimitOpt = DEFAULT_MEMBER_LIMIT,
    stdout: Output = o.NO_OUTPUT,
    wait: o.WaitOpt = 60.0,
    no_snapshot: o.NoSnapshotOpt = False,
) -> None:
    """Add contacts to an audience; numbers already in it are skipped.

    Reports how many were added and skipped. A number already there keeps its
    data: members whose data differs from the file are counted as stale (with a
    warning), and replaced with --update (after a snapshot of the audience; members
    taken out are journaled until they are back). Numbers on the organisation's do-not-call
    list are rejected (DO_NOT_CALL) unless --no-dnc, and numbers of --exclude lists
    too (EXCLUDED). Exit 3 when some rows were rejected (the valid ones are still
    added, unless --strict).

    [bold]Examples[/bold]

      audience add "Q1 Sales Leads" --phone +14155552671 --name "Ada Lovelace"

      audience add 696ddd56b905442f52b71392 --csv new-leads.csv --region US
    """
    o.keep_safe(ctx, wait, no_snapshot)
    from audience_cli.core.upload import UploadSettings

    options = AddOptions(
        audience=audience,
        contacts=contacts,
        suppression=suppression,
        calling=calling,
        update=update,
        upload=UploadSettings(
            chunk_size=chunk_size, member_limit=member_limit, dry_run=dry_run, strict=strict
        ),
        stdout=stdout,
    )
    raise typer.Exit(int(run_add(ctx.obj, options)))


def _stale_or_update(
    app: AppContext, opts: AddOptions, batch: ContactBatch, plan: AddPlan, guard: Guard
) -> None:
    """Numbers that were already there keep their data (or --update): never silently."""
    from audience_cli.core.sync import settle_already_there
    from audience_cli.text import plural

    done = settle_already_there(
        app.client(),
        batch,
        plan,
        update=opts.update,
        journal=guard.journal,
        snapshot=lambda rows: guard.snapshot(rows, reason="add --update"),
    )
    if done.updated:
        app.success(
            f"Updated {plural(done.updated, 'member')} whose data differed from the file "
            "(removed and added again, with new ids)."
        )
    elif done.stale:
        n = done.stale
        app.warn(
            f"{plural(n, 'member')} already there {'has' if n == 1 else 'have'} different "
            f"data; --update replaces {'it' if n == 1 else 'them'}"
        )


def run_add(app: AppContext, opts: AddOptions) -> ExitCode:
    from audience_cli.cli.commands.contact_options import (
        import_contacts,
        report_refusal,
        rows_exit_code,
    )
    from audience_cli.cli.output import emit
    from audience_cli.cli.safekeeping import guarded_write
    from audience_cli.cli.views import ADD_FIELDS, add_summary
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.imports import ImportRequest
    from audience_cli.core.upload import check_rejects

    settings = opts.upload
    # The file is checked before any request but the reading of the lists to suppress
    # (at its first valid number).
    request = ImportRequest(
        opts.contacts,
        opts.suppression,
        calling=opts.calling.request(app.now(), enrich=opts.contacts.options.enrich),
    )
    with import_contacts(app, request, stdout_taken=opts.stdout.fmt is not None) as batch:
        report = batch.report
        with report_refusal(app, report, opts.stdout, ADD_FIELDS):
            check_rejects(batch, settings, allow_empty=True)
        client = app.client()
        audience = resolve_audience(client, opts.audience)
        with guarded_write(app, audience, dry_run=settings.dry_run) as guard:
            plan = _add_into(app, opts, batch, audience, guard)
    if opts.stdout.fmt is not None:
        emit(app, add_summary(report, plan, dry_run=settings.dry_run), opts.stdout)
    return rows_exit_code(report)


def _add_into(
    app: AppContext, opts: AddOptions, batch: ContactBatch, audience: Audience, guard: Guard
) -> AddPlan:
    """Plan and send the add, then deal with the numbers that were there already."""
    from audience_cli.cli.progress import read_progress, upload_progress
    from audience_cli.core.audiences import label
    from audience_cli.core.upload import plan_add, send_add
    from audience_cli.text import plural

    client = app.client()
    settings, report = opts.upload, batch.report
    with read_progress(app, f"Reading {audience.get('name')!r}") as on_page:
        plan = plan_add(client, audience, batch, settings, on_page=on_page)  # near the limit
    name = label(audience)
    if settings.dry_run:
        app.say(
            f"Dry run: would send {plural(plan.members, 'member')} to {name} in "
            f"{plural(plan.requests, 'request')}; nothing was sent."
        )
    elif not len(batch) and not report.invalid:
        report.added, report.skipped = 0, 0
        app.note(f"Nothing to add to {name}: the input has no contacts.")
    else:
        label_text = f"Adding to {audience.get('name')!r}"
        with upload_progress(app, len(batch), label_text, requests=plan.requests) as advance:
            result = send_add(client, batch, plan, progress=advance)
        report.added, report.skipped = result.added, result.skipped
        app.success(
            f"Added {plural(result.added, 'member')} to {name}; "
            f"{result.skipped:,} already there (skipped)."
        )
        if result.skipped:
            _stale_or_update(app, opts, batch, plan, guard)
    return plan
