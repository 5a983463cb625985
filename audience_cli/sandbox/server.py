"""`audience sandbox serve`: the sandbox app on a threaded loopback HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from audience_cli.sandbox.app import SandboxApp, SandboxConfig
from audience_cli.sandbox.faults import FaultConfig, FaultInjector, FaultRequestHandler, FaultStats
from audience_cli.sandbox.store import SandboxStore

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def build_server(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8787,
    config: SandboxConfig | None = None,
    faults: FaultConfig | None = None,
    fault_log: Callable[[str], None] | None = None,
) -> BaseWSGIServer:
    """The sandbox on a threaded server, bound but not yet serving.

    With `faults` (and any of its knobs on) the app is wrapped in a
    `FaultInjector` (see `fault_injector(server)`) and served by a request
    handler that can really drop connections; `fault_log` gets a line per fault."""
    app: WSGIApplication = SandboxApp(SandboxStore(db_path), config)
    handler: type[WSGIRequestHandler] | None = None
    if faults is not None and faults.enabled:
        app = FaultInjector(app, faults, log=fault_log)
        handler = FaultRequestHandler
    return make_server(host, port, app, threaded=True, request_handler=handler)


def fault_injector(server: BaseWSGIServer) -> FaultInjector | None:
    """The server's fault injector (its `stats`, its `seed`), if faults are on."""
    return server.app if isinstance(server.app, FaultInjector) else None


@contextmanager
def _serving(server: BaseWSGIServer) -> Iterator[str]:
    # A short poll interval: shutdown() waits for the loop's next look at its flag.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="sandbox-server",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://{server.host}:{server.server_port}/atoms/v1"
    finally:
        server.shutdown()
        server.server_close()  # also waits for the request threads
        thread.join(timeout=5)


@contextmanager
def running_server(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    faults: FaultConfig | None = None,
) -> Iterator[str]:
    """Serve in a background thread; yields the base URL; stops on exit."""
    server = build_server(db_path, host=host, port=port, config=config, faults=faults)
    with _serving(server) as url:
        yield url


class FaultyServer(NamedTuple):
    """What `running_faulty_server` yields: unpack as `url, stats`."""

    url: str
    stats: FaultStats


@contextmanager
def running_faulty_server(
    db_path: str | Path,
    faults: FaultConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    log: Callable[[str], None] | None = None,
) -> Iterator[FaultyServer]:
    """`running_server` with fault injection; yields `FaultyServer(url, stats)`.

    The app is wrapped even when no knob is on (then requests are only counted);
    `log` gets one line per fault injected."""
    app = FaultInjector(SandboxApp(SandboxStore(db_path), config), faults, log=log)
    server = make_server(host, port, app, threaded=True, request_handler=FaultRequestHandler)
    with _serving(server) as url:
        yield FaultyServer(url, app.stats)
