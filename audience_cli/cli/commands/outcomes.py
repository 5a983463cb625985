"""`audience outcomes CAMPAIGN`: a campaign's per-member outcome report and its summary."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands.options import NO_OUTPUT, SafeOpt, output_options
from audience_cli.cli.output import Output, OutputFormat

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.core.outcomes import OutcomeRecord


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


# The campaign statuses under which members' outcomes may still change.
UNFINISHED = frozenset({"draft", "scheduled", "processing", "running", "paused"})


@dataclass(frozen=True)
class OutcomesOptions:
    campaign: str
    export_format: ExportFormat
    statuses: list[str]
    stdout: Output
    safe: bool = False


@output_options(None, always=True)  # its fields include the members': --fields help reads them
def outcomes(
    ctx: typer.Context,
    campaign: Annotated[
        str,
        typer.Argument(
            metavar="CAMPAIGN", help="The campaign's id, or its exact name.", show_default=False
        ),
    ],
    export_format: Annotated[
        ExportFormat,
        typer.Option(
            "--export-format",
            metavar="json|csv",
            case_sensitive=False,
            help="The form of Atoms' export to ask for; both are read the same way.",
        ),
    ] = ExportFormat.json,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="S,...",
            help="Only members with these statuses (or groups: completed, final, running, "
            "other, none). The summary is always of every member.",
        ),
    ] = None,
    stdout: Output = NO_OUTPUT,
    safe: SafeOpt = False,
) -> None:
    """Show a campaign's outcome for each audience member, with a summary by status.

    One row per member of the campaign's audience: its number, final status, group,
    attempts, call seconds, cost and fields. The summary counts members by status
    (share, minutes, cost): a second table under the table, the `summary` key of
    --json (with the members under `records`), and one line on stderr beside the
    other formats (JSON lines are the members alone, one a line).

    Groups: completed; final (failed, no_answer, cancelled); running (pending,
    in_queue, in_progress, processing, active: the campaign is still going); none
    (never dialled); other (any status this tool does not know, kept as Atoms
    spells it). An export holding fewer members than it counts stops with exit 7.
    Reads only: changes nothing.

    Settings the reference leaves open: AUDIENCE_CALL_DURATION_UNIT=s|ms, the unit
    of the export's call duration (default s); AUDIENCE_OUTCOME_COLUMNS, CSV column
    names by role (status=Call Outcome,phone=Mobile), read before the built-in
    names. CSV columns are matched by name lower-cased, letters and digits only.

    [bold]Examples[/bold]

      audience outcomes "Spring Promo"

      audience outcomes 6a75935452c6e5eceaa16edf --json | jq .summary

      audience outcomes "Spring Promo" --status no_answer,failed -F csv > o.csv

      audience outcomes Spring --fields phone,status --export-format csv
    """
    options = OutcomesOptions(
        campaign=campaign,
        export_format=export_format,
        statuses=_statuses(status),
        stdout=stdout,
        safe=safe,
    )
    run_outcomes(ctx.obj, options)


def _statuses(text: str | None) -> list[str]:
    if text is None:
        return []
    found = [s.strip() for s in text.split(",") if s.strip()]
    if not found:
        from audience_cli.errors import UsageError

        raise UsageError("--status is empty: name statuses (no_answer,failed) or groups")
    return found


def shown(records: list[OutcomeRecord], statuses: list[str]) -> list[OutcomeRecord]:
    """The records whose status (as grouped: any case, spaces as _) or group is asked for."""
    if not statuses:
        return records
    from audience_cli.core.outcomes import status_key

    wanted = {status_key(s) for s in statuses}
    return [r for r in records if r.group in wanted or status_key(r.status or "") in wanted]


def run_outcomes(app: AppContext, opts: OutcomesOptions) -> None:
    from audience_cli.cli.output import Shape, Summary, check_fields, emit
    from audience_cli.cli.views import (
        outcome_document,
        outcome_field_names,
        outcome_listing,
        outcome_summary_line,
        outcome_summary_listing,
    )
    from audience_cli.core.campaigns import resolve_campaign
    from audience_cli.core.outcomes import OutcomeSettings, read_outcomes, summarize

    settings = OutcomeSettings.from_env(app.env)  # checked before any request
    client = app.client()
    campaign = resolve_campaign(client, opts.campaign)
    export = read_outcomes(client, campaign, opts.export_format.value, settings)
    fmt, shape = opts.stdout.fmt, opts.stdout.shape
    assert fmt is not None  # always a format (`always=True`)
    if check_fields(app, shape, outcome_field_names(export.records)):
        return
    label = f"{export.name!r} ({export.campaign_id})"
    if export.status in UNFINISHED:
        app.warn(f"campaign {label} is {export.status}: its outcomes may still change")
    if len(export.records) > export.total:
        app.warn(
            f"the export of {label} holds {len(export.records):,} records, more than the "
            f"{export.total:,} audience members it counts; every record is shown"
        )
    summary = summarize(export.records)
    records = shown(export.records, opts.statuses)
    table = fmt is OutputFormat.table
    listing = outcome_listing(records, table=table and shape.fields is None, protect=opts.safe)
    if fmt is OutputFormat.json:
        rows = listing.records
        if shape.fields is not None and listing.project is not None:
            rows = [listing.project(r, list(shape.fields)) for r in rows]
        document = outcome_document(export, summary, rows)
        emit(app, Summary(document, [], []), fmt, Shape())
    elif table and not records:  # a lone header says less than words
        app.say("No members to show." if opts.statuses else "No members in this export.")
    else:
        emit(app, listing, fmt, shape)
    if table:
        if records:
            app.out.print()
        emit(app, outcome_summary_listing(summary), fmt, Shape())
    elif fmt is not OutputFormat.json:
        app.note(f"{label}: {outcome_summary_line(summary)}")
    if opts.statuses:
        app.note(f"{len(records):,} of {len(export.records):,} members shown (--status)")
