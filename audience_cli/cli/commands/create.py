"""`audience create`: a new audience from --phone flags and/or a CSV file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.commands.calling_options import CallingInput, calling_options
from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.commands.suppression_options import SuppressionInput, suppression_options
from audience_cli.cli.output import Output
from audience_cli.errors import ExitCode, UsageError
from audience_cli.model import DEFAULT_CHUNK_SIZE, DEFAULT_MEMBER_LIMIT

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.contacts import ContactBatch
    from audience_cli.core.upload import CreatePlan, CreateResult, UploadSettings
    from audience_cli.model import Audience


@dataclass(frozen=True)
class CreateOptions:
    name: str
    contacts: ContactInput
    suppression: SuppressionInput
    description: str | None
    split: bool
    allow_duplicate_name: bool
    upload: UploadSettings
    stdout: Output  # its format (None: the new ids alone) and fields
    calling: CallingInput = field(default_factory=CallingInput)  # none: nothing checked


@contact_options(campaign=True)
@suppression_options()
@calling_options()
@o.output_options("CREATE_FIELDS")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the new audience.")],
    contacts: ContactInput,
    suppression: SuppressionInput,
    calling: CallingInput,
    description: Annotated[
        str | None, typer.Option("--description", "-d", metavar="TEXT", help="A description.")
    ] = None,
    split: Annotated[
        bool,
        typer.Option(
            "--split",
            help="Over the member limit, create 'NAME (1/3)', 'NAME (2/3)'… each within it.",
        ),
    ] = False,
    identifier_column: Annotated[
        str | None,
        typer.Option(
            "--identifier-column",
            metavar="FIELD",
            help="The member field that identifies a member (the API's identifierColumnName), "
            "e.g. crm_id.",
            show_default=False,
        ),
    ] = None,
    allow_duplicate_name: Annotated[
        bool,
        typer.Option(
            "--allow-duplicate-name",
            help="Create it even when an audience already has this name (refused by default).",
        ),
    ] = False,
    strict: o.StrictOpt = False,
    dry_run: o.ImportDryRunOpt = False,
    chunk_size: o.ChunkSizeOpt = DEFAULT_CHUNK_SIZE,
    member_limit: o.MemberLimitOpt = DEFAULT_MEMBER_LIMIT,
    stdout: Output = o.NO_OUTPUT,
    wait: o.WaitOpt = 60.0,
) -> None:
    """Create an audience from --phone flags and/or a CSV file.

    Prints the new audience's id alone on stdout, so [cyan]id=$(audience create …)[/cyan]
    works (or the result in --format); the report goes to stderr. Numbers on the
    organisation's do-not-call list are rejected (DO_NOT_CALL) unless --no-dnc, and
    numbers of --exclude lists too (EXCLUDED). Exit 3 when some rows were rejected.

    [bold]Examples[/bold]

      audience create "Q1 Sales Leads" --phone +14155552671 --name "Ada Lovelace"

      audience create "Q1 Leads" --csv leads.csv --region US --rejects bad.csv

      audience create Evening --csv a.csv --callable-at "18:00 America/Chicago"
    """
    o.keep_safe(ctx, wait)
    from click.core import ParameterSource

    from audience_cli.core.upload import UploadSettings

    options = CreateOptions(
        name=name,
        contacts=contacts,
        suppression=suppression,
        calling=calling,
        description=description,
        split=split,
        allow_duplicate_name=allow_duplicate_name,
        upload=UploadSettings(
            chunk_size=chunk_size,
            # Given (flag or variable), --chunk-size bounds the create request too; by
            # default the create carries every contact the 5 MB CSV limit allows.
            create_size=None
            if ctx.get_parameter_source("chunk_size") is ParameterSource.DEFAULT
            else chunk_size,
            member_limit=member_limit,
            dry_run=dry_run,
            strict=strict,
            identifier_column=identifier_column,
        ),
        stdout=stdout,
    )
    raise typer.Exit(int(run_create(ctx.obj, options)))


def run_create(app: AppContext, opts: CreateOptions) -> ExitCode:
    from audience_cli.cli.commands.contact_options import (
        import_contacts,
        report_refusal,
        rows_exit_code,
    )
    from audience_cli.cli.output import emit, emit_lines
    from audience_cli.cli.safekeeping import name_lock
    from audience_cli.cli.views import CREATE_FIELDS, create_summary
    from audience_cli.core.imports import ImportRequest
    from audience_cli.core.upload import plan_create
    from audience_cli.text import plural

    if not opts.name.strip():
        raise UsageError("NAME is empty: give the new audience a name")
    settings = opts.upload
    # A dry run needs no key: without one, it says the do-not-call list went unchecked.
    request = ImportRequest(
        opts.contacts,
        opts.suppression,
        offline_ok=settings.dry_run,
        calling=opts.calling.request(app.now(), enrich=opts.contacts.options.enrich),
    )
    # stdout carries the new ids, or the result in the format asked for.
    with import_contacts(app, request, stdout_taken=True) as batch:
        report = batch.report
        with report_refusal(app, report, opts.stdout, CREATE_FIELDS):
            plan = plan_create(batch, opts.name, settings, split=opts.split)
        if settings.dry_run:
            for segment in plan.segments:
                app.say(
                    f"Dry run: would create {segment.name!r} with {plural(segment.size, 'member')}."
                )
            app.say(f"Dry run: {plural(plan.requests, 'request')} in all; nothing was sent.")
            result = None
        else:
            with name_lock(app, opts.name):  # two creates of one name make two audiences
                result = _send(app, opts, batch, plan)
    if opts.stdout.fmt is not None:
        emit(app, create_summary(report, plan, result), opts.stdout)
    elif result is not None:
        emit_lines(app, (str(made.audience["_id"]) for made in result.created))
    return rows_exit_code(report)


def _send(
    app: AppContext, opts: CreateOptions, batch: ContactBatch, plan: CreatePlan
) -> CreateResult:
    from audience_cli.cli.completion_cache import remember_change
    from audience_cli.cli.progress import upload_progress
    from audience_cli.core.upload import create_checked
    from audience_cli.text import plural

    def say_taken(taken: list[Audience]) -> None:
        for audience in taken:
            app.warn(
                f"an audience named {audience.get('name')!r} already exists "
                f"({audience.get('_id')}): commands will need ids to tell them apart"
            )

    label = f"Uploading to {opts.name!r}"
    with upload_progress(app, len(batch), label, requests=plan.requests) as advance:
        result = create_checked(
            app.client(),
            batch,
            plan,
            allow_duplicate=opts.allow_duplicate_name,
            description=opts.description,
            on_taken=say_taken,
            progress=advance,
        )
    remember_change(app, made=[made.audience for made in result.created])
    for made in result.created:
        if made.recovered:
            app.note(
                f"The create request for {made.audience.get('name')!r} failed "
                f"({made.recovered}), but the audience had been created: "
                "it was finished with adds, which skip numbers already there."
            )
        app.success(
            f"Created audience {made.audience.get('name')!r} ({made.audience['_id']}) "
            f"with {plural(int(made.audience.get('memberCount', 0)), 'member')}."
        )
    return result
