"""`audience dnc list | check`: the organisation's do-not-call list, and which numbers
of a file or an audience are on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands.contact_options import (
    EncodingOpt,
    PhoneColumnOpt,
    RegionOpt,
    SheetOpt,
    check_region_option,
)
from audience_cli.cli.commands.options import NO_OUTPUT, RawOpt, SafeOpt, output_options
from audience_cli.cli.commands.suppression_options import check_agent
from audience_cli.cli.output import Output, OutputFormat, Shape
from audience_cli.errors import ExitCode, UsageError
from audience_cli.model import DNC_MAX_PAGE_SIZE

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.core.dnc import DncCheck, DncListPage

ON_THE_LIST = 1  # like diff(1): 0 when no number is on the list, 1 when some are

app = typer.Typer(
    help="The organisation's do-not-call list: numbers Atoms must not call. Imports "
    "(create, add, sync, validate) reject the numbers on it unless --no-dnc.",
    no_args_is_help=True,
)


@dataclass(frozen=True)
class DncListOptions:
    search: str | None
    all_pages: bool
    agent: str | None
    page: int
    page_size: int
    fmt: OutputFormat
    safe: bool = False
    shape: Shape = field(default_factory=Shape)


@app.command("list")
@output_options("DNC_FIELDS", always=True)
def list_dnc(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", metavar="TEXT", help="Entries whose number contains TEXT."),
    ] = None,
    all_pages: Annotated[
        bool, typer.Option("--all", "-a", help="Every entry, page after page.")
    ] = False,
    agent: Annotated[
        str | None,
        typer.Option("--agent", metavar="ID", help="Only the entries of this agent."),
    ] = None,
    page: Annotated[
        int, typer.Option("--page", "-p", min=1, max=1_000_000, help="Page to show, from 1.")
    ] = 1,
    page_size: Annotated[
        int,
        typer.Option("--page-size", "-n", min=1, max=DNC_MAX_PAGE_SIZE, help="Entries per page."),
    ] = 20,
    stdout: Output = NO_OUTPUT,
    safe: SafeOpt = False,
    raw: RawOpt = False,
) -> None:
    """Show the organisation's do-not-call list, oldest entries first.

    An entry binds the whole organisation, or one agent (the AGENT column): imports
    apply an agent's entries only when given --agent ID. A --search that looks like
    a phone number is matched on its digits, so "(415) 555" finds +14155550100.

    [bold]Examples[/bold]

      audience dnc list

      audience dnc list --search 415555 --all --format csv > dnc.csv
    """
    from click.core import ParameterSource

    assert stdout.fmt is not None  # always a format (`always=True`)
    if all_pages and ctx.get_parameter_source("page") is ParameterSource.COMMANDLINE:
        raise UsageError("--all and --page cannot be combined: --all reads every page")
    options = DncListOptions(
        search=dnc_search(search) if search else None,
        all_pages=all_pages,
        agent=check_agent(agent),
        page=page,
        page_size=page_size,
        fmt=stdout.fmt,
        safe=safe,
        shape=stdout.shape,
    )
    run_dnc_list(ctx.obj, options)


def dnc_search(text: str) -> str:
    """A phone-like search as its digits (the list stores numbers, punctuation aside)."""
    if any(ch.isalpha() for ch in text) or sum(ch.isdigit() for ch in text) < 3:
        return text.strip()
    return "".join(ch for ch in text if ch.isdigit())


def run_dnc_list(app: AppContext, opts: DncListOptions) -> None:
    from audience_cli.cli.output import emit, field_names, fields_help
    from audience_cli.cli.views import dnc_listing
    from audience_cli.core.dnc import DncReadError, page_of_dnc, read_dnc
    from audience_cli.errors import ApiError
    from audience_cli.text import plural

    if fields_help(app, opts.shape.fields, field_names(dnc_listing([]).columns)):
        return
    client = app.client()
    protect = opts.safe
    try:
        if opts.all_pages:
            entries = read_dnc(client, search=opts.search, agent_id=opts.agent)
            count = emit(app, dnc_listing(entries, protect=protect), opts.fmt, opts.shape)
            app.note(plural(count, "entry", "entries"))
            return
        page = page_of_dnc(
            client,
            page=opts.page,
            page_size=opts.page_size,
            search=opts.search,
            agent_id=opts.agent,
            sort_field="createdAt",
            sort_order="asc",
        )
    except ApiError as exc:
        raise DncReadError(exc, during_import=False) from exc
    emit(app, dnc_listing(page.entries, protect=protect), opts.fmt, opts.shape)
    app.note(page_footer(page))


def page_footer(page: DncListPage) -> str:
    noun = "entry" if page.total == 1 else "entries"
    if page.total == 0:
        return "no entries"
    text = f"page {page.page} of {page.pages} · {page.total:,} {noun}"
    if page.past_the_end:
        return f"{text} · past the last page: try --page {page.pages}"
    if page.has_more:
        text += f" · next: --page {page.page + 1}"
    return text


@dataclass(frozen=True)
class DncCheckOptions:
    source: str
    agent: str | None
    region: str | None
    fmt: OutputFormat
    safe: bool = False
    sheet: str | None = None  # the sheet of a workbook
    encoding: str | None = None  # how a file is read
    phone_column: str | None = None
    shape: Shape = field(default_factory=Shape)


@app.command("check")
@output_options(None, always=True)  # its fields depend on the source: checked once it is known
def check(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|AUDIENCE",
            help="A CSV file or .xlsx workbook of contacts (when that file exists; '-' reads "
            "stdin), else an audience's id or exact name.",
            show_default=False,
        ),
    ],
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent",
            metavar="ID",
            help="The agent that will call: its own entries count too (without it, only "
            "the organisation-wide ones).",
        ),
    ] = None,
    region: RegionOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    phone_column: PhoneColumnOpt = None,
    stdout: Output = NO_OUTPUT,
    safe: SafeOpt = False,
    raw: RawOpt = False,
) -> None:
    """Say which numbers of a file or an audience are on the do-not-call list.

    One row per number on the list, with where it is (the file's line, or the
    member's id) and the entry that lists it; the count goes to stderr. The list
    applies as it does to imports: the organisation-wide entries, and one agent's
    with --agent. Changes nothing. Exit 0 when no number is on the list and 1 when
    some are, like diff(1); 2 and up for errors.

    [bold]Examples[/bold]

      audience dnc check leads.csv --region US

      audience dnc check "Q1 Sales Leads" --json
    """
    assert stdout.fmt is not None  # always a format (`always=True`)
    options = DncCheckOptions(
        source=source,
        agent=check_agent(agent),
        region=check_region_option(region),
        fmt=stdout.fmt,
        safe=safe,
        sheet=sheet,
        encoding=encoding,
        phone_column=phone_column,
        shape=stdout.shape,
    )
    raise typer.Exit(run_dnc_check(ctx.obj, options))


def run_dnc_check(app: AppContext, opts: DncCheckOptions) -> int:
    from audience_cli.cli.output import check_fields, emit, field_names
    from audience_cli.cli.views import dnc_check_columns, dnc_check_listing
    from audience_cli.core.sources import is_file_source
    from audience_cli.text import plural

    from_file = is_file_source(opts.source)
    if check_fields(app, opts.shape, field_names(dnc_check_columns(from_file=from_file))):
        return int(ExitCode.OK)  # --fields help: the names, before anything is read
    if opts.sheet is not None and not from_file:
        raise UsageError(
            f"--sheet {opts.sheet!r} names a sheet of an .xlsx workbook, and there is no "
            f"file {opts.source}"
        )
    for flag, value in (("--encoding", opts.encoding), ("--phone-column", opts.phone_column)):
        if value is not None and not from_file:
            raise UsageError(
                f"{flag} {value!r} says how a file is read, and there is no file {opts.source}"
            )
    result = _check_file(app, opts) if from_file else _check_audience(app, opts)
    listing = dnc_check_listing(result, from_file=from_file, protect=opts.safe)
    emit(app, listing, opts.fmt, opts.shape)
    on_list = len(result.matches)
    app.note(
        f"{result.source}: {on_list:,} of {plural(result.checked, 'number')} "
        f"{'is' if on_list == 1 else 'are'} on the do-not-call list ({_applied(result)})"
    )
    return ON_THE_LIST if result.matches else int(ExitCode.OK)


def _applied(result: DncCheck) -> str:
    """Which entries of the list were applied, and how many numbers they make."""
    from audience_cli.text import plural

    dnc = result.dnc
    whose = "its organisation-wide entries"
    if dnc.agent_id:
        whose += f" and agent {dnc.agent_id}'s"
    return f"checked against {plural(len(dnc), 'number')}: {whose}"


def _check_file(app: AppContext, opts: DncCheckOptions) -> DncCheck:
    """The file is read and checked before any request."""
    from audience_cli.cli.commands.contact_options import contact_input, import_contacts
    from audience_cli.cli.commands.suppression_options import load_dnc
    from audience_cli.core.dnc import check_numbers
    from audience_cli.core.imports import ImportRequest
    from audience_cli.text import plural

    inp = contact_input(
        csv=opts.source,
        region=opts.region,
        sheet=opts.sheet,
        encoding=opts.encoding,
        phone_column=opts.phone_column,
    )
    request = ImportRequest(inp)
    with import_contacts(app, request, stdout_taken=True, say_report=False) as batch:
        report = batch.report
        contacts = [
            (c.phone, c.first_name, c.last_name, None if c.line is None else report.place(c.line))
            for c in batch
        ]
    if report.invalid:
        app.note(
            f"{report.source}: {plural(report.invalid, 'row')} without a valid number "
            f"{'was' if report.invalid == 1 else 'were'} not checked"
        )
    dnc = load_dnc(app, opts.agent, opts.region, during_import=False)
    return check_numbers(report.source, contacts, dnc)


def _check_audience(app: AppContext, opts: DncCheckOptions) -> DncCheck:
    from audience_cli.cli.commands.suppression_options import load_dnc
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.dnc import check_members
    from audience_cli.errors import AudienceNotFoundError

    client = app.client()
    try:
        audience = resolve_audience(client, opts.source)
    except AudienceNotFoundError:
        from audience_cli.core.sources import looks_like_a_path, neither_file_nor_audience

        if looks_like_a_path(opts.source):
            raise neither_file_nor_audience(opts.source) from None
        raise
    dnc = load_dnc(app, opts.agent, opts.region, during_import=False)
    return check_members(client, audience, dnc)
