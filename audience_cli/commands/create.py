from __future__ import annotations

from typing import Annotated

import typer

from audience_cli.commands import options as o
from audience_cli.limits import DEFAULT_CHUNK_SIZE, DEFAULT_MEMBER_LIMIT


def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the new audience.")],
    csv: o.CsvOpt = None,
    phone: o.PhoneOpt = None,
    person: o.NameOpt = None,
    description: Annotated[
        str | None, typer.Option("--description", "-d", metavar="TEXT", help="A description.")
    ] = None,
    split: Annotated[
        bool,
        typer.Option(
            "--split",
            help="Over the member limit, create 'NAME (1/3)', 'NAME (2/3)'… each within it.",
        ),
    ] = False,
    region: o.RegionOpt = None,
    encoding: o.EncodingOpt = None,
    delimiter: o.DelimiterOpt = None,
    phone_column: o.PhoneColumnOpt = None,
    first_name_column: o.FirstNameColumnOpt = None,
    last_name_column: o.LastNameColumnOpt = None,
    columns: o.ColumnsOpt = None,
    rejects: o.RejectsOpt = None,
    strict: o.StrictOpt = False,
    dry_run: o.ImportDryRunOpt = False,
    chunk_size: o.ChunkSizeOpt = DEFAULT_CHUNK_SIZE,
    member_limit: o.MemberLimitOpt = DEFAULT_MEMBER_LIMIT,
    fmt: o.FormatOpt = None,
    as_json: o.JsonOpt = False,
) -> None:
    """Create an audience from --phone flags and/or a CSV file.

    Prints the new audience's id alone on stdout, so [cyan]id=$(audience create …)[/cyan]
    works; the report goes to stderr. Exit 3 when some rows were rejected.

    [bold]Examples[/bold]

      audience create "Q1 Sales Leads" --phone +14155552671 --name "Ada Lovelace"

      audience create "Q1 Sales Leads" --csv leads.csv --region US --rejects bad.csv
    """
    from audience_cli.contact_input import ContactInput
    from audience_cli.import_flow import run_create
    from audience_cli.importer import ImportSettings
    from audience_cli.output import choose_format

    app = ctx.obj
    code = run_create(
        app,
        name,
        ContactInput(
            csv=csv,
            phones=phone or [],
            names=person or [],
            region=region,
            encoding=encoding,
            delimiter=delimiter,
            phone_column=phone_column,
            first_name_column=first_name_column,
            last_name_column=last_name_column,
            columns=columns,
            rejects=rejects,
        ),
        ImportSettings(
            chunk_size=chunk_size, member_limit=member_limit, dry_run=dry_run, strict=strict
        ),
        description=description,
        split=split,
        fmt=choose_format(fmt, as_json, app.terminal.stdout),
    )
    raise typer.Exit(int(code))
