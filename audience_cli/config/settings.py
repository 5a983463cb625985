"""Where the API key and base URL come from: flags > environment > credentials file >
defaults; the base URL checked, and the numbers the environment may set.

No typer, rich or httpx here: plain data that the CLI and tests build freely.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from audience_cli.config.credentials import (
    check_profile_exists,
    credentials_path,
    credentials_text,
    permission_warnings,
    read_credentials,
)
from audience_cli.errors import (
    ConfigError,
    InsecureTransportError,
    ProfileWithoutKeyError,
    UsageError,
)
from audience_cli.redaction import url_without_userinfo

_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+")
DEFAULT_BASE_URL = "https://api.smallest.ai/atoms/v1"
API_PATH = "/atoms/v1"
ENV_API_KEY = "SMALLEST_API_KEY"
ENV_BASE_URL = "SMALLEST_BASE_URL"
ENV_SANDBOX = "AUDIENCE_SANDBOX"
ENV_NO_INPUT = "AUDIENCE_NO_INPUT"
ENV_DEBUG = "AUDIENCE_DEBUG"
COMPLETE_VAR = "_AUDIENCE_COMPLETE"  # set by the completion scripts when the shell asks
DEFAULT_MAX_RETRIES = 4  # tries after the first, for a request that may be repeated
ENV_PAGE_SIZE = "AUDIENCE_PAGE_SIZE"
ENV_TIMEOUT = "AUDIENCE_TIMEOUT"
ENV_DEADLINE = "AUDIENCE_DEADLINE"
ENV_MAX_BODY = "AUDIENCE_MAX_BODY"
MIN_SECONDS = 0.1  # the shortest --timeout or --deadline


def stored_base_url(url: str) -> str:
    """A base URL as the credentials file keeps it: the vendor CLI reads `base_url` as a
    host and appends /atoms/v1, so that path is left off (any other path is kept)."""
    normalized = normalize_base_url(url)
    parts = urlsplit(normalized)
    if parts.path.rstrip("/") == API_PATH:
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return normalized


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
        raise InsecureTransportError(
            f"refusing to send the API key over plain http to {parts.hostname}"
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
    flag_name: str = "the command line",
) -> tuple[str, str]:
    """(base URL, where it comes from): flag > environment > credentials file > default.

    `flag_name` is what the source of `base_url_flag` is called ("--base-url").

    A chosen `profile` (--profile, AUDIENCE_PROFILE) stands whole: its own base URL (or
    the default), never the environment's. `credentials` is called only when the file
    is needed.
    """
    if base_url_flag:
        raw_url, url_source = base_url_flag, flag_name
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
    flag_name: str = "the command line",
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
        raise ProfileWithoutKeyError(
            f"profile {profile!r} has no API key ({creds_file}), and a profile never takes "
            f"the key of {ENV_API_KEY}: the key and the base URL would come from two places",
            profile=profile,
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
        flag_name=flag_name,
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
