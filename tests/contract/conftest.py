"""What the contract cases call: the sandbox served on 127.0.0.1 (port 0), or with `--live`
the real Atoms API (read-only cases only; `SMALLEST_API_KEY`, optional `AUDIENCE_BASE_URL`;
skipped without a key and always when `CI` is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from audience_cli.sandbox.campaign_run import run_campaign
from audience_cli.sandbox.server import running_server
from audience_cli.sandbox.store import SandboxStore

AGENT = "a" * 24
LIVE_BASE_URL = "https://api.smallest.ai/atoms/v1"
LIVE_TIMEOUT = 30.0


class SandboxTarget:
    """The served sandbox; every case gets objects of its own (made through the store)."""

    live = False

    def __init__(self, base_url: str, store: SandboxStore) -> None:
        self.base_url = base_url
        self.store = store
        self.key = "sk_contract_sandbox"

    def audience(self, members: int = 3) -> str:
        rows = [
            {"phoneNumber": f"+1415555{i:04d}", "firstName": f"First{i}", "lastName": "Last"}
            for i in range(members)
        ]
        made = self.store.create_audience(
            name="Contract",
            description="",
            phone_column="phoneNumber",
            identifier_column=None,
            members=rows,
        )
        audience_id: str = made["_id"]
        return audience_id

    def member_ids(self, audience_id: str) -> list[str]:
        return [m["_id"] for m in self.store.all_members(audience_id)]

    def campaign(self, status: str = "draft", *, ran: bool = False) -> str:
        made = self.store.create_campaign(self.audience(), name="Contract calls", agent_id=AGENT)
        campaign_id: str = made["_id"]
        if ran:
            run_campaign(self.store, campaign_id, seed=0, finish="completed")
        if status != "draft":
            self.store.set_campaign_status(campaign_id, status)
        return campaign_id

    def audience_of(self, campaign_id: str) -> str:
        campaign = self.store.get_campaign_document(campaign_id)
        assert campaign is not None
        audience_id: str = campaign["audienceId"]
        return audience_id

    def dnc(self) -> None:
        self.store.add_dnc("+14155550100")  # organisation-wide: no agentId
        self.store.add_dnc("+14155550101", agent_id=AGENT, source="call", call_id="call-1")


class LiveTarget:
    """A real account, read-only: ids are taken from its listings (or the case skips)."""

    live = True

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.key = key
        self._found: dict[str, str | None] = {}

    def _first(self, path: str, pick: str) -> str:
        if path not in self._found:
            with httpx.Client(base_url=self.base_url + "/", timeout=LIVE_TIMEOUT) as client:
                answer = client.get(path, headers={"Authorization": f"Bearer {self.key}"})
            data: Any = answer.json().get("data") if answer.is_success else None
            items = data if pick == "" else (data or {}).get(pick)
            first = items[0] if isinstance(items, list) and items else None
            self._found[path] = first.get("_id") if isinstance(first, dict) else None
        found = self._found[path]
        if found is None:
            pytest.skip(f"the account has nothing at GET /{path} to read")
        return found

    def audience(self, members: int = 3) -> str:
        return self._first("audience", "")

    def campaign(self, status: str = "draft", *, ran: bool = False) -> str:
        return self._first("campaign", "campaigns")

    def member_ids(self, audience_id: str) -> list[str]:
        raise AssertionError("live cases never write")

    def dnc(self) -> None:
        """The account's list is read as it is."""


Target = SandboxTarget | LiveTarget


def live_base_url(env: dict[str, str]) -> str:
    """`AUDIENCE_BASE_URL` as a host or a full base (`/atoms/v1` added when it has no /v1)."""
    raw = (env.get("AUDIENCE_BASE_URL") or "").strip().rstrip("/")
    if not raw:
        return LIVE_BASE_URL
    return raw if "/v1" in raw else raw + "/atoms/v1"


@pytest.fixture(scope="session")
def live_settings(request: pytest.FixtureRequest) -> tuple[str, str] | None:
    """(base URL, key) with `--live`, read before the per-test isolation clears the
    environment; None without `--live`. Skips when there is no key, and in CI."""
    if not request.config.getoption("--live"):
        return None
    chosen = live_target_of(dict(os.environ))
    if isinstance(chosen, str):
        pytest.skip(chosen)
    return chosen


def live_target_of(env: dict[str, str]) -> tuple[str, str] | str:
    """(base URL, key) for `--live`, or why it does not run."""
    if env.get("CI", "").strip().lower() not in ("", "0", "false"):
        return "--live never runs in CI"
    key = env.get("SMALLEST_API_KEY", "").strip()
    if not key:
        return "--live needs SMALLEST_API_KEY"
    return live_base_url(env), key


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SandboxStore]]:
    db: Path = tmp_path_factory.mktemp("contract") / "sandbox.db"
    with running_server(db, port=0) as base_url:
        yield base_url, SandboxStore(db)


@pytest.fixture
def target(
    request: pytest.FixtureRequest, live_settings: tuple[str, str] | None
) -> Iterator[Target]:
    if live_settings is not None:
        yield LiveTarget(*live_settings)
        return
    base_url, store = request.getfixturevalue("served")
    yield SandboxTarget(base_url, store)
