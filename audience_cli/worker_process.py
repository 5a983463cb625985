"""What a process pool's worker runs first: Ctrl-C left to the parent, and an exit when the
parent is gone.

A worker ignores SIGINT: a terminal's Ctrl-C reaches the whole process group, and
the parent stops the pool itself (no traceback from each worker). A parent that dies
without stopping it (SIGTERM, SIGKILL) would leave its workers waiting for work
forever; a daemon thread in each notices that its parent changed and exits.
Imports nothing of the tool: a worker started afresh (forkserver, spawn) pays for
this module and the function it runs, no more.
"""

from __future__ import annotations

import os
import signal
import threading

CHECK_SECONDS = 0.5  # how often a worker looks for its parent


def start_worker(parent: int | None) -> None:
    """The pool's initializer: `parent` is the process id the worker was started from
    (None: whichever it is now, as for a forkserver's workers, which exits with the
    process that started it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    expected = parent if parent is not None else os.getppid()
    threading.Thread(target=_exit_with, args=(expected,), daemon=True).start()


def _exit_with(parent: int) -> None:
    stopped = threading.Event()
    while not stopped.wait(CHECK_SECONDS):
        if os.getppid() != parent:
            os._exit(1)
