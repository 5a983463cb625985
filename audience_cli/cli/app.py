"""The `audience` command: global options, error handling, and the command table.

The root group builds only the command a run invokes (`command_table.py`), and
each command imports what it needs to run inside its function, so `audience
--help` and `audience list` import no other command's module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

from audience_cli import __version__
from audience_cli.cli.command_table import COMMANDS, LazyCommands
from audience_cli.config import (
    COMPLETE_VAR,
    ENV_DEADLINE,
    ENV_DEBUG,
    ENV_SANDBOX,
    ENV_TIMEOUT,
)
from audience_cli.errors import AudienceError, ExitCode, Terminated, exit_code_for, stop_word
from audience_cli.model import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    MAX_CONCURRENCY,
    QUICK_DEADLINE,
)

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from audience_cli.cli.context import AppContext

ARGV = "audience.argv"  # ctx.meta: the words the root command was given
GLOBAL_OPTIONS = frozenset(
    {
        "--sandbox",
        "--base-url",
        "--debug",
        "--quiet",
        "-q",
        "--allow-insecure-http",
        "--timeout",
        "--deadline",
        "--profile",
        "--concurrency",
    }
)


class AudienceGroup(TyperGroup):
    """Turns every error a command raises into one clear line and its exit code, and
    builds a command only when it runs: listings (`--help`, completion) read the table."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        lazy = LazyCommands(COMMANDS, self.rich_markup_mode)
        for name, command in self.commands.items():  # any registered eagerly
            lazy[name] = command
        self.commands = lazy
        self._listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # names only: TyperGroup's would build every command

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if self._listing and isinstance(self.commands, LazyCommands):
            return self.commands.listed(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self._listing_only():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        with self._listing_only():
            return super().shell_complete(ctx, incomplete)

    @contextmanager
    def _listing_only(self) -> Iterator[None]:
        """Commands are asked for their name and summary only: stand-ins will do."""
        listing, self._listing = self._listing, True
        try:
            yield
        finally:
            self._listing = listing

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:  # the global options' usage errors
            hide_keys(exc)
            raise

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `audience` alone: the help, and success (not a usage error). Completion parses
        # the words before the cursor resiliently: none is no reason to print anything.
        if not args and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            raise click.exceptions.Exit(int(ExitCode.OK))
        ctx.meta[ARGV] = list(args)  # for the hint of a global option given too late
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        # The words from the command on (the global options before it are parsed).
        from_command = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
            return result
        except click.NoSuchOption as exc:
            if exc.option_name in GLOBAL_OPTIONS and ctx.invoked_subcommand:
                words = ctx.meta.get(ARGV, [])
                line = globals_first(ctx, words, len(words) - len(from_command))
                exc.message += (  # type: ignore[misc]  # click's final is a hint, not a rule
                    f" {exc.option_name} is a global option: put it before the command: "
                    f"`{redact_environment_key(line)}`"
                )
            raise
        except click.UsageError as exc:
            # A command name not found, in this group or one below (`dnc chek`): Typer adds
            # "Did you mean …?" to the message, Click 8.4+ again when formatting (its
            # `possibilities`): say it once, Click's way when it has one.
            if getattr(exc, "possibilities", None):
                exc.message = exc.message.partition(" Did you mean ")[0]  # type: ignore[misc]
            hide_keys(exc)
            raise
        except click.ClickException as exc:
            hide_keys(exc)
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`audience members --all | head`): stop quietly.
            silence_stdout()
            raise click.exceptions.Exit(int(ExitCode.OK)) from None
        except (Exception, KeyboardInterrupt) as exc:  # the one place errors become exit codes
            code = report_error(ctx, exc)
            if isinstance(exc, OSError):
                silence_stdout()  # stdout may be what failed: do not fail again at exit
            raise click.exceptions.Exit(int(code)) from None
        finally:
            app_ctx = app_context(ctx)
            if app_ctx is not None:
                app_ctx.close()


