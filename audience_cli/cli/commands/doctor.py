"""`audience doctor`: the setup checked, read-only, a line per check (core/doctor.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands.options import JsonOpt
from audience_cli.errors import ExitCode

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.client import AtomsClient
    from audience_cli.core.doctor import Check, Target

StrictOpt = Annotated[
    bool, typer.Option("--strict", help=f"Exit {int(ExitCode.CHECKS_FAILED)} on a warning too.")
]


def doctor(ctx: typer.Context, as_json: JsonOpt = False, strict: StrictOpt = False) -> None:
    """Check the setup: the key, the base URL, the network, the API's answers, the clock.

    Read-only (GET requests only, each tried once; nothing is written): where the key comes
    from (shown redacted) and its file's mode, https, proxies, latency (median of 3), that
    the key can list audiences and read the do-not-call list, whether each answer matched
    the vendor's published spec (a warning when not) and reads as this tool reads it (a
    failure when not), the clock against the server's Date header, the versions, the state
    folder (snapshots kept, members pending from an interrupted run).

    One line per check: ok, warn or fail, what was found, and for warn and fail what to do
    on the next line. Exit 0 when nothing failed (warnings allowed, unless --strict), exit
    8 when a check failed. Run it when something is wrong, and before putting a job in cron.

    [bold]Examples[/bold]

      audience doctor

      audience --sandbox doctor

      audience doctor --json || alert
    """
    raise typer.Exit(run_doctor(ctx.obj, as_json=as_json, strict=strict))


def run_doctor(app: AppContext, *, as_json: bool, strict: bool) -> int:
    from audience_cli.core.doctor import Check, check_versions, run_checks
    from audience_cli.errors import AudienceError

    client: AtomsClient | None = None
    try:
        target = _target(app)
        client = _client(app, target)
        checks = run_checks(target, app.env, client)
    except AudienceError as exc:  # the settings cannot be read: nothing more to check
        from audience_cli.cli.hints import hint_for, message_for

        fix = hint_for(exc, sandbox=app.options.sandbox) or ""
        checks = [Check("settings", "fail", message_for(exc), fix), check_versions()]
    finally:
        if client is not None:
            client.close()
    _show(app, checks, as_json=as_json)
    failed = any(c.status == "fail" for c in checks)
    warned = any(c.status == "warn" for c in checks)
    return int(ExitCode.CHECKS_FAILED if failed or (strict and warned) else ExitCode.OK)


def _target(app: AppContext) -> Target:
    from audience_cli.config import credentials_path
    from audience_cli.core.doctor import Target

    settings = app.settings
    return Target(
        api_key=settings.api_key,
        key_source=settings.api_key_source,
        base_url=settings.base_url,
        url_source=settings.base_url_source,
        embedded=app.options.sandbox,
        credentials_file=None
        if app.options.sandbox
        else credentials_path(app.env, app.options.profile),
    )


def _client(app: AppContext, target: Target) -> AtomsClient:
    """The run's client; without a key, one that sends none (the network is still checked)."""
    if target.embedded or target.api_key:
        return app.client()
    return app.client_for(target.base_url, "")


def fix_of(check: Check) -> str:
    from audience_cli.cli.hints import DOCTOR_FIXES

    return DOCTOR_FIXES.get(check.action or "", check.fix)


def _show(app: AppContext, checks: list[Check], *, as_json: bool) -> None:
    import json

    from audience_cli.cli.output import emit_lines
    from audience_cli.core.doctor import summary

    counts = summary(checks)
    if as_json:
        document = {
            "checks": [
                {**c.as_json(), "fix": fix_of(c) if c.status != "ok" else ""} for c in checks
            ],
            "summary": counts,
            "ok": counts["fail"] == 0,
        }
        emit_lines(app, [app.redacted(json.dumps(document, indent=2, ensure_ascii=False))])
        return
    width = max(len(c.name) for c in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.status:<4}  {check.name:<{width}}  {check.detail}")
        if check.status != "ok" and (fix := fix_of(check)):
            lines.append(f"{'':<4}  {'':<{width}}  → {fix}")
    lines.append(f"{counts['ok']} ok · {counts['warn']} warn · {counts['fail']} fail")
    emit_lines(app, [app.redacted(line) for line in lines])
