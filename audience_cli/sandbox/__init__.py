"""A local emulator of the Atoms audience API, backed by SQLite.

Embedded (`audience --sandbox …`): the client's requests go through
`httpx.WSGITransport` into `SandboxApp` in-process, over the same HTTP code
path as against Atoms. Served: `audience sandbox serve` on loopback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

ENV_SANDBOX_DB = "AUDIENCE_SANDBOX_DB"
EMBEDDED_BASE_URL = "http://sandbox.invalid/atoms/v1"
EMBEDDED_API_KEY = "sk_sandbox_local"


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """`AUDIENCE_SANDBOX_DB`, else `sandbox.db` in the user data directory."""
    env = os.environ if env is None else env
    if env.get(ENV_SANDBOX_DB):
        return Path(env[ENV_SANDBOX_DB]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("audience-cli", appauthor=False) / "sandbox.db"


def _werkzeug_without_its_package_init() -> None:
    """Werkzeug's package `__init__` imports its development server and its test client
    (about 15 ms) only to re-export `run_simple` and `Client`, which the sandbox never
    uses. Every `--sandbox` command pays that, so the package is registered unexecuted
    and its submodules (routing, wrappers, serving…) import as usual. A process that
    imported werkzeug already keeps the real package."""
    if "werkzeug" in sys.modules:
        return
    from importlib.util import find_spec, module_from_spec

    spec = find_spec("werkzeug")
    if spec is None or spec.submodule_search_locations is None:
        return  # not installed as a package: let the import fail where it is used
    sys.modules["werkzeug"] = module_from_spec(spec)


_werkzeug_without_its_package_init()
