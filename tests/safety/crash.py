"""A served sandbox that stops its client at a chosen request: SIGKILL (or SIGTERM) sent
to the `audience` process when its n-th write arrives, before the server does the work
or after it (then the answer never reaches the client). No timing is involved: the
server acts on the request itself."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from audience_cli.sandbox.app import SandboxApp
from audience_cli.sandbox.store import SandboxStore


class StopClientAt:
    """WSGI middleware: at write number `n` (POST or DELETE, 1-based) send `signum` to the
    client, `when` "before" the work or "after" it."""

    def __init__(self, app: Any, n: int, when: str, signum: int = signal.SIGKILL) -> None:
        self.app = app
        self.n, self.when, self.signum = n, when, signum
        self.pid: int | None = None
        self.started = threading.Event()  # the pid is known
        self.stopped = threading.Event()  # the signal was sent
        self.later = threading.Event()  # a request came after the signal
        self.writes = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.stopped.is_set():
            self.later.set()
        if environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            return self.app(environ, start_response)
        with self._lock:
            self.writes += 1
            mine = self.writes == self.n
        if not mine:
            return self.app(environ, start_response)
        if self.when == "after":
            for _ in self.app(environ, lambda *a, **k: None):  # done, never answered
                pass
        self._signal()
        if self.signum != signal.SIGKILL:
            # The client handles SIGTERM: hold this answer back until it has gone on to
            # another request (it puts members back), so the signal, not the answer, wins.
            self.later.wait(timeout=60)
        start_response("503 Service Unavailable", [("Content-Type", "application/json")])
        return [b'{"status": false, "message": "stopped"}']

    def _signal(self) -> None:
        self.started.wait(timeout=60)
        assert self.pid is not None
        os.kill(self.pid, self.signum)
        self.stopped.set()


@contextmanager
def serving(db_path: Path, middleware: Any = None) -> Iterator[str]:
    """The sandbox on 127.0.0.1 (a free port), wrapped in `middleware(app)` when given."""
    app: Any = SandboxApp(SandboxStore(db_path))
    if middleware is not None:
        app = middleware(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def cli_env(state: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDIENCE_", "SMALLEST_"))}
    env.update(
        SMALLEST_API_KEY="sk_test_crash_0123456789",
        AUDIENCE_STATE_DIR=str(state),
        AUDIENCE_CACHE_DIR=str(state / "cache"),
        AUDIENCE_NO_INPUT="1",
        **extra,
    )
    return env
