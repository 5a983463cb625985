"""Calls in flight, counted and held: concurrency checked with events, never with sleeps.

A `Gate` holds each call until `together` of them are in flight at once (then every
call goes freely), and keeps the most that were ever in flight. So a test proves that
N calls can be under way together (the gate opens) and that no more ever were
(`most`), whatever the machine's load. A gate that never opens fails the test after
`timeout` seconds instead of hanging it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

TIMEOUT = 10.0  # seconds: only ever waited out when a test fails


class Gate:
    def __init__(self, together: int, *, timeout: float = TIMEOUT) -> None:
        self.together = together
        self.timeout = timeout
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.opened = threading.Event()
        self.threads: set[str] = set()  # names of the threads that made the calls

    @contextmanager
    def inside(self, *, held: bool = True) -> Iterator[None]:
        """One call in flight; `held`: it waits for the gate to open."""
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.threads.add(threading.current_thread().name)
            if self.now >= self.together:
                self.opened.set()
        try:
            if held and not self.opened.wait(self.timeout):
                raise AssertionError(f"{self.together} calls were never in flight at once")
            yield
        finally:
            with self.lock:
                self.now -= 1


class GatedTransport(httpx.BaseTransport):
    """Requests through a `Gate` to `inner`; `held(request)` says which ones wait."""

    def __init__(self, inner: httpx.BaseTransport, gate: Gate, held=lambda _: True) -> None:
        self.inner, self.gate, self.held = inner, gate, held

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.gate.inside(held=self.held(request)):
            return self.inner.handle_request(request)
