"""Deadlines: a request ends by its --timeout from connect to the last byte (headers
included), a run ends by its --deadline, and list and auth give up within 30 s by default.

Slow servers are real sockets on 127.0.0.1 that drip their answer a byte at a time (tests/
loopback.py), bounded so that a client without the deadline would clearly take longer than
the test allows; the 30 s defaults are checked on a fake clock, never waited for."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest
from click.testing import CliRunner

from audience_cli.cli.context import Overrides, Terminal
from audience_cli.client import AtomsClient, RunDeadline
from audience_cli.errors import ApiTimeoutError, ExitCode, RunDeadlineError, ServerError
from audience_cli.retry import RetryPolicy
from tests.conftest import Run
from tests.loopback import answer_head, dripping_server

KEY = "sk_test_0123456789abcdef"
BODY = json.dumps({"status": True, "data": []}).encode()
ENV = {"SMALLEST_API_KEY": KEY}


def real_client(url: str, *, timeout: float, **kwargs: object) -> AtomsClient:
    policy = RetryPolicy(max_retries=0, sleep=lambda _: None)
    return AtomsClient(url, KEY, timeout=timeout, retry=policy, **kwargs)  # type: ignore[arg-type]


# --- one request, from connect to the last byte --------------------------------------


@pytest.mark.slow
def test_headers_that_drip_are_cut_at_the_timeout() -> None:
    # 300 bytes of status line and headers, one every 50 ms: 15 s in all, and never a
    # pause long enough for a read timeout. The request's deadline cuts it at 0.5 s.
    head = answer_head(BODY, pad=210)
    with dripping_server(head + BODY, pause=0.05) as server:
        client = real_client(server.url, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError) as caught:
            client.list_audiences()
        spent = time.monotonic() - started
        client.close()
    assert spent < 6, f"took {spent:.1f} s"  # the whole drip takes 15 s
    assert not isinstance(caught.value, RunDeadlineError)
    assert "did not answer in time (the answer took more than 0.5 s)" in caught.value.message
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert caught.value.maybe_processed  # the request was sent


@pytest.mark.slow
def test_a_body_that_drips_is_cut_at_the_timeout() -> None:
    body = BODY + b" " * 270  # the headers at once, then 300 bytes at 50 ms each: 15 s
    with dripping_server(at_once=answer_head(body) + body) as server:
        assert real_client(server.url, timeout=5).list_audiences() == []  # a sound answer
    with dripping_server(body, at_once=answer_head(body), pause=0.05) as server:
        client = real_client(server.url, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError, match=r"the answer took more than 0\.5 s"):
            client.list_audiences()
        spent = time.monotonic() - started
        client.close()
    assert spent < 6, f"took {spent:.1f} s"


@pytest.mark.slow
def test_each_retry_gets_its_own_deadline_and_the_last_error_says_so(cli) -> None:
    head = answer_head(BODY, pad=210)
    with dripping_server(head + BODY, pause=0.05) as server:
        started = time.monotonic()
        result = cli("--base-url", server.url, "--timeout", "0.5", "list", env=ENV)
        spent = time.monotonic() - started
    assert result.exit_code == 7, result.stderr
    # Five tries of 0.5 s (the waits between them are not slept here); dripping, the
    # five would take 75 s.
    assert spent < 15, f"took {spent:.1f} s"
    assert server.connections == 5
    assert result.stderr.count("trying again in") == 4
    assert f"GET {server.url}/atoms/v1/audience did not answer in time" in result.stderr
    assert "(the answer took more than 0.5 s) after " in result.stderr


# --- the run's deadline ----------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def black_hole(
    clock: FakeClock, attempts: list[float]
) -> Callable[[httpx.Request], httpx.Response]:
    """A host that never completes a connection: each attempt takes its connect timeout."""

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(clock.now)
        clock.now += request.extensions["timeout"]["connect"]
        raise httpx.ConnectTimeout("timed out", request=request)

    return handler


def fake_client(clock: FakeClock, handler, *, deadline: float | None, **kwargs) -> AtomsClient:
    policy = RetryPolicy(max_retries=4, sleep=clock.sleep, random=lambda: 0.5)
    run = RunDeadline(clock.now + deadline, deadline) if deadline is not None else None
    return AtomsClient(
        "https://atoms.invalid/atoms/v1",
        KEY,
        transport=httpx.MockTransport(handler),
        retry=policy,
        clock=clock,
        run_deadline=run,
        **kwargs,
    )


def test_no_attempt_starts_after_the_runs_deadline() -> None:
    clock = FakeClock()
    attempts: list[float] = []
    client = fake_client(clock, black_hole(clock, attempts), deadline=25)
    with pytest.raises(RunDeadlineError) as caught:
        client.list_audiences()
    # connect 10 s, wait 0.5, connect 10 s, wait 1: then 3.5 s are left, and the third
    # attempt's connect is given no more than that.
    assert [round(t - 1000, 1) for t in attempts] == [0, 10.5, 21.5]
    assert clock.now - 1000 == pytest.approx(25)
    assert caught.value.message == (
        "the run's deadline (25 s) passed while waiting for "
        "GET https://atoms.invalid/atoms/v1/audience"
    )
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert (caught.value.seconds, caught.value.given) == (25, True)


def test_a_wait_that_would_end_past_the_deadline_is_not_started() -> None:
    clock = FakeClock()
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(clock.now)
        clock.now += 2
        return httpx.Response(503, json={"status": False, "message": "busy"})

    client = fake_client(clock, handler, deadline=3)
    with pytest.raises(RunDeadlineError) as caught:
        client.list_audiences()
    assert len(calls) == 2  # at 0 and at 2.5; then a 1 s wait would end past 3 s
    assert caught.value.message == (
        "the run's deadline (3 s) passed before GET https://atoms.invalid/atoms/v1/audience "
        "could be tried again: busy"
    )
    assert clock.now - 1000 == pytest.approx(4.5)


def test_the_deadline_passed_before_a_request_is_sent_sends_nothing() -> None:
    clock = FakeClock()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json={"status": True, "data": []})

    client = fake_client(clock, handler, deadline=1)
    assert client.list_audiences() == []
    clock.now += 1
    with pytest.raises(RunDeadlineError, match=r"passed before GET \S+/audience was sent$"):
        client.list_audiences()
    assert len(calls) == 1


def test_without_a_run_deadline_the_retries_go_on() -> None:
    clock = FakeClock()
    attempts: list[float] = []
    client = fake_client(clock, black_hole(clock, attempts), deadline=None)
    with pytest.raises(ApiTimeoutError) as caught:
        client.list_audiences()
    assert not isinstance(caught.value, RunDeadlineError)
    assert len(attempts) == 5  # the first try and 4 retries, 10 s each at most to connect
    assert clock.now - 1000 == pytest.approx(5 * 10 + 0.5 + 1 + 2 + 4)


def test_a_server_error_keeps_its_type_inside_the_deadline() -> None:
    clock = FakeClock()
    client = fake_client(
        clock, lambda request: httpx.Response(500, json={"message": "boom"}), deadline=100
    )
    with pytest.raises(ServerError):
        client.list_audiences()


def run_cli(
    click_command,
    *args: str,
    clock: FakeClock,
    transport: httpx.BaseTransport,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    overrides = Overrides(
        terminal=Terminal(stdin=False, stdout=False, stderr=False),
        transport=transport,
        sleep=clock.sleep,
        clock=clock,
    )
    result = CliRunner().invoke(
        click_command,
        list(args),
        input=input,
        obj=overrides,
        env={**ENV, **(env or {})},
        catch_exceptions=False,
    )
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    "args",
    [("list",), ("auth", "login", "--with-token"), ("auth", "status")],
    ids=["list", "auth login", "auth status"],
)
def test_list_and_auth_against_a_silent_host_give_up_within_30_s(click_command, args) -> None:
    # At the defaults (30 s a request, 4 retries) a host that never answers cost 158 s.
    clock = FakeClock()
    attempts: list[float] = []
    result = run_cli(
        click_command,
        "--base-url", "https://atoms.invalid", *args,
        clock=clock, transport=httpx.MockTransport(black_hole(clock, attempts)),
        input=KEY + "\n",
    )  # fmt: skip
    assert result.exit_code == 7, result.stderr
    assert clock.now - 1000 <= 30.0 + 1e-6
    assert len(attempts) == 3
    assert "error: the run's deadline (30 s) passed while waiting for GET " in result.stderr
    assert "give up after 30 s by default" in result.stderr
    assert "--deadline SECONDS" in result.stderr


def test_other_commands_have_no_default_deadline(click_command, store) -> None:
    clock = FakeClock()
    attempts: list[float] = []
    result = run_cli(
        click_command,
        "--base-url", "https://atoms.invalid", "show", "0123456789abcdef01234567",
        clock=clock, transport=httpx.MockTransport(black_hole(clock, attempts)),
    )  # fmt: skip
    assert result.exit_code == 7
    assert len(attempts) == 5  # 10 s to connect each, never more
    assert "deadline" not in result.stderr


def test_the_deadline_option_bounds_any_command(click_command) -> None:
    clock = FakeClock()
    attempts: list[float] = []
    result = run_cli(
        click_command,
        "--base-url", "https://atoms.invalid", "--deadline", "12", "show",
        "0123456789abcdef01234567",
        clock=clock, transport=httpx.MockTransport(black_hole(clock, attempts)),
    )  # fmt: skip
    assert result.exit_code == 7
    assert len(attempts) == 2
    assert clock.now - 1000 == pytest.approx(12)
    assert "error: the run's deadline (12 s) passed while waiting for GET " in result.stderr
    assert "Check the network, or give the run more time: --deadline SECONDS." in result.stderr


def test_the_deadline_comes_from_the_environment(click_command) -> None:
    clock = FakeClock()
    attempts: list[float] = []
    result = run_cli(
        click_command,
        "--base-url", "https://atoms.invalid", "list",
        clock=clock, transport=httpx.MockTransport(black_hole(clock, attempts)),
        env={"AUDIENCE_DEADLINE": "5"},
    )  # fmt: skip
    assert result.exit_code == 7
    assert "the run's deadline (5 s) passed" in result.stderr
    assert clock.now - 1000 == pytest.approx(5)


@pytest.mark.slow
def test_a_run_deadline_cuts_a_request_on_a_real_socket(cli) -> None:
    # A server that takes the request and never answers: at the default --timeout (30 s)
    # and 4 retries that is 150 s; the run's deadline ends it at 1 s.
    with dripping_server(silent=True) as server:
        started = time.monotonic()
        result = cli("--base-url", server.url, "--deadline", "1", "show", "x" * 24, env=ENV)
        spent = time.monotonic() - started
    assert result.exit_code == 7, result.stderr
    assert spent < 10, f"took {spent:.1f} s"
    assert server.connections == 1
    assert f"error: the run's deadline (1 s) passed while waiting for GET {server.url}" in (
        result.stderr
    )


# --- bad values ----------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--timeout", "--deadline"])
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "-1", "0", "0.0", "abc", ""])
def test_a_bad_number_of_seconds_is_a_one_line_usage_error(cli, option, value) -> None:
    result = cli(option, value, "--sandbox", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {option} {value!r}: give a number of seconds, ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["AUDIENCE_TIMEOUT", "AUDIENCE_DEADLINE"])
@pytest.mark.parametrize("value", ["nan", "inf", "-5", "0"])
def test_a_bad_number_of_seconds_in_the_environment_names_the_variable(cli, name, value) -> None:
    result = cli("--sandbox", "list", env={name: value})
    assert result.exit_code == 2
    assert result.stderr == f"error: {name}={value!r}: give a number of seconds, " + (
        "from 0.1 to 3600\n" if name == "AUDIENCE_TIMEOUT" else "0.1 or more\n"
    )


def test_a_timeout_over_an_hour_is_refused(cli) -> None:
    result = cli("--timeout", "3601", "--sandbox", "list")
    assert result.exit_code == 2
    assert "from 0.1 to 3600" in result.stderr
