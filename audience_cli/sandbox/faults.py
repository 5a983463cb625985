"""Seeded, reproducible fault injection for the served sandbox: a WSGI middleware.

`FaultInjector(app, FaultConfig(...))` wraps `SandboxApp` so that requests under
the API prefix sometimes fail the way a real service and the network between
do. Each knob is a share of requests (0..1) and off by default:

- `drop_rate`: the connection is closed before any work, with no response.
- `fail_rate`: 500, 502 or 503 before any work (502 as a proxy's HTML page).
- `ambiguous_rate`: the work IS done, then the answer is lost: the connection
  is dropped (closed or reset), a proxy's 502 page comes back, or the body is
  cut short (Content-Length larger than what is sent) or is not valid JSON.
- `slow_rate`: the answer is held back `slow_ms` after the work (with
  `trickle`, the headers come at once and the body a few bytes at a time).

Plus `rate_limit` (a token bucket: 429 with Retry-After, no work done) and
`latency_ms` (added to every answer, faulty or not).

One roll of `random.Random(seed)` per request picks its fault (the rates are
exact shares, so they add up to at most 1) and a second one the variant; both
are drawn for every request, under a lock, so the same seed and the same
sequence of requests give the same faults. Rate limiting depends on the clock,
not on the seed, and wins over the roll.

Dropping a connection needs the server's help: the middleware raises
`DropConnection` (a `ConnectionAbortedError`, which Werkzeug's server treats as
a dropped connection and answers nothing) and `FaultRequestHandler`, the
request handler to serve it with, then closes the socket (FIN: the client sees
the server disconnect without a response) or resets it (RST: the client sees
"connection reset by peer") instead of waiting for another request on it.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import selectors
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

from werkzeug.serving import WSGIRequestHandler

from audience_cli.sandbox.app import API_PREFIX

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Fault kinds, as counted in FaultStats and named in the log.
RATE_LIMITED = "rate-limit"
DROP_CLOSE = "drop-close"
DROP_RESET = "drop-reset"
FAIL_500 = "fail-500"
FAIL_502 = "fail-502"
FAIL_503 = "fail-503"
AMBIGUOUS_CLOSE = "ambiguous-close"
AMBIGUOUS_RESET = "ambiguous-reset"
AMBIGUOUS_502 = "ambiguous-502"
AMBIGUOUS_TRUNCATED = "ambiguous-truncated"
AMBIGUOUS_BAD_JSON = "ambiguous-bad-json"
SLOW = "slow"
SLOW_TRICKLE = "slow-trickle"
FAULT_KINDS = (
    RATE_LIMITED,
    DROP_CLOSE,
    DROP_RESET,
    FAIL_500,
    FAIL_502,
    FAIL_503,
    AMBIGUOUS_CLOSE,
    AMBIGUOUS_RESET,
    AMBIGUOUS_502,
    AMBIGUOUS_TRUNCATED,
    AMBIGUOUS_BAD_JSON,
    SLOW,
    SLOW_TRICKLE,
)
# The variants of each rolled fault, in the order the variant roll picks them.
_VARIANTS = {
    "drop": (DROP_CLOSE, DROP_RESET),
    "fail": (FAIL_500, FAIL_502, FAIL_503),
    "ambiguous": (
        AMBIGUOUS_CLOSE,
        AMBIGUOUS_RESET,
        AMBIGUOUS_502,
        AMBIGUOUS_TRUNCATED,
        AMBIGUOUS_BAD_JSON,
    ),
}

TRICKLE_BYTES = 8  # a slow body comes this many bytes at a time…
TRICKLE_MAX_STEPS = 50  # …in at most this many pieces (bigger pieces for big bodies)

BAD_GATEWAY_HTML = b"""<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
FAIL_MESSAGES = {
    500: "Internal server error (injected fault)",
    503: "Service temporarily unavailable (injected fault)",
}


@dataclass(frozen=True)
class FaultConfig:
    """What to inject; every knob is off by default. Rates are shares of the
    requests under the API prefix and add up to at most 1."""

    fail_rate: float = 0.0
    ambiguous_rate: float = 0.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: int = 2000
    trickle: bool = False
    rate_limit: float | None = None  # requests per second; None: no limit
    latency_ms: int = 0
    seed: int | None = None  # None: a random seed (FaultInjector.seed says which)
    # Only requests of these methods are faulty ("POST": every add and create); empty: all.
    methods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in self._rate_names():
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        total = sum(getattr(self, name) for name in self._rate_names())
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"fail, ambiguous, drop and slow rates add up to {total:g}: at most 1 is possible"
            )
        if self.slow_ms < 0 or self.latency_ms < 0:
            raise ValueError("slow_ms and latency_ms must not be negative")
        if self.rate_limit is not None and not self.rate_limit > 0:
            raise ValueError(
                f"rate_limit must be more than 0 requests per second, not {self.rate_limit}"
            )

    @staticmethod
    def _rate_names() -> tuple[str, ...]:
        return ("fail_rate", "ambiguous_rate", "drop_rate", "slow_rate")

    @property
    def enabled(self) -> bool:
        """Whether any knob is on (the seed alone injects nothing)."""
        return (
            any(getattr(self, name) > 0 for name in self._rate_names())
            or self.rate_limit is not None
            or self.latency_ms > 0
        )

    def describe(self, seed: int | None = None) -> str:
        """The knobs that are on, e.g. "ambiguous-rate 0.1, latency-ms 50, seed 7"."""
        parts = [
            f"{name.replace('_', '-')} {getattr(self, name):g}"
            for name in ("fail_rate", "ambiguous_rate", "drop_rate", "slow_rate")
            if getattr(self, name) > 0
        ]
        if self.slow_rate > 0:
            parts.append(f"slow-ms {self.slow_ms}" + (", trickle" if self.trickle else ""))
        if self.rate_limit is not None:
            parts.append(f"rate-limit {self.rate_limit:g}/s")
        if self.latency_ms > 0:
            parts.append(f"latency-ms {self.latency_ms}")
        if self.methods:
            parts.append(f"methods {','.join(self.methods)}")
        seed = self.seed if seed is None else seed
        if seed is not None:
            parts.append(f"seed {seed}")
        return ", ".join(parts) or "none"


