"""A tiny HTTP server on 127.0.0.1 (port 0) that answers slowly, for the deadline tests.

Each connection gets its request read, then `at_once` in one write, then `drip` a byte
at a time with `pause` seconds between bytes: a server that never trips a per-read
timeout. With `silent`, nothing is answered at all. Every connection ends when the client
goes away, when the whole answer is sent, or when the server is stopped (the `with` block
ends): the drip is bounded, so a client that waits for all of it takes len(drip) * pause
seconds, and the server stops by itself.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Dripping:
    url: str
    connections: int = 0
    received: list[bytes] = field(default_factory=list)  # the requests, as read


def answer_head(body: bytes, *, pad: int = 0) -> bytes:
    """A 200 JSON answer's status line and headers, `pad` bytes of padding header."""
    padding = f"X-Padding: {'x' * pad}\r\n" if pad else ""
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{padding}\r\n"
    ).encode()


@contextlib.contextmanager
def dripping_server(
    drip: bytes = b"", *, at_once: bytes = b"", pause: float = 0.05, silent: bool = False
) -> Iterator[Dripping]:
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    state = Dripping(f"http://127.0.0.1:{port}")
    threads: list[threading.Thread] = []

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            request = b""
            with contextlib.suppress(OSError):
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    request += chunk
            state.received.append(request)
            if silent:
                stop.wait(120)  # until the test ends (or 2 minutes)
                return
            try:
                conn.sendall(at_once)
                for i in range(len(drip)):
                    if stop.wait(pause):
                        return
                    conn.sendall(drip[i : i + 1])
            except OSError:
                return  # the client went away

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            state.connections += 1
            thread = threading.Thread(target=serve, args=(conn,), daemon=True)
            threads.append(thread)
            thread.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield state
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for thread in threads:
            thread.join(5)
