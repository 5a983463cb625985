"""The tool's own state folder: journals of unfinished updates, snapshots, locks.

Everything here is kept per API (base URL) and per audience, so the sandbox's
audiences and an account's never meet. The folder and every file in it are private
(0700 and 0600): snapshots and journals hold members' contact data.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from audience_cli.errors import UsageError

ENV_STATE_DIR = "AUDIENCE_STATE_DIR"


def state_root(env: Mapping[str, str]) -> Path:
    """`AUDIENCE_STATE_DIR`, else the platform's state folder (~/.local/state/audience-cli)."""
    if env.get(ENV_STATE_DIR):
        return Path(env[ENV_STATE_DIR]).expanduser()
    from platformdirs import user_state_path

    return user_state_path("audience-cli", appauthor=False)


def api_folder(env: Mapping[str, str], base_url: str) -> Path:
    """The state of one API: a folder named by a digest of its base URL (no key in it)."""
    private_folder(state_root(env))
    folder = private_folder(api_folder_path(env, base_url))
    marker = folder / "base_url"
    if not marker.exists():
        from audience_cli.files import write_private

        write_private(marker, base_url.encode() + b"\n")
    return folder


def api_folder_path(env: Mapping[str, str], base_url: str) -> Path:
    """Where `api_folder` keeps one API's state, without making it (a read-only look)."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:16]
    return state_root(env) / digest


def private_folder(path: Path) -> Path:
    """`path`, made if missing with mode 0700 (and its parents); an error a user can act on
    when it cannot be made or is not a folder."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot use the state folder {path}: {exc.strerror or exc}",
            hint=f"Set {ENV_STATE_DIR} to a folder this user can write.",
        ) from None
    if path.is_symlink() or not path.is_dir():
        raise UsageError(f"cannot use the state folder {path}: it is not a folder")
    if os.name == "posix" and path.stat().st_mode & 0o022:
        raise UsageError(
            f"refusing to keep contact data in {path}: others can write to it",
            hint=f"Make it private with `chmod 700 {path}`, or set {ENV_STATE_DIR}.",
        )
    return path
