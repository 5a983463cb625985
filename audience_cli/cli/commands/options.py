"""Options shared by several commands, declared once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from audience_cli.cli.output import Output, OutputFormat, Shape

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext

F = TypeVar("F", bound=Callable[..., Any])

# Bounds of the numeric options: a number past them is a usage error (exit 2), never a
# request the server cannot answer or an overflow.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 10_000
MAX_CHUNK_SIZE = 100_000
MAX_MEMBER_LIMIT = 10_000_000


def complete_audience(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Names and ids from the cache `audience list` writes: never the network."""
    import os
    import re

    from audience_cli.cli.completion_cache import cached_audiences
    from audience_cli.config import ENV_SANDBOX

    sandbox = bool(ctx.find_root().params.get("sandbox_")) or bool(os.environ.get(ENV_SANDBOX))
    # Plain names: the bash script quotes them as the word being completed is quoted
    # (commands/completion.py), and Typer keeps only values that start with what was typed.
    typed = re.sub(r"\\(.)", r"\1", incomplete)
    found: list[tuple[str, str]] = []
    for entry in cached_audiences(sandbox=sandbox):
        name, audience_id = entry["name"], entry["id"]
        if name.startswith(typed):
            found.append((name, audience_id))
        elif audience_id.startswith(typed):
            found.append((audience_id, name))
    return found


AudienceArg = Annotated[
    str,
    typer.Argument(
        metavar="AUDIENCE",
        help="The audience's id, or its exact name.",
        show_default=False,
        autocompletion=complete_audience,
    ),
]

FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-F",
        metavar="FORMAT",
        help="table, tsv, csv, json or jsonl. Default: a table on a terminal, tsv (no header) "
        "when piped.",
        show_default=False,
        case_sensitive=False,
    ),
]

JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]

FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="A,B",
        help="Only these fields, in this order: the columns of a table, TSV or CSV, the keys "
        "of JSON. --fields help lists them.",
        show_default=False,
    ),
]

HeaderOpt = Annotated[bool, typer.Option("--header", help="TSV: a first line of field names.")]


def parse_fields(text: str | None) -> list[str] | None:
    """`--fields a, b` as a list (None: every field); `help` stays as asked."""
    if text is None:
        return None
    fields = [f.strip() for f in text.split(",") if f.strip()]
    if not fields:
        from audience_cli.errors import UsageError

        raise UsageError("--fields is empty: name fields (a,b), or --fields help")
    return fields


def shape_of(fields: str | None, header: bool) -> Shape:
    """--fields and --header, as the writer takes them."""
    from audience_cli.cli.output import Shape

    return Shape(parse_fields(fields), header)


# The default of a command's `stdout` parameter, which `output_options` replaces.
NO_OUTPUT = Output(None)

OUTPUT_OPTIONS: dict[str, tuple[Any, Any]] = {
    "fmt": (FormatOpt, None),
    "as_json": (JsonOpt, False),
    "fields": (FieldsOpt, None),
    "header": (HeaderOpt, False),
}


def output_setting(
    *,
    fields_of: str | None,
    always: bool,
    fmt: OutputFormat | None = None,
    as_json: bool = False,
    fields: str | None = None,
    header: bool = False,
) -> Output:
    """--format, --json, --fields and --header, checked once into an `Output`: the fields
    against those of the command's result (`names`), before it reads or sends
    anything, and the format chosen once. `fields_of`: the name of the tuple of those
    fields in cli/views.py (read when the command runs, not when it is declared); None
    when they are known only from the data (`show`: the command answers --fields help).

    `always`: the command always writes its result (a table on a terminal, TSV when
    piped); else only when a format was asked for (or --fields/--header, which ask
    for one). `--fields help` prints the names, one a line, and ends the run there.
    """
    import click

    from audience_cli.cli import views
    from audience_cli.cli.output import asked_format, check_fields, choose_format

    app = click.get_current_context().obj
    shape = shape_of(fields, header)
    if fields_of is not None and check_fields(app, shape, getattr(views, fields_of)):
        raise typer.Exit(0)
    terminal = app.terminal.stdout
    if always:
        return Output(choose_format(fmt, as_json, terminal), shape)
    shaped = fields is not None or header
    return Output(asked_format(fmt, as_json, shaped=shaped, stdout_is_terminal=terminal), shape)


