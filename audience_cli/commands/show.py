from __future__ import annotations

import typer

from audience_cli.commands.options import AudienceArg, FormatOpt, JsonOpt


def show(
    ctx: typer.Context, audience: AudienceArg, fmt: FormatOpt = None, as_json: JsonOpt = False
) -> None:
    """Show every field of one audience, its member count and its campaigns.

    [bold]Examples[/bold]

      audience show "Q1 Sales Leads"

      audience show 696ddd56b905442f52b71392 --json
    """
    from audience_cli.output import choose_format
    from audience_cli.resolve import resolve_audience
    from audience_cli.views import render_audience

    app = ctx.obj
    found = resolve_audience(app.client(), audience)
    render_audience(app, found, choose_format(fmt, as_json, app.terminal.stdout))
