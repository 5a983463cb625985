"""Where the API key and base URL come from: flags > environment > credentials file > defaults.

No typer, rich or httpx here: plain data that the CLI and tests build freely.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from audience_cli.errors import ConfigError, UsageError

_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+")
DEFAULT_BASE_URL = "https://api.smallest.ai/atoms/v1"
API_PATH = "/atoms/v1"
ENV_API_KEY = "SMALLEST_API_KEY"
ENV_BASE_URL = "SMALLEST_BASE_URL"
ENV_SANDBOX = "AUDIENCE_SANDBOX"
ENV_NO_INPUT = "AUDIENCE_NO_INPUT"
ENV_DEBUG = "AUDIENCE_DEBUG"
ENV_CONFIG_DIR = "SMALLEST_CONFIG_DIR"

NO_KEY_MESSAGE = (
    "No API key. Provide one in any of three ways: "
    "run `audience auth login` (stores ~/.smallestai/credentials.json), "
    f"set {ENV_API_KEY}, "
    "or use the local sandbox with `audience --sandbox …`."
)


def credentials_path(env: Mapping[str, str] | None = None) -> Path:
    """The vendor CLI's credentials file (`smallestai auth login` writes it)."""
    env = os.environ if env is None else env
    base = env.get(ENV_CONFIG_DIR)
    return (Path(base) if base else Path.home() / ".smallestai") / "credentials.json"


def read_credentials(path: Path) -> dict[str, str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read credentials ({exc.strerror})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})",
            hint="Fix the file or run `audience auth login` again.",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def write_credentials(path: Path, data: Mapping[str, str]) -> None:
    """Write the credentials file with mode 0600 from its first byte."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dict(data), fh, indent=2)
        fh.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def normalize_base_url(url: str) -> str:
    """Accept both vendor habits: a bare host gets `/atoms/v1` appended.

    `https://api.smallest.ai` -> `https://api.smallest.ai/atoms/v1`;
    `https://atoms-api.smallest.ai/api/v1` is kept (its path has `/v1`).
    """
    text = url.strip()
    if "://" not in text:
        # No scheme: https, except for this machine (a served sandbox speaks http).
        host = urlsplit("//" + text).hostname or ""
        text = ("http://" if is_loopback_host(host) else "https://") + text
    parts = urlsplit(text)
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        host = ""
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        raise UsageError(f"invalid base URL {url!r}: expected https://HOST[/atoms/v1]")
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


def redact(key: str | None) -> str:
    """`sk_…3f9a`: enough to tell keys apart, never enough to use one."""
    if not key:
        return "(none)"
    if len(key) <= 8:
        return "…" + key[-2:] if len(key) > 4 else "…"
    prefix = key[:3] if key.startswith("sk_") else ""
    return f"{prefix}…{key[-4:]}"


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
    timeout: float = 30.0
    max_retries: int = 4


def resolve_settings(
    *,
    base_url_flag: str | None = None,
    env: Mapping[str, str] | None = None,
    allow_insecure_http: bool = False,
) -> Settings:
    """Apply the precedence flags > environment > credentials file > defaults."""
    env = os.environ if env is None else env
    creds_file = credentials_path(env)
    creds: dict[str, str] | None = None

    def creds_data() -> dict[str, str]:
        nonlocal creds
        if creds is None:
            creds = read_credentials(creds_file)
        return creds

    key = env.get(ENV_API_KEY, "").strip()
    key_source = f"environment ({ENV_API_KEY})"
    if not key:
        key = creds_data().get("access_token", "").strip()
        key_source = f"credentials file ({creds_file})"
    if not key:
        key, key_source = "", "none"
    else:
        check_key_format(key, key_source)

    if base_url_flag:
        raw_url, url_source = base_url_flag, "--base-url"
    elif env.get(ENV_BASE_URL, "").strip():
        raw_url, url_source = env[ENV_BASE_URL], f"environment ({ENV_BASE_URL})"
    elif creds_data().get("base_url", "").strip():
        raw_url, url_source = creds_data()["base_url"], f"credentials file ({creds_file})"
    else:
        raw_url, url_source = DEFAULT_BASE_URL, "default"
    base_url = normalize_base_url(raw_url)
    check_transport_security(base_url, allow_insecure=allow_insecure_http)
    return Settings(
        api_key=key or None,
        api_key_source=key_source,
        base_url=base_url,
        base_url_source=url_source,
    )
