"""`audience check-hours AUDIENCE|FILE`: who may be called at an instant (default: now),
by the calling rules; exit 9 when some may not, so a cron job can gate a campaign.

Also the pieces `split` shares: the AUDIENCE|FILE argument read into contacts, --at,
and the core's request from the calling options (calling_options.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.commands.calling_options import CallingInput, calling_options
from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.output import Output, OutputFormat
from audience_cli.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.core.callability import CallingRequest
    from audience_cli.core.hours import Contact, HoursReport

SHOWN_WHEN_SMALL = 20  # a table lists the members not callable when there are no more

SourceArg = Annotated[
    str,
    typer.Argument(
        metavar="AUDIENCE|FILE",
        help="An audience (id or exact name), or a contacts file (CSV or .xlsx; '-' reads "
        "stdin). A path that exists is a file.",
        show_default=False,
        autocompletion=o.complete_audience,
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="The planned start: 'YYYY-MM-DD HH:MM ZONE', 'HH:MM ZONE' (today) or ISO 8601 "
        "with an offset. Default: now.",
        show_default=False,
    ),
]


def hours_request(calling: CallingInput, now: datetime) -> CallingRequest:
    """What check-hours and split ask of the core: every contact assessed (zones, verdict
    and consent), whatever the options name; `now` is the time of the run."""
    from audience_cli.core.callability import AddressColumns, CallingRequest

    return CallingRequest(
        rules=calling.rules_now(),
        now=now,
        columns=calling.columns or AddressColumns(),
        consent_max_age=calling.consent_max_age,
    )


def instant(text: str | None, now: datetime) -> datetime:
    """--at as an instant (None: now)."""
    from audience_cli.cli.commands.calling_options import parse_time_option

    return now if text is None else parse_time_option("--at", text, now)


def read_source(
    app: AppContext, source: str, contacts: ContactInput
) -> tuple[str, list[Contact], str | None]:
    """The contacts of AUDIENCE|FILE: the source's label, the contacts, and the audience's
    phone column (None for a file)."""
    from audience_cli.core.hours import audience_contacts, batch_contacts
    from audience_cli.core.sources import (
        is_file_source,
        looks_like_a_path,
        neither_file_nor_audience,
    )
    from audience_cli.errors import AudienceNotFoundError

    if contacts.csv is not None:
        raise UsageError(
            f"--csv {contacts.csv}: give the file as the argument (AUDIENCE|FILE) instead"
        )
    if is_file_source(source):
        from audience_cli.cli.commands.contact_options import import_contacts
        from audience_cli.core.imports import ImportRequest

        request = ImportRequest(contacts.with_csv(source), keep="contacts")
        with import_contacts(app, request, stdout_taken=True) as batch:
            return batch.report.source, batch_contacts(batch), None
    try:
        label, found, column = audience_contacts(app.client(), source)
    except AudienceNotFoundError:
        if looks_like_a_path(source):
            raise neither_file_nor_audience(source) from None
        raise
    return label, found, column


@dataclass(frozen=True)
class CheckHoursOptions:
    source: str
    contacts: ContactInput
    calling: CallingInput
    at: str | None
    stdout: Output
    show_all: bool = False


@contact_options(sources=False)
@calling_options(screen=False)
@o.output_options("HOURS_FIELDS", always=True)
def check_hours(
    ctx: typer.Context,
    source: SourceArg,
    contacts: ContactInput,
    at: AtOpt = None,
    show_all: Annotated[
        bool,
        typer.Option("--all", help="List in the table every member not callable, however many."),
    ] = False,
    calling: CallingInput | None = None,
    stdout: Output = o.NO_OUTPUT,
) -> None:
    """Check who may be called at a time (default: now), by each member's local time.

    Each member's time zones come from the number (area codes that span two zones
    get both) and from its own time-zone, ZIP or state column when it has one; then
    the calling rules say whether the time falls in its window (08:00-21:00 local by
    default; Florida and Oklahoma 08:00-20:00; France weekdays 10-13 and 14-20), on
    an allowed day, not on a holiday the rules count. Statuses: inside, outside,
    holiday, unknown (no zone known) and bad_value (a zone, ZIP or state value that
    cannot be read). With a consent column, the members lacking consent are counted.

    A table shows the counts by status, then the members not callable with their
    local time (all of them with --all, else when there are few); CSV, TSV and JSON
    lines give one row per member, JSON a `summary` and the `members`. Exit 0 when
    every member may be called, 9 when some may not: a cron job can gate a campaign
    on it. Reads only: changes nothing. Not legal advice: see the README.

    [bold]Examples[/bold]

      audience check-hours "Spring Leads" --at "2026-12-07 10:00 America/Denver"

      audience check-hours leads.csv --at "10:00 America/Chicago" --all

      audience check-hours "Spring Leads" --json | jq .summary

      audience check-hours leads.csv -F csv --fields phone,status,local_time
    """
    options = CheckHoursOptions(
        source,
        contacts,
        calling or CallingInput(),
        at,
        stdout,
        show_all,
    )
    raise typer.Exit(int(run_check_hours(ctx.obj, options)))


def run_check_hours(app: AppContext, opts: CheckHoursOptions) -> ExitCode:
    from audience_cli.cli.hours_views import (
        hours_listing,
        hours_summary_line,
        hours_summary_listing,
    )
    from audience_cli.cli.output import emit
    from audience_cli.core.hours import check_hours as check

    now = app.now()
    at = instant(opts.at, now)
    request = hours_request(opts.calling, now)  # the rules read before any contact is
    label, contacts, _ = read_source(app, opts.source, opts.contacts)
    report = check(label, contacts, request, at)
    fmt = opts.stdout.fmt
    if fmt is OutputFormat.table and opts.stdout.shape.fields is None:
        emit(app, hours_summary_listing(report), fmt)
        _say_consent(app, report)
        blocked = [r for r in report.rows if not r.callable]
        if blocked and (opts.show_all or len(blocked) <= SHOWN_WHEN_SMALL):
            app.out.print()
            emit(app, hours_listing(report, blocked, table=True), fmt)
        elif blocked:
            app.note(f"{len(blocked):,} members not callable: --all lists them")
    else:
        whole = fmt is OutputFormat.json and opts.stdout.shape.fields is None
        listing = hours_listing(report, report.rows, table=False, members_json=whole)
        emit(app, listing, opts.stdout)
        if fmt is not OutputFormat.json:
            app.note(hours_summary_line(report))
            _say_consent(app, report)
    return ExitCode.OK if report.all_callable else ExitCode.NOT_CALLABLE


def _say_consent(app: AppContext, report: HoursReport) -> None:
    lacking = report.lacking_consent
    if lacking is None:
        app.note("No consent column: consent to be called was not checked.")
    else:
        app.note(
            f"{lacking:,} of {len(report.rows):,} members lack consent "
            f"(column {report.consent_column!r})."
        )
