from __future__ import annotations

from typing import Annotated

import typer

from audience_cli.commands.options import (
    AudienceArg,
    DryRunOpt,
    FormatOpt,
    JsonOpt,
    RegionOpt,
    YesOpt,
)


def remove(
    ctx: typer.Context,
    audience: AudienceArg,
    phone: Annotated[
        list[str] | None,
        typer.Option(
            "--phone", metavar="NUMBER", help="Remove the member with this number (repeatable)."
        ),
    ] = None,
    member_id: Annotated[
        list[str] | None,
        typer.Option(
            "--member-id", metavar="ID", help="Remove the member with this id (repeatable)."
        ),
    ] = None,
    region: RegionOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove members from an audience, by phone number or member id.

    Numbers are looked up with the search endpoint. Confirms like delete.

    [bold]Examples[/bold]

      audience remove "Q1 Sales Leads" --phone +14155552671

      audience remove 696ddd56b905442f52b71392 --member-id 696ddd56b905442f52b71394 --yes
    """
    from audience_cli.members_ops import remove_members
    from audience_cli.output import choose_format
    from audience_cli.results import print_result

    app = ctx.obj
    result = remove_members(
        app,
        audience,
        phones=phone or [],
        member_ids=member_id or [],
        region=region,
        yes=yes,
        dry_run=dry_run,
    )
    print_result(app, result, choose_format(fmt, as_json, app.terminal.stdout))
