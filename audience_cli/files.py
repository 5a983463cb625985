"""Writing output files safely: whole or not at all, never over something that is not a file."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from audience_cli.errors import CliError, ExitCode, UsageError

STDOUT = "-"


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def open_output(path: str, what: str) -> Iterator[TextIO]:
    """A text stream for `path` ("-": stdout).

    A regular file (or a new one) is written to a temporary file beside it and
    renamed into place, so a failure half way leaves the old file, not half a new
    one; a symlink is followed, and the file's mode is kept. A FIFO or a device is
    written to directly, never replaced.
    """
    if path == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write the {what} {path}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"cannot write the {what} {path}: it is a directory")
    if mode is not None and not stat.S_ISREG(mode):
        with _failing_as(what, path), open(target, "w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    if not target.parent.is_dir():
        raise UsageError(
            f"cannot write the {what} {path}: the folder {target.parent} does not exist"
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"cannot write the {what} {path}: {exc.strerror or exc}") from None
    try:
        with _failing_as(what, path), os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else _umask_mode())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _failing_as(what: str, path: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise CliError(
            f"cannot write the {what} {path}: {exc.strerror or exc}; nothing was left half written",
            exit_code=ExitCode.UNEXPECTED,
        ) from None
