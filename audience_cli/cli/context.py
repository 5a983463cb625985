"""The object every command receives: streams, notes on stderr, settings, a lazy API client.

Tests inject what they need to swap (terminal detection, HTTP transport,
sleep, environment) through `Overrides`, passed as Click's `obj`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audience_cli.config import (
    ENV_API_KEY,
    ENV_NO_INPUT,
    Settings,
    resolve_settings,
)
from audience_cli.errors import ConfigError, UsageError
from audience_cli.model import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, QUICK_DEADLINE
from audience_cli.redaction import MIN_SECRET, redact_text
from audience_cli.text import printable

if TYPE_CHECKING:
    import httpx
    from rich.console import Console

    from audience_cli.client import AtomsClient, RunDeadline
    from audience_cli.sandbox.store import SandboxStore


@dataclass
class Terminal:
    """Which of the standard streams are terminals."""

    stdin: bool
    stdout: bool
    stderr: bool

    @classmethod
    def detect(cls) -> Terminal:
        def tty(stream: Any) -> bool:
            try:
                return bool(stream.isatty())
            except (AttributeError, ValueError):
                return False

        return cls(stdin=tty(sys.stdin), stdout=tty(sys.stdout), stderr=tty(sys.stderr))


@dataclass
class Overrides:
    """What tests swap: passed as `obj=` to the Click runner."""

    terminal: Terminal | None = None
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] | None = None
    env: Mapping[str, str] | None = None
    clock: Callable[[], float] | None = None  # the run's and the client's monotonic clock
    wall_clock: Callable[[], datetime] | None = None  # the time of day (aware): `AppContext.now`


# Commands that read a little and answer at once: without --deadline, a run of one of
# them ends within QUICK_DEADLINE seconds of its first request, even against a host that
# does not answer (the retries of a request each get the whole --timeout).
QUICK_COMMANDS = frozenset({"list", "auth login", "auth status"})


@dataclass
class GlobalOptions:
    sandbox: bool = False
    base_url: str | None = None
    debug: bool = False
    quiet: bool = False
    allow_insecure_http: bool = False
    timeout: float = DEFAULT_TIMEOUT  # seconds for one request as a whole
    deadline: float | None = None  # seconds for the whole run (None: the command's default)
    profile: str | None = None  # whose credentials (None: the default profile)
    concurrency: int = DEFAULT_CONCURRENCY  # pages a read keeps in flight


@dataclass
class AppContext:
    options: GlobalOptions
    terminal: Terminal
    env: Mapping[str, str]
    overrides: Overrides = field(default_factory=Overrides)
    _client: AtomsClient | None = None
    _sandbox_noted: bool = False
    _config_warned: bool = False
    # How a command that changes an audience keeps it safe (`safekeeping.py`): how long it
    # waits for another run's lock (--wait), and whether it takes snapshots (--no-snapshot).
    lock_wait: float = 60.0
    take_snapshots: bool = True
    clock: Callable[[], float] = time.monotonic
    started: float = 0.0  # when the run began, on `clock`
    _secrets: set[str] = field(default_factory=set)  # API keys this run has used

    def now(self) -> datetime:
        """The time of the run (aware): the one place a command reads the time of day, so
        tests freeze it (`Overrides.wall_clock`)."""
        wall_clock = self.overrides.wall_clock
        return wall_clock() if wall_clock is not None else datetime.now(UTC)

    # --- consoles ----------------------------------------------------------

    @property
    def no_color(self) -> bool:
        return bool(self.env.get("NO_COLOR")) or self.env.get("TERM") == "dumb"

    @cached_property
    def out(self) -> Console:
        """Data: stdout. Rich styling only on a terminal."""
        from rich.console import Console

        return Console(
            file=sys.stdout,
            force_terminal=self.terminal.stdout and not self.no_color,
            no_color=self.no_color or not self.terminal.stdout,
            highlight=False,
            emoji=False,  # an audience named ":thumbs_up:" is shown as it is named
            soft_wrap=not self.terminal.stdout,
        )

    @cached_property
    def err(self) -> Console:
        """Notes, progress, warnings and errors: stderr."""
        from rich.console import Console

        return Console(
            file=sys.stderr,
            force_terminal=self.terminal.stderr and not self.no_color,
            no_color=self.no_color or not self.terminal.stderr,
            highlight=False,
            emoji=False,
            soft_wrap=True,
        )

    def redacted(self, text: str) -> str:
        """`text` without any API key this run knows (whole, cut short or re-cased) or
        URL password: every line the tool writes on stderr goes through here."""
        for secret in self.secrets():
            text = redact_text(text, secret)
        return text

    def secrets(self) -> list[str]:
        """The keys to hide: those given to a client, and the environment's."""
        found = set(self._secrets)
        if env_key := self.env.get(ENV_API_KEY, "").strip():
            found.add(env_key)
        return sorted(k for k in found if len(k) >= MIN_SECRET)

    def say(self, message: str, *, style: str | None = None) -> None:
        """A line on stderr, printed literally: never rich markup, never control codes,
        never the API key.

        Off a terminal there is no style to show, so the line is written as it is, and a
        run that only notes something (`--sandbox list` piped) never imports rich. On a
        terminal rich styles it, and `:name:` stays text, never an emoji."""
        message = self.redacted(message)
        if not self.terminal.stderr:
            sys.stderr.write(printable(message) + "\n")
            return
        self.err.print(printable(message), markup=False, highlight=False, emoji=False, style=style)

    def note(self, message: str) -> None:
        """An informational line on stderr (silenced by --quiet)."""
        if not self.options.quiet:
            self.say(message)

    def success(self, message: str) -> None:
        if not self.options.quiet:
            mark = "✓ " if self.terminal.stderr else ""
            self.say(f"{mark}{message}", style="green")

    def warn(self, message: str) -> None:
        self.say(f"warning: {message}", style="yellow")

    # --- prompting ---------------------------------------------------------

    @property
    def can_prompt(self) -> bool:
        no_input = self.env.get(ENV_NO_INPUT, "").strip().lower() not in ("", "0", "false", "no")
        return self.terminal.stdin and self.terminal.stdout and not no_input

    # --- the API client ----------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self.options.sandbox:
            from audience_cli.sandbox import EMBEDDED_API_KEY, EMBEDDED_BASE_URL

            return Settings(
                api_key=EMBEDDED_API_KEY,
                api_key_source="embedded sandbox",
                base_url=EMBEDDED_BASE_URL,
                base_url_source="--sandbox",
            )
        settings = resolve_settings(
            base_url_flag=self.options.base_url,
            env=self.env,
            allow_insecure_http=self.options.allow_insecure_http,
            profile=self.options.profile,
            flag_name="--base-url",
        )
        if (settings.warnings or settings.notes) and not self._config_warned:
            self._config_warned = True  # once per run, however often settings are asked for
            for warning in settings.warnings:
                self.warn(warning)
            for note in settings.notes:
                self.note(note)
        return settings

    def client(self) -> AtomsClient:
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self) -> AtomsClient:
        settings = self.settings
        transport = self.overrides.transport
        if self.options.sandbox:
            transport = transport or self._embedded_transport()
        elif not settings.api_key:
            from audience_cli.cli.hints import NO_KEY_MESSAGE

            raise ConfigError(NO_KEY_MESSAGE)
        return self.client_for(settings.base_url, settings.api_key or "", transport=transport)

    def client_for(
        self, base_url: str, api_key: str, *, transport: httpx.BaseTransport | None = None
    ) -> AtomsClient:
        """A client with this run's deadlines, retries, retry notes and request log
        (`auth login` checks a key that is not stored yet with one)."""
        from audience_cli.client import AtomsClient
        from audience_cli.config import (
            DEFAULT_MAX_RETRIES,
            choose_proxy,
            read_max_body,
            read_page_size,
        )
        from audience_cli.retry import RetryPolicy

        self._secrets.add(api_key)
        retry = RetryPolicy(max_retries=DEFAULT_MAX_RETRIES)
        if self.overrides.sleep is not None:
            retry.sleep = self.overrides.sleep
        transport = transport or self.overrides.transport
        proxy: str | None = None
        if transport is None:  # over the network: which proxy may carry the key
            proxy, unused = choose_proxy(base_url, self.env)
            if unused:
                self.warn(
                    f"the proxy {unused} from the environment is not used for {base_url}: "
                    "over plain http it would read the API key"
                )
        return AtomsClient(
            base_url,
            api_key,
            transport=transport,
            timeout=self.options.timeout,
            run_deadline=self.run_deadline(),
            clock=self.clock,
            max_body=read_max_body(self.env),
            proxy=proxy,
            retry=retry,
            log=self.log_request if self.options.debug else None,
            on_retry=self._note_retry,
            concurrency=self.options.concurrency,
            page_size=read_page_size(self.env),
        )

    def run_deadline(self) -> RunDeadline | None:
        """When the run must end: --deadline seconds after it began; else, for a quick
        command (`QUICK_COMMANDS`), QUICK_DEADLINE seconds from now (its first request:
        the time a person takes to type a key at a prompt is not counted); else never."""
        from audience_cli.client import RunDeadline

        if self.options.deadline is not None:
            return RunDeadline(self.started + self.options.deadline, self.options.deadline)
        if invoked_command() in QUICK_COMMANDS:
            return RunDeadline(self.clock() + QUICK_DEADLINE, QUICK_DEADLINE, given=False)
        return None

    def _embedded_transport(self) -> httpx.BaseTransport:
        from audience_cli.client import wsgi_transport
        from audience_cli.sandbox import default_db_path
        from audience_cli.sandbox.app import SandboxApp, SandboxConfig

        path = default_db_path(self.env)
        if not self._sandbox_noted:
            self._sandbox_noted = True
            self.note(f"Using the local sandbox ({path}); nothing is sent to Atoms.")
        try:
            config = SandboxConfig.from_env(self.env)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return wsgi_transport(SandboxApp(open_sandbox_store(path), config))

    def _note_retry(self, why: str, delay: float, attempt: int, most: int) -> None:
        self.note(f"{why}: trying again in {delay:.1f} s ({attempt} of {most})")

    def log_request(self, method: str, url: str, status: int | None, seconds: float) -> None:
        shown = "—" if status is None else str(status)
        line = self.redacted(f"debug: {method} {url} → {shown} in {seconds * 1000:.0f} ms")
        self.err.print(line, markup=False, style="dim")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@contextmanager
