"""Writing output files safely: whole or not at all, never over something that is not a
file, never through a link someone else could have planted.

`open_output` (text) and `open_output_bytes` give a stream for a path ("-": stdout);
`write_output` writes given content. A regular file (or a new one) is written to a new
temporary file beside it and renamed into place, so a failure half way leaves the old
file, not half a new one. A FIFO or a device is written to directly, never replaced.

A symbolic link at the path is not written through unless `force`, and never when the
link is in a shared folder: sticky (like /tmp), writable by its group or by others, or
owned by another user (not root). Whoever can write to such a folder can swap the link
between a check and a write. The folder is opened once and everything after happens
relative to it: the temporary file is created exclusively (O_EXCL | O_NOFOLLOW, so no
file or link planted at its name is ever opened), and the rename replaces the name
itself, never what a link there points to.

`write_private` is the same writer for the tool's own files (credentials, journal,
snapshots): mode 0600 from the first byte, whatever is at the name (a link too) replaced
by the rename and never written through, and the system's errors left as they are.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any, BinaryIO, TextIO

from audience_cli.errors import CliError, ExitCode, LinkRefusedError, UsageError

STDOUT = "-"
MAX_LINKS = 40  # links followed in a row (with force), as the kernel's own limit
_TEMP_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_SPECIAL_FLAGS = (
    os.O_WRONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
)


@contextmanager
def open_output(
    path: str, what: str, *, force: bool = False, private: bool = False
) -> Iterator[TextIO]:
    """A UTF-8 text stream (no newline translation) for `path`, written whole or not at all.

    `what` names the file in errors ("the rejects file …"). `force`: write through a
    symbolic link at `path` (never one in a shared folder). `private`: the file gets
    mode 0600; otherwise a file replaced keeps its mode and a new one gets 0666 less
    the umask.
    """
    if path == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
        return
    with _output(path, what, force=force, private=private, text=True) as stream:
        yield stream


@contextmanager
def open_output_bytes(
    path: str, what: str, *, force: bool = False, private: bool = False
) -> Iterator[BinaryIO]:
    """`open_output` for bytes."""
    if path == STDOUT:
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with _output(path, what, force=force, private=private, text=False) as stream:
        yield stream


def write_output(
    path: str, what: str, content: bytes | str, *, force: bool = False, private: bool = False
) -> None:
    """Replace `path` with `content` (text as UTF-8), whole or not at all (`open_output`)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open_output_bytes(path, what, force=force, private=private) as stream:
        stream.write(data)


def write_private(path: str | os.PathLike[str], content: bytes) -> None:
    """Replace `path` with a file holding `content`, mode 0600 from its first byte.

    The content goes to a new file of a unique name in the same folder, created
    exclusively, written and synced, then renamed onto `path` in one step: a reader sees
    the old file or the new one, never half of one. A symbolic link at `path` is itself
    replaced (its target is left untouched): writing through it would put the data
    wherever the link points. Failures are the `OSError` the system gave.
    """
    folder, name = os.path.split(os.fspath(path))
    dir_fd = os.open(folder or ".", _DIRECTORY_FLAGS)
    try:
        fd, tmp = _new_temporary(dir_fd, name)
        with _replaced(dir_fd, name, (fd, tmp), 0o600, text=False) as stream:
            stream.write(content)
    finally:
        os.close(dir_fd)


def random_token() -> str:
    """16 random hex digits: `secrets.token_hex(8)`, read from os.urandom as it does
    without importing secrets (hmac, hashlib), which cost every run a few milliseconds."""
    return os.urandom(8).hex()


def check_output(path: str, what: str, *, force: bool = False) -> None:
    """Raise the `UsageError` writing `path` would raise for its links and folder, before
    any work is done; the write checks again (nothing stays true between two calls)."""
    if path == STDOUT:
        return
    target = _target(path, what, force)
    folder, _ = _split(target, what, path)
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        raise UsageError(_cannot(what, path, f"the folder {folder} does not exist")) from None
    except OSError as exc:
        raise UsageError(_cannot(what, path, _reason(exc))) from None
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(_cannot(what, path, f"{folder} is not a folder"))
    with suppress(OSError):
        if stat.S_ISDIR(os.stat(target, follow_symlinks=False).st_mode):
            raise UsageError(_cannot(what, path, "it is a directory"))


def shared_folder(folder: str) -> str | None:
    """Why others could change what is in `folder` (a few words), or None when they cannot."""
    try:
        st = os.stat(folder)
    except OSError:
        return None  # the write will say what is wrong with it
    return _shared(st)


def _shared(st: os.stat_result) -> str | None:
    if st.st_mode & stat.S_ISVTX:
        return "shared with other users (sticky, like /tmp)"
    if st.st_mode & stat.S_IWOTH:
        return "anyone can write to"
    if st.st_mode & stat.S_IWGRP:
        return "its group can write to"
    uid = getattr(os, "getuid", lambda: 0)()
    if st.st_uid not in (uid, 0):
        return "another user owns"
    return None


