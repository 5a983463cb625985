"""`audience doctor`: the setup checked read-only against the embedded sandbox, the served
one, and answers made to fail (a refused key, a closed port, a wrong shape, an unreadable
do-not-call list, a skewed clock), with a key file others can read and a pending journal."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from email.utils import formatdate

import httpx
import pytest

from audience_cli.sandbox import EMBEDDED_BASE_URL
from audience_cli.sandbox.server import running_server
from audience_cli.state import api_folder
from audience_cli.state.journal import Journal
from tests.conftest import seed_audience

KEY = "sk_test_0123456789abcdef"
ENV = {"SMALLEST_API_KEY": KEY}
Answer = Callable[[httpx.Request], httpx.Response]


class ReadOnly(httpx.BaseTransport):
    """The sandbox app behind a transport that fails the test on any request but a GET;
    `answers` replaces the answer of a path (without /atoms/v1), `date` adds a Date header."""

    def __init__(self, store, answers: dict[str, Answer] | None = None, date: str | None = None):
        from audience_cli.sandbox.app import SandboxApp

        self.inner = httpx.WSGITransport(app=SandboxApp(store))
        self.answers = answers or {}
        self.date = date
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "GET", f"doctor sent {request.method} {request.url}"
        path = request.url.path.removeprefix("/atoms/v1")
        self.paths.append(path)
        answer = self.answers.get(path)
        response = answer(request) if answer else self.inner.handle_request(request)
        if self.date is not None:
            response.headers["Date"] = self.date
        return response


def refused(request: httpx.Request) -> httpx.Response:
    return httpx.Response(401, json={"status": False, "message": "Unauthorized: invalid key"})


def server_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, json={"status": False, "message": "database unavailable"})


def lines_of(stdout: str) -> dict[str, str]:
    """Each check's line by its name: `name -> "status  detail"`."""
    found = {}
    for line in stdout.splitlines():
        status, _, rest = line.partition("  ")
        if status.strip() in ("ok", "warn", "fail"):
            name, _, detail = rest.strip().partition("  ")
            found[name] = f"{status.strip()}  {detail.strip()}"
    return found


def checks_of(stdout: str) -> dict[str, dict[str, str]]:
    return {c["name"]: c for c in json.loads(stdout)["checks"]}


# --- all well ---------------------------------------------------------------------------


def test_the_embedded_sandbox_passes_every_check(sandbox_cli, store):
    seed_audience(store, "Leads", 2)
    seed_audience(store, "Others", 1)
    result = sandbox_cli("doctor")
    assert result.exit_code == 0, result.stdout + result.stderr
    checks = lines_of(result.stdout)
    assert list(checks) == [
        "API key",
        "base URL",
        "proxy",
        "reachable",
        "list audiences",
        "do-not-call list",
        "answer shapes",
        "answers read",
        "clock",
        "versions",
        "state folder",
        "pending journal",
    ]
    assert all(line.startswith("ok  ") for line in checks.values()), checks
    assert checks["list audiences"] == "ok  2 visible (GET /audience)"
    assert checks["answer shapes"] == "ok  matched the spec (4 answers)"  # 3 latency probes
    assert checks["answers read"] == "ok  as this tool reads them (GET /audience, GET /dnc)"
    assert result.stdout.splitlines()[-1] == "12 ok · 0 warn · 0 fail"


def test_doctor_sends_only_gets_and_reads_the_list_and_the_dnc(cli, store):
    transport = ReadOnly(store)
    result = cli("--sandbox", "doctor", transport=transport)
    assert result.exit_code == 0, result.stdout
    assert transport.paths == ["/dnc", "/dnc", "/dnc", "/audience"]


