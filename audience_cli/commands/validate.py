from __future__ import annotations

from typing import Annotated

import typer

from audience_cli.commands import options as o


def validate(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="CSV of contacts ('-' reads stdin).")],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="CLEAN.csv",
            help="Write the valid, de-duplicated contacts in E.164 ('-' for stdout).",
            show_default=False,
        ),
    ] = None,
    region: o.RegionOpt = None,
    encoding: o.EncodingOpt = None,
    delimiter: o.DelimiterOpt = None,
    phone_column: o.PhoneColumnOpt = None,
    first_name_column: o.FirstNameColumnOpt = None,
    last_name_column: o.LastNameColumnOpt = None,
    columns: o.ColumnsOpt = None,
    rejects: o.RejectsOpt = None,
    fmt: o.FormatOpt = None,
    as_json: o.JsonOpt = False,
) -> None:
    """Check a contacts file offline: no key, no network, nothing sent.

    Reports rows read, valid, rejected (by reason) and duplicates; exit 3
    when any row was rejected, so it can gate an import in a script.

    [bold]Examples[/bold]

      audience validate leads.csv --region US

      audience validate leads.csv --region US --output clean.csv --rejects bad.csv
    """
    from audience_cli.contact_input import ContactInput
    from audience_cli.import_flow import run_validate
    from audience_cli.output import choose_format

    app = ctx.obj
    code = run_validate(
        app,
        ContactInput(
            csv=file,
            region=region,
            encoding=encoding,
            delimiter=delimiter,
            phone_column=phone_column,
            first_name_column=first_name_column,
            last_name_column=last_name_column,
            columns=columns,
            rejects=rejects,
        ),
        output=output,
        fmt=choose_format(fmt, as_json, app.terminal.stdout),
    )
    raise typer.Exit(int(code))