def globals_first(ctx: click.Context, words: list[str], start: int) -> str:
    """The command line `words` with the global options given after the command (at
    `start`) moved before it, each with its value: `audience --concurrency 1 add X`.

    An option the command itself has (`auth login --profile NAME`) stays where it is; a
    value that is missing is shown by its metavar (`--concurrency N`)."""
    import shlex

    root = ctx.command
    command: click.Command = root
    parent = ctx
    end = start
    while isinstance(command, click.Group) and end < len(words):
        sub = command.get_command(parent, words[end])
        if sub is None:
            break
        parent = click.Context(sub, info_name=words[end], parent=parent)
        command, end = sub, end + 1
    own = {name for p in command.params for name in getattr(p, "opts", [])}
    options = {name: p for p in root.params for name in getattr(p, "opts", [])}
    moved: list[str] = []
    kept: list[str] = []
    rest = iter(words[start:])
    for word in rest:
        if word == "--":
            kept += [word, *rest]
            break
        name, eq, value = word.partition("=")
        option = options.get(name)
        if name not in GLOBAL_OPTIONS or name in own or not isinstance(option, click.Option):
            kept.append(word)
        elif option.is_flag:
            moved.append(name)
        else:
            given = value if eq else next(rest, None)
            moved += [name, given if given is not None else option.metavar or "VALUE"]
    return shlex.join(["audience", *words[:start], *moved, *kept])


def app_context(ctx: click.Context) -> AppContext | None:
    """The run's AppContext, once the global options have made one."""
    from audience_cli.cli.context import AppContext  # not at the top: `--help` needs none

    return ctx.obj if isinstance(ctx.obj, AppContext) else None


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# What each exit code means, as the README's table says it (tests/test_readme.py checks).
EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.UNEXPECTED: "unexpected error, or the system refused (disk full, permissions)",
    ExitCode.USAGE: "usage error: bad option, bad number, bad file, ambiguous or taken name, "
    "no --yes",
    ExitCode.ROWS_REJECTED: "done, but some input rows were rejected (see the report)",
    ExitCode.AUTH: "authentication: no API key, key refused (401) or not allowed (403)",
    ExitCode.NOT_FOUND: "audience or member not found (404)",
    ExitCode.REFUSED: "refused by a server rule (400), e.g. member limit, active campaign",
    ExitCode.UNAVAILABLE: "network error, timeout, the run's deadline, server unavailable or "
    "malformed answers after retries, answers the tool does not understand",
    ExitCode.CHECKS_FAILED: "doctor: a check failed (or warned, with --strict)",
    ExitCode.NOT_CALLABLE: "check-hours: some members may not be called at the time asked "
    "(outside their window, on a holiday, zone unknown or unreadable)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
    ExitCode.TERMINATED: "terminated (SIGTERM); what was done is reported as for Ctrl-C",
}


def report_error(ctx: click.Context, exc: BaseException) -> ExitCode:
    from rich.console import Console

    from audience_cli.cli.hints import hint_for, message_for
    from audience_cli.text import printable

    app_ctx = app_context(ctx)
    err = app_ctx.err if app_ctx else Console(file=sys.stderr, highlight=False, emoji=False)
    debug = bool(app_ctx and app_ctx.options.debug)
    code = exit_code_for(exc)
    redacted = app_ctx.redacted if app_ctx else redact_environment_key

    def say(text: str, style: str | None = None) -> None:
        text = printable(redacted(text))
        err.print(text, markup=False, highlight=False, style=style, soft_wrap=True)

    if isinstance(exc, KeyboardInterrupt):
        # On a terminal the ^C echo leaves the cursor mid-line.
        word = stop_word(exc)
        say(f"\n{word}" if app_ctx is None or app_ctx.terminal.stderr else word)
        return code
    if debug and sys.exc_info()[0] is not None:
        import traceback

        # Plain text, so that every line can be redacted (a server's answer in a local
        # variable's repr, or in an exception's message, may carry the key).
        sys.stderr.write(redacted("".join(traceback.format_exception(exc))))
    if isinstance(exc, OSError) and not isinstance(exc, AudienceError):
        # The system said no (disk full, permissions): not a bug to report.
        where = f" ({exc.filename})" if exc.filename else ""
        say(f"error: {exc.strerror or exc}{where}", style="red")
        return code
    if isinstance(exc, AudienceError):
        say(f"error: {message_for(exc)}", style="red")
        hint = hint_for(exc, sandbox=bool(app_ctx and app_ctx.options.sandbox))
        if hint:
            say(hint)
    else:
        say(f"unexpected error: {type(exc).__name__}: {exc}", style="red")
        if not debug:
            say("Run again with --debug for a traceback, and please report it.")
    return code