def test_the_served_sandbox_passes_every_check_and_its_clock_is_compared(cli, tmp_path, no_proxies):
    from audience_cli.sandbox.store import SandboxStore

    db = tmp_path / "served.db"
    seed_audience(SandboxStore(db), "Served", 3)
    with running_server(db, port=0) as base_url:
        result = cli("--base-url", base_url, "doctor", "--json", env=ENV)
    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["summary"] == {"ok": 13, "warn": 0, "fail": 0}
    assert document["ok"] is True
    checks = {c["name"]: c for c in document["checks"]}
    assert checks["API key"]["detail"] == "sk_…cdef from environment (SMALLEST_API_KEY)"
    assert checks["base URL"]["detail"].endswith("· plain http to this machine")
    assert checks["list audiences"]["detail"] == "1 visible (GET /audience)"
    assert checks["answer shapes"]["detail"] == "matched the spec (4 answers)"
    assert checks["clock"]["detail"].startswith("within ")  # Werkzeug sends a Date header
    assert KEY not in result.stdout + result.stderr


# --- faults -----------------------------------------------------------------------------


def test_a_refused_key_fails_with_the_login_fix(cli, store):
    transport = ReadOnly(store, {"/audience": refused, "/dnc": refused})
    result = cli("doctor", transport=transport, env=ENV)
    assert result.exit_code == 8
    checks = lines_of(result.stdout)
    assert checks["reachable"].startswith("ok  answered in")
    assert checks["list audiences"] == (
        "fail  GET /audience: the key was refused (HTTP 401: Unauthorized: invalid key)"
    )
    assert checks["do-not-call list"].startswith("fail  GET /dnc: the key was refused (HTTP 401")
    assert checks["answer shapes"] == "ok  matched the spec (4 answers)"  # the 401s' bodies
    assert "answers read" not in checks  # nothing succeeded: nothing for the tool to read
    assert "→ Store a key with `audience auth login`" in result.stdout
    assert KEY not in result.stdout


def test_a_host_that_does_not_answer_fails_in_one_line_and_nothing_more_is_sent(cli):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = cli("--base-url", f"http://127.0.0.1:{port}", "doctor", "--json", env=ENV)
    assert result.exit_code == 8
    checks = checks_of(result.stdout)
    reachable = checks["reachable"]
    assert reachable["status"] == "fail"
    assert reachable["detail"].startswith(f"cannot reach http://127.0.0.1:{port}/atoms/v1 (")
    assert "\n" not in reachable["detail"]
    assert "list audiences" not in checks and "clock" not in checks
    assert "answer shapes" not in checks  # no answer to check
    assert json.loads(result.stdout)["summary"]["fail"] == 1


def test_a_wrong_shaped_answer_names_the_first_mismatch(cli, store):
    def odd(request: httpx.Request) -> httpx.Response:
        audience = {"_id": "a" * 24, "name": "Leads", "memberCount": "many"}
        return httpx.Response(200, json={"status": True, "data": [audience]})

    result = cli("--sandbox", "doctor", transport=ReadOnly(store, {"/audience": odd}))
    assert result.exit_code == 8
    checks = lines_of(result.stdout)
    assert checks["list audiences"] == "ok  1 visible (GET /audience)"
    assert checks["answer shapes"] == (
        "warn  GET /audience: data[0].memberCount: 'many' is not of type 'number'"
    )
    assert checks["answers read"] == (
        'fail  GET /audience: "data[0].memberCount" is "many", not a whole number'
    )


def dnc_entry_without_number(request: httpx.Request) -> httpx.Response:
    entry = {"id": "d1", "orgId": "o1", "phoneNumber": None, "source": "manual"}
    pagination = {"page": 1, "offset": 1, "total": 1, "totalPages": 1, "hasMore": False}
    return httpx.Response(
        200, json={"status": True, "data": {"entries": [entry], "pagination": pagination}}
    )


