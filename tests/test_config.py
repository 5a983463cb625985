"""config.py: the credentials file (read whole, written safely), its permissions, base URLs."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from audience_cli import files
from audience_cli.cli.hints import hint_for
from audience_cli.config import (
    InvalidCredentialsError,
    backup_credentials,
    check_config_dir,
    normalize_base_url,
    permission_warnings,
    read_credentials,
    resolve_settings,
    write_credentials,
)
from audience_cli.errors import ConfigError, ExitCode, UsageError

KEY = "sk_live_0123456789abcdef3f9a"
OTHER_FIELDS = {
    "base_url": "https://api.smallest.ai",
    "n": 3,
    "ratio": 1.5,
    "profile": {"org": "acme", "ids": [1, 2, None]},
    "telemetry": False,
    "nothing": None,
}


@pytest.fixture
def creds(isolated_env: Path) -> Path:
    """The credentials file's path, in a private directory that exists."""
    directory = isolated_env / ".smallestai"
    directory.mkdir(mode=0o700)
    directory.chmod(0o700)
    return directory / "credentials.json"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_read_credentials_keeps_every_field_as_it_is(creds: Path) -> None:
    creds.write_text(json.dumps({"access_token": KEY, **OTHER_FIELDS}))
    assert read_credentials(creds) == {"access_token": KEY, **OTHER_FIELDS}


def test_read_credentials_of_no_file_is_empty(creds: Path) -> None:
    assert read_credentials(creds) == {}


@pytest.mark.parametrize(
    ("content", "message", "problem"),
    [
        (b'{"access_token": ', ":1:18: not valid JSON (Expecting value)", "not valid JSON"),
        (b"[1, 2]", ": not a JSON object", "not a JSON object"),
        (b"\xff\xfe{}", ": not UTF-8 text", "not UTF-8 text"),
    ],
)
def test_an_unreadable_file_is_an_invalid_credentials_error(
    creds: Path, content: bytes, message: str, problem: str
) -> None:
    creds.write_bytes(content)
    with pytest.raises(InvalidCredentialsError) as caught:
        read_credentials(creds)
    assert caught.value.message == f"{creds}{message}"
    assert caught.value.problem.startswith(problem)
    assert caught.value.exit_code == ExitCode.AUTH
    assert hint_for(caught.value) == (
        "Fix the file, or run `audience auth login` to replace it "
        "(the old one is kept as credentials.json.bak)."
    )


def test_write_credentials_writes_the_whole_object_0600_and_leaves_no_temporary(
    creds: Path,
) -> None:
    old_umask = os.umask(0)  # even a permissive umask gives 0600
    try:
        write_credentials(creds, {"access_token": KEY, **OTHER_FIELDS})
    finally:
        os.umask(old_umask)
    assert json.loads(creds.read_text()) == {"access_token": KEY, **OTHER_FIELDS}
    assert mode(creds) == 0o600
    assert sorted(p.name for p in creds.parent.iterdir()) == ["credentials.json"]


