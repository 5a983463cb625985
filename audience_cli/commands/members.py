from __future__ import annotations

from typing import Annotated

import typer

from audience_cli.commands.options import AudienceArg, FormatOpt, JsonOpt


def members(
    ctx: typer.Context,
    audience: AudienceArg,
    page: Annotated[int, typer.Option("--page", "-p", min=1, help="Page to show, from 1.")] = 1,
    page_size: Annotated[
        int, typer.Option("--page-size", "-n", min=1, help="Members per page.")
    ] = 20,
    all_pages: Annotated[
        bool, typer.Option("--all", "-a", help="Stream every member, page after page.")
    ] = False,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", metavar="TEXT", help="Members with TEXT in any field."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            "-w",
            metavar="FIELD=VALUE",
            help="Members whose FIELD matches VALUE (repeatable; all must match).",
        ),
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    raw: Annotated[
        bool, typer.Option("--raw", help="CSV: do not protect cells that look like formulas.")
    ] = False,
) -> None:
    """Show the members of an audience, one page at a time, or all of them.

    [bold]Examples[/bold]

      audience members "Q1 Sales Leads" --page 2

      audience members 696ddd56b905442f52b71392 --all --format csv > members.csv

      audience members "Q1 Sales Leads" --where firstName=john
    """
    from audience_cli.member_views import show_members
    from audience_cli.output import choose_format

    app = ctx.obj
    chosen = choose_format(fmt, as_json, app.terminal.stdout)
    show_members(
        app,
        audience,
        page=page,
        page_size=page_size,
        all_pages=all_pages,
        search=search,
        where=where or [],
        fmt=chosen,
        raw=raw,
    )