def test_an_answer_off_the_spec_that_the_tool_reads_warns_with_the_path(cli, store):
    transport = ReadOnly(store, {"/dnc": dnc_entry_without_number})
    result = cli("--sandbox", "doctor", transport=transport)
    assert result.exit_code == 0, result.stdout  # a warning: the tool reads it
    checks = lines_of(result.stdout)
    assert checks["answer shapes"] == (
        "warn  GET /dnc: data.entries[0].phoneNumber: None is not of type 'string'"
    )
    assert checks["answers read"].startswith("ok  ")
    assert "→ The API answered outside its published spec" in result.stdout
    strict = cli("--sandbox", "doctor", "--strict", transport=transport)
    assert strict.exit_code == 8


def test_an_error_answer_is_checked_against_the_spec_too(cli, store):
    def odd_refusal(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"status": False, "errors": "Unauthorized"})

    transport = ReadOnly(store, {"/audience": odd_refusal})
    result = cli("doctor", "--json", transport=transport, env=ENV)
    assert result.exit_code == 8  # the refused key
    checks = checks_of(result.stdout)
    assert checks["answer shapes"]["status"] == "warn"
    assert checks["answer shapes"]["detail"] == (
        "GET /audience: errors: 'Unauthorized' is not of type 'array'"
    )


def test_an_answer_that_is_not_json_is_off_the_spec(cli, store):
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>maintenance</html>")

    result = cli("--sandbox", "doctor", transport=ReadOnly(store, {"/audience": html}))
    assert result.exit_code == 8  # the list cannot be read
    checks = lines_of(result.stdout)
    assert checks["answer shapes"] == "warn  GET /audience: HTTP 200: the answer is not JSON"


def test_an_unreadable_dnc_list_fails_and_says_the_scrub_depends_on_it(cli, store):
    result = cli("--sandbox", "doctor", "--json", transport=ReadOnly(store, {"/dnc": server_error}))
    assert result.exit_code == 8
    checks = checks_of(result.stdout)
    assert checks["reachable"]["status"] == "ok"  # a 500 is an answer
    assert checks["list audiences"]["status"] == "ok"
    dnc = checks["do-not-call list"]
    assert dnc["status"] == "fail"
    assert dnc["detail"] == (
        "GET /dnc: HTTP 500: database unavailable: numbers cannot be screened against it"
    )
    assert dnc["fix"]
    assert checks["answer shapes"]["detail"] == "matched the spec (4 answers)"  # the 500s too
    assert checks["answers read"]["detail"] == "as this tool reads them (GET /audience)"


def test_behind_the_fault_proxy_every_read_failing_is_reported_once_each(cli, tmp_path, no_proxies):
    from audience_cli.sandbox.faults import FaultConfig
    from audience_cli.sandbox.server import running_faulty_server

    faults = FaultConfig(fail_rate=1.0, seed=7)
    with running_faulty_server(tmp_path / "faulty.db", faults) as (base_url, stats):
        result = cli("--base-url", base_url, "doctor", "--json", env=ENV)
    assert result.exit_code == 8
    checks = checks_of(result.stdout)
    assert checks["reachable"]["status"] == "ok"  # a 5xx is an answer
    assert checks["list audiences"]["status"] == "fail"
    assert checks["do-not-call list"]["status"] == "fail"
    assert checks["list audiences"]["detail"].startswith("GET /audience: ")
    # the injected 500s match the error schema; a 502 or 503 (no body in the spec) is not counted
    assert checks["answer shapes"]["detail"] == "matched the spec (2 answers)"
    assert stats.requests == 4  # three latency probes and the list: none tried again
    assert result.sleeps == []


def test_a_skewed_server_clock_warns_and_strict_makes_it_fail(cli, store):
    import time

    an_hour_ago = formatdate(time.time() - 3600, usegmt=True)
    transport = ReadOnly(store, date=an_hour_ago)
    result = cli("doctor", transport=transport, env=ENV)
    assert result.exit_code == 0, result.stdout  # a warning alone passes
    clock = lines_of(result.stdout)["clock"]
    assert clock.startswith("warn  this machine's clock is +")
    assert "s off the server's" in clock
    assert "→ Set the clock by NTP" in result.stdout

    strict = cli("doctor", "--strict", transport=ReadOnly(store, date=an_hour_ago), env=ENV)
    assert strict.exit_code == 8


