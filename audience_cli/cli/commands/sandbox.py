"""`audience sandbox …`: run, reset and shape the local emulator of the Atoms API."""

from __future__ import annotations

from typing import Annotated

import click
import typer

from audience_cli.cli.commands.options import (
    MAX_MEMBER_LIMIT,
    MAX_PAGE_SIZE,
    DbOpt,
    YesOpt,
    sandbox_db,
)

app = typer.Typer(
    help="The local sandbox: an emulator of the Atoms audience API backed by SQLite.",
    no_args_is_help=True,
)

FAULTS = "Fault injection"


def _fault_option(name: str, help: str) -> typer.models.OptionInfo:
    """A share of requests, 0 to 1."""
    return typer.Option(name, min=0.0, max=1.0, metavar="RATE", help=help, rich_help_panel=FAULTS)


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any).")] = 8787,
    db: DbOpt = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="AUDIENCE_SANDBOX_API_KEY",
            metavar="KEY",
            help="Accept only this Bearer key (default: any non-empty key). "
            "Prefer the AUDIENCE_SANDBOX_API_KEY variable: argv is visible to other users.",
            show_default=False,
        ),
    ] = None,
    member_limit: Annotated[
        int,
        typer.Option(
            "--member-limit", min=1, max=MAX_MEMBER_LIMIT, help="Members allowed per audience."
        ),
    ] = 10_000,
    max_page_size: Annotated[
        int,
        typer.Option(
            "--max-page-size",
            min=1,
            max=MAX_PAGE_SIZE,
            help="Largest page the members endpoint serves.",
        ),
    ] = 100,
    campaign_seed: Annotated[
        int,
        typer.Option(
            "--campaign-seed",
            envvar="AUDIENCE_SANDBOX_CAMPAIGN_SEED",
            metavar="N",
            help="Seed of started campaigns' simulated calls: the same audience and seed "
            "give the same outcomes.",
        ),
    ] = 0,
    campaign_finish: Annotated[
        str,
        typer.Option(
            "--campaign-finish",
            metavar="STATUS",
            click_type=click.Choice(["completed", "running"]),
            help="Status of a started campaign once its calls are simulated: completed or "
            "running (still under way).",
        ),
    ] = "completed",
    fail_rate: Annotated[
        float, _fault_option("--fail-rate", "Share of requests answered 500, 502 or 503 unserved.")
    ] = 0.0,
    ambiguous_rate: Annotated[
        float,
        _fault_option(
            "--ambiguous-rate",
            "Share of requests served, then the answer lost: dropped connection, "
            "502 page, cut-off body or invalid JSON.",
        ),
    ] = 0.0,
    drop_rate: Annotated[
        float, _fault_option("--drop-rate", "Share of requests dropped unserved (no answer).")
    ] = 0.0,
    slow_rate: Annotated[
        float, _fault_option("--slow-rate", "Share of requests answered --slow-ms late.")
    ] = 0.0,
    slow_ms: Annotated[
        int,
        typer.Option(
            "--slow-ms", min=0, metavar="MS", help="Delay of slow answers.", rich_help_panel=FAULTS
        ),
    ] = 2000,
    trickle: Annotated[
        bool,
        typer.Option(
            "--trickle",
            help="Slow answers: the headers at once, the body a few bytes at a time.",
            rich_help_panel=FAULTS,
        ),
    ] = False,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit",
            metavar="N",
            click_type=click.FloatRange(min=0, min_open=True),
            help="Requests per second; beyond: 429 with Retry-After, unserved.",
            show_default=False,
            rich_help_panel=FAULTS,
        ),
    ] = None,
    latency: Annotated[
        int,
        typer.Option(
            "--latency",
            min=0,
            metavar="MS",
            help="Delay added to every answer.",
            rich_help_panel=FAULTS,
        ),
    ] = 0,
    fault_methods: Annotated[
        str | None,
        typer.Option(
            "--fault-methods",
            metavar="METHODS",
            help="Only requests of these methods are faulty, e.g. POST (every add and "
            "create) or POST,DELETE (every write). Default: all.",
            show_default=False,
            rich_help_panel=FAULTS,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="N",
            help="Seed of the fault dice: the same seed and requests give the same faults "
            "(default: a random seed, shown at start).",
            show_default=False,
            rich_help_panel=FAULTS,
        ),
    ] = None,
) -> None:
    """Serve the sandbox over HTTP until Ctrl-C.

    The fault options make it misbehave on purpose, reproducibly with --seed, to
    test retries and deadlines: the rates are shares of requests (0 to 1, adding
    up to at most 1); on Ctrl-C the faults injected are counted by kind.

    [bold]Examples[/bold]

      audience sandbox serve --port 8787

      SMALLEST_API_KEY=sk_sandbox audience --base-url http://127.0.0.1:8787 list
      (in another shell: any key will do, unless --api-key names one)

      audience sandbox serve --port 8787 --ambiguous-rate 0.1 --seed 7

      audience sandbox serve --fail-rate 0.2 --slow-rate 0.1 --rate-limit 5

      audience sandbox serve --campaign-seed 7 --campaign-finish running
    """
    from audience_cli.cli.context import sandbox_usage_errors
    from audience_cli.config import is_loopback_host
    from audience_cli.errors import UsageError
    from audience_cli.sandbox.app import SandboxConfig
    from audience_cli.sandbox.faults import FaultConfig
    from audience_cli.sandbox.server import build_server, fault_injector

    if not is_loopback_host(host):
        raise UsageError(f"--host {host}: the sandbox serves loopback only (127.0.0.1, ::1)")
    if api_key is not None and not (api_key and all(33 <= ord(c) < 127 for c in api_key)):
        raise UsageError(  # not shown: it may be a real key pasted by mistake
            "the sandbox's key (--api-key, AUDIENCE_SANDBOX_API_KEY) must be one run of "
            "visible ASCII characters: no client could send this one"
        )
    path = sandbox_db(ctx.obj, db)
    config = SandboxConfig(
        api_key=api_key,
        member_limit=member_limit,
        max_page_size=max_page_size,
        campaign_seed=campaign_seed,
        campaign_finish=campaign_finish,
    )
    try:
        faults = FaultConfig(
            fail_rate=fail_rate,
            ambiguous_rate=ambiguous_rate,
            drop_rate=drop_rate,
            slow_rate=slow_rate,
            slow_ms=slow_ms,
            trickle=trickle,
            rate_limit=rate_limit,
            latency_ms=latency,
            seed=seed,
            methods=_methods(fault_methods),
        )
    except ValueError as exc:  # e.g. rates adding up to more than 1
        raise UsageError(str(exc).replace("_", "-")) from None
    _check_port_free(host, port)
    with sandbox_usage_errors():
        server = build_server(
            path, host=host, port=port, config=config, faults=faults, fault_log=ctx.obj.say
        )
    injector = fault_injector(server)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{server.server_port}"
    err = ctx.obj.err
    _plain_request_log(ctx.obj.terminal.stderr and not ctx.obj.no_color)
    err.print(f"Sandbox serving {url}/atoms/v1 (db: {path})", markup=False)
    if injector is not None:
        err.print(f"Faults on: {injector.describe()}", markup=False)
    err.print(f"Try: {try_line(url, api_key)}    ·    Ctrl-C to stop", markup=False)
    try:
        server.serve_forever()  # Werkzeug's loop ends quietly on Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    if injector is not None:
        err.print(f"Faults injected: {injector.stats.summary()}", markup=False)
    err.print("Stopped.", markup=False)


