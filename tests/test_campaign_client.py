"""The campaign endpoints of AtomsClient over httpx.MockTransport (OpenAPI's and the SDK's
shapes, errors, retries), and resolving a campaign by id or name (core/campaigns.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.campaigns import resolve_campaign
from audience_cli.errors import (
    AmbiguousCampaignError,
    BadRequestError,
    CampaignNotFoundError,
    ExitCode,
    NotFoundError,
    PagingError,
    ServerError,
    UnexpectedAnswerError,
    UsageError,
    exit_code_for,
)
from audience_cli.retry import RetryPolicy
from tests.campaign_server import AGENT, AUDIENCE, CampaignServer, campaign, outcome
from tests.scripted import Scripts

BASE = "https://atoms.invalid/atoms/v1"
KEY = "sk_live_SECRET_0123456789"
CID = "c" * 24
CID2 = "d" * 24


def make_client(handler: Any, *, max_retries: int = 0, sleeps: list[float] | None = None):
    policy = RetryPolicy(
        max_retries=max_retries,
        sleep=(sleeps if sleeps is not None else []).append,
        random=lambda: 0.5,
    )
    transport = (
        handler if isinstance(handler, httpx.BaseTransport) else httpx.MockTransport(handler)
    )
    return AtomsClient(BASE, KEY, transport=transport, retry=policy)


def envelope(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"status": True, "data": data})


# --- list, get, create, start ---------------------------------------------------------------


@pytest.mark.parametrize("nested", [True, False], ids=["openapi", "sdk"])
def test_list_campaigns_reads_a_page_in_either_shape(nested: bool) -> None:
    server = CampaignServer([campaign(CID, "Spring", nested=nested)])
    page = make_client(server.transport()).list_campaigns(
        page=1, offset=50, status="completed", search="Spr"
    )
    [found] = page["campaigns"]
    assert (found["_id"], found["audienceId"], found["agentId"]) == (CID, AUDIENCE, AGENT)
    assert page["pagination"]["total"] == 1
    params = dict(server.requests[0].url.params)
    assert params == {"page": "1", "offset": "50", "status": "completed", "search": "Spr"}


@pytest.mark.parametrize("nested", [True, False], ids=["openapi", "sdk"])
def test_get_campaign_unwraps_the_campaign_and_attaches_metrics(nested: bool) -> None:
    server = CampaignServer([campaign(CID, "Spring", nested=nested)])
    found = make_client(server.transport()).get_campaign(CID)
    assert found["_id"] == CID and found["audienceId"] == AUDIENCE
    assert found["metrics"]["contacts_called"] == 2


def test_get_campaign_takes_the_campaign_alone_too(scripted: Scripts) -> None:
    client = make_client(scripted(envelope(campaign(CID, "Bare", nested=False))))
    assert client.get_campaign(CID)["name"] == "Bare"


def test_an_unknown_campaign_is_not_found_with_the_servers_words() -> None:
    server = CampaignServer([])
    with pytest.raises(NotFoundError, match="Campaign not found") as caught:
        make_client(server.transport()).get_campaign(CID)
    assert exit_code_for(caught.value) == ExitCode.NOT_FOUND


@pytest.mark.parametrize("bad", ["nope", "../campaign", "c" * 23, "g" * 24, ""])
def test_ids_are_checked_before_any_request(bad: str, scripted: Scripts) -> None:
    client = make_client(scripted())  # no request at all
    for call in (
        lambda: client.get_campaign(bad),
        lambda: client.start_campaign(bad),
        lambda: client.export_campaign_outcomes(bad, "json"),
    ):
        with pytest.raises(UsageError, match="is not a campaign id"):
            call()


def test_a_400_is_refused_with_the_servers_message(scripted: Scripts) -> None:
    answer = httpx.Response(400, json={"status": False, "errors": ["agentId is required"]})
    client = make_client(scripted(answer))
    with pytest.raises(BadRequestError, match="agentId is required"):
        client.create_campaign({"name": "X", "audienceId": AUDIENCE})


def test_create_sends_the_body_and_is_never_retried(scripted: Scripts) -> None:
    created = {**campaign(CID, "New", "draft", nested=False)}
    script = scripted(envelope(created, 201))
    client = make_client(script, max_retries=3)
    answer = client.create_campaign({"name": "New", "audienceId": AUDIENCE, "agentId": AGENT})
    assert answer["status"] == "draft" and answer["audienceId"] == AUDIENCE
    assert json.loads(script.requests[0].content)["agentId"] == AGENT
    failing = make_client(scripted(httpx.Response(503)), max_retries=3)
    with pytest.raises(ServerError):
        failing.create_campaign({"name": "New"})


def test_start_answers_its_message_and_task(scripted: Scripts) -> None:
    script = scripted(envelope({"message": "started", "taskId": "t1"}, 202))
    answer = make_client(script).start_campaign(CID)
    assert answer == {"message": "started", "taskId": "t1"}
    assert script.requests[0].url.path.endswith(f"/campaign/{CID}/start")


def test_gets_are_retried_on_503(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(httpx.Response(503), httpx.Response(503), envelope({"campaigns": []}))
    page = make_client(script, max_retries=3, sleeps=sleeps).list_campaigns()
    assert page["campaigns"] == [] and len(sleeps) == 2 and len(script.requests) == 3


def test_a_campaign_of_the_wrong_shape_is_named(scripted: Scripts) -> None:
    client = make_client(scripted(envelope({"campaigns": [{"_id": CID, "status": 7}]})))
    with pytest.raises(UnexpectedAnswerError, match=r'"campaigns\[0\].status" is 7'):
        client.list_campaigns()


# --- the export ---------------------------------------------------------------------------


@pytest.mark.parametrize("enveloped", [False, True], ids=["bare", "enveloped"])
def test_the_json_export_is_read_bare_or_enveloped(enveloped: bool) -> None:
    server = CampaignServer([campaign(CID, "Spring")], enveloped=enveloped)
    server.exports[CID] = [outcome("m1", "+14155550100", "completed")]
    export = make_client(server.transport()).export_campaign_outcomes(CID, "json")
    assert isinstance(export, dict)
    assert export["totalAudienceMembers"] == 1 and export["data"][0]["audienceMemberId"] == "m1"
    assert server.requests[0].url.params["format"] == "json"


def test_the_csv_export_is_the_bytes() -> None:
    server = CampaignServer([campaign(CID, "Spring")])
    server.exports[CID] = [outcome("m1", "+14155550100", "completed")]
    raw = make_client(server.transport()).export_campaign_outcomes(CID, "csv")
    assert isinstance(raw, bytes) and raw.startswith(b"audienceMemberId,phoneNumber")
    assert server.requests[0].headers["accept"] == "text/csv"


def test_the_export_of_an_unknown_campaign_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="Campaign not found"):
        make_client(CampaignServer().transport()).export_campaign_outcomes(CID, "csv")


def test_an_export_is_retried_on_503(scripted: Scripts) -> None:
    body = {"campaign": "S", "totalAudienceMembers": 0, "data": []}
    script = scripted(httpx.Response(503), httpx.Response(200, json=body))
    export = make_client(script, max_retries=2).export_campaign_outcomes(CID, "json")
    assert export == body and len(script.requests) == 2


def test_an_export_record_of_the_wrong_shape_is_named(scripted: Scripts) -> None:
    body = {"campaign": "S", "data": [{"totalAttempts": "two"}]}
    client = make_client(scripted(httpx.Response(200, json=body)))
    with pytest.raises(UnexpectedAnswerError, match=r'"data\[0\].totalAttempts" is "two"'):
        client.export_campaign_outcomes(CID, "json")


# --- resolving ----------------------------------------------------------------------------


def test_resolve_by_id_asks_for_it_directly() -> None:
    server = CampaignServer([campaign(CID, "Spring")])
    assert resolve_campaign(make_client(server.transport()), CID)["name"] == "Spring"
    assert server.paths() == [f"/atoms/v1/campaign/{CID}"]


def test_resolve_by_exact_name_over_every_page() -> None:
    others = [campaign(f"{i:024x}", f"Spring {i}") for i in range(1, 250)]
    server = CampaignServer([*others, campaign(CID, "Spring")])
    found = resolve_campaign(make_client(server.transport()), "Spring")
    assert found["_id"] == CID
    assert len(server.requests) == 3  # 250 matches of the search, 100 a page
    assert all(r.url.params["search"] == "Spring" for r in server.requests)


def test_resolve_follows_a_server_with_smaller_pages() -> None:
    others = [campaign(f"{i:024x}", f"Spring {i}") for i in range(1, 30)]
    server = CampaignServer([*others, campaign(CID, "Spring")], page_size=10)
    assert resolve_campaign(make_client(server.transport()), "Spring")["_id"] == CID


def test_no_campaign_of_that_name_is_not_found_exit_5() -> None:
    server = CampaignServer([campaign(CID, "Spring sale")])
    with pytest.raises(CampaignNotFoundError) as caught:
        resolve_campaign(make_client(server.transport()), "Spring")
    assert caught.value.message == "no campaign with id or name 'Spring'"
    assert exit_code_for(caught.value) == ExitCode.NOT_FOUND


def test_an_unknown_id_is_not_found_with_the_servers_words() -> None:
    server = CampaignServer([])
    with pytest.raises(CampaignNotFoundError) as caught:
        resolve_campaign(make_client(server.transport()), CID)
    assert caught.value.message == f"no campaign with id {CID} (Atoms: Campaign not found)"


def test_a_name_that_looks_like_an_id_is_found_by_name() -> None:
    server = CampaignServer([campaign(CID2, CID)])
    assert resolve_campaign(make_client(server.transport()), CID)["_id"] == CID2


def test_an_ambiguous_name_lists_each_match_exit_2() -> None:
    server = CampaignServer([campaign(CID, "Spring"), campaign(CID2, "Spring", "running")])
    with pytest.raises(AmbiguousCampaignError) as caught:
        resolve_campaign(make_client(server.transport()), "Spring")
    message = caught.value.message
    assert message.startswith("2 campaigns are named 'Spring': ")
    assert f"{CID} (completed, created 2026-11-01T10:00:00.000Z)" in message
    assert f"{CID2} (running, created 2026-11-01T10:00:00.000Z)" in message
    assert exit_code_for(caught.value) == ExitCode.USAGE


def test_a_name_search_whose_pages_repeat_is_stopped(scripted: Scripts) -> None:
    page = {
        "campaigns": [campaign(CID, "Spring x")],
        "pagination": {"hasMore": True, "totalPages": 9},
    }
    client = make_client(scripted(envelope(page), envelope(page)))
    with pytest.raises(PagingError, match="repeats campaign"):
        resolve_campaign(client, "Spring")


def test_an_empty_ref_is_a_usage_error(scripted: Scripts) -> None:
    with pytest.raises(UsageError, match="CAMPAIGN is empty"):
        resolve_campaign(make_client(scripted()), "  ")
