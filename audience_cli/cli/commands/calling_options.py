"""When a member may be called: the calling-window and consent options, declared once
for every command that reads contacts against the calling rules (create, add, sync,
validate, check-hours, split).

`@calling_options()` adds --rules and the address and consent column options to a
command and hands it a checked `CallingInput` as its `calling` parameter; with
`screen=True` --callable-at and --require-consent too. The command turns it into the
core's `CallingRequest` at the time of the run (`CallingInput.request(app.now(), …)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from audience_cli.cli.commands.option_groups import replace_parameter
from audience_cli.errors import BadInstantError, UsageError

if TYPE_CHECKING:
    from audience_cli.calling.rules import Rules
    from audience_cli.core.callability import AddressColumns, CallingRequest

CALLING_PANEL = "When to call: local hours and consent"
ENV_RULES = "AUDIENCE_CALLING_RULES"

F = TypeVar("F", bound=Callable[..., Any])


def _option(*decls: str, metavar: str, help: str, **kw: Any) -> Any:
    return typer.Option(
        *decls,
        metavar=metavar,
        help=help,
        rich_help_panel=CALLING_PANEL,
        show_default=False,
        **kw,
    )


def _column(flag: str, what: str) -> tuple[Any, Any]:
    return (
        Annotated[
            str | None,
            _option(
                flag, metavar="NAME", help=f"The column holding {what} (default: found by name)."
            ),
        ],
        None,
    )


# name -> (annotation, default); in the order `--help` lists them.
CALLING_OPTIONS: dict[str, tuple[Any, Any]] = {
    "rules": (
        Annotated[
            str | None,
            _option(
                "--rules",
                metavar="FILE",
                envvar=ENV_RULES,
                help="The calling rules (TOML: windows, days, holidays by country and US "
                "state) in place of the built-in ones.",
            ),
        ],
        None,
    ),
    "tz_column": _column("--tz-column", "each member's time zone (IANA, e.g. America/Denver)"),
    "zip_column": _column("--zip-column", "each member's US ZIP code"),
    "state_column": _column("--state-column", "each member's US state or Canadian province"),
    "consent_column": _column("--consent-column", "each member's consent (yes/no or a date)"),
    "consent_max_age": (
        Annotated[
            int | None,
            _option(
                "--consent-max-age",
                metavar="DAYS",
                min=0,
                help="A consent given as a date counts for DAYS days (default: no limit).",
            ),
        ],
        None,
    ),
}

SCREEN_OPTIONS: dict[str, tuple[Any, Any]] = {
    "callable_at": (
        Annotated[
            str | None,
            _option(
                "--callable-at",
                metavar="TIME",
                help="Keep only members inside their local calling window at TIME "
                "('2026-12-07 10:00 America/New_York', '10:00 Europe/Paris' today, ISO 8601 "
                "with an offset, or 'now'); the others are rejected as OUTSIDE_HOURS, "
                "HOLIDAY or UNKNOWN_TIMEZONE.",
            ),
        ],
        None,
    ),
    "require_consent": (
        Annotated[
            bool,
            _option(
                "--require-consent",
                metavar="",
                help="Reject members whose consent column does not say yes (or gives a date "
                "older than --consent-max-age) as NO_CONSENT.",
            ),
        ],
        False,
    ),
}


@dataclass(frozen=True)
class CallingInput:
    """The calling options, checked: the rules read, the columns named, the planned time
    as written (read at the time of the run: `request`)."""

    rules: Rules | None = None  # None: not needed yet (read on demand: `rules_now`)
    rules_path: str | None = None
    columns: AddressColumns | None = None
    callable_at: str | None = None
    require_consent: bool = False
    consent_max_age: int | None = None

    def rules_now(self) -> Rules:
        from audience_cli.calling.rules import load_rules

        return self.rules if self.rules is not None else load_rules(self.rules_path)

    def at(self, now: datetime, flag: str = "--callable-at") -> datetime | None:
        """The planned time, read against `now` (None: not given)."""
        if self.callable_at is None:
            return None
        return parse_time_option(flag, self.callable_at, now)

    def request(self, now: datetime, *, enrich: bool = False) -> CallingRequest | None:
        """What the core is asked at `now` (the time of the run); None when there is nothing
        to check or add (no time, no consent required, no --enrich, no column named)."""
        from audience_cli.core.callability import AddressColumns, CallingRequest

        at = self.at(now)
        named = self.columns is not None and self.columns.named()
        if at is None and not self.require_consent and not enrich and not named:
            return None  # (a column named is still checked against the contacts')
        return CallingRequest(
            rules=self.rules_now(),
            now=now,
            columns=self.columns or AddressColumns(),
            at=at,
            require_consent=self.require_consent,
            consent_max_age=self.consent_max_age,
            enrich=enrich,
        )


def parse_time_option(flag: str, text: str, now: datetime) -> datetime:
    """`parse_instant` for an option: its mistakes as one line naming `flag`."""
    from audience_cli.calling.instants import parse_instant

    try:
        return parse_instant(text, now)
    except BadInstantError as exc:
        raise UsageError(f"{flag} {exc.text!r}: {exc.problem}") from None


def calling_input(
    *,
    rules: str | None = None,
    tz_column: str | None = None,
    zip_column: str | None = None,
    state_column: str | None = None,
    consent_column: str | None = None,
    consent_max_age: int | None = None,
    callable_at: str | None = None,
    require_consent: bool = False,
) -> CallingInput:
    """The options as given, checked once: the rules file read (a mistake in it is one
    line naming the file and the key), the time's form checked, the columns named."""
    from datetime import UTC

    from audience_cli.calling.rules import load_rules
    from audience_cli.core.callability import AddressColumns

    columns = AddressColumns(
        timezone=_name("--tz-column", tz_column),
        zip=_name("--zip-column", zip_column),
        state=_name("--state-column", state_column),
        consent=_name("--consent-column", consent_column),
    )
    if callable_at is not None:  # its form, now; its instant at the time of the run
        parse_time_option("--callable-at", callable_at, datetime(2000, 1, 1, tzinfo=UTC))
    path = rules if rules is None or rules.strip() else None
    return CallingInput(
        rules=load_rules(path) if path is not None else None,
        rules_path=path,
        columns=columns,
        callable_at=callable_at,
        require_consent=require_consent,
        consent_max_age=consent_max_age,
    )


def _name(flag: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise UsageError(f"{flag} is empty: give a column's name")
    return value.strip()


def calling_options(*, screen: bool = True) -> Callable[[F], F]:
    """Give a command the calling options, in place of its `calling` parameter.

    The command receives `calling: CallingInput`, already checked. With `screen=True`
    (create, add, sync) --callable-at and --require-consent are declared too; commands
    that only report (check-hours: its own --at) take `screen=False`."""
    declared = {**CALLING_OPTIONS, **(SCREEN_OPTIONS if screen else {})}

    def decorate(func: F) -> F:
        return replace_parameter(func, "calling", declared, calling_input)

    return decorate
