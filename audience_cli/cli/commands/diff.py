"""`audience diff`: what a sync would do, read-only; exit 1 when the two sides differ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.commands.suppression_options import SuppressionInput, suppression_options
from audience_cli.cli.output import Output
from audience_cli.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.core.members import Present
    from audience_cli.model import Audience

DIFFERENT = 1  # like diff(1): 0 when equal, 1 when they differ


@dataclass(frozen=True)
class DiffOptions:
    audience: str
    other: str | None
    contacts: ContactInput
    suppression: SuppressionInput
    stdout: Output  # always a format
    replace_fields: bool = False
    remove_with_rejects: bool = False


@contact_options()
@suppression_options()
@o.output_options("DIFF_KEYS", always=True)
def diff(
    ctx: typer.Context,
    audience: o.AudienceArg,
    other: Annotated[
        str | None,
        typer.Argument(
            metavar="[OTHER]",
            help="Another audience (id or name) to compare with, instead of --csv.",
            show_default=False,
            autocompletion=o.complete_audience,
        ),
    ] = None,
    contacts: ContactInput | None = None,
    suppression: SuppressionInput | None = None,
    stdout: Output = o.NO_OUTPUT,
    replace_fields: o.ReplaceFieldsOpt = False,
    remove_with_rejects: o.RemoveWithRejectsOpt = False,
) -> None:
    """Show what `sync` would change: members to add, remove and update.

    Compares an audience with a contacts file (--csv) or with another audience:
    one row per change (update rows name the fields that differ), and the count
    left unchanged on stderr. Changes nothing. A file is screened as sync screens
    it: numbers on the do-not-call list or an --exclude list are not in it.
    Exit 0 when they are equal and 1 when they differ, like diff(1); 2 and up
    for errors.

    [bold]Examples[/bold]

      audience diff "Nightly Leads" --csv export.csv --region US

      audience diff "Q1 Leads" "Q1 Leads (restored)" --format csv > changes.csv
    """
    app = ctx.obj
    assert contacts is not None and suppression is not None
    options = DiffOptions(
        audience,
        other,
        contacts,
        suppression,
        stdout,
        replace_fields=replace_fields,
        remove_with_rejects=remove_with_rejects,
    )
    raise typer.Exit(int(run_diff(app, options)))


def _read(app: AppContext, audience: Audience) -> dict[str, Present]:
    """The audience's members by number, with a bar on a terminal while they are read."""
    from audience_cli.cli.progress import read_progress
    from audience_cli.core.members import read_audience

    with read_progress(app, f"Reading {audience.get('name')!r}") as on_page:
        return read_audience(app.client(), audience, on_page=on_page)


def run_diff(app: AppContext, opts: DiffOptions) -> int:
    from audience_cli.cli.commands.contact_options import import_contacts
    from audience_cli.cli.commands.sync import say_kept
    from audience_cli.cli.output import emit
    from audience_cli.cli.views import diff_view
    from audience_cli.core.audiences import label, resolve_audience
    from audience_cli.core.sync import (
        plan_from_batch,
        plan_sync,
        source_from_audience,
    )
    from audience_cli.model import phone_column_of

    given = bool(opts.contacts.csv or opts.contacts.phones)
    if bool(opts.other) == given:
        raise UsageError(
            "compare with one thing: another audience (OTHER) or a file (--csv FILE)",
            hint="e.g. audience diff AUDIENCE --csv export.csv, or audience diff AUDIENCE OTHER",
        )
    if opts.other:
        client = app.client()
        audience = resolve_audience(client, opts.audience)
        other = resolve_audience(client, opts.other)
        source, _ = source_from_audience(client, other, phone_column_of(audience))
        present = _read(app, audience)
        plan = plan_sync(audience, present, source, replace_fields=opts.replace_fields)
        against = label(other)
    else:
        from audience_cli.core.imports import ImportRequest

        # The file is read and checked before any request (the do-not-call list at the
        # first valid number).
        request = ImportRequest(opts.contacts, opts.suppression)
        with import_contacts(app, request, stdout_taken=True) as batch:
            client = app.client()
            audience = resolve_audience(client, opts.audience)
            plan, unread = plan_from_batch(
                audience,
                _read(app, audience),
                batch,
                replace_fields=opts.replace_fields,
                remove_with_rejects=opts.remove_with_rejects,
            )
            say_kept(app, plan, unread, opts.remove_with_rejects, would=True)
        against = batch.report.source
    emit(app, diff_view(plan), opts.stdout)
    counts = plan.counts()
    app.note(
        f"{label(audience)} vs {against}: {counts['added']:,} to add, "
        f"{counts['removed']:,} to remove, {counts['updated']:,} to update, "
        f"{counts['unchanged']:,} unchanged"
    )
    return int(ExitCode.OK) if plan.equal else DIFFERENT
