"""`audience list`: every audience."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from audience_cli.commands.options import FormatOpt, JsonOpt
from audience_cli.output import OutputFormat

if TYPE_CHECKING:
    from audience_cli.context import AppContext


def list_audiences(ctx: typer.Context, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """List every audience: id, name, members, campaigns, created.

    [bold]Examples[/bold]

      audience list

      audience list --json | jq '.[] | select(.memberCount > 100) | ._id'
    """
    from audience_cli.output import choose_format

    app = ctx.obj
    run_list(app, choose_format(fmt, as_json, app.terminal.stdout))


def run_list(app: AppContext, fmt: OutputFormat) -> None:
    from audience_cli.completion_cache import remember_audiences
    from audience_cli.output import emit
    from audience_cli.views import audience_listing

    audiences = app.client().list_audiences()
    remember_audiences(app, audiences)
    emit(app, audience_listing(audiences), fmt)
    if not audiences and fmt is OutputFormat.table:
        app.note("No audiences yet. Create one with `audience create NAME --phone +1…`.")
