from __future__ import annotations

import typer

from audience_cli.commands import options as o
from audience_cli.limits import DEFAULT_CHUNK_SIZE, DEFAULT_MEMBER_LIMIT


def add(
    ctx: typer.Context,
    audience: o.AudienceArg,
    csv: o.CsvOpt = None,
    phone: o.PhoneOpt = None,
    person: o.NameOpt = None,
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
    """Add contacts to an audience; numbers already in it are skipped.

    Reports how many were added and skipped. Exit 3 when some rows were
    rejected (the valid ones are still added, unless --strict).

    [bold]Examples[/bold]

      audience add "Q1 Sales Leads" --phone +14155552671 --name "Ada Lovelace"

      audience add 696ddd56b905442f52b71392 --csv new-leads.csv --region US
    """
    from audience_cli.contact_input import ContactInput
    from audience_cli.import_flow import run_add
    from audience_cli.importer import ImportSettings
    from audience_cli.output import choose_format

    app = ctx.obj
    code = run_add(
        app,
        audience,
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
        fmt=choose_format(fmt, as_json, app.terminal.stdout),
    )
    raise typer.Exit(int(code))
