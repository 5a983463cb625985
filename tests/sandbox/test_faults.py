"""Fault injection in the served sandbox: each knob over a real loopback socket.

Every request has a short client timeout, so nothing can hang; every timing
check is a lower bound only. The seeds below were picked so that a handful of
requests meets every variant of a fault (a seed always gives the same faults).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.serving import BaseWSGIServer

from audience_cli.sandbox.app import SandboxApp
from audience_cli.sandbox.faults import (
    AMBIGUOUS_502,
    AMBIGUOUS_BAD_JSON,
    AMBIGUOUS_CLOSE,
    AMBIGUOUS_RESET,
    AMBIGUOUS_TRUNCATED,
    DROP_CLOSE,
    DROP_RESET,
    FaultConfig,
    FaultInjector,
    FaultStats,
)
from audience_cli.sandbox.server import (
    build_server,
    fault_injector,
    running_faulty_server,
    running_server,
)
from audience_cli.sandbox.store import SandboxStore

TIMEOUT = 3.0  # seconds: any one request; a hang fails fast instead of stalling the suite
CSV = b"phoneNumber,firstName\n+15550000001,Ann\n+15550000002,Bob\n"


pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback traffic never via a proxy


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "faults.db"


@pytest.fixture(autouse=True)
def no_threads_left() -> Iterator[None]:
    """Every server thread ends with its test. A request thread may still be
    returning when the client has seen its connection close: give it a moment."""
    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=2)
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == [], f"threads left running: {left}"


def client(url: str) -> httpx.Client:
    return httpx.Client(
        base_url=url + "/", headers={"Authorization": "Bearer sk_any"}, timeout=TIMEOUT
    )


def create(api: httpx.Client, name: str) -> httpx.Response:
    form = {"name": name, "phoneNumberColumnName": "phoneNumber"}
    return api.post("audience", data=form, files={"file": ("a.csv", CSV, "text/csv")})


def outcome(send: object) -> str:
    """What the client saw: "transport error", "502 html", "200 bad json", "200"…"""
    assert callable(send)
    try:
        response = send()
    except httpx.TransportError:
        return "transport error"
    assert isinstance(response, httpx.Response)
    if response.headers.get("content-type", "").startswith("text/html"):
        assert "<html>" in response.text
        return f"{response.status_code} html"
    try:
        body = response.json()
    except json.JSONDecodeError:
        return f"{response.status_code} bad json"
    assert isinstance(body, dict) and isinstance(body.get("status"), bool)
    return str(response.status_code)


def audience_names(db: Path) -> list[str]:
    return sorted(a["name"] for a in SandboxStore(db).list_audiences())


def kinds_of(log: list[str]) -> list[str]:
    """The fault kinds, in order, from lines like "fault: drop-close on POST … (request 3)"."""
    return [line.split()[1] for line in log]


# --- drop: no work, no answer --------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_drop_does_no_work_and_the_client_gets_a_transport_error(db: Path, method: str) -> None:
    log: list[str] = []
    with (
        running_faulty_server(db, FaultConfig(drop_rate=1.0, seed=1), log=log.append) as served,
        client(served.url) as api,
    ):
        for i in range(4):
            with pytest.raises(httpx.TransportError):
                if method == "POST":
                    create(api, f"dropped {i}")
                else:
                    api.get("audience")
    assert audience_names(db) == []
    # Both ways of dropping: a plain close (FIN) and a reset (RST).
    assert kinds_of(log) == [DROP_RESET, DROP_CLOSE, DROP_CLOSE, DROP_RESET]
    assert served.stats.by_kind() == {DROP_CLOSE: 2, DROP_RESET: 2}
    assert (served.stats.requests, served.stats.total) == (4, 4)


def test_a_closed_connection_is_a_disconnect_and_a_reset_is_a_reset(db: Path) -> None:
    """The client-side symptoms: no response at all (FIN) vs "connection reset"."""
    log: list[str] = []
    seen: dict[str, set[str]] = {DROP_CLOSE: set(), DROP_RESET: set()}
    with (
        running_faulty_server(db, FaultConfig(drop_rate=1.0, seed=1), log=log.append) as served,
        client(served.url) as api,
    ):
        for _ in range(4):
            try:
                api.get("audience")
            except httpx.TransportError as exc:
                seen[kinds_of(log)[-1]].add(type(exc).__name__)
    assert seen[DROP_CLOSE] == {"RemoteProtocolError"}  # "Server disconnected without…"
    assert seen[DROP_RESET] <= {"ReadError", "RemoteProtocolError", "WriteError"}
    assert seen[DROP_RESET]


# --- fail: 5xx before any work --------------------------------------------------


def test_fail_answers_500_502_or_503_and_does_no_work(db: Path) -> None:
    with (
        running_faulty_server(db, FaultConfig(fail_rate=1.0, seed=1)) as served,
        client(served.url) as api,
    ):
        statuses = []
        for i in range(6):
            response = create(api, f"failed {i}")
            statuses.append(response.status_code)
            if response.status_code == 502:  # like a proxy: an HTML page
                assert response.headers["content-type"].startswith("text/html")
                assert "502 Bad Gateway" in response.text
            else:  # the API's own error envelope
                assert response.headers["content-type"] == "application/json"
                body = response.json()
                assert body["status"] is False
                assert body["message"]
    assert set(statuses) == {500, 502, 503}
    assert audience_names(db) == []
    assert served.stats.by_kind() == {f"fail-{s}": n for s, n in sorted(Counter(statuses).items())}
    assert (served.stats.requests, served.stats.total) == (6, 6)


# --- ambiguous: the work is done, the answer is lost ----------------------------


def test_ambiguous_creates_the_audience_though_the_answer_is_lost(db: Path) -> None:
    log: list[str] = []
    expected = {
        AMBIGUOUS_CLOSE: "transport error",
        AMBIGUOUS_RESET: "transport error",
        AMBIGUOUS_TRUNCATED: "transport error",  # Content-Length promised more
        AMBIGUOUS_502: "502 html",
        AMBIGUOUS_BAD_JSON: "200 bad json",
    }
    names = [f"ambiguous {i}" for i in range(5)]
    with (
        running_faulty_server(
            db, FaultConfig(ambiguous_rate=1.0, seed=1), log=log.append
        ) as served,
        client(served.url) as api,
    ):
        seen = [outcome(lambda name=name: create(api, name)) for name in names]
    kinds = kinds_of(log)
    assert set(kinds) == set(expected)  # seed 1: every variant in five requests
    assert seen == [expected[kind] for kind in kinds]
    # Whatever the client saw, every audience was created, with its members.
    assert audience_names(db) == names
    assert {a["memberCount"] for a in SandboxStore(db).list_audiences()} == {2}
    assert served.stats.by_kind() == dict(sorted(Counter(kinds).items()))
    assert (served.stats.requests, served.stats.total) == (5, 5)


def test_ambiguous_adds_the_members_though_the_answer_is_lost(db: Path) -> None:
    store = SandboxStore(db)
    audience = store.create_audience(
        name="Leads",
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=[{"phoneNumber": "+15550000000"}],
    )
    with (
        running_faulty_server(db, FaultConfig(ambiguous_rate=1.0, seed=3)) as served,
        client(served.url) as api,
    ):
        seen = []
        for i in range(1, 4):
            members = {"members": [{"phoneNumber": f"+1555000000{i}"}]}
            seen.append(
                outcome(lambda m=members: api.post(f"audience/{audience['_id']}/members", json=m))
            )
    assert "200" not in seen  # no clean answer came back…
    assert store.count_members(audience["_id"]) == 4  # …yet every member was added
    assert served.stats.total == 3


# --- rate limit: 429 with Retry-After, no work ------------------------------------


def test_rate_limit_answers_429_with_retry_after_and_does_no_work(db: Path) -> None:
    # One request per 5 s: the first passes, the next ones (right after) do not.
    with (
        running_faulty_server(db, FaultConfig(rate_limit=0.2, seed=1)) as served,
        client(served.url) as api,
    ):
        assert create(api, "first").status_code == 200
        for i in range(3):
            response = create(api, f"limited {i}")
            assert response.status_code == 429
            assert response.json()["status"] is False
            assert "Too many requests" in response.json()["message"]
            retry_after = response.headers["Retry-After"]
            assert retry_after.isdigit() and int(retry_after) >= 1
    assert audience_names(db) == ["first"]
    assert served.stats.by_kind() == {"rate-limit": 3}
    assert (served.stats.requests, served.stats.total) == (4, 3)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_token_bucket_refills_at_the_rate(tmp_path: Path) -> None:
    """In-process, on a fake clock: 2 per second, bursts of 2, Retry-After rounded up."""
    clock = FakeClock()
    app = FaultInjector(
        SandboxApp(SandboxStore(tmp_path / "s.db")),
        FaultConfig(rate_limit=2.0),
        sleep=clock.sleep,
        clock=clock,
    )
    transport = httpx.WSGITransport(app=app)
    with httpx.Client(
        transport=transport,
        base_url="http://sandbox.invalid/atoms/v1/",
        headers={"Authorization": "Bearer k"},
    ) as api:

        def status() -> int:
            return api.get("audience").status_code

        assert [status(), status(), status()] == [200, 200, 429]
        assert api.get("audience").headers["Retry-After"] == "1"  # 0.5 s, rounded up
        clock.now += 0.5  # one token back
        assert [status(), status()] == [200, 429]
        clock.now += 10  # full again, but no more than the burst
        assert [status(), status(), status()] == [200, 200, 429]
    assert app.stats.by_kind() == {"rate-limit": 4}
    assert clock.slept == []  # no latency asked, no sleep


# --- latency and slow answers: lower bounds only ---------------------------------


@pytest.mark.slow  # waits on purpose
def test_latency_delays_every_answer(db: Path) -> None:
    with (
        running_faulty_server(db, FaultConfig(latency_ms=150)) as served,
        client(served.url) as api,
    ):
        for _ in range(2):
            started = time.monotonic()
            assert api.get("audience").status_code == 200
            assert time.monotonic() - started >= 0.15
    assert (served.stats.requests, served.stats.total) == (2, 0)  # latency is not a fault


@pytest.mark.slow  # waits on purpose
def test_slow_answers_come_late_after_the_work(db: Path) -> None:
    with (
        running_faulty_server(db, FaultConfig(slow_rate=1.0, slow_ms=200)) as served,
        client(served.url) as api,
    ):
        started = time.monotonic()
        assert create(api, "slow").status_code == 200
        assert time.monotonic() - started >= 0.2
    assert audience_names(db) == ["slow"]
    assert served.stats.by_kind() == {"slow": 1}


@pytest.mark.slow  # waits on purpose
def test_trickle_sends_the_body_a_few_bytes_at_a_time(db: Path) -> None:
    faults = FaultConfig(slow_rate=1.0, slow_ms=250, trickle=True)
    with running_faulty_server(db, faults) as served, client(served.url) as api:
        started = time.monotonic()
        with api.stream("GET", "audience") as response:
            assert response.status_code == 200
            pieces = [piece for piece in response.iter_raw() if piece]
        assert time.monotonic() - started >= 0.25
    assert len(pieces) > 1  # not in one go
    assert json.loads(b"".join(pieces)) == {"status": True, "data": []}
    assert served.stats.by_kind() == {"slow-trickle": 1}


def test_injected_sleeps_go_through_the_sleep_callable(tmp_path: Path) -> None:
    clock = FakeClock()
    app = FaultInjector(
        SandboxApp(SandboxStore(tmp_path / "s.db")),
        FaultConfig(slow_rate=1.0, slow_ms=400, trickle=True, latency_ms=30),
        sleep=clock.sleep,
        clock=clock,
    )
    with httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url="http://sandbox.invalid/atoms/v1/",
        headers={"Authorization": "Bearer k"},
    ) as api:
        assert api.get("audience").json() == {"status": True, "data": []}
    assert clock.slept[0] == pytest.approx(0.03)  # the latency, then the trickle's pauses
    assert len(clock.slept) > 2
    assert sum(clock.slept[1:]) == pytest.approx(0.4)


# --- reproducibility and counting -------------------------------------------------

MIXED = FaultConfig(
    fail_rate=0.2, ambiguous_rate=0.2, drop_rate=0.2, slow_rate=0.1, slow_ms=20, seed=7
)


def scripted_series(db: Path, faults: FaultConfig) -> tuple[list[str], list[str], FaultStats]:
    """Twelve requests, one after another: (fault kinds, what the client saw, stats)."""
    log: list[str] = []
    seen: list[str] = []
    with running_faulty_server(db, faults, log=log.append) as served, client(served.url) as api:
        for i in range(12):
            if i % 3 == 2:
                seen.append(outcome(lambda: api.get("audience")))
            else:
                seen.append(outcome(lambda i=i: create(api, f"series {i}")))
    lines = {int(line.rsplit(" ", 1)[1].rstrip(")")): line.split()[1] for line in log}
    return [lines.get(n, "none") for n in range(1, 13)], seen, served.stats


@pytest.mark.slow  # three servers, near a second on a busy machine
def test_the_same_seed_gives_the_same_faults(tmp_path: Path) -> None:
    first_kinds, first_seen, first_stats = scripted_series(tmp_path / "a.db", MIXED)
    again_kinds, again_seen, again_stats = scripted_series(tmp_path / "b.db", MIXED)
    assert first_kinds == again_kinds
    assert first_seen == again_seen
    assert first_stats.by_kind() == again_stats.by_kind()
    # The mix is really mixed: clean answers and several kinds of fault.
    assert "none" in first_kinds
    assert len({k.split("-")[0] for k in first_kinds} - {"none"}) >= 3
    # …and the store holds what the faults let through, the same both times.
    assert audience_names(tmp_path / "a.db") == audience_names(tmp_path / "b.db")
    other_kinds, _, _ = scripted_series(tmp_path / "c.db", replace(MIXED, seed=8))
    assert other_kinds != first_kinds


def test_stats_count_every_fault_and_every_api_request(tmp_path: Path) -> None:
    kinds, seen, stats = scripted_series(tmp_path / "s.db", MIXED)
    assert stats.requests == 12
    assert stats.total == sum(k != "none" for k in kinds)
    assert stats.by_kind() == dict(sorted(Counter(k for k in kinds if k != "none").items()))
    summary = stats.summary()
    assert summary.startswith(f"{stats.total} faults in 12 requests: ")
    for kind, count in stats.by_kind().items():
        assert f"{kind} {count}" in summary
    # Faults before the work leave nothing; the ones after it leave the audience.
    created = [
        f"series {i}"
        for i, kind in enumerate(kinds)
        if i % 3 != 2 and not kind.startswith(("drop", "fail"))
    ]
    assert audience_names(tmp_path / "s.db") == sorted(created)
    assert seen  # (what the client saw is compared across runs above)


def test_only_requests_under_the_api_prefix_get_faults(db: Path) -> None:
    with (
        running_faulty_server(db, FaultConfig(fail_rate=1.0, seed=1)) as served,
        client(served.url) as api,
    ):
        outside = api.get(served.url.replace("/atoms/v1", "/elsewhere"))
        assert outside.status_code == 404  # the app's own answer
        assert outside.json()["status"] is False
        assert api.get("audience").status_code >= 500
    assert (served.stats.requests, served.stats.total) == (1, 1)


# --- the server's keyword and the configuration -----------------------------------


def test_running_server_takes_faults(db: Path) -> None:
    with (
        running_server(db, port=0, faults=FaultConfig(drop_rate=1.0)) as url,
        client(url) as api,
        pytest.raises(httpx.TransportError),
    ):
        api.get("audience")


def test_build_server_wraps_the_app_only_when_a_knob_is_on(db: Path) -> None:
    servers: list[BaseWSGIServer] = []
    try:
        for faults in (None, FaultConfig(), FaultConfig(seed=3)):
            servers.append(build_server(db, port=0, faults=faults))
            assert fault_injector(servers[-1]) is None
        servers.append(build_server(db, port=0, faults=FaultConfig(latency_ms=1, seed=3)))
        injector = fault_injector(servers[-1])
        assert injector is not None
        assert injector.seed == 3
        assert injector.describe() == "latency-ms 1, seed 3"
    finally:
        for server in servers:
            server.server_close()


@pytest.mark.parametrize(
    "knobs",
    [
        {"fail_rate": 1.5},
        {"drop_rate": -0.1},
        {"fail_rate": 0.6, "ambiguous_rate": 0.6},
        {"rate_limit": 0},
        {"slow_ms": -1},
    ],
)
def test_impossible_configurations_are_refused(knobs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        FaultConfig(**knobs)


def test_describe_names_the_knobs_that_are_on() -> None:
    assert not FaultConfig(seed=4).enabled
    assert FaultConfig().describe() == "none"
    faults = FaultConfig(ambiguous_rate=0.1, slow_rate=0.2, trickle=True, rate_limit=5, seed=7)
    assert faults.enabled
    assert faults.describe() == (
        "ambiguous-rate 0.1, slow-rate 0.2, slow-ms 2000, trickle, rate-limit 5/s, seed 7"
    )


def test_an_unseeded_injector_picks_a_seed_it_can_replay() -> None:
    injector = FaultInjector(SandboxApp(SandboxStore(":memory:")), FaultConfig(fail_rate=0.5))
    assert isinstance(injector.seed, int)
    assert injector.describe().endswith(f"seed {injector.seed}")


# --- the command ---------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--fail-rate", "2"],
        ["--ambiguous-rate", "-0.5"],
        ["--drop-rate", "x"],
        ["--rate-limit", "0"],
        ["--latency", "-1"],
        ["--fail-rate", "0.6", "--drop-rate", "0.6"],
    ],
)
def test_serve_refuses_bad_fault_options(cli, args: list[str]) -> None:
    result = cli("sandbox", "serve", "--port", "0", *args)
    assert result.exit_code == 2, result.stderr


def test_serve_fail_rate_2_exits_2(cli) -> None:
    result = cli("sandbox", "serve", "--fail-rate", "2")
    assert result.exit_code == 2
    assert "--fail-rate" in result.stderr


def test_serve_says_faults_are_on_and_counts_them_on_ctrl_c(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real loop serves one request, then Ctrl-C: banner, fault log and counts."""
    original = BaseWSGIServer.serve_forever

    def serve_one_then_interrupt(self: BaseWSGIServer, poll_interval: float = 0.5) -> None:
        loop = threading.Thread(target=original, args=(self, 0.05))
        loop.start()
        try:
            url = f"http://127.0.0.1:{self.server_port}/atoms/v1"
            with client(url) as api:
                assert api.get("audience").status_code in {500, 502, 503}
        finally:
            self.shutdown()
            loop.join(timeout=5)
        raise KeyboardInterrupt

    monkeypatch.setattr(BaseWSGIServer, "serve_forever", serve_one_then_interrupt)
    result = cli("sandbox", "serve", "--port", "0", "--fail-rate", "1", "--seed", "7")
    assert result.exit_code == 0, result.stderr
    lines = result.plain_err.splitlines()
    assert lines[0].startswith("Sandbox serving http://127.0.0.1:")
    assert lines[0].endswith(")") and "/atoms/v1 (db: " in lines[0]
    assert lines[1] == "Faults on: fail-rate 1, seed 7"
    assert any(
        line.startswith("fault: fail-50") and "GET /atoms/v1/audience" in line for line in lines
    )
    (counted,) = [line for line in lines if line.startswith("Faults injected: ")]
    assert counted.startswith("Faults injected: 1 fault in 1 request: fail-50")
    assert lines[-1] == "Stopped."


