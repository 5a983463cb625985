from __future__ import annotations

import typer

from audience_cli.commands.options import AudienceArg, DryRunOpt, FormatOpt, JsonOpt, YesOpt


def delete(
    ctx: typer.Context,
    audience: AudienceArg,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete an audience and all its members.

    On a terminal you type the audience's name to confirm; in scripts pass
    --yes. Atoms refuses while a campaign that is not completed uses it.

    [bold]Examples[/bold]

      audience delete "Q1 Sales Leads"

      audience delete 696ddd56b905442f52b71392 --yes
    """
    from audience_cli.audiences import delete_audience
    from audience_cli.output import choose_format
    from audience_cli.results import print_result

    app = ctx.obj
    result = delete_audience(app, audience, yes=yes, dry_run=dry_run)
    print_result(app, result, choose_format(fmt, as_json, app.terminal.stdout))
