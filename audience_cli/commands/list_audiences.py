from __future__ import annotations

import typer

from audience_cli.commands.options import FormatOpt, JsonOpt


def list_audiences(ctx: typer.Context, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """List every audience: id, name, members, campaigns, created.

    [bold]Examples[/bold]

      audience list

      audience list --json | jq '.[] | select(.memberCount > 100) | ._id'
    """
    from audience_cli.completion_cache import remember_audiences
    from audience_cli.output import choose_format, render_records
    from audience_cli.views import AUDIENCE_COLUMNS

    app = ctx.obj
    audiences = app.client().list_audiences()
    remember_audiences(app, audiences)
    chosen = choose_format(fmt, as_json, app.terminal.stdout)
    render_records(app, audiences, AUDIENCE_COLUMNS, chosen)
    if not audiences and chosen == "table":
        app.note("No audiences yet. Create one with `audience create NAME --phone +1…`.")