class FaultStats:
    """Thread-safe counts: requests seen under the API prefix, faults by kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._faults: Counter[str] = Counter()

    def count_request(self) -> int:
        """Count one request; return its number (1, 2, …)."""
        with self._lock:
            self._requests += 1
            return self._requests

    def record(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def total(self) -> int:
        """Faults injected, all kinds together."""
        with self._lock:
            return sum(self._faults.values())

    def by_kind(self) -> dict[str, int]:
        """A snapshot: kind -> count, for the kinds injected at least once, by name."""
        with self._lock:
            return dict(sorted(self._faults.items()))

    def summary(self) -> str:
        """One line, e.g. "3 faults in 20 requests: drop-close 1, fail-503 2"."""
        with self._lock:
            requests, faults = self._requests, dict(sorted(self._faults.items()))
        total = sum(faults.values())
        head = f"{total} fault{'s' * (total != 1)} in {requests} request{'s' * (requests != 1)}"
        return head + (": " + ", ".join(f"{k} {n}" for k, n in faults.items()) if faults else "")


class DropConnection(ConnectionAbortedError):
    """Raised by the middleware (or its body) to drop the connection unanswered.

    `reset=True` asks for an RST (the client sees a reset), else a plain close.
    Werkzeug's server treats any ConnectionError from the app as a dropped
    connection; `FaultRequestHandler` then really closes the socket."""

    def __init__(self, *, reset: bool) -> None:
        super().__init__("connection dropped by fault injection")
        self.reset = reset


class FaultRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, able to drop a connection on `DropConnection`.

    Werkzeug answers nothing when the app raises a ConnectionError, but would
    then wait for another request on the keep-alive connection; here the
    connection is closed instead, after reading what the client still sends
    (so the close is a clean FIN), or reset (SO_LINGER 0: an RST)."""

    _reset_on_finish = False

    def connection_dropped(
        self, error: BaseException, environ: WSGIEnvironment | None = None
    ) -> None:
        if isinstance(error, DropConnection):
            self.close_connection = True
            if error.reset:
                self._reset_on_finish = True
            else:
                self._drain()
        super().connection_dropped(error, environ)

    def _drain(self, limit: int = 64 * 1024 * 1024) -> None:
        """Read (and discard) what the client has sent: closing a socket with
        unread data would send an RST instead of a FIN."""
        received = 0
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.connection, selectors.EVENT_READ)
                while received < limit and selector.select(timeout=0.02):
                    data = self.connection.recv(65536)
                    if not data:
                        break
                    received += len(data)
        except OSError:
            pass

    def finish(self) -> None:
        super().finish()
        if self._reset_on_finish:
            # Closing with a zero linger time discards the socket with an RST.
            with contextlib.suppress(OSError):
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.connection.close()


@dataclass(frozen=True)
class _Plan:
    number: int
    kind: str | None
    retry_after: int = 0