app = typer.Typer(
    cls=AudienceGroup,
    name="audience",
    help=(
        "Manage the audiences (phone lists) that Atoms calling campaigns dial.\n\n"
        "Try it with no account: audience --sandbox create Demo --phone +14155552671"
    ),
    no_args_is_help=False,  # AudienceGroup prints the help itself, with exit 0
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"audience {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    sandbox_: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            envvar=ENV_SANDBOX,
            help="Use the embedded local sandbox instead of Atoms: no network, no key.",
        ),
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="API base URL (default: SMALLEST_BASE_URL, the credentials file, "
            "or https://api.smallest.ai/atoms/v1). A bare host gets /atoms/v1.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar=ENV_DEBUG,
            help="Log each request (method, URL, status, time) to stderr; tracebacks on errors.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Silence notes on stderr (errors still show).")
    ] = False,
    allow_insecure_http: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-http",
            help="Allow an http:// base URL that is not loopback (e.g. a TLS-terminating proxy).",
        ),
    ] = False,
    timeout: Annotated[
        str | None,
        typer.Option(
            "--timeout",
            envvar=ENV_TIMEOUT,
            metavar="SECONDS",
            help=f"Give up on one request after SECONDS (default {DEFAULT_TIMEOUT:g}), from "
            "connecting to the last byte of the answer, a slow answer included; connecting "
            f"gets at most {DEFAULT_CONNECT_TIMEOUT:g} s. Each retry gets as long.",
            show_default=False,
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            "--deadline",
            envvar=ENV_DEADLINE,
            metavar="SECONDS",
            help="Give up on the whole run after SECONDS: no retry starts after it and the "
            "request under way is cut (exit 7). Default: none, except "
            f"{QUICK_DEADLINE:g} s for list, auth login and auth status.",
            show_default=False,
        ),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            envvar="AUDIENCE_CONCURRENCY",
            metavar="N",
            min=1,
            max=MAX_CONCURRENCY,
            help="Requests in flight: pages of members read at once (members --all, export, "
            "sync, diff, add near the limit) and of the do-not-call list; adds send at most "
            "4 at once, 1 keeps file order.",
        ),
    ] = DEFAULT_CONCURRENCY,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            envvar="AUDIENCE_PROFILE",
            metavar="NAME",
            help="Use the key and base URL stored for NAME by `audience auth login --profile "
            "NAME` (default: the vendor's ~/.smallestai/credentials.json).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    from audience_cli.cli.context import GlobalOptions, build_context

    try:
        options = GlobalOptions(
            sandbox=sandbox_,
            base_url=base_url,
            debug=debug,
            quiet=quiet,
            allow_insecure_http=allow_insecure_http,
            timeout=_seconds(ctx, "timeout", timeout) or DEFAULT_TIMEOUT,
            deadline=_seconds(ctx, "deadline", deadline),
            profile=profile or None,
            concurrency=concurrency,
        )
        ctx.obj = build_context(ctx.obj, options)
    except AudienceError as exc:
        report_error(ctx, exc)
        raise typer.Exit(int(exc.exit_code)) from None


def _seconds(ctx: click.Context, name: str, value: str | None) -> float | None:
    """A global option's seconds (None: not given), a bad value named as the user gave it
    (the flag or the variable)."""
    from audience_cli.config import read_seconds
    from audience_cli.model import MAX_TIMEOUT

    if value is None:
        return None
    source = ctx.get_parameter_source(name)
    given = (
        f"{ENV_TIMEOUT if name == 'timeout' else ENV_DEADLINE}="
        if source == click.core.ParameterSource.ENVIRONMENT
        else f"--{name}"
    )
    return read_seconds(value, given, most=MAX_TIMEOUT if name == "timeout" else None)


