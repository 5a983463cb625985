"""Output files: written whole or not at all, never through a link unless asked, never
through one in a folder others can write to, and no name on the way can be redirected."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import audience_cli.files as files
from audience_cli.cli.hints import message_for
from audience_cli.errors import ExitCode, UsageError, exit_code_for
from audience_cli.files import (
    check_output,
    open_output,
    open_output_bytes,
    shared_folder,
    write_output,
    write_private,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder only its owner can write to, whatever the umask of the test run."""
    path = tmp_path / "mine"
    path.mkdir()
    path.chmod(0o755)
    return path


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file a planted link points at: it must come out of every refusal unchanged."""
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    path.chmod(0o644)
    return path


def refused(call: object) -> UsageError:
    with pytest.raises(UsageError) as caught:
        call()  # type: ignore[operator]
    assert exit_code_for(caught.value) is ExitCode.USAGE
    assert "\n" not in caught.value.message
    return caught.value


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_written_whole_with_the_umask_mode(folder: Path) -> None:
    target = folder / "out.csv"
    with open_output(str(target), "export") as stream:
        stream.write("a,b\r\n")
        assert not target.exists()  # only renamed into place at the end
    assert target.read_bytes() == b"a,b\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~current_umask()
    assert leftovers(folder) == []


def test_a_file_replaced_keeps_its_mode_and_the_text_is_utf8(folder: Path) -> None:
    target = folder / "out.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    with open_output(str(target), "export") as stream:
        stream.write("Zoë\n")
    assert target.read_bytes() == "Zoë\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_private_files_are_0600_from_the_first_byte(folder: Path) -> None:
    target = folder / "snapshot.json"
    target.write_text("old\n")
    target.chmod(0o644)
    old_mask = os.umask(0)
    try:
        with open_output_bytes(str(target), "snapshot", private=True) as stream:
            stream.write(b"{}")
            [temporary] = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
            assert stat.S_IMODE(temporary.stat().st_mode) == 0o600
        write_output(str(folder / "new.json"), "snapshot", "{}", private=True)
    finally:
        os.umask(old_mask)
    assert target.read_bytes() == b"{}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "new.json").stat().st_mode) == 0o600


def test_a_symlink_is_refused_without_force(folder: Path, victim: Path) -> None:
    link = folder / "out.csv"
    link.symlink_to(victim)
    error = refused(lambda: write_output(str(link), "rejects file", "new\n"))
    assert message_for(error) == (
        f"the rejects file {link} is a symbolic link (to {victim}), not written; "
        "--force writes through it"
    )
    assert refused(lambda: check_output(str(link), "rejects file")).message == error.message
    assert victim.read_text() == "precious\n" and link.is_symlink()
    assert leftovers(folder) == []


def test_force_writes_through_a_link_in_a_private_folder(folder: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = folder / "out.csv"
    link.symlink_to(os.path.relpath(real, folder))  # a relative link, read from its folder
    check_output(str(link), "export", force=True)
    write_output(str(link), "export", "new\n", force=True)
    assert link.is_symlink() and real.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert leftovers(folder) == leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        (0o1777, "shared with other users (sticky, like /tmp)"),
        (0o757, "anyone can write to"),
        (0o775, "its group can write to"),
    ],
)
def test_a_link_in_a_shared_folder_is_never_followed(
    tmp_path: Path, victim: Path, mode: int, why: str
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    link = shared / "out.csv"
    link.symlink_to(victim)
    for force in (False, True):
        error = refused(lambda f=force: write_output(str(link), "export", "x", force=f))
        assert message_for(error) == (
            f"the export {link} is not written: it is a symbolic link in {shared}, "
            f"a folder {why}; such a link is never followed, even with --force"
        )
        refused(lambda f=force: check_output(str(link), "export", force=f))
    assert victim.read_text() == "precious\n"
    assert shared_folder(str(shared)) == why


def test_a_chain_of_links_through_a_shared_folder_is_never_followed(
    folder: Path, tmp_path: Path, victim: Path
) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / "hop").symlink_to(victim)
    link = folder / "out.csv"
    link.symlink_to(shared / "hop")
    error = refused(lambda: write_output(str(link), "export", "x", force=True))
    assert f"{shared / 'hop'} (a link it leads through) is a symbolic link in {shared}" in (
        error.message
    )
    assert victim.read_text() == "precious\n"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_link_in_a_folder_of_another_user_is_never_followed(tmp_path: Path, victim: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    theirs.chmod(0o755)
    os.chown(theirs, 4321, 4321)
    (theirs / "out.csv").symlink_to(victim)
    error = refused(lambda: write_output(str(theirs / "out.csv"), "export", "x", force=True))
    assert "a folder another user owns" in error.message
    assert victim.read_text() == "precious\n"


def test_a_plain_file_in_a_sticky_folder_is_written(tmp_path: Path) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    write_output(str(shared / "out.csv"), "export", "x")
    assert (shared / "out.csv").read_text() == "x"


def test_a_link_planted_at_the_temporary_name_is_never_opened(
    folder: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = iter([b"\x00" * 8, b"\x01" * 8])
    monkeypatch.setattr(files.os, "urandom", lambda n: next(names))
    planted = folder / f".out.csv.{'00' * 8}.tmp"
    planted.symlink_to(victim)
    write_output(str(folder / "out.csv"), "export", "new\n")
    assert (folder / "out.csv").read_text() == "new\n"
    assert victim.read_text() == "precious\n" and planted.is_symlink()


def test_a_link_planted_after_the_check_is_not_written_through(
    folder: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = folder / "out.csv"
    looked = files._target

    def then_planted(path: str, what: str, force: bool) -> str:
        answer = looked(path, what, force)
        target.symlink_to(victim)  # between the check and the opening of the folder
        return answer

    monkeypatch.setattr(files, "_target", then_planted)
    error = refused(lambda: write_output(str(target), "export", "x", force=True))
    assert error.message.endswith("appeared while it was being written; not written through")
    assert victim.read_text() == "precious\n"
    assert leftovers(folder) == []


def test_a_link_planted_while_writing_is_replaced_not_followed(folder: Path, victim: Path) -> None:
    target = folder / "out.csv"
    with open_output(str(target), "export") as stream:
        stream.write("new\n")
        target.symlink_to(victim)  # the rename replaces the name, not what it points to
    assert not target.is_symlink() and target.read_text() == "new\n"
    assert victim.read_text() == "precious\n"


def test_a_fifo_is_written_where_it_is(folder: Path) -> None:
    import threading

    fifo = folder / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_output(str(fifo), "export", b"through\n")
    reader.join(timeout=30)
    assert received == [b"through\n"] and fifo.is_fifo()


@pytest.mark.parametrize(
    ("name", "why"),
    [("", "it is a directory"), ("sub/", "it is a directory"), ("nope/", "it names a folder")],
)
def test_a_folder_is_not_a_file(folder: Path, name: str, why: str) -> None:
    (folder / "sub").mkdir()
    path = f"{folder}/{name}" if name else str(folder)
    error = refused(lambda: write_output(path, "export", "x"))
    assert error.message.startswith(f"cannot write the export {path}: {why}")
    refused(lambda: check_output(path, "export"))


def test_a_missing_folder_is_named(folder: Path) -> None:
    path = str(folder / "nope" / "out.csv")
    error = refused(lambda: write_output(path, "export", "x"))
    assert error.message == f"cannot write the export {path}: the folder {folder / 'nope'} " + (
        "does not exist"
    )
    assert refused(lambda: check_output(path, "export")).message == error.message


def test_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with open_output("-", "export") as stream:
        stream.write("text\n")
    check_output("-", "export")
    assert capsys.readouterr().out == "text\n"


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- the tool's own files -----------------------------------------------------------------


def test_a_private_file_replaces_a_link_and_never_writes_through_it(
    folder: Path, victim: Path
) -> None:
    link = folder / "journal.json"
    link.symlink_to(victim)
    write_private(link, b"{}")
    assert not link.is_symlink() and link.read_bytes() == b"{}"
    assert stat.S_IMODE(link.stat().st_mode) == 0o600
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in folder.iterdir()) == ["journal.json"]


def test_a_private_file_that_cannot_be_written_is_the_system_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_private(tmp_path / "missing" / "state.json", b"{}")
