from __future__ import annotations

from typing import Annotated

import typer

from audience_cli.commands.options import AudienceArg


def export(
    ctx: typer.Context,
    audience: AudienceArg,
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="FILE.csv", help="Where to write ('-' for stdout)."),
    ],
    safe: Annotated[
        bool,
        typer.Option(
            "--safe",
            help="Quote cells a spreadsheet would run as formulas (then not re-importable).",
        ),
    ] = False,
) -> None:
    """Write every member of an audience to a CSV file: a backup `add` can re-import.

    [bold]Examples[/bold]

      audience export "Q1 Sales Leads" -o q1-backup.csv

      audience create "Q1 Sales Leads (restored)" --csv q1-backup.csv
    """
    from audience_cli.members_ops import export_members

    export_members(ctx.obj, audience, output, safe=safe)
