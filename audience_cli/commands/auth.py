"""`audience auth …`: store, show and remove the API key (the vendor CLI's credentials file)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Store, show and remove the Atoms API key (~/.smallestai/credentials.json).",
    no_args_is_help=True,
)


@app.command("login")
def login(
    ctx: typer.Context,
    with_token: Annotated[
        bool,
        typer.Option("--with-token", help="Read the key from stdin (e.g. < key.txt)."),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Store the key without checking it against the API.")
    ] = False,
) -> None:
    """Check an API key against Atoms and store it (mode 0600).

    The key is read from a hidden prompt, or from stdin with --with-token;
    never from the command line, where other users could see it.

    [bold]Examples[/bold]

      audience auth login

      audience auth login --with-token < key.txt
    """
    from audience_cli.auth import login as do_login

    do_login(ctx.obj, with_token=with_token, verify=not no_verify)


@app.command("status")
def status(
    ctx: typer.Context,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not check the key against the API.")
    ] = False,
) -> None:
    """Show which key and base URL are in effect, and where each comes from.

    The key is shown redacted (sk_…3f9a). Exit 4 when there is no key or it is refused.

    [bold]Example[/bold]

      audience auth status
    """
    from audience_cli.auth import status as do_status

    do_status(ctx.obj, verify=not offline)


@app.command("logout")
def logout(ctx: typer.Context) -> None:
    """Remove the stored key from the credentials file.

    [bold]Example[/bold]

      audience auth logout
    """
    from audience_cli.auth import logout as do_logout

    do_logout(ctx.obj)
