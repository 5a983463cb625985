"""The sandbox's do-not-call list: the store's table, and `GET /dnc` in the vendor's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from audience_cli.sandbox.store import SANDBOX_ORGANIZATION
from tests.sandbox.conftest import refused

if TYPE_CHECKING:
    from .conftest import Sandbox

AGENT = "a" * 24
OTHER_AGENT = "b" * 24


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] is True
    return body["data"]


def phones(data: dict[str, Any]) -> list[str]:
    return [e["phoneNumber"] for e in data["entries"]]


def seed(sandbox: Sandbox, *numbers: str, agent: str | None = None) -> None:
    for number in numbers:
        sandbox.store.add_dnc(number, agent_id=agent)


def test_an_empty_list_answers_the_vendor_envelope(sandbox: Sandbox) -> None:
    assert sandbox.http.get("dnc").json() == {
        "status": True,
        "data": {
            "entries": [],
            "pagination": {"page": 1, "offset": 50, "total": 0, "totalPages": 0, "hasMore": False},
        },
    }


def test_an_entry_has_every_field_of_the_vendor(sandbox: Sandbox) -> None:
    entry, new = sandbox.store.add_dnc("+14155552671", agent_id=AGENT, source="call", call_id="c1")
    assert new is True
    (listed,) = ok(sandbox.http.get("dnc"))["entries"]
    assert listed == entry
    assert set(listed) == {
        "id",
        "agentId",
        "orgId",
        "phoneNumber",
        "source",
        "detectedInCallId",
        "createdAt",
        "updatedAt",
    }
    assert (listed["agentId"], listed["orgId"], listed["phoneNumber"]) == (
        AGENT,
        SANDBOX_ORGANIZATION,
        "+14155552671",
    )
    assert (listed["source"], listed["detectedInCallId"]) == ("call", "c1")


def test_without_offset_a_page_holds_the_specs_default_of_50(sandbox: Sandbox) -> None:
    for i in range(51):
        sandbox.store.add_dnc(f"+1415555{i:04d}")
    first = ok(sandbox.http.get("dnc"))
    assert len(first["entries"]) == 50
    assert first["pagination"] == {
        "page": 1,
        "offset": 50,
        "total": 51,
        "totalPages": 2,
        "hasMore": True,
    }
    assert len(ok(sandbox.http.get("dnc", params={"page": 2}))["entries"]) == 1


def test_an_organisation_wide_entry_has_no_agent_id_rather_than_null(sandbox: Sandbox) -> None:
    """The spec declares `agentId` a string: an entry for the whole organisation omits it."""
    entry, _ = sandbox.store.add_dnc("+14155552671")
    (listed,) = ok(sandbox.http.get("dnc"))["entries"]
    assert listed == entry
    assert "agentId" not in listed
    assert None not in [v for k, v in listed.items() if k != "detectedInCallId"]


def test_the_store_keeps_one_entry_per_number_and_agent(sandbox: Sandbox) -> None:
    store = sandbox.store
    first, new = store.add_dnc("+14155552671")
    again, new_again = store.add_dnc("+14155552671", source="call")
    assert (new, new_again) == (True, False)
    assert again == first  # left as it was
    _, for_agent = store.add_dnc("+14155552671", agent_id=AGENT)
    assert for_agent is True
    assert store.count_dnc() == 2
    assert store.remove_dnc("+14155552671", agent_id=OTHER_AGENT) == 0
    assert store.remove_dnc("+14155552671", agent_id=AGENT) == 1
    assert store.remove_dnc("+14155552671") == 1
    assert store.count_dnc() == 0


def test_the_store_keeps_what_it_is_given(sandbox: Sandbox) -> None:
    sandbox.store.add_dnc("(415) 555-2671")
    assert phones(ok(sandbox.http.get("dnc"))) == ["(415) 555-2671"]


def test_pages_and_the_page_size_clamped_to_1_to_500(sandbox: Sandbox) -> None:
    seed(sandbox, *(f"+1415555{i:04d}" for i in range(7)))
    last = ok(sandbox.http.get("dnc", params={"page": 3, "offset": 3, "sortOrder": "asc"}))
    assert phones(last) == ["+14155550006"]
    assert last["pagination"] == {
        "page": 3,
        "offset": 3,
        "total": 7,
        "totalPages": 3,
        "hasMore": False,
    }
    smallest = ok(sandbox.http.get("dnc", params={"offset": 0}))["pagination"]
    assert (smallest["offset"], smallest["totalPages"], smallest["hasMore"]) == (1, 7, True)
    largest = ok(sandbox.http.get("dnc", params={"offset": 100_000}))["pagination"]
    assert (largest["offset"], largest["totalPages"]) == (500, 1)


def test_newest_first_by_default_and_sorted_as_asked(sandbox: Sandbox) -> None:
    seed(sandbox, "+14155550002", "+14155550001", "+14155550003")
    assert phones(ok(sandbox.http.get("dnc"))) == ["+14155550003", "+14155550001", "+14155550002"]
    by_phone = ok(sandbox.http.get("dnc", params={"sortField": "phoneNumber", "sortOrder": "asc"}))
    assert phones(by_phone) == ["+14155550001", "+14155550002", "+14155550003"]
    oldest = ok(sandbox.http.get("dnc", params={"sortField": "createdAt", "sortOrder": "asc"}))
    assert phones(oldest) == ["+14155550002", "+14155550001", "+14155550003"]


def test_search_is_free_text_on_numbers_with_or_without_the_plus(sandbox: Sandbox) -> None:
    seed(sandbox, "+14155550100", "+442079460958")
    assert phones(ok(sandbox.http.get("dnc", params={"search": "4155550"}))) == ["+14155550100"]
    assert phones(ok(sandbox.http.get("dnc", params={"search": "+4420"}))) == ["+442079460958"]
    found = ok(sandbox.http.get("dnc", params={"search": "0"}))["pagination"]["total"]
    assert found == 2


def test_agent_id_keeps_that_agents_entries(sandbox: Sandbox) -> None:
    seed(sandbox, "+14155550100")
    seed(sandbox, "+14155550101", agent=AGENT)
    seed(sandbox, "+14155550102", agent=OTHER_AGENT)
    data = ok(sandbox.http.get("dnc", params={"agentId": AGENT}))
    assert phones(data) == ["+14155550101"]
    assert data["pagination"]["total"] == 1
    assert ok(sandbox.http.get("dnc"))["pagination"]["total"] == 3


def test_bad_queries_are_400s(sandbox: Sandbox) -> None:
    refused(sandbox.http.get("dnc", params={"page": 0}), 400, "page must be a positive integer")
    refused(sandbox.http.get("dnc", params={"offset": "ten"}), 400, "offset must be an integer")
    refused(sandbox.http.get("dnc", params={"agentId": "xyz"}), 400, "Invalid agentId: xyz")
    refused(
        sandbox.http.get("dnc", params={"sortField": "name"}),
        400,
        "sortField must be one of createdAt, phoneNumber",
    )
    refused(
        sandbox.http.get("dnc", params={"sortOrder": "up"}),
        400,
        "sortOrder must be one of asc, desc",
    )


def test_the_list_needs_a_key(sandbox: Sandbox) -> None:
    refused(sandbox.client(None).get("dnc"), 401, "Unauthorized: missing or invalid API key")
