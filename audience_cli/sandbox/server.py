"""`audience sandbox serve`: the sandbox app on a threaded loopback HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from audience_cli.sandbox.app import SandboxApp, SandboxConfig
from audience_cli.sandbox.store import SandboxStore


def build_server(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8787,
    config: SandboxConfig | None = None,
) -> BaseWSGIServer:
    app = SandboxApp(SandboxStore(db_path), config)
    return make_server(host, port, app, threaded=True)


@contextmanager
def running_server(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
) -> Iterator[str]:
    """Serve in a background thread; yields the base URL; stops on exit."""
    server = build_server(db_path, host=host, port=port, config=config)
    thread = threading.Thread(target=server.serve_forever, name="sandbox-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}/atoms/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
