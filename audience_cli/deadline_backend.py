"""A deadline for a whole HTTP exchange, kept under httpx: every connect, TLS handshake,
write and read of a request gets at most the time its deadline leaves.

httpx's timeouts bound each socket operation, not the exchange: a server that sends its
status line and headers a byte every 50 ms never trips a 2 s read timeout, and one that
sends a byte every 0.5 s never ends. `DeadlineBackend` wraps httpcore's network backend
(the one object every connection of a pool, proxies included, reads and writes through),
and each operation's timeout becomes the smaller of httpx's and the time left before the
deadline of the request its thread is sending (`exchange_deadline`). Past the deadline an
operation raises httpcore's own timeout, which httpx turns into its `TimeoutException`,
and `Cut.expired` says the deadline, not httpx's timeout, ended it.

The deadline is the thread's: httpx sends a request and reads its answer in the calling
thread, and a pooled connection used by another thread reads that thread's deadline.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore

_local = threading.local()


@dataclass
class Cut:
    """Whether the exchange under `exchange_deadline` was ended by its deadline."""

    deadline: float  # time.monotonic() seconds
    expired: bool = False


@contextmanager
def exchange_deadline(deadline: float) -> Iterator[Cut]:
    """Bound every network operation of this thread until the block ends by `deadline`
    (in `time.monotonic()` seconds)."""
    previous = getattr(_local, "cut", None)
    cut = _local.cut = Cut(deadline)
    try:
        yield cut
    finally:
        _local.cut = previous


def _bounded(timeout: float | None) -> tuple[float | None, Cut | None]:
    """The timeout for one operation, and the cut to mark when the deadline ends it
    (None: httpx's own timeout comes first, or no deadline is set)."""
    cut: Cut | None = getattr(_local, "cut", None)
    if cut is None:
        return timeout, None
    left = cut.deadline - time.monotonic()
    if timeout is not None and timeout <= left:
        return timeout, None
    return left, cut


@contextmanager
def _within(
    timeout: float | None, error: type[httpcore.TimeoutException]
) -> Iterator[float | None]:
    bounded, cut = _bounded(timeout)
    if cut is not None and bounded is not None and bounded <= 0:
        cut.expired = True
        raise error("the exchange's deadline passed")
    try:
        yield bounded
    except error:
        if cut is not None:
            cut.expired = True
        raise


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the thread's exchange deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _within(timeout, httpcore.ReadTimeout) as bounded:
            return self._stream.read(max_bytes, bounded)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with _within(timeout, httpcore.WriteTimeout) as bounded:
            self._stream.write(buffer, bounded)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        with _within(timeout, httpcore.ConnectTimeout) as bounded:
            return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, its connections bounded by the thread's deadline."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        with _within(timeout, httpcore.ConnectTimeout) as bounded:
            stream = self._backend.connect_tcp(host, port, bounded, local_address, socket_options)
        return DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        with _within(timeout, httpcore.ConnectTimeout) as bounded:
            stream = self._backend.connect_unix_socket(path, bounded, socket_options)
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def install(pool: object) -> None:
    """Put a `DeadlineBackend` under an httpcore connection pool (or proxy pool).

    httpcore takes the backend as a constructor argument, but httpx builds the pool
    itself from its own options (proxy, TLS, limits) and has no argument for it; the
    pool's attribute is set instead, once, before any connection is made."""
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, httpcore.NetworkBackend):
        raise RuntimeError(f"cannot bound the connections of {type(pool).__name__}")
    if not isinstance(backend, DeadlineBackend):
        pool._network_backend = DeadlineBackend(backend)  # type: ignore[attr-defined]