class FaultInjector:
    """WSGI middleware injecting the faults of `config` into requests under `prefix`.

    `stats` counts them; `log`, when given, receives one plain line per fault;
    `sleep` and `clock` (seconds) are there for tests."""

    def __init__(
        self,
        app: WSGIApplication,
        config: FaultConfig,
        *,
        prefix: str = API_PREFIX,
        log: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.config = config
        self.prefix = prefix.rstrip("/")
        self.log = log
        self.stats = FaultStats()
        self.seed = (
            config.seed if config.seed is not None else random.SystemRandom().randrange(2**31)
        )
        self._rng = random.Random(self.seed)
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        rate = config.rate_limit
        self._capacity = max(1.0, rate) if rate is not None else 0.0
        self._tokens = self._capacity
        self._refilled_at = clock()

    def describe(self) -> str:
        return self.config.describe(self.seed)

    # --- deciding ------------------------------------------------------------

    def _subject(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def _plan(self) -> _Plan:
        with self._lock:
            number = self.stats.count_request()
            # Both rolls are drawn for every request, so request N gets the
            # same fault whatever happened to requests 1…N-1.
            roll, variant = self._rng.random(), self._rng.random()
            retry_after = self._take_token()
        if retry_after:
            return _Plan(number, RATE_LIMITED, retry_after)
        c = self.config
        edge = 0.0
        for family, rate in (
            ("drop", c.drop_rate),
            ("fail", c.fail_rate),
            ("ambiguous", c.ambiguous_rate),
            ("slow", c.slow_rate),
        ):
            edge += rate
            if roll < edge:
                if family == "slow":
                    return _Plan(number, SLOW_TRICKLE if c.trickle else SLOW)
                kinds = _VARIANTS[family]
                return _Plan(number, kinds[min(int(variant * len(kinds)), len(kinds) - 1)])
        return _Plan(number, None)

    def _take_token(self) -> int:
        """0 when the request may go on (a token is taken), else Retry-After seconds."""
        rate = self.config.rate_limit
        if rate is None:
            return 0
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._refilled_at) * rate)
        self._refilled_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - self._tokens) / rate))

    # --- answering -------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        methods = self.config.methods
        if not self._subject(environ.get("PATH_INFO") or "") or (
            methods and environ.get("REQUEST_METHOD", "") not in methods
        ):
            return self.app(environ, start_response)
        plan = self._plan()
        kind = plan.kind
        if kind is None:
            result = self.app(environ, start_response)
            self._wait(self.config.latency_ms)
            return result
        self.stats.record(kind)
        if self.log is not None:
            method, path = environ.get("REQUEST_METHOD", "?"), environ.get("PATH_INFO", "")
            self.log(f"fault: {kind} on {method} {path} (request {plan.number})")

        # Before the work: the app is not called.
        if kind == RATE_LIMITED:
            self._wait(self.config.latency_ms)
            message = f"Too many requests: the sandbox allows {self.config.rate_limit:g} per second"
            headers = [("Retry-After", str(plan.retry_after))]
            return _json_error(start_response, 429, message, headers)
        if kind in (DROP_CLOSE, DROP_RESET):
            self._wait(self.config.latency_ms)
            raise DropConnection(reset=kind == DROP_RESET)
        if kind in (FAIL_500, FAIL_503):
            self._wait(self.config.latency_ms)
            code = 500 if kind == FAIL_500 else 503
            return _json_error(start_response, code, FAIL_MESSAGES[code])
        if kind == FAIL_502:
            self._wait(self.config.latency_ms)
            return _bad_gateway(start_response)

        # After the work: the app's answer is delayed or lost.
        status, headers, body = _run(self.app, environ)
        self._wait(self.config.latency_ms)
        if kind in (AMBIGUOUS_CLOSE, AMBIGUOUS_RESET):
            raise DropConnection(reset=kind == AMBIGUOUS_RESET)
        if kind == AMBIGUOUS_502:
            return _bad_gateway(start_response)
        if kind == AMBIGUOUS_TRUNCATED:
            start_response(status, _with_length(headers, len(body) or 1))
            return _truncated(body[: len(body) // 2])
        if kind == AMBIGUOUS_BAD_JSON:
            garbled = body[: len(body) // 2]  # a proper prefix of a JSON object
            start_response(status, _with_length(headers, len(garbled)))
            return [garbled]
        if kind == SLOW:
            self._wait(self.config.slow_ms)
            start_response(status, _with_length(headers, len(body)))
            return [body]
        # SLOW_TRICKLE: the headers now, the body a few bytes at a time.
        start_response(status, _with_length(headers, len(body)))
        return self._trickle(body)

    def _trickle(self, body: bytes) -> Iterator[bytes]:
        steps = max(1, min(math.ceil(len(body) / TRICKLE_BYTES), TRICKLE_MAX_STEPS))
        size = max(1, math.ceil(len(body) / steps))
        pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        pause = self.config.slow_ms / len(pieces)  # the pauses add up to slow_ms
        yield b""  # let the server send the status line and headers
        for piece in pieces:
            self._wait(pause)
            yield piece

    def _wait(self, ms: float) -> None:
        if ms > 0:
            self._sleep(ms / 1000)


def _run(
    app: WSGIApplication, environ: WSGIEnvironment
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call the app to the end: its status line, headers and whole body."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    chunks: list[bytes] = []

    def start(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None and exc_info[1] is not None and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [(status, list(headers))]
        return chunks.append

    result = app(environ, start)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started[0]
    return status, headers, b"".join(chunks)


def _with_length(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
    return [*kept, ("Content-Length", str(length))]


def _truncated(part: bytes) -> Iterator[bytes]:
    yield part
    raise DropConnection(reset=False)


def _json_error(
    start_response: StartResponse,
    status: int,
    message: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    body = json.dumps({"status": False, "errors": [message], "message": message}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(_status_line(status), [*headers, *(extra or [])])
    return [body]


def _bad_gateway(start_response: StartResponse) -> list[bytes]:
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(BAD_GATEWAY_HTML))),
    ]
    start_response(_status_line(502), headers)
    return [BAD_GATEWAY_HTML]


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"
