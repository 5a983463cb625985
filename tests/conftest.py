"""Shared fixtures: an isolated environment and a runner for the `audience` command."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import typer.main
from click.testing import CliRunner
from hypothesis import settings

from audience_cli.cli.app import app
from audience_cli.cli.context import Overrides, Terminal
from tests.scripted import Scripts

pytest_plugins = ["pytester"]  # tests/test_scripted.py runs a test file of its own

# No per-example deadline: timing flakes on slow or busy machines prove nothing.
settings.register_profile("audience", deadline=None)
settings.load_profile("audience")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

ISOLATED_VARS = (
    "SMALLEST_API_KEY",
    "SMALLEST_BASE_URL",
    "AUDIENCE_SANDBOX",
    "AUDIENCE_PROFILE",
    "AUDIENCE_TIMEOUT",
    "AUDIENCE_DEBUG",
    "AUDIENCE_NO_INPUT",
    "AUDIENCE_REGION",
    "AUDIENCE_CHUNK_SIZE",
    "AUDIENCE_MEMBER_LIMIT",
    "AUDIENCE_SANDBOX_API_KEY",
    "AUDIENCE_SANDBOX_MEMBER_LIMIT",
    "AUDIENCE_SANDBOX_MAX_PAGE_SIZE",
    "AUDIENCE_PAGE_SIZE",
    "AUDIENCE_CONCURRENCY",
    "AUDIENCE_WORKERS",
    "AUDIENCE_MAX_REMOVE",
    "AUDIENCE_SNAPSHOTS_KEEP",
    "AUDIENCE_MAX_COLUMNS",
    "NO_COLOR",
    "TERM",
    "FORCE_COLOR",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees the developer's key, credentials, sandbox or caches."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ISOLATED_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SMALLEST_CONFIG_DIR", str(home / ".smallestai"))
    monkeypatch.setenv("AUDIENCE_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    monkeypatch.setenv("AUDIENCE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AUDIENCE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AUDIENCE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COLUMNS", "120")
    return home


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    sleeps: list[float] = field(default_factory=list)
    raw_stdout: bytes = b""  # as written: `stdout` has CRLF made LF (Click's runner does that)

    @property
    def plain(self) -> str:
        """stdout without ANSI styling (a terminal run is styled)."""
        return ANSI.sub("", self.stdout)

    @property
    def plain_err(self) -> str:
        return ANSI.sub("", self.stderr)

    @property
    def lines(self) -> list[str]:
        return self.plain.splitlines()


RunCli = Callable[..., Run]


@pytest.fixture(scope="session")
def click_command() -> object:
    """The Click command behind the Typer app, built once (Typer's runner builds it anew
    for every run: about 14 ms each, a third of the suite's time)."""
    return typer.main.get_command(app)


@pytest.fixture
def cli(click_command) -> RunCli:
    """Run `audience ARGS…`; `tty=True` makes stdin, stdout and stderr terminals."""

    def run(
        *args: str,
        input: str | bytes | None = None,
        tty: bool = False,
        transport: httpx.BaseTransport | None = None,
        env: dict[str, str] | None = None,
        now: datetime | None = None,
    ) -> Run:
        sleeps: list[float] = []
        overrides = Overrides(
            terminal=Terminal(stdin=tty, stdout=tty, stderr=tty),
            transport=transport,
            sleep=sleeps.append,
            wall_clock=None if now is None else (lambda: now),
        )
        runner = CliRunner()
        result = runner.invoke(
            click_command, list(args), input=input, obj=overrides, env=env, catch_exceptions=False
        )
        return Run(result.exit_code, result.stdout, result.stderr, sleeps, result.stdout_bytes)

    return run


@pytest.fixture
def sandbox_cli(cli: RunCli) -> RunCli:
    """`audience --sandbox ARGS…` against this test's own SQLite file."""

    def run(*args: str, **kwargs: object) -> Run:
        return cli("--sandbox", *args, **kwargs)

    return run


def make_audience(sandbox_cli: RunCli, name: str, *phones: str) -> str:
    args = ["create", name]
    for p in phones:
        args += ["--phone", p]
    result = sandbox_cli(*args)
    assert result.exit_code == 0, result.stderr
    audience_id = result.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{24}", audience_id), result.stdout
    return audience_id


@pytest.fixture
def store(tmp_path: Path, isolated_env: Path):
    """The embedded sandbox's own store, for arranging state directly."""
    from audience_cli.sandbox.store import SandboxStore

    return SandboxStore(tmp_path / "sandbox.db")


def phones_in(store, audience_id: str) -> list[str]:
    """The numbers of an audience's members, as the store keeps them."""
    return [m["data"]["phoneNumber"] for m in store.all_members(audience_id)]


def members_of(store, audience_id: str) -> list[dict[str, str]]:
    """The data of an audience's members, as the store keeps them."""
    return [m["data"] for m in store.all_members(audience_id)]


def seed_audience(store, name: str, count: int, **extra: str) -> str:
    members = [
        {
            "firstName": f"First{i}",
            "lastName": f"Last{i}",
            "phoneNumber": f"+1415555{i:04d}",
            **extra,
        }
        for i in range(count)
    ]
    audience = store.create_audience(
        name=name,
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=members,
    )
    return audience["_id"]


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to the sandbox app and remembers (method, path) of each."""

    def __init__(self, store, config=None) -> None:
        from audience_cli.sandbox.app import SandboxApp

        self.inner = httpx.WSGITransport(app=SandboxApp(store, config))
        self.calls: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path.removeprefix("/atoms/v1")))
        return self.inner.handle_request(request)

    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] != "GET"]


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback traffic must never be sent to a proxy from the environment."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def recorder(store) -> RecordingTransport:
    return RecordingTransport(store)


CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each test's own outcome, for fixtures that check things at teardown."""
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report


@pytest.fixture
def scripted(request: pytest.FixtureRequest) -> Iterator[Scripts]:
    """`scripted(*answers, repeat_last=False)`: a `Recorder` (tests/scripted.py) to hand to
    `httpx.MockTransport`. A passing test fails at teardown if a recorder was not played
    exactly through: an answer never given, or a request beyond the script. (A test that
    failed already is left alone: its script was cut short by the failure.)"""
    scripts = Scripts()
    yield scripts
    outcome = request.node.stash.get(CALL_REPORT, None)
    if outcome is not None and outcome.failed:
        return
    if problems := scripts.problems():
        pytest.fail("scripted HTTP answers:\n" + "\n".join(problems), pytrace=False)