ANY_KEY = "sk_sandbox"  # what the banner's line sends to a sandbox that takes any key


def try_line(url: str, api_key: str | None) -> str:
    """A command that works against the served sandbox, pasted into another shell: the
    key it accepts (the one it was started with, else any: `sk_sandbox`) in
    SMALLEST_API_KEY for that command alone, since `--base-url` alone has no key."""
    import shlex

    key = shlex.quote(api_key) if api_key else ANY_KEY
    return f"SMALLEST_API_KEY={key} audience --base-url {url} list"


def _plain_request_log(colour: bool) -> None:
    """Werkzeug colours its request log whatever the stream; off a terminal (a log file,
    `> log 2>&1`) or with NO_COLOR the lines are plain text."""
    import werkzeug.serving

    # Werkzeug has no public switch for this; its module flag is the one it reads.
    werkzeug.serving._log_add_style = colour


def _methods(text: str | None) -> tuple[str, ...]:
    """--fault-methods POST,DELETE: HTTP methods, checked."""
    from audience_cli.errors import UsageError

    methods = tuple(m.strip().upper() for m in (text or "").split(",") if m.strip())
    known = {"GET", "POST", "DELETE", "PUT", "PATCH"}
    for method in methods:
        if method not in known:
            raise UsageError(
                f"--fault-methods {text!r}: {method} is not one of {', '.join(sorted(known))}"
            )
    return methods


def _check_port_free(host: str, port: int) -> None:
    """Say so plainly when the port is taken (Werkzeug would print and exit 1)."""
    import socket

    from audience_cli.errors import UsageError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                hint="Another program (perhaps another sandbox) uses it: pick --port.",
            ) from None


@app.command("reset")
def reset(ctx: typer.Context, db: DbOpt = None, yes: YesOpt = False) -> None:
    """Delete every audience, member, campaign and do-not-call entry in the sandbox.

    [bold]Example[/bold]

      audience sandbox reset --yes
    """
    from audience_cli.cli.context import open_sandbox_store
    from audience_cli.cli.prompts import require_confirmation

    path = sandbox_db(ctx.obj, db)
    require_confirmation(
        ctx.obj,
        yes=yes,
        action=f"empty the sandbox at {path}",
        type_to_confirm="reset",
        has_dry_run=False,
    )
    open_sandbox_store(path).reset()
    ctx.obj.success(f"Sandbox emptied ({path}).")


def _add_dnc_group() -> None:
    from audience_cli.cli.commands import sandbox_dnc

    app.add_typer(sandbox_dnc.app, name="dnc")  # `audience sandbox dnc …`


def _add_campaign_group() -> None:
    from audience_cli.cli.commands import sandbox_campaign

    app.add_typer(sandbox_campaign.app, name="campaign")  # `audience sandbox campaign …`


_add_dnc_group()
_add_campaign_group()