def output_options(fields_of: str | None, *, always: bool = False) -> Callable[[F], F]:
    """Give a command the output options, in place of its `stdout` parameter: it receives
    an `Output`, checked (`output_setting`); `fields_of` names its result's fields in
    cli/views.py (ADD_FIELDS)."""
    from audience_cli.cli.commands.option_groups import replace_parameter

    build = functools.partial(output_setting, fields_of=fields_of, always=always)

    def decorate(func: F) -> F:
        return replace_parameter(func, "stdout", OUTPUT_OPTIONS, build)

    return decorate


# One rule for every CSV the tool writes: cells as stored by default, so numbers like
# +14155550100 keep their + and the file can be read back by `create --csv`; --safe
# quotes cells a spreadsheet would run as formulas (=, +, -, @), for files opened there.
SafeOpt = Annotated[
    bool,
    typer.Option(
        "--safe",
        help="CSV for spreadsheets: quote cells that start with = + - @ (then not "
        "re-importable as is).",
    ),
]
RawOpt = Annotated[
    bool,
    typer.Option("--raw", hidden=True, help="Cells as stored: the default (kept for scripts)."),
]

YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (needed off a terminal).")
]

DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be done; send nothing that changes data.")
]


# --- uploads (create, add); the contact options are in contact_options.py ----------

CHECKS_PANEL = "Checks and report"

StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Any rejected row aborts before a single request (exit 3).",
        rich_help_panel=CHECKS_PANEL,
    ),
]
ImportDryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Check and report everything; send nothing.",
        rich_help_panel=CHECKS_PANEL,
    ),
]
ChunkSizeOpt = Annotated[
    int,
    typer.Option(
        "--chunk-size",
        min=1,
        max=MAX_CHUNK_SIZE,
        envvar="AUDIENCE_CHUNK_SIZE",
        help="Members per add request (a create sends all that fit in 5 MB, unless given).",
        rich_help_panel=CHECKS_PANEL,
    ),
]
MemberLimitOpt = Annotated[
    int,
    typer.Option(
        "--member-limit",
        min=1,
        max=MAX_MEMBER_LIMIT,
        envvar="AUDIENCE_MEMBER_LIMIT",
        help="Members allowed in one audience (Atoms: 10,000).",
        rich_help_panel=CHECKS_PANEL,
    ),
]

SAFETY_PANEL = "Safety"
MAX_WAIT = 86_400.0

WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        max=MAX_WAIT,
        help="How long to wait for another run of audience that is changing the same "
        "audience (or creating the same name) before giving up with exit 2.",
        rich_help_panel=SAFETY_PANEL,
    ),
]

NoSnapshotOpt = Annotated[
    bool,
    typer.Option(
        "--no-snapshot",
        help="Do not snapshot the audience before removing or replacing members "
        "(`audience snapshots` lists them, `audience restore` puts one back).",
        rich_help_panel=SAFETY_PANEL,
    ),
]


def keep_safe(ctx: typer.Context, wait: float, no_snapshot: bool = False) -> None:
    """Hand --wait and --no-snapshot to the run (`safekeeping.py` reads them)."""
    import math

    from audience_cli.errors import UsageError

    if not math.isfinite(wait):
        raise UsageError(f"--wait {wait}: give a number of seconds")
    ctx.obj.lock_wait = wait
    ctx.obj.take_snapshots = not no_snapshot


ReplaceFieldsOpt = Annotated[
    bool,
    typer.Option(
        "--replace-fields",
        help="Updated members come back as the file's row alone. By default they keep "
        "the fields the file has no value for (notes=VIP stays when the file has no "
        "notes column, or an empty cell).",
    ),
]

RemoveWithRejectsOpt = Annotated[
    bool,
    typer.Option(
        "--remove-with-rejects",
        help="Remove members that are not in the file even when some of its rows were "
        "rejected (by default such a file removes nothing). A member whose number is a "
        "rejected row's is never removed.",
        rich_help_panel=SAFETY_PANEL,
    ),
]


DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="SQLite file (default: AUDIENCE_SANDBOX_DB, else sandbox.db in the user data dir).",
        show_default=False,
    ),
]


def sandbox_db(app: AppContext, db: Path | None) -> Path:
    """The sandbox's SQLite file: --db, else the default (AUDIENCE_SANDBOX_DB, …)."""
    from audience_cli.sandbox import default_db_path

    return db if db is not None else default_db_path(app.env)