def test_serve_without_fault_options_keeps_its_banner(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(self: BaseWSGIServer, poll_interval: float = 0.5) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(BaseWSGIServer, "serve_forever", interrupt)
    result = cli("sandbox", "serve", "--port", "0")
    assert result.exit_code == 0, result.stderr
    lines = result.plain_err.splitlines()
    assert lines[0].startswith("Sandbox serving http://127.0.0.1:")
    assert lines[1].startswith("Try: SMALLEST_API_KEY=sk_sandbox audience --base-url http://127.")
    assert lines[1].endswith(" list    ·    Ctrl-C to stop")
    assert "Fault" not in result.stderr


def test_fault_methods_leave_the_other_methods_alone(sandbox_cli, tmp_path):
    from audience_cli.sandbox.faults import FaultConfig, FaultInjector

    config = FaultConfig(fail_rate=1.0, methods=("POST",), seed=3)
    assert "methods POST" in config.describe()
    seen: list[str] = []

    def app(environ, start_response):
        seen.append(environ["REQUEST_METHOD"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": true, "data": []}']

    injector = FaultInjector(app, config)
    import httpx

    with httpx.Client(transport=httpx.WSGITransport(app=injector), base_url="http://x") as http:
        assert http.get("/atoms/v1/audience").status_code == 200
        assert http.post("/atoms/v1/audience/a/members", json={}).status_code >= 500
    assert seen == ["GET"]
    bad = sandbox_cli("sandbox", "serve", "--fault-methods", "FETCH", "--port", "0")
    assert bad.exit_code == 2
    assert "--fault-methods 'FETCH': FETCH is not one of" in bad.stderr


def test_serve_names_the_key_it_was_started_with_and_refuses_one_no_client_can_send(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(self: BaseWSGIServer, poll_interval: float = 0.5) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(BaseWSGIServer, "serve_forever", interrupt)
    result = cli("sandbox", "serve", "--port", "0", env={"AUDIENCE_SANDBOX_API_KEY": "sk_it's"})
    assert result.exit_code == 0, result.stderr
    assert "Try: SMALLEST_API_KEY='sk_it'\"'\"'s' audience --base-url http://127." in result.stderr
    for bad in ("sk with space", "", "sk_ünï"):
        refused = cli("sandbox", "serve", "--port", "0", "--api-key", bad)
        assert refused.exit_code == 2, bad
        assert "visible ASCII" in refused.stderr
        assert not bad or bad not in refused.stderr
