"""`audience auth …`: store, show and remove the API key (the vendor CLI's credentials file).

The key is checked, stored 0600, and only ever shown redacted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.config import (
    ENV_API_KEY,
    ENV_BASE_URL,
    InvalidCredentialsError,
    backup_credentials,
    check_config_dir,
    check_key_format,
    credentials_path,
    permission_warnings,
    read_credentials,
    resolve_base_url,
    write_credentials,
)
from audience_cli.errors import AuthenticationError, ConfigError, UsageError
from audience_cli.redaction import redact_key

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext

ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="NAME",
        help="The profile to act on (default: the global --profile, else the default one).",
        show_default=False,
    ),
]


def _profile(app: AppContext, given: str | None) -> str | None:
    from audience_cli.config import DEFAULT_PROFILE, check_profile_name

    name = given or app.options.profile
    return None if not name or name == DEFAULT_PROFILE else check_profile_name(name)


app = typer.Typer(
    help="Store, show and remove the Atoms API key (~/.smallestai/credentials.json).",
    no_args_is_help=True,
)


@app.command(
    "login",
    # Whatever else is typed is taken here, to be refused without echoing it: it is
    # likely the key itself (`auth login sk_…`), which Click would print back.
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def login(
    ctx: typer.Context,
    with_token: Annotated[
        bool,
        typer.Option("--with-token", help="Read the key from stdin (e.g. < key.txt)."),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Store the key without checking it against the API.")
    ] = False,
    profile: ProfileOpt = None,
) -> None:
    """Check an API key against Atoms and store it (mode 0600).

    The key is read from a hidden prompt, or from stdin with --with-token;
    never from the command line, where other users could see it.

    [bold]Examples[/bold]

      audience auth login

      audience auth login --with-token < key.txt
    """
    refuse_arguments(ctx)
    run_login(ctx.obj, with_token=with_token, verify=not no_verify, profile=profile)


def refuse_arguments(ctx: typer.Context) -> None:
    """`auth login` takes no argument: the key is read from the prompt or stdin only. What
    was typed is never printed (it is likely the key); an unknown option is Click's usage
    error, as elsewhere, with its name alone."""
    args = ctx.args
    if not args:
        return
    import difflib

    import click

    from audience_cli.redaction import looks_like_key

    names = [arg.split("=")[0] for arg in args]
    if all(name.startswith("-") and len(name) > 1 and not looks_like_key(name) for name in names):
        known = [opt for param in ctx.command.params for opt in param.opts]
        raise click.NoSuchOption(
            names[0], possibilities=difflib.get_close_matches(names[0], known), ctx=ctx
        )
    given = "one given, not shown" if len(args) == 1 else f"{len(args)} given, not shown"
    raise UsageError(
        f"auth login takes no arguments ({given}): a key is never read from the command "
        "line, where other users can see it",
        hint="Paste the key at the hidden prompt of `audience auth login`, or pipe it in: "
        "`audience auth login --with-token < key.txt`.",
    )


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
    run_status(ctx.obj, verify=not offline)


@app.command("logout")
def logout(ctx: typer.Context, profile: ProfileOpt = None) -> None:
    """Remove the stored key from the credentials file.

    [bold]Example[/bold]

      audience auth logout
    """
    run_logout(ctx.obj, profile=profile)


def _read_key(app: AppContext, with_token: bool) -> str:
    if with_token:
        key = sys.stdin.readline().strip()
    elif app.can_prompt:
        import click

        try:
            key = click.prompt("Paste your Atoms API key", hide_input=True, err=True).strip()
        except click.exceptions.Abort:  # Ctrl-C or Ctrl-D at the prompt
            raise KeyboardInterrupt from None
    else:
        raise UsageError(
            "no terminal to ask for the key",
            hint="Pipe it in: audience auth login --with-token < key.txt",
        )
    if not key:
        raise UsageError("the key is empty")
    check_key_format(key, "stdin" if with_token else "the prompt")
    return key


def _link_target(path: Path) -> str | None:
    """What `path` points to when it is a symbolic link: it is then replaced or removed,
    never written through, so its target is left as it was (and the user is told)."""
    return os.readlink(path) if path.is_symlink() else None


def run_login(
    app: AppContext, *, with_token: bool, verify: bool, profile: str | None = None
) -> None:
    from audience_cli.config import stored_base_url

    if app.options.sandbox:
        raise UsageError("the sandbox needs no key: drop --sandbox to log in to Atoms")
    profile = _profile(app, profile)
    path = credentials_path(app.env, profile)
    check_config_dir(path.parent)  # before asking for a key that could not be stored
    # The file is about to be replaced by one of mode 0600: only its directory matters.
    for warning in permission_warnings(path, include_file=False):
        app.warn(warning)
    key = _read_key(app, with_token)
    invalid: InvalidCredentialsError | None = None
    try:
        data = read_credentials(path)
    except InvalidCredentialsError as exc:
        # What `audience auth login` is for: replace it (a copy is kept below).
        data, invalid = {}, exc
    if verify:
        base_url, _ = resolve_base_url(
            base_url_flag=app.options.base_url,
            env=app.env,
            credentials=lambda: data,
            credentials_file=path,
            allow_insecure_http=app.options.allow_insecure_http,
            profile=profile,  # a profile's key is checked where the profile will send it
        )
        client = app.client_for(base_url, key)
        try:
            client.list_audiences()
        except AuthenticationError:
            raise ConfigError(
                f"Atoms refused the key {redact_key(key)} (401): nothing was stored",
                hint="Copy the key again from the Smallest dashboard (keys start with sk_).",
            ) from None
        finally:
            client.close()
    backup = backup_credentials(path) if invalid is not None else None
    # Every field but access_token and base_url is kept as it was (the vendor's CLI
    # owns them). A --base-url given here is stored with the key (a regional host, as
    # the vendor's CLI does: as a host, since it appends /atoms/v1 itself).
    data["access_token"] = key
    if app.options.base_url:
        data["base_url"] = stored_base_url(app.options.base_url)
    link = _link_target(path)
    write_credentials(path, data)
    if invalid is not None:
        app.warn(
            f"{path} was {invalid.problem}: replaced it; "
            f"the old file is kept as {backup} (mode 0600)."
        )
    _say_link_left(app, path, link, "replaced the link with a regular file")
    checked = "checked and " if verify else ""
    where = f" with base URL {data['base_url']}" if app.options.base_url else ""
    named = f" for profile {profile!r}" if profile else ""
    app.success(f"Key {redact_key(key)} {checked}stored{named} in {path}{where} (mode 0600).")
    if app.env.get(ENV_API_KEY) and not profile:
        # A profile's key is what `--profile NAME` uses, whatever the environment holds.
        app.warn(
            f"{ENV_API_KEY} is set and takes precedence over the stored key "
            "(except with --profile)."
        )


def run_status(app: AppContext, *, verify: bool) -> None:
    from audience_cli.cli.output import emit_lines
    from audience_cli.config import DEFAULT_PROFILE, known_profiles

    settings = app.settings
    in_effect = app.options.profile or DEFAULT_PROFILE
    profiles = ", ".join(
        f"{name} (in effect)" if name == in_effect else name for name in known_profiles(app.env)
    )
    source = f" · from {settings.api_key_source}" if settings.api_key else ""
    key_unused = url_unused = ""
    if app.options.profile is not None and not app.options.sandbox:
        # A chosen profile stands whole: say which variables of the environment it overrides.
        if app.env.get(ENV_API_KEY, "").strip():
            key_unused = f" ({ENV_API_KEY} is set but not used)"
        if app.env.get(ENV_BASE_URL, "").strip() and not app.options.base_url:
            url_unused = f" ({ENV_BASE_URL} is set but not used)"
    emit_lines(
        app,
        [
            f"Profiles: {profiles}",
            f"API key:  {redact_key(settings.api_key)}{source}{key_unused}",
            f"Base URL: {settings.base_url} · from {settings.base_url_source}{url_unused}",
        ],
    )
    if not settings.api_key:
        from audience_cli.cli.hints import NO_KEY_MESSAGE

        raise ConfigError(NO_KEY_MESSAGE)
    if verify:
        from audience_cli.text import plural

        count = len(app.client().list_audiences())
        emit_lines(app, [f"Status:   key accepted ({plural(count, 'audience')} visible)"])


def run_logout(app: AppContext, *, profile: str | None = None) -> None:
    from audience_cli.config import check_profile_exists

    profile = _profile(app, profile)
    check_profile_exists(app.env, profile)
    path = credentials_path(app.env, profile)
    # The file is about to be removed or rewritten with mode 0600: only its directory matters.
    for warning in permission_warnings(path, include_file=False):
        app.warn(warning)
    link = _link_target(path)
    try:
        data = read_credentials(path)
    except InvalidCredentialsError as exc:
        # No backup: a logout is meant to leave no key behind, and this file may hold one.
        path.unlink()
        app.warn(f"{path} was {exc.problem}: removed it.")
        _say_link_left(app, path, link, "removed the link")
        return
    if "access_token" not in data:
        app.note(f"No stored key in {path}: nothing to do.")
        if app.env.get(ENV_API_KEY):
            app.warn(f"the key in {ENV_API_KEY} is what is in effect; unset it to log out.")
        return
    del data["access_token"]
    if data and not profile:  # the vendor's file: its other fields are not ours to drop
        write_credentials(path, data)
    else:  # a profile of this tool's own goes whole, its base URL too
        data = {}
        path.unlink()
    app.success(f"Removed the stored key from {path}.")
    _say_link_left(
        app, path, link, "replaced the link with a regular file" if data else "removed the link"
    )
    if app.env.get(ENV_API_KEY):
        app.warn(f"{ENV_API_KEY} is still set in this environment.")


def _say_link_left(app: AppContext, path: Path, link: str | None, done: str) -> None:
    if link is not None:
        app.warn(
            f"{path} was a symbolic link to {link}: {done}; "
            f"{link} itself is unchanged and may still hold a key."
        )
