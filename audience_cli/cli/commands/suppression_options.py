"""Who must not be called: the options declared once for every command that imports
contacts (create, add, sync, validate), and the suppression they build for `load_contacts`.

`@suppression_options()` adds --no-dnc, --agent, --exclude and --exclude-audience to
a command and hands it a checked `SuppressionInput` as its `suppression` parameter;
`build_suppression` turns that into the `suppress` callable `load_contacts` takes.
Numbers on the organisation's do-not-call list are rejected as DO_NOT_CALL (by
default), numbers of an --exclude file or audience as EXCLUDED.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from audience_cli.cli.commands.option_groups import replace_parameter
from audience_cli.errors import AudienceError, UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.contacts.pipeline import Suppress
    from audience_cli.core.dnc import DoNotCall

SUPPRESSION_PANEL = "Who not to call"

F = TypeVar("F", bound=Callable[..., Any])


def _option(*decls: str, help: str, **kw: Any) -> Any:
    return typer.Option(
        *decls, help=help, rich_help_panel=SUPPRESSION_PANEL, show_default=False, **kw
    )


AgentOpt = Annotated[
    str | None,
    _option(
        "--agent",
        metavar="ID",
        help="The agent that will call (its id): its own do-not-call entries apply too "
        "(without it, only the organisation-wide ones).",
    ),
]

# name -> (annotation, default); in the order `--help` lists them.
SUPPRESSION_OPTIONS: dict[str, tuple[Any, Any]] = {
    "no_dnc": (
        Annotated[
            bool,
            _option(
                "--no-dnc",
                help="Do not check the organisation's do-not-call list (checked by default: "
                "numbers on it are rejected as DO_NOT_CALL).",
            ),
        ],
        False,
    ),
    "agent": (AgentOpt, None),
    "exclude": (
        Annotated[
            list[str] | None,
            _option(
                "--exclude",
                metavar="FILE",
                help="Reject the numbers of FILE as EXCLUDED: a CSV (phone column found by "
                "name) or one number a line (repeatable).",
            ),
        ],
        None,
    ),
    "exclude_audience": (
        Annotated[
            list[str] | None,
            _option(
                "--exclude-audience",
                metavar="AUDIENCE",
                help="Reject the numbers of another audience (id or name) as EXCLUDED "
                "(repeatable).",
            ),
        ],
        None,
    ),
}


@dataclass(frozen=True)
class SuppressionInput:
    """Which lists of numbers an import must not call: checked, not yet read."""

    dnc: bool = True  # the organisation's do-not-call list
    agent: str | None = None  # whose agent-scoped entries apply too
    exclude: tuple[str, ...] = ()  # files of numbers
    exclude_audiences: tuple[str, ...] = ()  # audiences (ids or names)


def check_agent(agent: str | None) -> str | None:
    """--agent: an agent id (24 hex characters), in lower case; None when not given."""
    from audience_cli.core.audiences import OBJECT_ID

    if agent is None:
        return None
    text = agent.strip()
    if not OBJECT_ID.fullmatch(text):
        raise UsageError(f"--agent {agent!r}: not an agent id (24 hex characters)")
    return text.lower()


def suppression_input(
    *,
    no_dnc: bool = False,
    agent: str | None = None,
    exclude: list[str] | None = None,
    exclude_audience: list[str] | None = None,
) -> SuppressionInput:
    """The options as given, checked once into a `SuppressionInput`."""
    if no_dnc and agent is not None:
        raise UsageError(
            "--agent picks which do-not-call entries apply: it means nothing with --no-dnc"
        )
    files = tuple(exclude or ())
    if "-" in files:
        raise UsageError("--exclude - : name a file (stdin is for the contacts)")
    audiences = tuple(a.strip() for a in exclude_audience or ())
    if "" in audiences:
        raise UsageError("--exclude-audience is empty: give an id or a name")
    return SuppressionInput(not no_dnc, check_agent(agent), files, audiences)


def suppression_options() -> Callable[[F], F]:
    """Give a command the suppression options, in place of its `suppression` parameter.

    The command receives `suppression: SuppressionInput`, already checked."""

    def decorate(func: F) -> F:
        return replace_parameter(func, "suppression", SUPPRESSION_OPTIONS, suppression_input)

    return decorate


# --- building the suppression ---------------------------------------------------------------


def build_suppression(
    app: AppContext, inp: SuppressionInput, *, region: str | None, offline_ok: bool = False
) -> Suppress | None:
    """The `suppress` callable for `load_contacts` (a number's reason not to call it, and
    which list says so), or None when there is nothing to check.

    --exclude files are read now (before any request). Audiences and the do-not-call
    list are read at the first number looked up, once (a file that fails its own
    checks costs no request). With `offline_ok` (validate, a dry-run create: commands
    that work without a key) and no key, the do-not-call list is not checked, and a
    warning says so once; otherwise a list that cannot be read stops the command
    (`DncReadError`).
    """
    from audience_cli.core.dnc import DO_NOT_CALL, EXCLUDED, Suppression

    suppression = Suppression()
    for path in inp.exclude:
        numbers = _file_numbers(app, path, region)
        suppression.add(EXCLUDED, numbers, detail=f"in {path} (--exclude)")
    for ref in inp.exclude_audiences:
        numbers_of = functools.partial(_audience_numbers, app, ref, region)
        suppression.add(EXCLUDED, numbers_of, detail=f"in audience {ref!r} (--exclude-audience)")
    if inp.dnc:
        missing = _no_key(app) if offline_ok else None
        if missing is not None:
            suppression.add(DO_NOT_CALL, functools.partial(_skipped, app, missing))
        else:
            suppression.add(DO_NOT_CALL, functools.partial(dnc_numbers, app, inp.agent, region))
    return suppression.why if suppression else None


def _skipped(app: AppContext, why: str) -> Collection[str]:
    """No list to read: said once, at the first number it would have been asked about."""
    from audience_cli.cli.hints import dnc_skipped

    app.warn(dnc_skipped(why))
    return ()


def _no_key(app: AppContext) -> str | None:
    """Why no request can be made (no key, settings unreadable), or None when one can."""
    if app.options.sandbox:
        return None
    try:
        key = app.settings.api_key
    except AudienceError as exc:
        return exc.message
    return None if key else "no API key"


def _file_numbers(app: AppContext, path: str, region: str | None) -> set[str]:
    """The valid numbers of an --exclude file, read through the contacts pipeline."""
    from audience_cli.contacts import CsvOptions, collect_contacts
    from audience_cli.text import plural

    with collect_contacts(csv_path=path, options=CsvOptions(region=region)) as batch:
        numbers = {contact.phone for contact in batch}
        invalid = batch.report.invalid
    if invalid:
        app.note(
            f"--exclude {path}: {plural(invalid, 'row')} without a valid number "
            f"{'excludes' if invalid == 1 else 'exclude'} nothing"
        )
    return numbers


def _audience_numbers(app: AppContext, ref: str, region: str | None) -> Collection[str]:
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.dnc import audience_numbers

    client = app.client()
    return audience_numbers(client, resolve_audience(client, ref), region=region)


def dnc_numbers(app: AppContext, agent: str | None, region: str | None) -> Collection[str]:
    """The numbers of the do-not-call list that apply, read once; notes on what it held."""
    return load_dnc(app, agent, region, during_import=True).by_number.keys()


def load_dnc(
    app: AppContext, agent: str | None, region: str | None, *, during_import: bool
) -> DoNotCall:
    """The do-not-call list as it applies (organisation-wide, plus `agent`'s entries), with
    a warning for entries that are no number and a note when `agent` has none."""
    from audience_cli.core.dnc import load_do_not_call
    from audience_cli.text import plural

    dnc = load_do_not_call(app.client(), agent_id=agent, region=region, during_import=during_import)
    if dnc.unreadable:
        shown = ", ".join(repr(raw) for raw in dnc.unreadable[:3])
        more = ", …" if len(dnc.unreadable) > 3 else ""
        n = len(dnc.unreadable)
        app.warn(
            f"{plural(n, 'entry', 'entries')} of the do-not-call list "
            f"{'is' if n == 1 else 'are'} not a phone number and cannot match: {shown}{more}"
        )
    if agent and not dnc.agent_entries:
        app.note(f"No do-not-call entry is for agent {agent}: the organisation-wide entries apply.")
    return dnc
