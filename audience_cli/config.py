"""Where the API key and base URL come from: flags > environment > credentials file > defaults.

No typer, rich or httpx here: plain data that the CLI and tests build freely.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import shlex
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from audience_cli.errors import ConfigError, UsageError
from audience_cli.files import write_private
from audience_cli.redaction import looks_like_key, url_without_userinfo

_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+")
DEFAULT_BASE_URL = "https://api.smallest.ai/atoms/v1"
API_PATH = "/atoms/v1"
ENV_API_KEY = "SMALLEST_API_KEY"
ENV_BASE_URL = "SMALLEST_BASE_URL"
ENV_SANDBOX = "AUDIENCE_SANDBOX"
ENV_NO_INPUT = "AUDIENCE_NO_INPUT"
ENV_DEBUG = "AUDIENCE_DEBUG"
COMPLETE_VAR = "_AUDIENCE_COMPLETE"  # set by the completion scripts when the shell asks
ENV_CONFIG_DIR = "SMALLEST_CONFIG_DIR"
DEFAULT_MAX_RETRIES = 4  # tries after the first, for a request that may be repeated
ENV_PROFILE = "AUDIENCE_PROFILE"
ENV_PROFILES_DIR = "AUDIENCE_CONFIG_DIR"
ENV_PAGE_SIZE = "AUDIENCE_PAGE_SIZE"
ENV_TIMEOUT = "AUDIENCE_TIMEOUT"
ENV_DEADLINE = "AUDIENCE_DEADLINE"
ENV_MAX_BODY = "AUDIENCE_MAX_BODY"
MIN_SECONDS = 0.1  # the shortest --timeout or --deadline
DEFAULT_PROFILE = "default"
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

NO_KEY_MESSAGE = (
    "No API key. Provide one in any of three ways: "
    "run `audience auth login` (stores ~/.smallestai/credentials.json), "
    f"set {ENV_API_KEY}, "
    "or use the local sandbox with `audience --sandbox …`."
)


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
        raise UsageError(
            "that profile name looks like an API key: it is not shown, and not used",
            hint="Name the profile (e.g. --profile acme); the key goes to the hidden prompt "
            "of `audience auth login --profile NAME`, or to its stdin with --with-token.",
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
        raise UsageError(
            f"no profile {profile!r}: the profiles are {', '.join(known_profiles(env))}",
            hint=f"Create it with `audience auth login --profile {profile}`.",
        )


def stored_base_url(url: str) -> str:
    """A base URL as the credentials file keeps it: the vendor CLI reads `base_url` as a
    host and appends /atoms/v1, so that path is left off (any other path is kept)."""
    normalized = normalize_base_url(url)
    parts = urlsplit(normalized)
    if parts.path.rstrip("/") == API_PATH:
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return normalized


class InvalidCredentialsError(ConfigError):
    """The credentials file is there but is not a JSON object: `auth login` replaces it
    (keeping a copy) and `auth logout` removes it; every other command stops on it."""

    def __init__(self, path: Path, problem: str, where: str = "") -> None:
        super().__init__(
            f"{path}{where}: {problem}",
            hint=f"Fix the file, or run `audience auth login` to replace it "
            f"(the old one is kept as {path.name}{BACKUP_SUFFIX}).",
        )
        self.path = path
        self.problem = problem  # "not valid JSON (…)", "not a JSON object"…


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
        raise ConfigError(
            f"{path}: {name} is {kind}, not a string",
            hint="Run `audience auth login` to store the key again."
            if name == "access_token"
            else f"Fix or remove {name} in the file.",
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


def normalize_base_url(url: str) -> str:
    """Accept both vendor habits: a bare host gets `/atoms/v1` appended.

    `https://api.smallest.ai` -> `https://api.smallest.ai/atoms/v1`;
    `https://atoms-api.smallest.ai/api/v1` is kept (its path has `/v1`).
    """
    text = url.strip()
    # Shown in messages: never the `user:password@` of a URL.
    shown = url_without_userinfo(text)
    if "://" not in text:
        # No scheme: https, except for this machine (a served sandbox speaks http).
        host = urlsplit("//" + text).hostname or ""
        text = ("http://" if is_loopback_host(host) else "https://") + text
    parts = urlsplit(text)
    if "@" in parts.netloc:
        # Refused rather than kept: the API key is the only credential Atoms takes, and a
        # password in the URL would be printed (status, errors, --debug) or logged by a
        # proxy. Refusing is simpler and safer than hiding it everywhere a URL is shown.
        raise UsageError(
            f"the base URL {shown!r} must not carry a user name or password",
            hint="Drop the `user:password@` part: Atoms is authenticated by the API key alone.",
        )
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        host = ""
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        raise UsageError(f"invalid base URL {shown!r}: expected https://HOST[/atoms/v1]")
    path = parts.path.rstrip("/")
    if "/v1" not in path:
        path = path + API_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_loopback_host(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport_security(base_url: str, *, allow_insecure: bool) -> None:
    """Refuse to send a key in clear text except to this machine (or when told to)."""
    parts = urlsplit(base_url)
    if parts.scheme == "http" and not allow_insecure and not is_loopback_host(parts.hostname or ""):
        raise UsageError(
            f"refusing to send the API key over plain http to {parts.hostname}",
            hint="Use https://, or pass --allow-insecure-http if a trusted proxy terminates TLS.",
        )


def check_key_format(key: str, source: str) -> None:
    """A key is one run of visible ASCII: anything else cannot be sent in a header,
    and would otherwise surface as a confusing network error (or echo the key)."""
    if not all(33 <= ord(c) < 127 for c in key):
        raise ConfigError(
            f"the API key from {source} contains spaces, line breaks or non-ASCII "
            "characters, which no API key has",
            hint="Copy the key again from the Smallest dashboard (keys start with sk_).",
        )


@dataclass(frozen=True)
class Settings:
    """Everything needed to build an API client."""

    api_key: str | None
    api_key_source: str
    base_url: str
    base_url_source: str
    # Lines to show once on stderr (without `warning:`): a credentials file or
    # directory others can read or write. The CLI prints them (AppContext.settings).
    warnings: tuple[str, ...] = ()
    # Lines to note once on stderr (silenced by --quiet): settings of the environment
    # that a chosen profile overrides, so that none is ignored silently.
    notes: tuple[str, ...] = ()


def resolve_base_url(
    *,
    base_url_flag: str | None,
    env: Mapping[str, str],
    credentials: Callable[[], Mapping[str, Any]],
    credentials_file: Path,
    allow_insecure_http: bool = False,
    profile: str | None = None,
) -> tuple[str, str]:
    """(base URL, where it comes from): flag > environment > credentials file > default.

    A chosen `profile` (--profile, AUDIENCE_PROFILE) stands whole: its own base URL (or
    the default), never the environment's. `credentials` is called only when the file
    is needed.
    """
    if base_url_flag:
        raw_url, url_source = base_url_flag, "--base-url"
    elif profile is None and env.get(ENV_BASE_URL, "").strip():
        raw_url, url_source = env[ENV_BASE_URL], f"environment ({ENV_BASE_URL})"
    elif stored := credentials_text(credentials(), "base_url", credentials_file):
        raw_url, url_source = stored, _file_source(credentials_file, profile)
    else:
        raw_url, url_source = DEFAULT_BASE_URL, "default"
    base_url = normalize_base_url(raw_url)
    check_transport_security(base_url, allow_insecure=allow_insecure_http)
    return base_url, url_source


def _file_source(path: Path, profile: str | None) -> str:
    """Where a value of the credentials file comes from, as `auth status` says it."""
    return f"profile {profile} ({path})" if profile else f"credentials file ({path})"


def resolve_settings(
    *,
    base_url_flag: str | None = None,
    env: Mapping[str, str] | None = None,
    allow_insecure_http: bool = False,
    profile: str | None = None,
) -> Settings:
    """Apply the precedence flags > environment > credentials file > defaults.

    `profile` is the profile chosen (--profile or AUDIENCE_PROFILE; None: none, the
    default credentials file). A chosen profile stands whole: its key and its base URL
    (only --base-url goes over it), never SMALLEST_API_KEY or SMALLEST_BASE_URL, which
    `Settings.notes` then says are not used; a profile without a key while
    SMALLEST_API_KEY is set is refused rather than mixed. The file is read only when
    needed; when it is, `Settings.warnings` says if others can read it or write to its
    directory.
    """
    env = os.environ if env is None else env
    check_profile_exists(env, profile)
    creds_file = credentials_path(env, profile)
    creds: dict[str, Any] | None = None
    warnings: list[str] = []

    def creds_data() -> dict[str, Any]:
        nonlocal creds
        if creds is None:
            warnings.extend(permission_warnings(creds_file))
            creds = read_credentials(creds_file)
        return creds

    env_key = env.get(ENV_API_KEY, "").strip()
    if profile is None and env_key:
        key, key_source = env_key, f"environment ({ENV_API_KEY})"
    else:
        key = credentials_text(creds_data(), "access_token", creds_file)
        key_source = _file_source(creds_file, profile)
    if profile is not None and env_key and not key:
        raise ConfigError(
            f"profile {profile!r} has no API key ({creds_file}), and a profile never takes "
            f"the key of {ENV_API_KEY}: the key and the base URL would come from two places",
            hint=f"Store its key with `audience auth login --profile {profile}`, or leave "
            f"the profile out (no --profile, no {ENV_PROFILE}) to use {ENV_API_KEY}.",
        )
    if not key:
        key, key_source = "", "none"
    else:
        check_key_format(key, key_source)

    base_url, url_source = resolve_base_url(
        base_url_flag=base_url_flag,
        env=env,
        credentials=creds_data,
        credentials_file=creds_file,
        allow_insecure_http=allow_insecure_http,
        profile=profile,
    )
    notes: list[str] = []
    if profile is not None:
        unused = [name for name in (ENV_API_KEY, ENV_BASE_URL) if env.get(name, "").strip()]
        if base_url_flag:
            unused = [name for name in unused if name != ENV_BASE_URL]
        if unused:
            notes.append(
                f"{' and '.join(unused)} {'is' if len(unused) == 1 else 'are'} set but not "
                f"used: profile {profile!r} uses its own key and base URL"
            )
    return Settings(
        api_key=key or None,
        api_key_source=key_source,
        base_url=base_url,
        base_url_source=url_source,
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def read_count(env: Mapping[str, str], name: str, default: int, what: str, most: int) -> int:
    """The whole number of the variable `name` (1 to `most`), else `default`; anything else
    is a usage error saying what it counts (`what`)."""
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= most:
        raise UsageError(f"{name}={value!r}: give {what}, 1 to {most:,}")
    return number


def read_page_size(env: Mapping[str, str]) -> int:
    """Members a page when every page is read: `AUDIENCE_PAGE_SIZE`, else 100.

    The API does not document its largest page: a server that sends fewer than asked
    is followed at its own size, so a bigger value only saves round trips."""
    from audience_cli.model import ALL_PAGES_SIZE, MAX_ALL_PAGES_SIZE

    return read_count(env, ENV_PAGE_SIZE, ALL_PAGES_SIZE, "the members a page", MAX_ALL_PAGES_SIZE)


def read_seconds(value: str, name: str, *, most: float | None = None) -> float:
    """`value` (of the option `--name`, or the variable `NAME=`) as seconds: a finite number from
    `MIN_SECONDS` (to `most`). `nan`, `inf`, 0 and negative numbers are usage errors,
    never a deadline that never comes (a NaN deadline compares false with every time)."""
    try:
        seconds = float(value.strip())
    except ValueError:
        seconds = math.nan
    too_long = most is not None and seconds > most
    if not math.isfinite(seconds) or seconds < MIN_SECONDS or too_long:
        limits = (
            f"from {MIN_SECONDS:g} to {most:g}" if most is not None else f"{MIN_SECONDS:g} or more"
        )
        given = f"{name}{value!r}" if name.endswith("=") else f"{name} {value!r}"
        raise UsageError(f"{given}: give a number of seconds, {limits}")
    return seconds


_BYTE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_BYTES = re.compile(r"(\d+)\s*([KMG]?)(?:I?B)?", re.IGNORECASE)


def read_max_body(env: Mapping[str, str]) -> int:
    """The largest answer read, in bytes: `AUDIENCE_MAX_BODY` (a number of bytes, or with
    K, M or G: `128M`), else 64 MB."""
    from audience_cli.model import DEFAULT_MAX_BODY

    value = env.get(ENV_MAX_BODY, "").strip()
    if not value:
        return DEFAULT_MAX_BODY
    match = _BYTES.fullmatch(value)
    size = int(match[1]) * _BYTE_UNITS[match[2].upper()] if match else 0
    if size < 1:
        raise UsageError(
            f"{ENV_MAX_BODY}={value!r}: give the largest answer to read, in bytes or "
            "with K, M or G (e.g. 128M)"
        )
    return size


def choose_proxy(base_url: str, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(the proxy to reach `base_url` through, or None; the proxy the environment names
    that is not used, for a warning).

    The environment's proxy (`https_proxy`/`http_proxy` for the URL's scheme, then
    `all_proxy`, lower case first; `no_proxy` lists hosts reached directly) carries an
    https:// API inside TLS, so it is used as httpx would. Over plain http the proxy
    reads every header, the API key included: an http:// API on this machine is never
    reached through one, and any other (allowed with the insecure-http option) only
    through a proxy on this machine, never through one elsewhere."""
    parts = urlsplit(base_url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    proxy = _environment_proxy(env, scheme)
    if not proxy or _bypassed(host, env):
        return None, None
    if "://" not in proxy:
        proxy = "http://" + proxy
    if scheme == "https":
        return proxy, None
    if is_loopback_host(host):
        return None, None  # the API is on this machine: nothing to carry it elsewhere
    if is_loopback_host(urlsplit(proxy).hostname or ""):
        return proxy, None
    return None, url_without_userinfo(proxy)


def _environment_proxy(env: Mapping[str, str], scheme: str) -> str:
    for name in (f"{scheme}_proxy", "all_proxy"):
        for variant in (name, name.upper()):
            if value := env.get(variant, "").strip():
                return value
    return ""


def _bypassed(host: str, env: Mapping[str, str]) -> bool:
    """`host` is in `no_proxy` (`*`, the host, or a domain it is in: `example.com` and
    `.example.com` both cover `api.example.com`)."""
    listed = env.get("no_proxy", "").strip() or env.get("NO_PROXY", "").strip()
    host = host.lower().strip("[]")
    for entry in (e.strip().lower() for e in listed.split(",")):
        entry = entry.strip("[]")
        if entry == "*":
            return True
        domain = entry.lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False
