"""A short-lived cache of audience ids and names for shell completion.

`list` (and any command that lists audiences) writes it; completing an
AUDIENCE argument only reads it, so the shell never waits on the network.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

CACHE_TTL_SECONDS = 24 * 3600
ENV_CACHE_DIR = "AUDIENCE_CACHE_DIR"


def cache_path(env: Mapping[str, str] | None = None, *, sandbox: bool = False) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV_CACHE_DIR):
        base = Path(env[ENV_CACHE_DIR])
    else:
        from platformdirs import user_cache_path

        base = user_cache_path("audience-cli", appauthor=False)
    return base / ("audiences-sandbox.json" if sandbox else "audiences.json")


def remember_audiences(app: Any, audiences: Iterable[Mapping[str, Any]]) -> None:
    """Best effort: completion is a convenience, never a reason to fail."""
    entries = [
        {"id": str(a.get("_id", "")), "name": str(a.get("name", ""))}
        for a in audiences
        if a.get("_id")
    ]
    from audience_cli.errors import AudienceError
    from audience_cli.files import write_output

    path = cache_path(app.env, sandbox=app.options.sandbox)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        content = json.dumps({"written": time.time(), "audiences": entries})
        # Never through a link planted at its name (`files`), readable by its owner only.
        write_output(str(path), "completion cache", content, private=True)
    except (OSError, AudienceError):
        pass


def remember_change(
    app: Any,
    *,
    made: Iterable[Mapping[str, Any]] = (),
    gone: Iterable[str] = (),
) -> None:
    """After a create or a delete: the cached names gain `made` and lose the ids `gone`,
    so completion offers a new audience without waiting for the next `list`."""
    entries = cached_audiences(app.env, sandbox=app.options.sandbox)
    dropped = set(gone)
    kept = [{"_id": e["id"], "name": e["name"]} for e in entries if e["id"] not in dropped]
    remember_audiences(app, [*made, *kept])


def cached_audiences(
    env: Mapping[str, str] | None = None, *, sandbox: bool = False, now: float | None = None
) -> list[dict[str, str]]:
    """The cached entries, or none when the cache is missing, stale or not ours."""
    try:
        data = json.loads(cache_path(env, sandbox=sandbox).read_text("utf-8"))
        written = float(data["written"])
        entries = data["audiences"]
    except (OSError, ValueError, TypeError, KeyError):
        return []
    if (now if now is not None else time.time()) - written > CACHE_TTL_SECONDS:
        return []
    if not isinstance(entries, list):
        return []
    return [
        {"id": e["id"], "name": e["name"]}
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("name"), str)
    ]
