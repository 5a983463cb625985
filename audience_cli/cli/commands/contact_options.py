"""The one front door for contacts: the options that say what to read and how, declared
once for every command that reads contacts, checked once, and loaded into a batch.

`@contact_options()` adds the options to a command and hands it a checked
`ContactInput` as its `contacts` parameter; `import_contacts` checks where its outputs
go and hands it to the core (`core.imports.prepare_import`), with this command line's
voice (`AppImportEdge`, in suppression_options.py).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from audience_cli.cli.commands.option_groups import replace_parameter
from audience_cli.core.imports import ContactInput
from audience_cli.core.recall import CampaignInput
from audience_cli.errors import ExitCode, RowsRejectedError, UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.cli.output import Output
    from audience_cli.contacts import ContactBatch, ImportReport
    from audience_cli.core.imports import ImportRequest

CONTACTS_PANEL = "Contacts input"
CHECKS_PANEL = "Checks and report"

F = TypeVar("F", bound=Callable[..., Any])


def _option(*decls: str, metavar: str, help: str, panel: str = CONTACTS_PANEL, **kw: Any) -> Any:
    return typer.Option(
        *decls, metavar=metavar, help=help, rich_help_panel=panel, show_default=False, **kw
    )


# name -> (annotation, default); in the order `--help` lists them.
SOURCE_OPTIONS: dict[str, tuple[Any, Any]] = {
    "csv": (
        Annotated[
            str | None,
            _option(
                "--csv",
                metavar="PATH",
                help="CSV file or .xlsx workbook of contacts ('-' reads stdin).",
            ),
        ],
        None,
    ),
    "phone": (
        Annotated[
            list[str] | None,
            _option(
                "--phone",
                metavar="NUMBER",
                help="A phone number (repeatable). Invalid numbers are an error.",
            ),
        ],
        None,
    ),
    "person": (
        Annotated[
            list[str] | None,
            _option(
                "--name",
                metavar="'FIRST LAST'",
                help="The name for the --phone at the same position (repeatable).",
            ),
        ],
        None,
    ),
}  # fmt: skip

RegionOpt = Annotated[
    str | None,
    _option(
        "--region",
        metavar="CC",
        envvar="AUDIENCE_REGION",
        help="Country for national-format numbers, e.g. US, IN, GB (UK works too).",
    ),
]

SheetOpt = Annotated[
    str | None,
    _option(
        "--sheet",
        metavar="NAME",
        help="The sheet of an .xlsx workbook to read (default: the first).",
    ),
]

EncodingOpt = Annotated[
    str | None,
    _option(
        "--encoding",
        metavar="NAME",
        help="File encoding (default UTF-8, with or without BOM), e.g. cp1252, latin-1.",
    ),
]

PhoneColumnOpt = Annotated[
    str | None,
    _option(
        "--phone-column",
        metavar="NAME",
        help="The column holding numbers (default: found by name).",
    ),
]

READING_OPTIONS: dict[str, tuple[Any, Any]] = {
    "region": (RegionOpt, None),
    "sheet": (SheetOpt, None),
    "encoding": (EncodingOpt, None),
    "delimiter": (
        Annotated[
            str | None,
            _option(
                "--delimiter",
                metavar="CHAR",
                help="Field delimiter (default: sniffed among , ; tab |). Use 'tab' for a tab.",
            ),
        ],
        None,
    ),
    "phone_column": (PhoneColumnOpt, None),
    "first_name_column": (
        Annotated[
            str | None,
            _option("--first-name-column", metavar="NAME", help="The first-name column."),
        ],
        None,
    ),
    "last_name_column": (
        Annotated[
            str | None, _option("--last-name-column", metavar="NAME", help="The last-name column.")
        ],
        None,
    ),
    "columns": (
        Annotated[
            str | None,
            _option(
                "--columns", metavar="A,B", help="Keep only these extra columns (default: all)."
            ),
        ],
        None,
    ),
    "country_column": (
        Annotated[
            str | None,
            _option(
                "--country-column",
                metavar="NAME",
                help="The column whose country (US, United Kingdom, +44…) national numbers are "
                "read in, row by row (default: found by name, e.g. Country, Mailing Country; "
                "--region for rows without one).",
            ),
        ],
        None,
    ),
    "allow_type": (
        Annotated[
            list[str] | None,
            _option(
                "--allow-type",
                metavar="TYPE",
                help="Accept numbers of a type rejected by default: premium_rate, shared_cost "
                "(repeatable).",
                panel=CHECKS_PANEL,
            ),
        ],
        None,
    ),
    "enrich": (
        Annotated[
            bool,
            _option(
                "--enrich",
                metavar="",
                help="Add country, number_type, timezone, carrier and local_window (the "
                "calling window in local time) to each member's data (never over a column "
                "the file has).",
            ),
        ],
        False,
    ),
    "rejects": (
        Annotated[
            str | None,
            _option(
                "--rejects",
                metavar="PATH",
                help="Write rejected rows (as read, plus line and reason) to PATH.",
                panel=CHECKS_PANEL,
            ),
        ],
        None,
    ),
    "force": (
        Annotated[
            bool,
            _option(
                "--force",
                metavar="",
                help="Write through a symbolic link at an output path (never one in a folder "
                "others can write to).",
                panel=CHECKS_PANEL,
            ),
        ],
        False,
    ),
}


CAMPAIGN_PANEL = "Call again: a campaign's members not reached"

# name -> (annotation, default): the members of a campaign's outcomes, in place of a file.
CAMPAIGN_OPTIONS: dict[str, tuple[Any, Any]] = {
    "from_campaign": (
        Annotated[
            str | None,
            _option(
                "--from-campaign",
                metavar="CAMPAIGN",
                help="Take the contacts from a campaign's outcomes (an id or a name): its "
                "members not reached, each with its own fields and the provenance fields. "
                "In place of --csv and --phone.",
                panel=CAMPAIGN_PANEL,
            ),
        ],
        None,
    ),
    "status": (
        Annotated[
            str | None,
            _option(
                "--status",
                metavar="S,...",
                help="With --from-campaign: only members whose final status is one of these "
                "(e.g. no_answer,failed; 'none': never dialled). Default: every status but "
                "completed and the running ones (pending, in_queue, in_progress, processing, "
                "active); a status the tool does not know is kept.",
                panel=CAMPAIGN_PANEL,
            ),
        ],
        None,
    ),
    "max_attempts": (
        Annotated[
            int | None,
            _option(
                "--max-attempts",
                metavar="N",
                min=1,
                help="With --from-campaign: leave out members called N times or more in all "
                "(the attempts field of an earlier retry audience plus this campaign's).",
                panel=CAMPAIGN_PANEL,
            ),
        ],
        None,
    ),
    "include_running": (
        Annotated[
            bool,
            _option(
                "--include-running",
                metavar="",
                help="With --from-campaign: read a campaign that is still going, and take "
                "its members still being called too (refused without it: they could be "
                "called twice).",
                panel=CAMPAIGN_PANEL,
            ),
        ],
        False,
    ),
    "provenance": (
        Annotated[
            str | None,
            _option(
                "--provenance",
                metavar="NAMES",
                help="With --from-campaign: the names of the three fields added to each "
                "member: the campaign's id, the attempts in all, the last status "
                "(default: source_campaign,attempts,last_status).",
                panel=CAMPAIGN_PANEL,
            ),
        ],
        None,
    ),
    "no_provenance": (
        Annotated[
            bool,
            _option(
                "--no-provenance",
                metavar="",
                help="With --from-campaign: add no provenance field.",
                panel=CAMPAIGN_PANEL,
            ),
        ],
        False,
    ),
}


def campaign_input(
    from_campaign: str | None,
    status: str | None = None,
    max_attempts: int | None = None,
    include_running: bool = False,
    provenance: str | None = None,
    no_provenance: bool = False,
) -> CampaignInput | None:
    """The --from-campaign options, checked; None when no campaign is named."""
    from audience_cli.core.recall import PROVENANCE, parse_provenance, parse_statuses

    if from_campaign is None:
        given = [
            flag
            for flag, value in (
                ("--status", status),
                ("--max-attempts", max_attempts),
                ("--include-running", include_running or None),
                ("--provenance", provenance),
                ("--no-provenance", no_provenance or None),
            )
            if value is not None
        ]
        if given:
            raise UsageError(f"{given[0]} goes with --from-campaign CAMPAIGN")
        return None
    if not from_campaign.strip():
        raise UsageError("--from-campaign is empty: give a campaign's id or name")
    if provenance is not None and no_provenance:
        raise UsageError("--provenance names the fields that --no-provenance leaves out")
    return CampaignInput(
        ref=from_campaign.strip(),
        statuses=parse_statuses(status) if status is not None else None,
        max_attempts=max_attempts,
        include_running=include_running,
        provenance=None
        if no_provenance
        else (parse_provenance(provenance) if provenance is not None else PROVENANCE),
    )


def contact_input(
    *,
    csv: str | None = None,
    phone: list[str] | None = None,
    person: list[str] | None = None,
    region: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    phone_column: str | None = None,
    first_name_column: str | None = None,
    last_name_column: str | None = None,
    columns: str | None = None,
    country_column: str | None = None,
    allow_type: list[str] | None = None,
    enrich: bool = False,
    rejects: str | None = None,
    force: bool = False,
    screen: bool = True,
    **campaign: Any,
) -> ContactInput:
    """The options as given, checked once (region, delimiter, types) into a `ContactInput`.

    `screen` False: the numbers are being taken out (remove), so rows the file
    marks do-not-call and numbers of any type are kept.
    """
    from audience_cli.contacts import CsvOptions

    options = CsvOptions(
        encoding=encoding,
        delimiter=delimiter,
        phone_column=phone_column,
        first_name_column=first_name_column,
        last_name_column=last_name_column,
        columns=[c.strip() for c in columns.split(",") if c.strip()] if columns else None,
        region=region,
        country_column=country_column,
        allow_types=list(allow_type or []),
        enrich=enrich,
        screen=screen,
        sheet=sheet,
    )
    return ContactInput(
        csv,
        list(phone or []),
        list(person or []),
        options,
        rejects,
        force,
        campaign=campaign_input(**campaign) if campaign else None,
        given_name="--phone",
    )


def contact_options(
    *, sources: bool = True, names: bool = True, screen: bool = True, campaign: bool = False
) -> Callable[[F], F]:
    """Give a command the contact options, in place of its `contacts` parameter.

    The command receives `contacts: ContactInput`, already checked. With
    `sources=False` (validate reads one file, FILE or --csv) only --csv is
    declared, not --phone and --name; with `names=False` (remove) only --name is
    left out. With `screen=False` (a command that takes numbers out: remove) the
    file's do-not-call marks and the number types are not checked, and --allow-type
    and --enrich are left out. With `campaign=True` (create, add, sync) --from-campaign
    and its options are declared too: the contacts are a campaign's members to call again.
    """
    source = {
        k: v
        for k, v in SOURCE_OPTIONS.items()
        if (names or k != "person") and (sources or k == "csv")
    }
    reading = {
        k: v for k, v in READING_OPTIONS.items() if screen or k not in ("allow_type", "enrich")
    }
    declared = {**source, **reading, **(CAMPAIGN_OPTIONS if campaign else {})}

    def decorate(func: F) -> F:
        return replace_parameter(
            func, "contacts", declared, functools.partial(contact_input, screen=screen)
        )

    return decorate


def check_region_option(region: str | None) -> str | None:
    """--region for commands that read numbers without a file (remove): the same rule."""
    from audience_cli.contacts.model import check_region

    return check_region(region)


# --- reading -------------------------------------------------------------------------------


def _same_file(a: str, b: str) -> bool:
    if "-" in (a, b):
        return a == b
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return pa.resolve() == pb.resolve()


def _check_paths(inp: ContactInput, output: str | None, stdout_taken: bool) -> None:
    """Never write over the file being read, or two outputs into one place, or through a
    symbolic link unless --force (`files.check_output`): said before any work."""
    from audience_cli.files import check_output

    outputs = [
        (f"--{name}", path) for name, path in (("rejects", inp.rejects), ("output", output)) if path
    ]
    for flag, path in outputs:
        if inp.csv and inp.csv != "-" and _same_file(path, inp.csv):
            raise UsageError(f"{flag} {path}: that is the file being imported; pick another name")
    if len(outputs) == 2 and _same_file(outputs[0][1], outputs[1][1]):
        raise UsageError(f"--rejects and --output both name {outputs[0][1]}: pick two files")
    if stdout_taken and any(path == "-" for _, path in outputs):
        flag = next(f for f, path in outputs if path == "-")
        raise UsageError(f"{flag} - would mix with this command's output on stdout: name a file")
    for flag, path in outputs:
        check_output(path, "rejects file" if flag == "--rejects" else "clean file", force=inp.force)


def import_contacts(
    app: AppContext,
    request: ImportRequest,
    *,
    stdout_taken: bool,
    output: str | None = None,
    say_report: bool = True,
) -> ContactBatch:
    """Check the options that only a command line has (outputs, sources), then read,
    normalise, check, screen and de-duplicate every contact (`prepare_import`), and
    say how it went on stderr (`print_report`, unless not `say_report`).

    `stdout_taken`: the command itself writes to stdout, so no file may be "-".
    `output`: the command's own output file, never the file read nor the rejects file.
    """
    from audience_cli.cli.commands.suppression_options import AppImportEdge
    from audience_cli.core.imports import prepare_import

    inp = request.contacts
    _check_paths(inp, output, stdout_taken)
    if inp.campaign is not None and (inp.csv or inp.phones):
        raise UsageError(
            "--from-campaign takes the place of --csv and --phone: give one or the other"
        )
    if not inp.csv and not inp.phones and inp.campaign is None:
        raise UsageError(
            "no contacts given",
            hint="Pass --csv FILE (or --csv - for stdin) and/or --phone NUMBER.",
        )
    if inp.names and not inp.phones:
        raise UsageError("--name pairs with --phone: give a --phone for each --name")
    batch = prepare_import(request, AppImportEdge(app))
    if say_report:
        print_report(app, batch.report, inp)
    return batch


def print_report(app: AppContext, report: ImportReport, inp: ContactInput) -> None:
    """The import summary on stderr. Flags alone need none (an invalid number is an error)
    unless some were dropped: repeats, or numbers not to call (a barred type, a
    do-not-call list)."""
    if inp.csv is None and inp.campaign is None and not report.duplicates and not report.invalid:
        return
    from audience_cli.cli.hints import REPORT_WORDS

    for line in report.summary_lines(REPORT_WORDS):
        app.note(line)


def rows_exit_code(report: ImportReport) -> ExitCode:
    return ExitCode.ROWS_REJECTED if report.invalid else ExitCode.OK


@contextmanager
def report_refusal(
    app: AppContext, report: ImportReport, stdout: Output, fields: Sequence[str]
) -> Iterator[None]:
    """When rejected rows stop an import (strict mode, nothing valid), a script that
    asked for a format still gets the report with the rejects on stdout, with the
    `fields` of the command's result (those --fields was checked against)."""
    try:
        yield
    except RowsRejectedError:
        if stdout.fmt is not None:
            from audience_cli.cli.output import emit
            from audience_cli.cli.views import refused_summary

            emit(app, refused_summary(report, fields), stdout)
        raise
