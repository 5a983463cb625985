"""`audience export`: every member to a CSV file that `create --csv` or `add --csv` reads back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands.options import AudienceArg, SafeOpt

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


def export(
    ctx: typer.Context,
    audience: AudienceArg,
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="FILE.csv", help="Where to write ('-' for stdout)."),
    ],
    safe: SafeOpt = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write through a symbolic link at the output path (never one in a folder "
            "others can write to).",
        ),
    ] = False,
) -> None:
    """Write every member of an audience to a CSV file: a backup `add` can re-import.

    [bold]Examples[/bold]

      audience export "Q1 Sales Leads" -o q1-backup.csv

      audience create "Q1 Sales Leads (restored)" --csv q1-backup.csv
    """
    run_export(ctx.obj, audience, output, safe=safe, force=force)


def run_export(app: AppContext, ref: str, output: str, *, safe: bool, force: bool = False) -> int:
    """Write the members CSV, whole or not at all (a temporary file renamed into place)."""
    from audience_cli.cli.progress import read_progress
    from audience_cli.core.members import export_rows, resolve_with_first_page
    from audience_cli.files import check_output, open_output
    from audience_cli.model import write_member_records_csv
    from audience_cli.text import plural

    check_output(output, "export", force=force)  # before reading every page
    client = app.client()
    audience, first = resolve_with_first_page(client, ref)
    with read_progress(app, f"Exporting {audience.get('name')!r}") as on_page:
        rows = export_rows(client, audience, first=first, on_page=on_page)
    from audience_cli.cli.output import stdout_stream

    writing = stdout_stream() if output == "-" else open_output(output, "export", force=force)
    with writing as stream:
        count = write_member_records_csv(
            stream,
            rows.members,
            phone_column=rows.phone_column,
            extra_keys=rows.extra_keys,
            protect=safe,
        )
    if output != "-":
        app.success(f"Exported {plural(count, 'member')} of {audience.get('name')!r} to {output}.")
    return count
