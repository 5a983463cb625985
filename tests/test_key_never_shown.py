"""The API key never reaches stderr, whatever path a message takes: an error the tool
expected, an unexpected one and its --debug traceback, a retry note, a --debug request
line, or an error outside any command."""

from __future__ import annotations

import json

import httpx
import pytest

from audience_cli.cli import app as cli_module
from tests.conftest import seed_audience

KEY = "sk_live_Zq8Xw3Vt5Rn7Pm2Kj4Hg"
BASE = "https://atoms.invalid"


def leaks(text: str) -> bool:
    """Any 12 consecutive characters of the key, in any case."""
    folded = text.lower()
    return any(KEY[i : i + 12].lower() in folded for i in range(len(KEY) - 11))


def crash(request: httpx.Request) -> httpx.Response:
    """What no code expects: an error of no known kind, carrying the key."""
    raise RuntimeError(f"transport broke while sending {request.headers['Authorization']}")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_and_its_traceback_are_redacted(cli, debug: bool) -> None:
    args = ["--debug"] if debug else []
    result = cli(
        *args, "--base-url", BASE, "list",
        transport=httpx.MockTransport(crash), env={"SMALLEST_API_KEY": KEY},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "unexpected error: RuntimeError: transport broke while sending Bearer sk_***" in (
        result.stderr
    )
    assert ("Traceback" in result.stderr) == debug
    assert not leaks(result.stderr)


def test_a_key_from_the_credentials_file_is_redacted_too(cli, isolated_env) -> None:
    folder = isolated_env / ".smallestai"
    folder.mkdir(mode=0o700)
    (folder / "credentials.json").write_text(json.dumps({"access_token": KEY}))
    (folder / "credentials.json").chmod(0o600)
    result = cli("--debug", "--base-url", BASE, "list", transport=httpx.MockTransport(crash))
    assert result.exit_code == 1
    assert "Bearer sk_***" in result.stderr
    assert not leaks(result.stderr)


def test_a_server_answering_the_key_as_a_count_does_not_show_it(cli, store) -> None:
    from tests.test_answers import MEMBERS, Hostile

    seed_audience(store, "Leads", 2)
    for debug, phone in (([], "+14155550000"), (["--debug"], "+14155550001")):
        result = cli(
            *debug, "--base-url", BASE, "remove", "Leads", "--phone", phone, "--yes",
            transport=Hostile(store, "DELETE", MEMBERS, {"deletedCount": KEY}),
            env={"SMALLEST_API_KEY": KEY},
        )  # fmt: skip
        assert result.exit_code == 7
        assert not leaks(result.stderr)


def test_retry_notes_are_redacted(cli) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy refused the key {KEY}", request=request)

    result = cli(
        "--base-url", BASE, "list",
        transport=httpx.MockTransport(refuse), env={"SMALLEST_API_KEY": KEY},
    )  # fmt: skip
    assert result.exit_code == 7
    assert result.stderr.count("trying again in") == 4
    assert "proxy refused the key sk_***: trying again" in result.stderr
    assert not leaks(result.stderr)


def test_debug_request_lines_are_redacted(cli, store) -> None:
    from tests.conftest import RecordingTransport

    seed_audience(store, "Leads", 2)
    result = cli(
        "--debug", "--base-url", BASE, "members", "Leads", "--search", KEY,
        transport=RecordingTransport(store), env={"SMALLEST_API_KEY": KEY},
    )  # fmt: skip
    assert "debug: GET https://atoms.invalid/atoms/v1/audience/" in result.stderr
    assert "/members/search?query=sk_***" in result.stderr
    assert not leaks(result.stderr)


def test_an_error_outside_any_command_is_one_redacted_line(monkeypatch, capsys) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError(f"the key {KEY} is in this message")

    monkeypatch.setattr(cli_module, "app", broken)
    monkeypatch.setenv("SMALLEST_API_KEY", KEY)
    with pytest.raises(SystemExit) as exited:
        cli_module.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err == "unexpected error: RuntimeError: the key sk_*** is in this message\n"


TYPED = "sk_typed_4f9a8b7c6d5e4f3a"  # a key typed where an argument goes


@pytest.mark.parametrize(
    "args",
    [
        [TYPED],  # the root's "No such command"
        ["auth", TYPED],
        ["--concurrency", TYPED, "list"],  # a global option's bad value
        ["list", "--format", TYPED],
        ["members", "Leads", "--page", TYPED],
        ["show", "Leads", TYPED],  # an extra argument
    ],
)
def test_a_usage_error_never_echoes_a_key_typed_as_an_argument(cli, args) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert "sk_***" in result.stderr
    assert "4f9a8b7c" not in result.stdout + result.stderr


def test_a_usage_error_never_echoes_the_environments_key(cli) -> None:
    result = cli("list", "--format", KEY, env={"SMALLEST_API_KEY": KEY})
    assert result.exit_code == 2
    assert not leaks(result.stderr)