def _target(path: str, what: str, force: bool) -> str:
    """The path to write: `path`, or with `force` where its links lead.

    A link is followed only with `force`, and never one in a shared folder: each is
    read relative to its folder, opened once, so the folder checked is the folder read.
    """
    current = path
    for _ in range(MAX_LINKS):
        folder, name = _split(current, what, path)
        try:
            dir_fd = os.open(folder, _DIRECTORY_FLAGS)
        except OSError:
            return current  # no such folder, not a folder…: the write says which
        try:
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                return current
            except OSError as exc:
                raise UsageError(_cannot(what, path, _reason(exc))) from None
            if not stat.S_ISLNK(st.st_mode):
                return current
            why = _shared(os.fstat(dir_fd))
            try:
                points_to = os.readlink(name, dir_fd=dir_fd)
            except OSError as exc:
                raise UsageError(_cannot(what, path, _reason(exc))) from None
        finally:
            os.close(dir_fd)
        if why is not None:
            link = "it" if current == path else f"{current} (a link it leads through)"
            raise LinkRefusedError(
                f"the {what} {path} is not written: {link} is a symbolic link in {folder}, "
                f"a folder {why}; such a link is never followed",
                forcible=False,
            )
        if not force:
            raise LinkRefusedError(
                f"the {what} {path} is a symbolic link (to {points_to}), not written",
                forcible=True,
            )
        current = os.path.join(folder, points_to)
    raise UsageError(_cannot(what, path, f"more than {MAX_LINKS} symbolic links in a row"))


@contextmanager
def _output(path: str, what: str, *, force: bool, private: bool, text: bool) -> Iterator[Any]:
    target = _target(path, what, force)
    folder, name = _split(target, what, path)
    try:
        dir_fd = os.open(folder, _DIRECTORY_FLAGS)
    except FileNotFoundError:
        raise UsageError(_cannot(what, path, f"the folder {folder} does not exist")) from None
    except NotADirectoryError:
        raise UsageError(_cannot(what, path, f"{folder} is not a folder")) from None
    except OSError as exc:
        raise UsageError(_cannot(what, path, _reason(exc))) from None
    try:
        try:
            st: os.stat_result | None = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise UsageError(_cannot(what, path, _reason(exc))) from None
        if st is not None and stat.S_ISLNK(st.st_mode):  # planted since `_target` looked
            raise UsageError(
                f"the {what} {path} is a symbolic link that appeared while it was being "
                "written; not written through"
            )
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise UsageError(_cannot(what, path, "it is a directory"))
        if st is not None and not stat.S_ISREG(st.st_mode):
            with _special(dir_fd, name, st, what, path, text) as stream:
                yield stream
            return
        mode = 0o600 if private else (st.st_mode & 0o777 if st is not None else _umask_mode())
        with _replacing(dir_fd, name, mode, what, path, text) as stream:
            yield stream
    finally:
        os.close(dir_fd)


@contextmanager
def _special(
    dir_fd: int, name: str, st: os.stat_result, what: str, path: str, text: bool
) -> Iterator[IO[Any]]:
    """A FIFO or a device, written to where it is (there is nothing to replace)."""
    with _failing_as(what, path):
        fd = os.open(name, _SPECIAL_FLAGS, dir_fd=dir_fd)
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):  # swapped meanwhile
            os.close(fd)
            raise UsageError(_cannot(what, path, "it changed while it was being opened"))
        with _stream(fd, text) as stream:
            yield stream


@contextmanager
def _replacing(
    dir_fd: int, name: str, mode: int, what: str, path: str, text: bool
) -> Iterator[IO[Any]]:
    """A new temporary file beside `name`, renamed onto it when the caller is done."""
    try:
        temporary = _new_temporary(dir_fd, name)
    except OSError as exc:
        raise UsageError(_cannot(what, path, _reason(exc))) from None
    with _failing_as(what, path), _replaced(dir_fd, name, temporary, mode, text) as stream:
        yield stream


@contextmanager
def _replaced(
    dir_fd: int, name: str, temporary: tuple[int, str], mode: int, text: bool
) -> Iterator[IO[Any]]:
    """The stream of the temporary file; when the caller is done, synced and renamed onto
    `name` (removed instead on any failure)."""
    fd, tmp = temporary
    try:
        with _stream(fd, text) as stream:
            yield stream
            stream.flush()
            os.fchmod(fd, mode)
            os.fsync(fd)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise
    with suppress(OSError):  # the rename itself made durable, where the system can
        os.fsync(dir_fd)


def _new_temporary(dir_fd: int, name: str) -> tuple[int, str]:
    """(fd, name) of a new file beside `name`, created exclusively (O_EXCL | O_NOFOLLOW)."""
    for _ in range(100):
        tmp = f".{name[:120]}.{random_token()}.tmp"
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o600, dir_fd=dir_fd), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", name)  # pragma: no cover


def _stream(fd: int, text: bool) -> IO[Any]:
    if text:
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    return os.fdopen(fd, "wb")


def _split(path: str, what: str, shown: str) -> tuple[str, str]:
    """(folder, file name) of `path`; a path that ends with a slash names no file."""
    folder, name = os.path.split(path)
    if not name:
        why = "it is a directory" if os.path.isdir(path) else "it names a folder, not a file"
        raise UsageError(_cannot(what, shown, why))
    return folder or ".", name


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _cannot(what: str, path: str, why: str) -> str:
    return f"cannot write the {what} {path}: {why}"


def _reason(exc: OSError) -> str:
    return str(exc.strerror or exc)


@contextmanager
def _failing_as(what: str, path: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise CliError(
            f"{_cannot(what, path, _reason(exc))}; nothing was left half written",
            exit_code=ExitCode.UNEXPECTED,
        ) from None