def test_a_key_file_others_can_read_fails_and_the_key_is_never_shown(cli, store, isolated_env):
    folder = isolated_env / ".smallestai"
    folder.mkdir(mode=0o700)
    path = folder / "credentials.json"
    path.write_text(json.dumps({"access_token": KEY}))
    os.chmod(path, 0o644)
    result = cli("doctor", transport=ReadOnly(store))
    assert result.exit_code == 8
    checks = lines_of(result.stdout)
    assert checks["API key"] == f"ok  sk_…cdef from credentials file ({path})"
    assert checks["credentials file"] == (
        f"fail  {path} has mode 0644: anyone on this machine can read it"
    )
    assert f"→ Make it private: chmod 600 {path}" in result.stdout
    assert KEY not in result.stdout + result.stderr

    os.chmod(path, 0o600)
    fixed = cli("doctor", transport=ReadOnly(store))
    assert fixed.exit_code == 0, fixed.stdout
    assert lines_of(fixed.stdout)["credentials file"] == f"ok  {path} (mode 0600)"


def test_a_pending_journal_warns_with_restore_pending(sandbox_cli, store, isolated_env):
    audience_id = seed_audience(store, "Leads", 1)
    env = {"AUDIENCE_STATE_DIR": os.environ["AUDIENCE_STATE_DIR"]}
    journal = Journal(api_folder(env, EMBEDDED_BASE_URL), audience_id)
    rows = [{"phoneNumber": "+14155550100"}, {"phoneNumber": "+14155550101"}]
    journal.record({"name": "Leads"}, "phoneNumber", rows)

    result = sandbox_cli("doctor")
    assert result.exit_code == 0, result.stdout
    assert lines_of(result.stdout)["pending journal"] == (
        "warn  2 members of 'Leads' removed for an update and not added back (an interrupted run)"
    )
    assert "→ Put them back with `audience restore --pending`" in result.stdout
    assert sandbox_cli("doctor", "--strict").exit_code == 8


def test_no_key_fails_but_the_network_is_still_checked(cli, store):
    transport = ReadOnly(store, {"/audience": refused, "/dnc": refused})
    result = cli("doctor", "--json", transport=transport)
    assert result.exit_code == 8
    checks = checks_of(result.stdout)
    assert checks["API key"]["status"] == "fail"
    assert "audience auth login" in checks["API key"]["fix"]
    assert checks["reachable"]["status"] == "ok"


def test_settings_that_cannot_be_read_are_one_failed_check(cli, isolated_env):
    folder = isolated_env / ".smallestai"
    folder.mkdir(mode=0o700)
    (folder / "credentials.json").write_text("{not json")
    result = cli("doctor")
    assert result.exit_code == 8
    checks = lines_of(result.stdout)
    assert list(checks) == ["settings", "versions"]
    assert checks["settings"].startswith("fail  ")
    assert "not valid JSON" in checks["settings"]


@pytest.mark.parametrize("args", [["doctor", "--help"], ["help", "doctor"]])
def test_the_help_has_examples(cli, args):
    result = cli(*args)
    assert result.exit_code == 0
    assert "audience doctor --json || alert" in result.stdout


def test_a_profiles_key_and_file_are_the_ones_checked(cli, store, tmp_path):
    profiles = tmp_path / "config" / "profiles"
    profiles.mkdir(parents=True, mode=0o700)
    path = profiles / "staging.json"
    path.write_text(json.dumps({"access_token": "sk_staging_0123456789ab"}))
    path.chmod(0o600)
    result = cli("--profile", "staging", "doctor", transport=ReadOnly(store), env=ENV)
    assert result.exit_code == 0, result.stdout
    checks = lines_of(result.stdout)
    assert checks["API key"] == f"ok  sk_…89ab from profile staging ({path})"
    assert checks["credentials file"] == f"ok  {path} (mode 0600)"
