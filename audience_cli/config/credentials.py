"""The credentials file: where it is (the default profile's, or a named profile's), read,
checked for who else can read or write it, written 0600 and backed up.

The default profile's file is the vendor CLI's own (`~/.smallestai/credentials.json`):
every field in it is kept as it is, and only `access_token` is ours to change.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from audience_cli.errors import (
    ConfigError,
    CredentialsFieldError,
    InvalidCredentialsError,
    KeyAsProfileNameError,
    UnknownProfileError,
    UsageError,
)
from audience_cli.files import write_private
from audience_cli.redaction import looks_like_key

ENV_CONFIG_DIR = "SMALLEST_CONFIG_DIR"
ENV_PROFILE = "AUDIENCE_PROFILE"
ENV_PROFILES_DIR = "AUDIENCE_CONFIG_DIR"
DEFAULT_PROFILE = "default"
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def credentials_path(env: Mapping[str, str] | None = None, profile: str | None = None) -> Path:
    """The credentials file of `profile`: for the default profile, the vendor CLI's own
    (`smallestai auth login` writes it); for any other, one in this tool's config folder."""
    env = os.environ if env is None else env
    if profile and profile != DEFAULT_PROFILE:
        return profiles_dir(env) / f"{check_profile_name(profile)}.json"
    base = env.get(ENV_CONFIG_DIR)
    return (Path(base) if base else Path.home() / ".smallestai") / "credentials.json"


def profiles_dir(env: Mapping[str, str]) -> Path:
    """Where profiles other than the default live (`AUDIENCE_CONFIG_DIR`/profiles)."""
    base = env.get(ENV_PROFILES_DIR)
    if base:
        return Path(base) / "profiles"
    from platformdirs import user_config_path

    return user_config_path("audience-cli", appauthor=False) / "profiles"


def check_profile_name(name: str) -> str:
    if looks_like_key(name):  # a key typed where the name goes: never echoed, never a file
        raise KeyAsProfileNameError(
            "that profile name looks like an API key: it is not shown, and not used"
        )
    if not _PROFILE_NAME.fullmatch(name):
        raise UsageError(
            f"profile {name!r}: use letters, digits, '.', '_' and '-' (up to 64), "
            "starting with a letter or digit"
        )
    return name


def known_profiles(env: Mapping[str, str]) -> list[str]:
    """The default profile, then every other one that has a file, by name."""
    folder = profiles_dir(env)
    others = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
    return [DEFAULT_PROFILE, *(n for n in others if n != DEFAULT_PROFILE)]


def check_profile_exists(env: Mapping[str, str], profile: str | None) -> None:
    """An unknown profile is a usage error naming the known ones (`auth login` makes one)."""
    if not profile or profile == DEFAULT_PROFILE:
        return
    if not credentials_path(env, profile).exists():
        raise UnknownProfileError(
            f"no profile {profile!r}: the profiles are {', '.join(known_profiles(env))}",
            profile=profile,
        )


BACKUP_SUFFIX = ".bak"


def read_credentials(path: Path) -> dict[str, Any]:
    """The whole JSON object of the credentials file ({} when there is none).

    Every field is kept as it is (numbers, objects, booleans too): the vendor's CLI
    shares the file, and only `access_token` is ours to change.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read credentials ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidCredentialsError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        where = f":{exc.lineno}:{exc.colno}"
        raise InvalidCredentialsError(path, f"not valid JSON ({exc.msg})", where) from None
    if not isinstance(data, dict):
        raise InvalidCredentialsError(path, "not a JSON object")
    return data


def credentials_text(data: Mapping[str, Any], name: str, path: Path) -> str:
    """A string field of the credentials file, stripped ("" when absent or null)."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        kind = {bool: "a boolean", int: "a number", float: "a number", list: "an array"}.get(
            type(value), "an object"
        )
        raise CredentialsFieldError(
            f"{path}: {name} is {kind}, not a string",
            field=name,
            hint=None if name == "access_token" else f"Fix or remove {name} in the file.",
        )
    return value.strip()


# --- permissions ---------------------------------------------------------------------


def _mode(path: Path) -> int | None:
    """The permission bits of `path` (of what a link points to), None when there is
    nothing there or on systems without POSIX modes."""
    if os.name != "posix":
        return None
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def _exposed_to(mode: int, group_bit: int, other_bit: int) -> str | None:
    if mode & other_bit:
        return "others"
    if mode & group_bit:
        return "its group"
    return None


def permission_warnings(path: Path, *, include_file: bool = True) -> list[str]:
    """One line for the credentials file's directory if its group or others can write
    to it, one for the file if they can read or write it (without `warning:`)."""
    warnings = []
    directory = path.parent
    mode = _mode(directory)
    if mode is not None and (who := _exposed_to(mode, stat.S_IWGRP, stat.S_IWOTH)):
        anyone = "anyone" if who == "others" else "members of its group"
        warnings.append(
            f"{directory} is writable by {who} (mode {mode:04o}): "
            f"{anyone} could replace the credentials file"
        )
    mode = _mode(path) if include_file else None
    if mode is not None:
        if who := _exposed_to(mode, stat.S_IRGRP, stat.S_IROTH):
            anyone = "anyone" if who == "others" else "members of its group"
            warnings.append(
                f"{path} is readable by {who} (mode {mode:04o}): {anyone} could read the API key"
            )
        elif who := _exposed_to(mode, stat.S_IWGRP, stat.S_IWOTH):
            anyone = "anyone" if who == "others" else "members of its group"
            warnings.append(
                f"{path} is writable by {who} (mode {mode:04o}): "
                f"{anyone} could change the API key and base URL in it"
            )
    return warnings


def check_config_dir(directory: Path) -> None:
    """Refuse to store credentials in a directory others can write to: whoever can
    write there can swap the file for one with their key and their base URL."""
    mode = _mode(directory)
    if mode is not None and mode & stat.S_IWOTH:
        raise ConfigError(
            f"refusing to write credentials in {directory}: it is writable by others "
            f"(mode {mode:04o}), so anyone could replace the credentials file",
            hint=f"Make it private with `chmod 700 {shlex.quote(str(directory))}`, "
            f"or set {ENV_CONFIG_DIR} to a private directory.",
        )


# --- writing -------------------------------------------------------------------------


def write_credentials(path: Path, data: Mapping[str, Any]) -> None:
    """Write the credentials file (the whole object), mode 0600 from its first byte.

    Refused (ConfigError) when others can write to its directory.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_config_dir(path.parent)
    write_private(path, (json.dumps(dict(data), indent=2) + "\n").encode("utf-8"))


def backup_credentials(path: Path) -> Path:
    """Copy the credentials file, as it is, to `credentials.json.bak` (mode 0600)."""
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    check_config_dir(path.parent)
    write_private(backup, path.read_bytes())
    return backup
