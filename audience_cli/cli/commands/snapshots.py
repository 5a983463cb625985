"""`audience snapshots`: the snapshots taken before members were removed or replaced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.output import Output, OutputFormat

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


@o.output_options("SNAPSHOT_FIELDS", always=True)
def snapshots(
    ctx: typer.Context,
    audience: Annotated[
        str | None,
        typer.Argument(
            metavar="[AUDIENCE]",
            help="Only this audience's snapshots: its id, or its exact name (a deleted "
            "audience's name works too).",
            show_default=False,
            autocompletion=o.complete_audience,
        ),
    ] = None,
    stdout: Output = o.NO_OUTPUT,
) -> None:
    """List the snapshots taken before members were removed or replaced, newest first.

    sync, remove, add --update, delete and restore snapshot an audience (its settings
    and every member with all fields, as gzipped CSV in the state folder) before they
    change it, and keep the last 20 of each (AUDIENCE_SNAPSHOTS_KEEP). `audience
    restore ID` puts one back.

    [bold]Examples[/bold]

      audience snapshots

      audience snapshots "Nightly Leads" --json
    """
    run_snapshots(ctx.obj, audience, stdout)


def run_snapshots(app: AppContext, audience: str | None, stdout: Output) -> None:
    from audience_cli.cli.output import emit
    from audience_cli.cli.safekeeping import api_state
    from audience_cli.cli.views import snapshot_listing
    from audience_cli.state.snapshots import list_snapshots

    found = list_snapshots(api_state(app))
    if audience is not None:
        ref = audience.strip()
        found = [s for s in found if ref in (s.audience_id, s.audience.get("name"))]
    emit(app, snapshot_listing(found), stdout)
    if not found and stdout.fmt is OutputFormat.table:
        which = f" of {audience!r}" if audience is not None else ""
        app.note(
            f"No snapshots{which} yet: they are taken before sync, remove, add --update, "
            "delete and restore change an audience."
        )
