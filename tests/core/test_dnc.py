"""The do-not-call list in the core: read whole (page 1, then the rest a few at a time),
the numbers it forbids, the suppression of an import, and which numbers are on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.dnc import (
    DO_NOT_CALL,
    EXCLUDED,
    MAX_DNC_PAGES,
    DncReadError,
    Suppression,
    audience_numbers,
    check_members,
    check_numbers,
    do_not_call,
    entry_number,
    load_do_not_call,
    members_on_list,
    page_of_dnc,
    read_dnc,
)
from audience_cli.errors import BadResponseError, ExitCode, PagingError, PermissionDeniedError
from audience_cli.model import DncEntry
from audience_cli.retry import RetryPolicy
from audience_cli.sandbox.store import SandboxStore
from tests.conftest import RecordingTransport, seed_audience
from tests.core.conftest import BASE_URL, MakeClient, numbers
from tests.in_flight import Gate, GatedTransport

AGENT = "a" * 24
OTHER_AGENT = "b" * 24


def seed_dnc(store: SandboxStore, phones: list[str], agent: str | None = None) -> None:
    for phone in phones:
        store.add_dnc(phone, agent_id=agent)


def scripted_client(handler: Callable[[httpx.Request], httpx.Response]) -> AtomsClient:
    retry = RetryPolicy(max_retries=0, sleep=lambda _: None)
    return AtomsClient(
        BASE_URL, "sk_core_tests", transport=httpx.MockTransport(handler), retry=retry
    )


def page_answer(entries: list[dict[str, Any]], **pagination: Any) -> httpx.Response:
    return httpx.Response(
        200, json={"status": True, "data": {"entries": entries, "pagination": pagination}}
    )


def entry(phone: str, i: int, agent: str | None = None) -> dict[str, Any]:
    return {"id": f"{i:024x}", "phoneNumber": phone, "agentId": agent, "source": "manual"}


# --- reading ---------------------------------------------------------------------------------


def test_one_page_with_what_the_server_says_of_the_rest(store, client) -> None:
    seed_dnc(store, numbers(7))
    page = page_of_dnc(client, page=2, page_size=3, sort_field="createdAt", sort_order="asc")
    assert [e["phoneNumber"] for e in page.entries] == numbers(3, start=3)
    assert (page.page, page.page_size, page.total, page.pages, page.has_more) == (2, 3, 7, 3, True)
    assert not page.past_the_end
    assert page_of_dnc(client, page=4, page_size=3).past_the_end


@pytest.mark.slow  # a list of thousands of entries
def test_the_whole_list_is_read_in_pages_of_500_each_once(store, make_client: MakeClient) -> None:
    seed_dnc(store, numbers(1234))
    client, transport = make_client()
    entries = read_dnc(client)
    assert [e["phoneNumber"] for e in entries] == numbers(1234)  # oldest first
    assert transport.calls == [("GET", "/dnc")] * 3


def test_an_empty_list_is_one_request(make_client: MakeClient) -> None:
    client, transport = make_client()
    assert read_dnc(client) == []
    assert transport.calls == [("GET", "/dnc")]


class Gauge(GatedTransport):
    """The sandbox, holding the requests for pages after the first until `together` are
    in flight at once, and keeping the pages asked for in order."""

    def __init__(self, store: SandboxStore, together: int) -> None:
        super().__init__(RecordingTransport(store), Gate(together), held=self.after_first)
        self.pages: list[str] = []

    def after_first(self, request: httpx.Request) -> bool:
        page = request.url.params["page"]
        self.pages.append(page)
        return page != "1"


def test_the_other_pages_are_read_a_few_at_a_time_by_one_shared_client(store) -> None:
    seed_dnc(store, numbers(120))
    transport = Gauge(store, 3)
    with AtomsClient(BASE_URL, "sk_core_tests", transport=transport) as client:
        entries = read_dnc(client, page_size=10, workers=3)
    assert [e["phoneNumber"] for e in entries] == numbers(120)
    assert transport.pages[0] == "1"  # alone: it gives the page count
    assert sorted(transport.pages, key=int) == [str(p) for p in range(1, 13)]
    assert transport.gate.opened.is_set() and transport.gate.most == 3


def test_the_client_s_concurrency_is_how_many_pages_are_read_at_once(store) -> None:
    seed_dnc(store, numbers(120))
    transport = Gauge(store, 2)
    with AtomsClient(BASE_URL, "sk", transport=transport, concurrency=2) as client:
        assert len(read_dnc(client, page_size=10)) == 120
    assert transport.gate.opened.is_set() and transport.gate.most == 2
    one = GatedTransport(RecordingTransport(store), Gate(2), held=lambda _: False)
    with AtomsClient(BASE_URL, "sk", transport=one, concurrency=1) as client:
        assert len(read_dnc(client, page_size=10)) == 120
    assert one.gate.most == 1  # one page after another, in this thread
    assert one.gate.threads == {threading.current_thread().name}


def test_search_and_agent_go_to_the_server(store, make_client: MakeClient) -> None:
    seed_dnc(store, ["+14155550100", "+14155550101"])
    seed_dnc(store, ["+14155550102"], agent=AGENT)
    client, _ = make_client()
    assert [e["phoneNumber"] for e in read_dnc(client, search="0101")] == ["+14155550101"]
    assert [e["phoneNumber"] for e in read_dnc(client, agent_id=AGENT)] == ["+14155550102"]


def test_a_server_that_repeats_its_first_page_is_stopped() -> None:
    first = [entry(f"+1415555{i:04d}", i) for i in range(2)]

    def handler(request: httpx.Request) -> httpx.Response:
        return page_answer(first, page=1, offset=2, total=6, totalPages=3, hasMore=True)

    with pytest.raises(PagingError, match="counts 6 entries but its 3 pages held 2 distinct"):
        read_dnc(scripted_client(handler), page_size=2)


def test_more_than_one_page_without_a_page_count_is_stopped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return page_answer([entry("+14155550000", 0)], hasMore=True)

    with pytest.raises(PagingError, match="not how many pages"):
        read_dnc(scripted_client(handler))


def test_an_absurd_page_count_is_stopped_before_reading_it() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params["page"])
        return page_answer([], page=1, offset=500, total=0, totalPages=MAX_DNC_PAGES + 1)

    with pytest.raises(PagingError, match="20,001 pages"):
        read_dnc(scripted_client(handler))
    assert calls == ["1"]


def test_an_answer_that_is_not_a_page_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": True, "data": []})

    with pytest.raises(BadResponseError, match='"data" is an array, not a page of the do-not'):
        read_dnc(scripted_client(handler))


def test_a_failed_page_stops_the_read_and_the_pages_not_asked_are_not(store) -> None:
    seed_dnc(store, numbers(100))
    inner = RecordingTransport(store)
    asked: list[int] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        with lock:
            asked.append(page)
        if page == 2:
            return httpx.Response(403, json={"status": False, "message": "Forbidden"})
        return inner.handle_request(request)

    client = scripted_client(handler)
    with pytest.raises(PermissionDeniedError, match="Forbidden"):
        read_dnc(client, page_size=1, workers=1)
    assert asked[:2] == [1, 2]
    assert len(asked) < 10  # the other 97 pages were cancelled, not read


def test_load_names_the_list_and_keeps_the_exit_code_underneath() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"status": False, "message": "Forbidden"})

    with pytest.raises(DncReadError) as caught:
        load_do_not_call(scripted_client(handler))
    error = caught.value
    assert error.message == "cannot read the organisation's do-not-call list: Forbidden"
    assert error.exit_code is ExitCode.AUTH
    assert isinstance(error.cause, PermissionDeniedError)
    assert error.during_import is True


# --- the numbers it forbids ----------------------------------------------------------------


def test_entry_numbers_in_e164() -> None:
    assert entry_number("+14155550100") == "+14155550100"
    assert entry_number("(415) 555-0100", "US") == "+14155550100"
    assert entry_number("14155550100") == "+14155550100"  # digits alone: international
    assert entry_number("call me") is None
    assert entry_number("") is None


def test_org_wide_entries_apply_and_an_agents_only_when_it_is_named() -> None:
    entries: list[DncEntry] = [
        {"phoneNumber": "+14155550100", "agentId": None},
        {"phoneNumber": "+14155550101", "agentId": AGENT},
        {"phoneNumber": "+14155550102", "agentId": OTHER_AGENT},
        {"phoneNumber": "not a number", "agentId": None},
        {"phoneNumber": "4155550103", "agentId": None},
    ]
    everyone = do_not_call(entries, region="US")
    assert sorted(everyone.by_number) == ["+14155550100", "+14155550103"]
    assert (everyone.entries, everyone.agent_entries, everyone.other_agents) == (5, 0, 2)
    assert everyone.unreadable == ["not a number"]
    agent = do_not_call(entries, agent_id=AGENT.upper(), region="US")
    assert sorted(agent.by_number) == ["+14155550100", "+14155550101", "+14155550103"]
    assert (agent.agent_entries, agent.other_agents) == (1, 1)
    assert "+14155550101" in agent and len(agent) == 3


def test_an_org_wide_entry_wins_over_an_agents_for_one_number() -> None:
    agents: DncEntry = {"id": "1", "phoneNumber": "+14155550100", "agentId": AGENT}
    org: DncEntry = {"id": "2", "phoneNumber": "+14155550100", "agentId": None}
    assert do_not_call([agents, org], agent_id=AGENT).by_number["+14155550100"]["id"] == "2"
    assert do_not_call([org, agents], agent_id=AGENT).by_number["+14155550100"]["id"] == "2"


# --- suppression ---------------------------------------------------------------------------


def test_lists_are_read_at_the_first_look_up_once_and_do_not_call_wins() -> None:
    reads: list[str] = []

    def dnc() -> set[str]:
        reads.append("dnc")
        return {"+14155550100"}

    suppression = Suppression()
    suppression.add(DO_NOT_CALL, dnc)
    suppression.add(EXCLUDED, {"+14155550100", "+14155550101"})
    assert bool(suppression) and not suppression.loaded and reads == []
    assert suppression("+14155550100") == DO_NOT_CALL
    assert suppression("+14155550101") == EXCLUDED
    assert suppression("+14155550102") is None
    assert reads == ["dnc"]
    with pytest.raises(RuntimeError):
        suppression.add(EXCLUDED, set())


def test_no_list_is_no_suppression() -> None:
    assert not Suppression()


# --- which numbers of a source are on the list -------------------------------------------


def test_members_of_an_audience_on_the_list(store, client) -> None:
    audience_id = seed_audience(store, "Leads", 4)
    seed_dnc(store, ["+14155550001", "+14155550003", "+19999999999"])
    audience = client.get_audience(audience_id)
    dnc = load_do_not_call(client)
    check = check_members(client, audience, dnc)
    assert check.source == "Leads" and check.checked == 4
    assert [(m.phone, m.first_name, m.last_name) for m in check.matches] == [
        ("+14155550001", "First1", "Last1"),
        ("+14155550003", "First3", "Last3"),
    ]
    ids = {m["_id"]: m["data"]["phoneNumber"] for m in store.all_members(audience_id)}
    on_list = members_on_list(client, audience, dnc)
    assert on_list == {i: p for i, p in ids.items() if p in ("+14155550001", "+14155550003")}
    assert check.matches[0].to_json()["memberId"] in on_list
    assert audience_numbers(client, audience) == set(ids.values())


def test_numbers_of_a_file_on_the_list(store, client) -> None:
    seed_dnc(store, ["+14155550001"])
    dnc = load_do_not_call(client)
    check = check_numbers(
        "leads.csv",
        [("+14155550000", "Ada", "L", 2), ("+14155550001", "Alan", "T", 3)],
        dnc,
    )
    assert check.checked == 2
    (match,) = check.matches
    document = match.to_json()
    assert {k: document[k] for k in ("phoneNumber", "firstName", "lastName", "line")} == {
        "phoneNumber": "+14155550001",
        "firstName": "Alan",
        "lastName": "T",
        "line": 3,
    }
    assert document["dnc"]["phoneNumber"] == "+14155550001"
    assert "memberId" not in document
