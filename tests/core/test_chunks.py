"""Adds in flight: the same members and counts as one at a time, under faults too."""

from __future__ import annotations

import json
import re
import threading

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.audiences import resolve_audience
from audience_cli.core.chunks import ADDS_IN_FLIGHT
from audience_cli.core.upload import UploadSettings, plan_add, plan_create, send_add, send_create
from audience_cli.errors import ExitCode, PartialUploadError
from audience_cli.retry import RetryPolicy
from audience_cli.sandbox.app import SandboxApp
from audience_cli.sandbox.store import SandboxStore
from tests.core.conftest import BASE_URL, audience_of, batch_of, numbers
from tests.in_flight import TIMEOUT, Gate

REFUSED = httpx.Response(400, json={"status": False, "message": "Audience cannot exceed 15"})


class ChunkFaults(httpx.BaseTransport):
    """The sandbox, with faults for the add chunks that begin with given numbers (each
    once), and a `Gate`: with `together`, the adds wait until that many are in flight
    at once; `most` is the most that ever were."""

    def __init__(
        self, store: SandboxStore, faults: dict[str, str] | None = None, together: int = 0
    ) -> None:
        self.inner = httpx.WSGITransport(app=SandboxApp(store))
        self.faults = dict(faults or {})
        self.gate = Gate(together)
        self.adds = 0

    @property
    def most(self) -> int:
        return self.gate.most

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not (request.method == "POST" and request.url.path.endswith("/members")):
            return self.inner.handle_request(request)
        first = json.loads(request.content)["members"][0]["phoneNumber"]
        with self.gate.lock:
            how = self.faults.pop(first, None)
            self.adds += 1
        with self.gate.inside(held=self.gate.together > 0):
            if how == "503":
                return httpx.Response(503, json={"status": False, "message": "busy"})
            if how == "lost":  # stored, then the answer is lost
                self.inner.handle_request(request).read()
                raise httpx.ReadTimeout("timed out", request=request)
            if how == "refused":
                return REFUSED
            if how == "interrupt":
                raise KeyboardInterrupt
            return self.inner.handle_request(request)


def requests_ended() -> None:
    """Wait for the adds left under way by Ctrl-C: the threads of their pool end with them."""
    for thread in threading.enumerate():
        if thread.name.startswith("members-add"):
            thread.join(TIMEOUT)
            assert not thread.is_alive(), "an add under way never ended"


def client_on(transport: httpx.BaseTransport, concurrency: int) -> AtomsClient:
    retry = RetryPolicy(max_retries=2, sleep=lambda _: None)
    return AtomsClient(
        BASE_URL, "sk_core", transport=transport, retry=retry, concurrency=concurrency
    )


def phones_of(store: SandboxStore, audience_id: str) -> set[str]:
    return {m["data"]["phoneNumber"] for m in store.all_members(audience_id)}


def add(client: AtomsClient, name: str, phones: list[str], chunk: int = 100) -> tuple[int, ...]:
    settings = UploadSettings(chunk_size=chunk)
    with batch_of(phones) as batch:
        plan = plan_add(client, resolve_audience(client, name), batch, settings)
        result = send_add(client, batch, plan)
    return result.sent, result.added, result.skipped


SOURCE = numbers(1000)
THERE = numbers(300, start=700)  # the last 300 of the source are there already


def test_adds_in_flight_store_and_count_exactly_what_one_at_a_time_does(
    store: SandboxStore,
) -> None:
    one = audience_of(store, "One", *THERE)
    many = audience_of(store, "Many", *THERE)
    sequential = add(client_on(ChunkFaults(store), 1), "One", SOURCE)
    transport = ChunkFaults(store, together=ADDS_IN_FLIGHT)
    at_once = add(client_on(transport, 8), "Many", SOURCE)
    assert at_once == sequential == (1000, 700, 300)
    assert phones_of(store, many) == phones_of(store, one) == set(SOURCE)
    assert transport.most == ADDS_IN_FLIGHT  # in flight, never more than allowed
    assert transport.adds == 10


def test_adds_in_flight_under_faults_lose_and_double_nothing(store: SandboxStore) -> None:
    audience_id = audience_of(store, "T", *THERE)
    faults = {SOURCE[100]: "503", SOURCE[400]: "lost", SOURCE[800]: "lost"}
    transport = ChunkFaults(store, faults)
    assert add(client_on(transport, 8), "T", SOURCE) == (1000, 700, 300)
    assert phones_of(store, audience_id) == set(SOURCE)
    assert store.count_members(audience_id) == 1000
    assert transport.adds == 13  # 10 chunks and 3 tries again


def test_a_refused_chunk_in_flight_says_what_was_stored(store: SandboxStore) -> None:
    audience_id = audience_of(store, "T")
    transport = ChunkFaults(store, {SOURCE[300]: "refused"})
    with pytest.raises(PartialUploadError) as caught:
        add(client_on(transport, 8), "T", SOURCE)
    error = caught.value
    assert error.exit_code == ExitCode.REFUSED
    found = re.search(r"([\d,]+) of 1,000 members were sent \(([\d,]+) added\)", error.message)
    assert found, error.message
    sent, added = (int(g.replace(",", "")) for g in found.groups())
    stored = store.count_members(audience_id)
    assert sent == added == stored  # what it says is what is there
    assert 300 <= stored <= 900  # the chunks before it, and those in flight with it
    # The same command again finishes the job: numbers there are skipped.
    assert add(client_on(ChunkFaults(store), 8), "T", SOURCE) == (1000, 1000 - stored, stored)
    assert phones_of(store, audience_id) == set(SOURCE)


def test_ctrl_c_with_adds_in_flight_gives_honest_bounds(store: SandboxStore) -> None:
    audience_id = audience_of(store, "T")
    transport = ChunkFaults(store, {SOURCE[500]: "interrupt"})
    with pytest.raises(PartialUploadError) as caught:
        add(client_on(transport, 8), "T", SOURCE)
    error = caught.value
    assert error.exit_code == ExitCode.INTERRUPTED
    found = re.search(r"at least ([\d,]+) \(at most ([\d,]+)\) of 1,000", error.message)
    assert found, error.message
    least, most = (int(g.replace(",", "")) for g in found.groups())
    requests_ended()  # they were not waited for: the store is final once they end
    assert least <= store.count_members(audience_id) <= most


def test_a_create_finishes_with_adds_in_flight_under_faults(store: SandboxStore) -> None:
    phones = numbers(1000)
    transport = ChunkFaults(store, {phones[300]: "lost", phones[600]: "503"}, together=2)
    client = client_on(transport, 8)
    settings = UploadSettings(chunk_size=100, create_size=100)
    with batch_of(phones) as batch:
        plan = plan_create(batch, "New", settings, split=False)
        result = send_create(client, batch, plan)
    (made,) = result.created
    (audience,) = store.list_audiences()
    assert (made.added, made.skipped, audience["memberCount"]) == (1000, 0, 1000)
    assert phones_of(store, str(audience["_id"])) == set(phones)
    assert transport.most > 1


def test_ctrl_c_before_any_answer_says_how_many_may_be_in(store: SandboxStore) -> None:
    audience_id = audience_of(store, "T")
    transport = ChunkFaults(store, {SOURCE[0]: "interrupt"})
    with pytest.raises(PartialUploadError) as caught:
        add(client_on(transport, 1), "T", SOURCE)
    assert caught.value.exit_code == ExitCode.INTERRUPTED
    assert "at most 100 of 1,000 members were sent (0 added)" in caught.value.message
    assert store.count_members(audience_id) == 0  # this one never reached the server
