"""`audience list`: every audience."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from audience_cli.cli.commands.options import NO_OUTPUT, output_options
from audience_cli.cli.output import Output, OutputFormat

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


@output_options("AUDIENCE_FIELDS", always=True)
def list_audiences(
    ctx: typer.Context,
    stdout: Output = NO_OUTPUT,
) -> None:
    """List every audience: id, name, members, campaigns, created.

    [bold]Examples[/bold]

      audience list

      audience list --json | jq '.[] | select(.memberCount > 100) | ._id'

      audience list --fields _id,name,memberCount --format csv
    """
    run_list(ctx.obj, stdout)


def run_list(app: AppContext, stdout: Output) -> None:
    from audience_cli.cli.completion_cache import remember_audiences
    from audience_cli.cli.output import emit
    from audience_cli.cli.views import audience_listing

    audiences = app.client().list_audiences()
    remember_audiences(app, audiences)
    if not audiences and stdout.fmt is OutputFormat.table:
        # A table of no rows is a lone header: say so in words instead (the answer
        # itself, so --quiet does not hide it; piped formats stay empty, JSON is []).
        app.say("No audiences yet. Create one with `audience create NAME --phone +1…`.")
        return
    emit(app, audience_listing(audiences), stdout)
