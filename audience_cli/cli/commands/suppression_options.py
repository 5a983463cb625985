"""Who must not be called: the options declared once for every command that imports
contacts (create, add, sync, validate), and the suppression an import applies.

`@suppression_options()` adds --no-dnc, --agent, --exclude and --exclude-audience to
a command and hands it a checked `SuppressionInput` as its `suppression` parameter,
which the core reads (`core.imports`); `AppImportEdge` is what an import says on this
command line, and how its lists are named in the rejects.
Numbers on the organisation's do-not-call list are rejected as DO_NOT_CALL (by
default), numbers of an --exclude file or audience as EXCLUDED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from audience_cli.cli.commands.option_groups import replace_parameter
from audience_cli.core.imports import SuppressionInput
from audience_cli.errors import AudienceError, UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.client import AtomsClient
    from audience_cli.core.dnc import DoNotCall
    from audience_cli.core.outcomes import OutcomeSettings
    from audience_cli.core.recall import RecallSelection

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
                help="Reject the numbers of FILE as EXCLUDED: a CSV or one number a line, "
                "read as the contacts are (--encoding, --region; --phone-column when FILE "
                "has that column, else found by name) (repeatable).",
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


# --- what an import says ---------------------------------------------------------------


class AppImportEdge:
    """`core.imports.ImportEdge` on the command line: the app's client, notes and warnings."""

    def __init__(self, app: AppContext) -> None:
        self.app = app

    def client(self) -> AtomsClient:
        return self.app.client()

    def offline_reason(self) -> str | None:
        """Why no request can be made (no key, settings unreadable), or None when one can."""
        app = self.app
        if app.options.sandbox:
            return None
        try:
            key = app.settings.api_key
        except AudienceError as exc:
            return exc.message
        return None if key else "no API key"

    def reading_stdin(self) -> None:
        if self.app.terminal.stdin:
            self.app.note(
                "Reading CSV from the terminal: paste it, then press Ctrl-D on a new line."
            )

    def exclude_read(self, path: str, invalid: int) -> None:
        from audience_cli.text import plural

        self.app.note(
            f"--exclude {path}: {plural(invalid, 'row')} without a valid number "
            f"{'excludes' if invalid == 1 else 'exclude'} nothing"
        )

    def exclude_detail(self, path: str) -> str:
        return f"in {path} (--exclude)"

    def audience_detail(self, ref: str) -> str:
        return f"in audience {ref!r} (--exclude-audience)"

    def dnc_skipped(self, why: str) -> None:
        from audience_cli.cli.hints import dnc_skipped

        self.app.warn(dnc_skipped(why))

    def dnc_read(self, dnc: DoNotCall, agent: str | None) -> None:
        """A warning for entries that are no number, a note when `agent` has none."""
        from audience_cli.text import plural

        if dnc.unreadable:
            shown = ", ".join(repr(raw) for raw in dnc.unreadable[:3])
            more = ", …" if len(dnc.unreadable) > 3 else ""
            n = len(dnc.unreadable)
            self.app.warn(
                f"{plural(n, 'entry', 'entries')} of the do-not-call list "
                f"{'is' if n == 1 else 'are'} not a phone number and cannot match: {shown}{more}"
            )
        if agent and not dnc.agent_entries:
            self.app.note(
                f"No do-not-call entry is for agent {agent}: the organisation-wide entries apply."
            )

    def outcome_settings(self) -> OutcomeSettings:
        from audience_cli.core.outcomes import OutcomeSettings

        return OutcomeSettings.from_env(self.app.env)

    def recall_selected(self, selection: RecallSelection) -> None:
        from audience_cli.cli.views import recall_lines

        for line in recall_lines(selection):
            self.app.note(line)


def load_dnc(
    app: AppContext, agent: str | None, region: str | None, *, during_import: bool
) -> DoNotCall:
    """The do-not-call list as it applies (organisation-wide, plus `agent`'s entries), with
    a warning for entries that are no number and a note when `agent` has none."""
    from audience_cli.core.imports import read_do_not_call

    return read_do_not_call(AppImportEdge(app), agent, region, during_import=during_import)
