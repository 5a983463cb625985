"""One writer per audience on this machine: a lock file per API and audience (or name).

Two syncs of one audience at once would each plan against a member set the other is
changing; two creates of one name make two audiences, and every later sync by that
name fails. `audience_lock` serialises them: the second run waits for the first (up to
`--wait` seconds), then gives up naming the holder's pid. The lock is the kernel's
(`flock`), so a run that dies, even by SIGKILL, lets go of it at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from audience_cli.errors import CliError, ExitCode

DEFAULT_WAIT = 60.0


class LockedByOtherRun(CliError):
    """Another run of the tool holds the audience's lock."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=ExitCode.USAGE)


def lock_path(api_folder: Path, kind: str, key: str) -> Path:
    digest = hashlib.sha256(f"{kind}\0{key}".encode()).hexdigest()[:24]
    return api_folder / "locks" / f"{kind}-{digest}.lock"


@contextlib.contextmanager
def audience_lock(
    api_folder: Path,
    kind: str,
    key: str,
    *,
    what: str,
    wait: float = DEFAULT_WAIT,
    on_wait: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Hold the lock of (`kind`, `key`) for the block; `what` names it in messages."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no lock, as before
        yield
        return
    from audience_cli.state import private_folder

    private_folder(api_folder / "locks")
    path = lock_path(api_folder, kind, key)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        deadline = clock() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if clock() >= deadline:
                    raise LockedByOtherRun(
                        f"{what} is being changed by another run of audience "
                        f"(pid {holder or 'unknown'}); gave up after waiting {wait:g} s"
                    ) from None
                if not told and on_wait is not None:
                    told = True
                    on_wait(
                        f"waiting for another run of audience (pid {holder or 'unknown'}) "
                        f"that is changing {what}…"
                    )
                sleep(min(0.2, max(0.0, deadline - clock())))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing lets go of the lock


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
