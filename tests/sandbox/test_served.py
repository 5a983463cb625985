"""End to end over a real loopback socket: `running_server` + `AtomsClient`."""

from __future__ import annotations

import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.members import iter_members
from audience_cli.errors import (
    AuthenticationError,
    BadRequestError,
    ExitCode,
    NotFoundError,
)
from audience_cli.model import members_csv
from audience_cli.retry import RetryPolicy
from audience_cli.sandbox.app import SandboxConfig
from audience_cli.sandbox.server import running_server
from audience_cli.sandbox.store import SandboxStore

pytestmark = pytest.mark.slow


pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback traffic never via a proxy


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"the client tried to sleep {seconds}s against the local sandbox")


def client(base_url: str, key: str = "any-key") -> AtomsClient:
    return AtomsClient(base_url, key, timeout=10, retry=RetryPolicy(sleep=never_sleep))


def test_full_flow_over_a_socket(tmp_path: Path) -> None:
    with running_server(tmp_path / "db", port=0) as base_url:
        parts = urlsplit(base_url)
        assert (parts.scheme, parts.hostname, parts.path) == ("http", "127.0.0.1", "/atoms/v1")
        assert parts.port and parts.port > 0

        with client(base_url) as api:
            members = [
                {"firstName": "Smith, John", "lastName": 'O"Brien', "phoneNumber": "+15550000001"},
                {"firstName": "Jane", "lastName": "Doe", "phoneNumber": "+15550000002"},
            ]
            created = api.create_audience('Spring, "A"', members_csv(members), description="e2e")
            audience_id = created["_id"]
            assert created["name"] == 'Spring, "A"'
            assert created["description"] == "e2e"

            (listed,) = api.list_audiences()
            assert listed["_id"] == audience_id
            assert listed["memberCount"] == 2
            assert (listed["hasCampaigns"], listed["campaigns"]) == (False, [])
            assert api.get_audience(audience_id)["name"] == 'Spring, "A"'

            more = [
                {"firstName": "Jane", "phoneNumber": "+15550000002"},  # already there
                {"firstName": "Ann", "lastName": "Lee", "phoneNumber": "+15550000003"},
                {"firstName": "Bob", "lastName": "Ray", "phoneNumber": "+15550000004"},
                {"firstName": "Ann again", "phoneNumber": "+15550000003"},  # repeat
            ]
            assert api.add_members(audience_id, more) == {
                "added": 2,
                "skipped": 2,
                "message": "2 members added successfully",
            }

            page = api.list_members(audience_id, page=1, page_size=3)
            assert (page["totalCount"], page["totalPages"], page["hasMore"]) == (4, 2, True)
            everyone = list(iter_members(api, audience_id, page_size=3))
            assert [m["data"]["firstName"] for m in everyone] == [
                "Smith, John",
                "Jane",
                "Ann",
                "Bob",
            ]
            assert everyone[0]["data"]["lastName"] == 'O"Brien'

            found = api.search_members(audience_id, query="+15550000003")
            assert [m["data"]["firstName"] for m in found["members"]] == ["Ann"]
            assert found["searchInfo"]["searchType"] == "general"
            by_field = api.search_members(audience_id, filters={"lastName": "doe"})
            assert [m["data"]["firstName"] for m in by_field["members"]] == ["Jane"]
            assert by_field["searchInfo"]["searchType"] == "multiple"

            doomed = [m["_id"] for m in everyone[:2]]
            assert api.remove_members(audience_id, doomed) == {"deletedCount": 2}
            assert api.list_audiences()[0]["memberCount"] == 2

            assert api.delete_audience(audience_id) is None
            assert api.list_audiences() == []
            with pytest.raises(NotFoundError, match=r"^Audience not found$") as caught:
                api.get_audience(audience_id)
            assert caught.value.exit_code == ExitCode.NOT_FOUND


