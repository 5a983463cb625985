"""`audience sandbox dnc add | remove | list`: shape the sandbox's do-not-call list.

Atoms has no API call that writes the list (the dashboard and call outcomes do):
these commands write the sandbox's SQLite store directly, as `sandbox campaign` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands.contact_options import RegionOpt, check_region_option
from audience_cli.cli.commands.options import NO_OUTPUT, DbOpt, output_options, sandbox_db
from audience_cli.cli.commands.suppression_options import check_agent
from audience_cli.cli.output import Output

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.sandbox.store import SandboxStore

app = typer.Typer(
    help="The sandbox's do-not-call list (`audience --sandbox dnc list` reads it as Atoms "
    "would serve it).",
    no_args_is_help=True,
)

NumbersArg = Annotated[
    list[str],
    typer.Argument(metavar="NUMBER...", help="Phone numbers (E.164, or national with --region)."),
]
AgentOpt = Annotated[
    str | None,
    typer.Option(
        "--agent",
        metavar="ID",
        help="One agent's entry (24 hex characters) instead of an organisation-wide one.",
    ),
]


def _store(app: AppContext, db: Path | None) -> tuple[SandboxStore, Path]:
    from audience_cli.cli.context import open_sandbox_store

    path = sandbox_db(app, db)
    return open_sandbox_store(path), path


def e164_numbers(numbers: list[str], region: str | None) -> list[str]:
    """Every number in E.164 (the rules of imports), each once; any invalid one is a
    usage error naming it, before anything is written."""
    from audience_cli.errors import InvalidPhoneError
    from audience_cli.phone import REASON_TEXT, PhoneNumberError, normalize_phone

    found: dict[str, None] = {}
    for value in numbers:
        try:
            found[normalize_phone(value, region)] = None
        except PhoneNumberError as exc:
            raise InvalidPhoneError(value, exc.reason, REASON_TEXT[exc.reason]) from None
    return list(found)


@app.command("add")
def add(
    ctx: typer.Context,
    numbers: NumbersArg,
    agent: AgentOpt = None,
    source: Annotated[
        str, typer.Option("--source", metavar="S", help="How it got there: manual, call…")
    ] = "manual",
    region: RegionOpt = None,
    db: DbOpt = None,
) -> None:
    """Put numbers on the sandbox's do-not-call list (organisation-wide, or one agent's).

    [bold]Examples[/bold]

      audience sandbox dnc add +14155552671 "+44 20 7946 0958"

      audience sandbox dnc add +14155550100 --agent 0123456789abcdef01234567
    """
    from audience_cli.text import plural

    wanted = e164_numbers(numbers, check_region_option(region))
    scope = check_agent(agent)
    store, path = _store(ctx.obj, db)
    added = sum(store.add_dnc(n, agent_id=scope, source=source)[1] for n in wanted)
    there = len(wanted) - added
    whose = f"agent {scope}'s" if scope else "the organisation-wide"
    ctx.obj.success(
        f"Added {plural(added, 'number')} to {whose} do-not-call list of the sandbox ({path})"
        + (f"; {there:,} already on it." if there else ".")
    )


@app.command("remove")
def remove(
    ctx: typer.Context,
    numbers: NumbersArg,
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent", metavar="ID", help="Remove that agent's entries only (default: every one)."
        ),
    ] = None,
    region: RegionOpt = None,
    db: DbOpt = None,
) -> None:
    """Take numbers off the sandbox's do-not-call list. Exit 5 when none was on it.

    [bold]Example[/bold]

      audience sandbox dnc remove +14155552671
    """
    from audience_cli.errors import CliError, ExitCode
    from audience_cli.text import plural

    wanted = e164_numbers(numbers, check_region_option(region))
    scope = check_agent(agent)
    store, path = _store(ctx.obj, db)
    removed = 0
    for number in wanted:
        gone = store.remove_dnc(number, agent_id=scope)
        if not gone:
            ctx.obj.warn(f"{number} is not on the do-not-call list of the sandbox")
        removed += gone
    if not removed:
        raise CliError(
            "none of the numbers is on the do-not-call list of the sandbox: nothing was removed",
            exit_code=ExitCode.NOT_FOUND,
        )
    ctx.obj.success(
        f"Removed {plural(removed, 'entry', 'entries')} from the do-not-call list of the "
        f"sandbox ({path})."
    )


@app.command("list")
@output_options("DNC_FIELDS", always=True)
def list_entries(
    ctx: typer.Context,
    db: DbOpt = None,
    stdout: Output = NO_OUTPUT,
) -> None:
    """Show every entry of the sandbox's do-not-call list, oldest first.

    [bold]Example[/bold]

      audience sandbox dnc list --json
    """
    from audience_cli.cli.output import emit
    from audience_cli.cli.views import dnc_listing
    from audience_cli.text import plural

    store, _ = _store(ctx.obj, db)
    total = store.count_dnc()
    entries = store.page_dnc(limit=max(total, 1), skip=0, sort_order="asc")
    emit(ctx.obj, dnc_listing(entries), stdout)  # type: ignore[arg-type]
    ctx.obj.note(plural(len(entries), "entry", "entries"))
