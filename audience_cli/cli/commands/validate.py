"""`audience validate`: check a contacts file offline, and write the clean contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.commands.calling_options import CallingInput, calling_options
from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.commands.suppression_options import SuppressionInput, suppression_options
from audience_cli.cli.output import Output
from audience_cli.errors import ExitCode

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


@dataclass(frozen=True)
class ValidateOptions:
    contacts: ContactInput
    output: str | None
    stdout: Output  # its format (None: nothing on stdout, but --output -) and fields
    suppression: SuppressionInput
    calling: CallingInput = field(default_factory=CallingInput)  # none: nothing checked


@contact_options(sources=False)
@suppression_options()
@calling_options()
@o.output_options("VALIDATE_FIELDS")
def validate(
    ctx: typer.Context,
    contacts: ContactInput,
    suppression: SuppressionInput,
    calling: CallingInput,
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
    stdout: Output = o.NO_OUTPUT,
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE]",
            help="CSV of contacts ('-' reads stdin); or give it with --csv, as other commands do.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a contacts file: nothing is sent, and no key is needed.

    Reports rows read, valid, rejected (by reason) and duplicates; exit 3
    when any row was rejected, so it can gate an import in a script. With a key
    (or --sandbox) it also reads the organisation's do-not-call list and rejects
    the numbers on it (DO_NOT_CALL), as imports do; without one it says the list
    went unchecked. --no-dnc keeps it offline.

    [bold]Examples[/bold]

      audience validate leads.csv --region US

      audience validate leads.csv --region US --output clean.csv --rejects bad.csv

      audience validate --csv leads.csv --region US
    """

    options = ValidateOptions(
        contacts.with_csv(the_file(file, contacts.csv)),
        output,
        stdout,
        suppression,
        calling,
    )
    raise typer.Exit(int(run_validate(ctx.obj, options)))


def the_file(argument: str | None, csv: str | None) -> str:
    """The one file to check: FILE, or --csv FILE (the same option as the other commands)."""
    from audience_cli.errors import UsageError

    if argument is not None and csv is not None:
        if argument == csv:
            return csv
        raise UsageError(
            f"two files given ({argument} and --csv {csv}): validate checks one, "
            "named as FILE or with --csv"
        )
    path = argument if argument is not None else csv
    if path is None:
        raise UsageError(
            "no file to check",
            hint="Name it: audience validate leads.csv (or --csv leads.csv; - reads stdin).",
        )
    return path


def run_validate(app: AppContext, opts: ValidateOptions) -> ExitCode:
    from audience_cli.cli.commands.contact_options import (
        import_contacts,
        rows_exit_code,
    )
    from audience_cli.cli.output import emit
    from audience_cli.cli.views import validate_summary
    from audience_cli.contacts import write_clean_csv
    from audience_cli.core.imports import ImportRequest
    from audience_cli.text import plural

    stdout_taken = opts.stdout.fmt is not None
    request = ImportRequest(
        opts.contacts,
        opts.suppression,
        keep="csv" if opts.output else "count",  # written once, not spooled and read back
        offline_ok=True,
        calling=opts.calling.request(app.now(), enrich=opts.contacts.options.enrich),
    )
    with import_contacts(app, request, stdout_taken=stdout_taken, output=opts.output) as batch:
        if opts.output:
            write_clean_csv(opts.output, batch, force=opts.contacts.force)
            if opts.output != "-":
                app.note(f"Wrote {plural(len(batch), 'clean contact')} to {opts.output}.")
    if opts.stdout.fmt is not None:
        emit(app, validate_summary(batch.report), opts.stdout)
    return rows_exit_code(batch.report)