def test_served_rules_surface_as_typed_errors(tmp_path: Path) -> None:
    config = SandboxConfig(member_limit=3)
    with (
        running_server(tmp_path / "db", port=0, config=config) as base_url,
        client(base_url) as api,
    ):
        members = [{"phoneNumber": f"+1555000000{i}"} for i in range(4)]
        with pytest.raises(BadRequestError, match=r"^Audience cannot exceed 3 members$"):
            api.create_audience("Too big", members_csv(members))
        audience_id = api.create_audience("Small", members_csv(members[:2]))["_id"]
        with pytest.raises(BadRequestError, match=r"^Audience cannot exceed 3 members$"):
            api.add_members(audience_id, members[2:])
        with pytest.raises(BadRequestError) as caught:
            api.create_audience("Dupes", members_csv([members[0], members[0]]))
        assert caught.value.message == (
            "Some phone numbers in your CSV already exist in this audience. "
            "Please remove duplicate entries and try again."
        )
        assert caught.value.exit_code == ExitCode.REFUSED


def test_served_campaign_blocks_delete(tmp_path: Path) -> None:
    db_path = tmp_path / "db"
    with running_server(db_path, port=0) as base_url, client(base_url) as api:
        audience_id = api.create_audience("Busy", members_csv([{"phoneNumber": "+15550000001"}]))[
            "_id"
        ]
        SandboxStore(db_path).add_campaign(audience_id, name="Live", status="running")
        with pytest.raises(BadRequestError) as caught:
            api.delete_audience(audience_id)
        assert caught.value.message == (
            f"can't delete audience, campaign with this audience {audience_id} exists"
        )
        (listed,) = api.list_audiences()
        assert listed["hasCampaigns"] is True
        assert [c["status"] for c in listed["campaigns"]] == ["running"]


def test_served_with_an_api_key_refuses_any_other_key(tmp_path: Path) -> None:
    config = SandboxConfig(api_key="secret")
    with running_server(tmp_path / "db", port=0, config=config) as base_url:
        with (
            client(base_url, "not-the-secret") as wrong,
            pytest.raises(AuthenticationError) as caught,
        ):
            wrong.list_audiences()
        assert caught.value.status_code == 401
        assert caught.value.message == "Unauthorized: missing or invalid API key"
        assert caught.value.exit_code == ExitCode.AUTH
        assert "not-the-secret" not in str(caught.value)
        with client(base_url, "secret") as right:
            assert right.list_audiences() == []


def test_served_data_survives_a_restart(tmp_path: Path) -> None:
    db_path = tmp_path / "db"
    with running_server(db_path, port=0) as base_url, client(base_url) as api:
        audience_id = api.create_audience("Kept", members_csv([{"phoneNumber": "+15550000001"}]))[
            "_id"
        ]
    with running_server(db_path, port=0) as base_url, client(base_url) as api:
        (listed,) = api.list_audiences()
        assert (listed["_id"], listed["memberCount"]) == (audience_id, 1)
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_served_concurrent_adds_never_duplicate_a_number(tmp_path: Path) -> None:
    with running_server(tmp_path / "db", port=0) as base_url, client(base_url) as api:
        audience_id = api.create_audience("Busy", members_csv([{"phoneNumber": "+15550000000"}]))[
            "_id"
        ]
        batches = [
            [{"phoneNumber": f"+1555{n:07d}"} for n in range(start, start + 20)]
            for start in (0, 10, 10, 15, 0, 5)
        ]

        def add(batch: list[dict[str, str]]) -> dict[str, object]:
            with client(base_url) as own:
                return own.add_members(audience_id, batch)

        with ThreadPoolExecutor(max_workers=len(batches)) as pool:
            results = list(pool.map(add, batches))
        assert sum(r["added"] for r in results) == 34  # +1555…0001 to …0034
        assert sum(r["added"] + r["skipped"] for r in results) == 120
        members = list(iter_members(api, audience_id, page_size=100))
        phones = [m["data"]["phoneNumber"] for m in members]
        assert len(phones) == len(set(phones)) == 35


def test_server_stops_when_the_context_ends(tmp_path: Path) -> None:
    with running_server(tmp_path / "db", port=0) as base_url:
        assert httpx.get(f"{base_url}/audience", headers={"Authorization": "Bearer x"}).is_success
    # Binding the port proves nothing listens on it any more; holding it bound, without
    # listening, keeps anyone else from taking it, so connecting is certainly refused.
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT only
        held.bind(("127.0.0.1", urlsplit(base_url).port))
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base_url}/audience", headers={"Authorization": "Bearer x"}, timeout=2)