def sandbox_usage_errors() -> Iterator[None]:
    """The sandbox's own errors (a database file it cannot use) are the user's to fix: exit 2."""
    from audience_cli.sandbox.errors import SandboxError

    try:
        yield
    except SandboxError as exc:
        from audience_cli.cli.hints import sandbox_hint

        raise UsageError(exc.message, hint=sandbox_hint(exc)) from None


def open_sandbox_store(path: str | Path) -> SandboxStore:
    """The sandbox's SQLite store at `path`."""
    from audience_cli.sandbox.store import SandboxStore

    with sandbox_usage_errors():
        return SandboxStore(path)


def invoked_command() -> str:
    """The command being run, without the program's name: `list`, `auth login`."""
    import click

    ctx = click.get_current_context(silent=True)
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def build_context(obj: Any, options: GlobalOptions) -> AppContext:
    overrides = obj if isinstance(obj, Overrides) else Overrides()
    env = overrides.env if overrides.env is not None else os.environ
    terminal = overrides.terminal or Terminal.detect()
    if options.sandbox and options.base_url:
        raise UsageError("--sandbox and --base-url cannot be combined")
    clock = overrides.clock or time.monotonic
    return AppContext(
        options=options,
        terminal=terminal,
        env=env,
        overrides=overrides,
        clock=clock,
        started=clock(),
    )
