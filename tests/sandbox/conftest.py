"""Fixtures for the sandbox tests: the WSGI app driven in-process over httpx."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from audience_cli.sandbox.app import SandboxApp, SandboxConfig
from audience_cli.sandbox.store import SandboxStore

BASE_URL = "http://sandbox.invalid/atoms/v1/"
API_KEY = "sk_test_key"


def csv_bytes(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    """A CSV written by the csv module (so commas, quotes and newlines are quoted)."""
    fieldnames = list(columns) if columns is not None else list(rows[0]) if rows else []
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def refused(response: httpx.Response, status: int, message: str) -> None:
    """The error envelope: the status code and exactly this message, as the spec's
    `errors` list and as the reference's `message` (the sandbox answers both)."""
    assert response.status_code == status, response.text
    assert response.json() == {"status": False, "errors": [message], "message": message}


def people(n: int, start: int = 0) -> list[dict[str, str]]:
    """`n` distinct members: Person0 … with numbers +15550000000 …"""
    return [
        {"firstName": f"Person{i}", "lastName": f"Last{i}", "phoneNumber": f"+1555{i:07d}"}
        for i in range(start, start + n)
    ]


class Sandbox:
    """One sandbox app over one SQLite file, with an authorised httpx client."""

    csv = staticmethod(csv_bytes)
    people = staticmethod(people)

    def __init__(self, db_path: Path, config: SandboxConfig) -> None:
        self.db_path = db_path
        self.config = config
        self.store = SandboxStore(db_path)
        self.app = SandboxApp(self.store, config)
        self._clients: list[httpx.Client] = []
        self.http = self.client(API_KEY if config.api_key is None else config.api_key)

    def client(self, key: str | None = API_KEY) -> httpx.Client:
        """An httpx client into the app; `key=None` sends no Authorization header."""
        headers = {} if key is None else {"Authorization": f"Bearer {key}"}
        return self.raw_client(headers)

    def raw_client(self, headers: Mapping[str, str]) -> httpx.Client:
        client = httpx.Client(
            transport=httpx.WSGITransport(app=self.app), base_url=BASE_URL, headers=dict(headers)
        )
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()

    # --- shortcuts -------------------------------------------------------------

    def post_csv(
        self,
        body: bytes,
        *,
        name: str | None = "Test audience",
        phone_column: str | None = "phoneNumber",
        **extra: str,
    ) -> httpx.Response:
        form = dict(extra)
        if name is not None:
            form["name"] = name
        if phone_column is not None:
            form["phoneNumberColumnName"] = phone_column
        return self.http.post(
            "audience", data=form, files={"file": ("audience.csv", body, "text/csv")}
        )

    def create(
        self, rows: Sequence[Mapping[str, Any]], *, name: str = "Test audience", **extra: str
    ) -> dict[str, Any]:
        """Create an audience from rows; return its object (asserting success)."""
        response = self.post_csv(csv_bytes(rows), name=name, **extra)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def add(self, audience_id: str, members: Sequence[Mapping[str, Any]]) -> httpx.Response:
        return self.http.post(f"audience/{audience_id}/members", json={"members": list(members)})

    def members(self, audience_id: str, **params: Any) -> httpx.Response:
        return self.http.get(f"audience/{audience_id}/members", params=params)

    def all_members(self, audience_id: str) -> list[dict[str, Any]]:
        response = self.members(audience_id, page=1, offset=self.config.max_page_size)
        assert response.status_code == 200, response.text
        return response.json()["data"]["members"]

    def search(self, audience_id: str, **params: Any) -> httpx.Response:
        return self.http.get(f"audience/{audience_id}/members/search", params=params)

    def remove(self, audience_id: str, member_ids: Any) -> httpx.Response:
        return self.http.request(
            "DELETE", f"audience/{audience_id}/members", json={"memberIds": member_ids}
        )


SandboxFactory = Callable[..., Sandbox]


@pytest.fixture
def make_sandbox(tmp_path: Path) -> Iterator[SandboxFactory]:
    """`make_sandbox(**config)`: a fresh app on `tmp_path/'s.db'` (or `db_path=`)."""
    made: list[Sandbox] = []

    def make(db_path: Path | None = None, **config: Any) -> Sandbox:
        sandbox = Sandbox(db_path or tmp_path / "s.db", SandboxConfig(**config))
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.close()


@pytest.fixture
def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    return make_sandbox()
