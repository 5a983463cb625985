"""The core, driven directly: an `AtomsClient` on the sandbox app through httpx's WSGI transport.

No CLI runner, no console: these tests call the core's functions with typed
values and look at the records they return and the state the sandbox keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from audience_cli.client import AtomsClient
from audience_cli.contacts import ContactBatch, CsvOptions, collect_contacts, contacts_from_flags
from audience_cli.retry import RetryPolicy
from audience_cli.sandbox.app import SandboxConfig
from audience_cli.sandbox.store import SandboxStore
from tests.conftest import RecordingTransport

BASE_URL = "http://sandbox.invalid/atoms/v1"


MakeClient = Callable[..., tuple[AtomsClient, RecordingTransport]]


@pytest.fixture
def store(tmp_path: Path) -> SandboxStore:
    return SandboxStore(tmp_path / "core.db")


@pytest.fixture
def make_client(
    store: SandboxStore,
) -> Iterator[Callable[..., tuple[AtomsClient, RecordingTransport]]]:
    made: list[AtomsClient] = []

    def make(**config: int) -> tuple[AtomsClient, RecordingTransport]:
        transport = RecordingTransport(store, SandboxConfig(**config))
        retry = RetryPolicy(max_retries=2, sleep=lambda _: None)
        client = AtomsClient(BASE_URL, "sk_core_tests", transport=transport, retry=retry)
        made.append(client)
        return client, transport

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> AtomsClient:
    return make_client()[0]


def audience_of(store: SandboxStore, name: str, *phones: str) -> str:
    """A new audience of these numbers (no names), made in the store directly: its id."""
    made = store.create_audience(
        name=name,
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=[{"phoneNumber": p} for p in phones],
    )
    return str(made["_id"])


def numbers(n: int, start: int = 0) -> list[str]:
    return [f"+1415555{i:04d}" for i in range(start, start + n)]


def batch_of(phones: list[str], names: list[str] | None = None) -> ContactBatch:
    """A checked batch from numbers (as --phone would give them)."""
    flags = contacts_from_flags(phones, names or [], None)
    return collect_contacts(csv_path=None, options=CsvOptions(), flag_contacts=flags)
