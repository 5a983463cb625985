"""Confirmation before destructive actions: only on a terminal, never a hang."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audience_cli.errors import CliError, ExitCode, UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


def require_confirmation(
    app: AppContext, *, yes: bool, action: str, type_to_confirm: str, has_dry_run: bool = True
) -> None:
    """Return when the user has confirmed `action`; raise otherwise.

    With --yes: no question. Off a terminal (or with AUDIENCE_NO_INPUT set)
    and without --yes: a usage error at once. On a terminal the user types
    `type_to_confirm` (the audience's name) to go ahead.
    """
    if yes:
        return
    if not app.can_prompt:
        raise UsageError(
            f"--yes is required to {action} when not running interactively",
            hint="Add --yes (or -y) to confirm"
            + (", or --dry-run to see what would happen." if has_dry_run else "."),
        )
    import click

    app.say(f"This will {action}. It cannot be undone.", style="bold")
    try:
        answer = click.prompt(
            f"Type {type_to_confirm!r} to confirm", default="", show_default=False, err=True
        )
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None
    if answer.strip() != type_to_confirm:
        raise CliError("not confirmed: nothing was changed", exit_code=ExitCode.USAGE)