def complete_command_name(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """`audience help au<Tab>`: the names (and summaries) of the commands at that level."""
    root = ctx.find_root()
    group: click.Command = root.command
    parent = root
    for name in ctx.params.get("command") or []:
        found = group.get_command(parent, name) if isinstance(group, click.Group) else None
        if found is None:
            return []
        parent = click.Context(found, info_name=name, parent=parent)
        group = found
    if not isinstance(group, click.Group):
        return []
    found_names: list[tuple[str, str]] = []
    for name in group.list_commands(parent):
        if not name.startswith(incomplete):
            continue
        if group is root.command:  # the table's summary: no command is built
            found_names.append((name, COMMANDS[name].summary if name in COMMANDS else ""))
            continue
        command = group.get_command(parent, name)
        if command is not None and not command.hidden:
            found_names.append((name, command.get_short_help_str()))
    return found_names


def help_command(
    ctx: typer.Context,
    command: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[COMMAND]...",
            help="A command, e.g. `members` or `auth login`.",
            autocompletion=complete_command_name,
        ),
    ] = None,
) -> None:
    """Show the help of the tool, or of a command: `audience help add` is `audience add --help`.

    [bold]Examples[/bold]

      audience help

      audience help sandbox serve
    """
    from difflib import get_close_matches

    from audience_cli.errors import UsageError

    root = ctx.find_root()
    target: click.Command = root.command
    parent = root
    for name in command or []:
        found = target.get_command(parent, name) if isinstance(target, click.Group) else None
        if found is None:
            close = (
                get_close_matches(name, target.list_commands(parent))
                if isinstance(target, click.Group)
                else []
            )
            words = [*parent.command_path.split()[1:], *close[:1]]
            raise UsageError(
                f"no command {' '.join(command or [])!r}: see `audience help`",
                hint=f"Did you mean `audience help {' '.join(words)}`?" if close else None,
            )
        parent = click.Context(found, info_name=name, parent=parent)
        target = found
    typer.echo(target.get_help(parent))


def hide_keys(exc: click.ClickException) -> None:
    """Click's usage errors echo what was typed (`No such command 'sk_…'`, `Invalid value
    for '--concurrency': 'sk_…'`): anything shaped like a key, and the environment's key,
    is masked in them."""
    from audience_cli.redaction import hide_key_like

    exc.message = redact_environment_key(hide_key_like(exc.message))  # type: ignore[misc]


def redact_environment_key(text: str) -> str:
    """`text` without the environment's API key: for errors before a run has a context."""
    from audience_cli.config import ENV_API_KEY
    from audience_cli.redaction import MIN_SECRET, redact_text

    key = os.environ.get(ENV_API_KEY, "").strip()
    return redact_text(text, key if len(key) >= MIN_SECRET else None)


def main() -> None:
    if COMPLETE_VAR in os.environ:
        # Typer registers its shell classes only with add_completion; we print scripts ourselves.
        from typer.completion import completion_init

        from audience_cli.cli.commands.completion import use_zsh_completion

        completion_init()
        use_zsh_completion()
    on_sigterm_stop_as_on_ctrl_c()
    try:
        app(prog_name="audience")
    except KeyboardInterrupt as exc:
        sys.stderr.write(f"{stop_word(exc)}\n")
        sys.exit(int(exit_code_for(exc)))
    except Exception as exc:  # outside a command (its errors are reported by the group)
        text = f"unexpected error: {type(exc).__name__}: {exc}"
        sys.stderr.write(redact_environment_key(text) + "\n")
        sys.exit(int(ExitCode.UNEXPECTED))


def on_sigterm_stop_as_on_ctrl_c() -> None:
    """SIGTERM (a cron job's timeout, `kill`, a container stopping) stops the run the way
    Ctrl-C does: the work under way is cut, what was done is reported, and members taken
    out for an update are put back or journaled. Without this, SIGTERM ended the run
    silently wherever it was."""
    import contextlib
    import signal

    def stop(signum: int, frame: object) -> None:
        raise Terminated()

    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no SIGTERM
        signal.signal(signal.SIGTERM, stop)