def test_write_credentials_creates_a_private_directory(isolated_env: Path) -> None:
    path = isolated_env / "new" / "credentials.json"
    write_credentials(path, {"access_token": KEY})
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_a_link_planted_at_a_temporary_name_is_never_followed(
    creds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    names = iter(["0" * 16, "1" * 16])
    monkeypatch.setattr(files, "random_token", lambda: next(names))
    planted = creds.parent / f".credentials.json.{'0' * 16}.tmp"
    planted.symlink_to(victim)
    (creds.parent / "credentials.json.tmp").symlink_to(victim)  # the name used before
    write_credentials(creds, {"access_token": KEY})
    assert victim.read_text() == "precious\n"
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert json.loads(creds.read_text()) == {"access_token": KEY}
    assert mode(creds) == 0o600
    assert not (creds.parent / f".credentials.json.{'1' * 16}.tmp").exists()


def test_a_link_at_the_credentials_file_is_replaced_never_written_through(
    creds: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text('{"access_token": "sk_theirs"}')
    creds.symlink_to(victim)
    write_credentials(creds, {"access_token": KEY})
    assert not creds.is_symlink()
    assert json.loads(creds.read_text()) == {"access_token": KEY}
    assert mode(creds) == 0o600
    assert victim.read_text() == '{"access_token": "sk_theirs"}'


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    creds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds.write_text('{"access_token": "sk_old"}')

    def no_room(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", no_room)
    with pytest.raises(OSError, match="No space left"):
        write_credentials(creds, {"access_token": KEY})
    assert creds.read_text() == '{"access_token": "sk_old"}'
    assert sorted(p.name for p in creds.parent.iterdir()) == ["credentials.json"]


def test_backup_credentials_copies_the_file_0600(creds: Path) -> None:
    creds.write_bytes(b"{not json")
    creds.chmod(0o644)
    backup = backup_credentials(creds)
    assert backup == creds.with_name("credentials.json.bak")
    assert backup.read_bytes() == b"{not json"
    assert mode(backup) == 0o600


def test_permission_warnings_name_the_path_and_the_mode(creds: Path) -> None:
    directory = creds.parent
    assert permission_warnings(creds) == []
    directory.chmod(0o777)
    creds.write_text("{}")
    creds.chmod(0o644)
    assert permission_warnings(creds) == [
        f"{directory} is writable by others (mode 0777): anyone could replace the credentials file",
        f"{creds} is readable by others (mode 0644): anyone could read the API key",
    ]
    assert permission_warnings(creds, include_file=False) == [
        f"{directory} is writable by others (mode 0777): anyone could replace the credentials file",
    ]
    directory.chmod(0o770)
    creds.chmod(0o620)
    assert permission_warnings(creds) == [
        f"{directory} is writable by its group (mode 0770): members of its group could "
        "replace the credentials file",
        f"{creds} is writable by its group (mode 0620): members of its group could change "
        "the API key and base URL in it",
    ]
    directory.chmod(0o700)
    creds.chmod(0o640)
    assert permission_warnings(creds) == [
        f"{creds} is readable by its group (mode 0640): members of its group could read the API key"
    ]


def test_writing_in_a_directory_others_can_write_to_is_refused(creds: Path) -> None:
    directory = creds.parent
    directory.chmod(0o1777)
    with pytest.raises(ConfigError) as caught:
        write_credentials(creds, {"access_token": KEY})
    assert caught.value.message == (
        f"refusing to write credentials in {directory}: it is writable by others "
        "(mode 1777), so anyone could replace the credentials file"
    )
    assert caught.value.hint == (
        f"Make it private with `chmod 700 {directory}`, "
        "or set SMALLEST_CONFIG_DIR to a private directory."
    )
    assert not creds.exists()
    directory.chmod(0o770)  # its group: a warning, not a refusal
    check_config_dir(directory)


def test_resolve_settings_returns_the_warnings_of_the_file_it_read(creds: Path) -> None:
    creds.write_text(json.dumps({"access_token": KEY}))
    creds.chmod(0o604)
    settings = resolve_settings(env=os.environ)
    assert settings.api_key == KEY
    assert settings.warnings == (
        f"{creds} is readable by others (mode 0604): anyone could read the API key",
    )
    # A key from the environment and a base URL flag: the file is not read, nothing to say.
    env = {**os.environ, "SMALLEST_API_KEY": KEY}
    assert resolve_settings(base_url_flag="https://h.example", env=env).warnings == ()


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [("access_token", 123, "a number"), ("access_token", True, "a boolean"),
     ("base_url", ["x"], "an array"), ("base_url", {"a": 1}, "an object")],
)  # fmt: skip
def test_a_field_of_the_wrong_type_is_a_config_error(
    creds: Path, field: str, value: object, kind: str
) -> None:
    data = {"access_token": KEY, field: value}
    creds.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as caught:
        resolve_settings(env=os.environ)
    assert caught.value.message == f"{creds}: {field} is {kind}, not a string"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://bob:hunter2@api.example.com", "https://api.example.com"),
        ("bob:hunter2@api.example.com/atoms/v1", "api.example.com/atoms/v1"),
        ("https://bob@api.example.com", "https://api.example.com"),
        ("http://bob:hunter2@127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_a_base_url_with_a_user_or_password_is_refused_without_showing_them(
    url: str, shown: str
) -> None:
    with pytest.raises(UsageError) as caught:
        normalize_base_url(url)
    assert caught.value.message == f"the base URL {shown!r} must not carry a user name or password"
    assert caught.value.hint == (
        "Drop the `user:password@` part: Atoms is authenticated by the API key alone."
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ftp://bob:hunter2@api.example.com", "ftp://api.example.com"),
        ("https://api.example.com:99x/v1", "https://api.example.com:99x/v1"),
    ],
)
def test_an_invalid_base_url_is_shown_without_a_password(url: str, shown: str) -> None:
    with pytest.raises(UsageError) as caught:
        normalize_base_url(url)
    if "@" in url:
        # Userinfo is refused first, whatever else is wrong.
        assert caught.value.message == (
            f"the base URL {shown!r} must not carry a user name or password"
        )
    else:
        assert caught.value.message == (
            f"invalid base URL {shown!r}: expected https://HOST[/atoms/v1]"
        )
    assert "hunter2" not in caught.value.message and "bob" not in caught.value.message


def test_base_urls_without_userinfo_are_normalized_as_before() -> None:
    assert normalize_base_url("https://api.smallest.ai") == "https://api.smallest.ai/atoms/v1"
    assert normalize_base_url("localhost:8080") == "http://localhost:8080/atoms/v1"
    assert normalize_base_url("https://h.example/p@th/v1") == "https://h.example/p@th/v1"
