"""The sandbox's campaigns: every route, its shapes, codes and messages, the run's
determinism, and the export (json and csv) over HTTP through httpx.WSGITransport."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from audience_cli.sandbox.app import SandboxApp, SandboxConfig
from audience_cli.sandbox.faults import FaultConfig, FaultInjector
from audience_cli.sandbox.store import SandboxStore

if TYPE_CHECKING:
    from .conftest import Sandbox, SandboxFactory

HEX24 = re.compile(r"[0-9a-f]{24}")
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
AGENT = "a1b2c3d4e5f6a1b2c3d4e5f6"
FINAL = {"completed", "failed", "no_answer", "cancelled"}
RUNNING = {"pending", "in_queue", "in_progress", "processing", "active"}
CAMPAIGN_KEYS = {
    "_id",
    "name",
    "description",
    "organization",
    "agent",
    "audience",
    "createdBy",
    "participantsCount",
    "status",
    "maxRetries",
    "retryDelay",
    "retryAttempts",
    "createdAt",
    "updatedAt",
}
ROW_KEYS = {
    "audienceMemberId",
    "audienceMemberData",
    "phoneNumber",
    "originalCall",
    "retryAttempts",
    "totalAttempts",
    "totalCallDuration",
    "totalCallCost",
}


def refused(response: httpx.Response, status: int, message: str) -> None:
    """The error shape of every path: the spec's `errors` list and the `message`."""
    assert response.status_code == status, response.text
    assert response.json() == {"status": False, "errors": [message], "message": message}


def members(n: int, start: int = 0) -> list[dict[str, str]]:
    return [
        {"phoneNumber": f"+1415555{i:04d}", "firstName": f"First{i}", "city": f"City{i % 7}"}
        for i in range(start, start + n)
    ]


def create(sandbox: Sandbox, audience_id: str, **body: Any) -> dict[str, Any]:
    payload = {"name": "Spring calls", "audienceId": audience_id, "agentId": AGENT, **body}
    response = sandbox.http.post("campaign", json=payload)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def start(sandbox: Sandbox, campaign_id: str) -> httpx.Response:
    return sandbox.http.post(f"campaign/{campaign_id}/start")


def export(sandbox: Sandbox, campaign_id: str, fmt: str | None = None) -> httpx.Response:
    params = {"format": fmt} if fmt else {}
    return sandbox.http.get(f"campaign/{campaign_id}/export/by-audience-member", params=params)


def ran(sandbox: Sandbox, n: int = 40, **body: Any) -> tuple[str, str]:
    """An audience of `n` members and a campaign run on it: (audience id, campaign id)."""
    audience = sandbox.create(members(n))
    campaign = create(sandbox, audience["_id"], **body)
    assert start(sandbox, campaign["_id"]).status_code == 202
    return audience["_id"], campaign["_id"]


# --- POST /campaign ------------------------------------------------------------------


def test_create_answers_201_with_the_raw_document_in_draft(sandbox: Sandbox):
    audience = sandbox.create(members(3))
    made = create(sandbox, audience["_id"], description="Q2")
    assert HEX24.fullmatch(made["_id"])
    assert made["agentId"] == AGENT and made["audienceId"] == audience["_id"]
    assert "agent" not in made and "audience" not in made
    assert made["status"] == "draft"
    assert made["name"] == "Spring calls" and made["description"] == "Q2"
    assert (made["maxRetries"], made["retryDelay"], made["retryAttempts"]) == (3, 15, 0)
    assert made["participantsCount"] == 3
    assert ISO.fullmatch(made["createdAt"]) and ISO.fullmatch(made["updatedAt"])
    assert "scheduledAt" not in made


def test_create_echoes_retries_and_a_future_schedule(sandbox: Sandbox):
    audience = sandbox.create(members(1))
    made = create(
        sandbox,
        audience["_id"],
        maxRetries=0,
        retryDelay=1440,
        scheduledAt="2999-01-01T10:00:00Z",
        phoneNumberIds=["b" * 24],
    )
    assert (made["maxRetries"], made["retryDelay"]) == (0, 1440)
    assert made["status"] == "scheduled"
    assert made["scheduledAt"] == "2999-01-01T10:00:00.000Z"
    assert made["phoneNumberIds"] == ["b" * 24]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, "name is required"),
        ({"name": "  "}, "name is required"),
        ({"audienceId": None}, "audienceId is required"),
        ({"agentId": None}, "agentId is required"),
        ({"agentId": "agent-1"}, "Invalid agentId: agent-1"),
        ({"audienceId": "nope"}, "Invalid audienceId: nope"),
        ({"maxRetries": 11}, "maxRetries must be an integer between 0 and 10"),
        ({"maxRetries": -1}, "maxRetries must be an integer between 0 and 10"),
        ({"maxRetries": True}, "maxRetries must be an integer between 0 and 10"),
        ({"maxRetries": "3"}, "maxRetries must be an integer between 0 and 10"),
        ({"retryDelay": 0}, "retryDelay must be an integer between 1 and 1440"),
        ({"retryDelay": 1441}, "retryDelay must be an integer between 1 and 1440"),
        ({"scheduledAt": "tomorrow"}, "scheduledAt must be an ISO-8601 date-time"),
        ({"scheduledAt": "2001-01-01T00:00:00Z"}, "scheduledAt must be in the future"),
        ({"phoneNumberIds": ["x"]}, "phoneNumberIds must be an array of ids"),
        ({"description": 5}, "description must be a string"),
    ],
)
def test_create_refuses_bad_bodies_with_400(sandbox: Sandbox, change, message):
    audience = sandbox.create(members(1))
    body = {"name": "C", "audienceId": audience["_id"], "agentId": AGENT}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    refused(sandbox.http.post("campaign", json=body), 400, message)
    assert sandbox.store.count_campaigns() == 0


def test_create_refuses_a_body_that_is_not_an_object(sandbox: Sandbox):
    refused(sandbox.http.post("campaign", json=[1]), 400, "Request body must be a JSON object")


def test_create_on_an_unknown_audience_is_404(sandbox: Sandbox):
    body = {"name": "C", "audienceId": "c" * 24, "agentId": AGENT}
    refused(sandbox.http.post("campaign", json=body), 404, "Audience not found")


def test_campaign_routes_need_a_key(sandbox: Sandbox):
    anonymous = sandbox.client(None)
    assert anonymous.get("campaign").status_code == 401
    assert anonymous.post("campaign", json={}).status_code == 401


# --- GET /campaign -------------------------------------------------------------------


def test_list_gives_campaigns_nested_with_pagination(sandbox: Sandbox):
    audience = sandbox.create(members(2), name="Leads")
    made = create(sandbox, audience["_id"])
    body = sandbox.http.get("campaign").json()
    assert body["status"] is True
    data = body["data"]
    assert set(data) == {"campaigns", "pagination", "totalCampaignCount"}
    (item,) = data["campaigns"]
    assert set(item) >= CAMPAIGN_KEYS
    assert item["_id"] == made["_id"]
    assert item["agent"] == {"_id": AGENT, "name": "Sandbox agent", "workflowType": "single_prompt"}
    assert item["audience"] == {"_id": audience["_id"], "name": "Leads"}
    assert isinstance(item["participantsCount"], int) and item["participantsCount"] == 2
    assert data["pagination"] == {
        "total": 1,
        "page": 1,
        "offset": 5,
        "hasMore": False,
        "totalPages": 1,
    }
    assert data["totalCampaignCount"] == 1


def test_list_pages_by_offset_newest_first_without_overlap(sandbox: Sandbox):
    audience = sandbox.create(members(1))
    ids = [create(sandbox, audience["_id"], name=f"C{i}")["_id"] for i in range(7)]
    first = sandbox.http.get("campaign", params={"page": 1, "offset": 3}).json()["data"]
    third = sandbox.http.get("campaign", params={"page": 3, "offset": 3}).json()["data"]
    assert [c["_id"] for c in first["campaigns"]] == ids[::-1][:3]
    assert first["pagination"] == {
        "total": 7,
        "page": 1,
        "offset": 3,
        "hasMore": True,
        "totalPages": 3,
    }
    assert [c["_id"] for c in third["campaigns"]] == [ids[0]]
    assert third["pagination"]["hasMore"] is False
    oldest = sandbox.http.get("campaign", params={"sortOrder": "asc", "offset": 2}).json()
    assert [c["_id"] for c in oldest["data"]["campaigns"]] == ids[:2]
    by_update = sandbox.http.get("campaign", params={"sortField": "updatedAt", "offset": 7})
    assert by_update.status_code == 200


def test_list_filters_by_status_and_name_and_counts_all(sandbox: Sandbox):
    audience = sandbox.create(members(3))
    create(sandbox, audience["_id"], name="Spring calls")
    create(sandbox, audience["_id"], name="Summer calls")
    done = create(sandbox, audience["_id"], name="Autumn SPRING")
    start(sandbox, done["_id"])
    spring = sandbox.http.get("campaign", params={"search": "spring"}).json()["data"]
    assert sorted(c["name"] for c in spring["campaigns"]) == ["Autumn SPRING", "Spring calls"]
    assert spring["pagination"]["total"] == 2
    assert spring["totalCampaignCount"] == 3
    completed = sandbox.http.get("campaign", params={"status": "completed"}).json()["data"]
    assert [c["_id"] for c in completed["campaigns"]] == [done["_id"]]
    drafts = sandbox.http.get("campaign", params={"status": "draft", "search": "summer"})
    assert [c["name"] for c in drafts.json()["data"]["campaigns"]] == ["Summer calls"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"status": "done"},
            "status must be one of draft, scheduled, processing, running, "
            "paused, completed, failed",
        ),
        ({"sortField": "name"}, "sortField must be one of createdAt, updatedAt"),
        ({"sortOrder": "up"}, "sortOrder must be one of asc, desc"),
        ({"page": "0"}, "page must be a positive integer"),
        ({"offset": "x"}, "offset must be a positive integer"),
    ],
)
def test_list_refuses_bad_queries_with_400(sandbox: Sandbox, params, message):
    refused(sandbox.http.get("campaign", params=params), 400, message)


# --- GET /campaign/{id} ----------------------------------------------------------------


def test_get_gives_the_campaign_events_and_metrics(sandbox: Sandbox):
    _, campaign_id = ran(sandbox, 60)
    data = sandbox.http.get(f"campaign/{campaign_id}").json()["data"]
    assert set(data) == {"campaign", "events", "metrics"}
    assert set(data["campaign"]) >= CAMPAIGN_KEYS
    assert data["campaign"]["status"] == "completed"
    assert [e["eventAction"] for e in data["events"]] == ["created", "started", "completed"]
    assert all(HEX24.fullmatch(e["_id"]) and ISO.fullmatch(e["createdAt"]) for e in data["events"])
    rows = export(sandbox, campaign_id).json()["data"]
    statuses = [r.get("finalStatus") for r in rows]
    assert data["metrics"] == {
        "total_participants": 60,
        "contacts_called": sum(
            s in {"active", "completed", "failed", "no_answer"} for s in statuses
        ),
        "contacts_connected": statuses.count("completed"),
    }
    assert data["campaign"]["retryAttempts"] == sum(
        r["totalAttempts"] - 1 for r in rows if r["totalAttempts"]
    )


def test_get_unknown_is_404_and_malformed_is_400(sandbox: Sandbox):
    refused(sandbox.http.get(f"campaign/{'d' * 24}"), 404, "Campaign not found")
    refused(sandbox.http.get("campaign/xyz"), 400, "Invalid campaign id: xyz")


def test_delete_removes_the_campaign_and_its_results_and_frees_its_audience(
    make_sandbox: SandboxFactory,
):
    sandbox = make_sandbox(campaign_finish="running")
    audience = sandbox.create(members(3))
    campaign = create(sandbox, audience["_id"])
    start(sandbox, campaign["_id"])
    assert sandbox.store.has_results(campaign["_id"])
    assert sandbox.http.delete(f"audience/{audience['_id']}").status_code == 400  # running
    deleted = sandbox.http.delete(f"campaign/{campaign['_id']}")
    assert (deleted.status_code, deleted.json()) == (200, {"status": True})
    assert sandbox.store.get_campaign(campaign["_id"]) is None
    assert not sandbox.store.has_results(campaign["_id"])
    refused(sandbox.http.get(f"campaign/{campaign['_id']}"), 404, "Campaign not found")
    assert sandbox.http.delete(f"audience/{audience['_id']}").status_code == 200


def test_delete_of_an_unknown_or_malformed_id(sandbox: Sandbox):
    refused(sandbox.http.delete(f"campaign/{'d' * 24}"), 404, "Campaign not found")
    refused(sandbox.http.delete("campaign/xyz"), 400, "Invalid campaign id: xyz")


# --- start and pause -------------------------------------------------------------------


def test_start_answers_202_and_runs_the_campaign_at_once(sandbox: Sandbox):
    audience = sandbox.create(members(5))
    campaign = create(sandbox, audience["_id"])
    response = start(sandbox, campaign["_id"])
    assert response.status_code == 202
    body = response.json()
    assert body["status"] is True
    assert body["data"]["message"] == "Campaign is being processed"
    assert HEX24.fullmatch(body["data"]["taskId"])
    assert body["data"]["campaignId"] == campaign["_id"]
    got = sandbox.http.get(f"campaign/{campaign['_id']}").json()["data"]["campaign"]
    assert got["status"] == "completed"
    assert len(export(sandbox, campaign["_id"]).json()["data"]) == 5


def test_a_completed_campaign_cannot_be_started_again(sandbox: Sandbox):
    _, campaign_id = ran(sandbox, 5)
    before = export(sandbox, campaign_id).json()["data"]
    refused(
        start(sandbox, campaign_id),
        400,
        "Campaign is already completed and cannot be started again",
    )
    assert export(sandbox, campaign_id).json()["data"] == before


def test_start_and_pause_of_unknown_or_malformed_ids(sandbox: Sandbox):
    for action in ("start", "pause"):
        refused(sandbox.http.post(f"campaign/{'e' * 24}/{action}"), 404, "Campaign not found")
        refused(sandbox.http.post(f"campaign/nope/{action}"), 400, "Invalid campaign id: nope")


def test_a_still_running_campaign_pauses_and_resumes_with_the_same_outcomes(
    make_sandbox: SandboxFactory,
):
    sandbox = make_sandbox(campaign_finish="running")
    _, campaign_id = ran(sandbox, 20)
    url = f"campaign/{campaign_id}"
    assert sandbox.http.get(url).json()["data"]["campaign"]["status"] == "running"
    refused(start(sandbox, campaign_id), 400, "Campaign is already running")
    before = export(sandbox, campaign_id).json()["data"]
    paused = sandbox.http.post(f"{url}/pause")
    assert paused.status_code == 200 and paused.json() == {"status": True}
    got = sandbox.http.get(url).json()["data"]["campaign"]
    assert got["status"] == "paused" and ISO.fullmatch(got["pausedAt"])
    assert start(sandbox, campaign_id).status_code == 202
    assert sandbox.http.get(url).json()["data"]["campaign"]["status"] == "running"
    assert export(sandbox, campaign_id).json()["data"] == before


def test_only_a_running_or_scheduled_campaign_pauses(sandbox: Sandbox):
    audience = sandbox.create(members(1))
    draft = create(sandbox, audience["_id"])
    refused(
        sandbox.http.post(f"campaign/{draft['_id']}/pause"),
        400,
        "Only a running or scheduled campaign can be paused (it is draft)",
    )
    scheduled = create(sandbox, audience["_id"], scheduledAt="2999-01-01T00:00:00Z")
    assert sandbox.http.post(f"campaign/{scheduled['_id']}/pause").status_code == 200


def test_an_audience_with_a_campaign_not_completed_cannot_be_deleted(
    make_sandbox: SandboxFactory,
):
    sandbox = make_sandbox(campaign_finish="running")
    audience = sandbox.create(members(2))
    campaign = create(sandbox, audience["_id"])
    message = f"can't delete audience, campaign with this audience {audience['_id']} exists"
    refusal = sandbox.http.delete(f"audience/{audience['_id']}")
    assert refusal.status_code == 400 and refusal.json()["message"] == message  # a draft
    start(sandbox, campaign["_id"])
    assert sandbox.http.delete(f"audience/{audience['_id']}").status_code == 400  # running
    assert sandbox.store.get_audience(audience["_id"]) is not None
    sandbox.store.set_campaign_status(campaign["_id"], "completed")
    assert sandbox.http.delete(f"audience/{audience['_id']}").status_code == 200


def test_a_started_campaign_completes_and_frees_its_audience(sandbox: Sandbox):
    audience_id, _ = ran(sandbox, 3)
    assert sandbox.http.delete(f"audience/{audience_id}").status_code == 200


# --- the export --------------------------------------------------------------------------


def test_the_json_export_has_one_row_per_member_in_the_spec_shape(sandbox: Sandbox):
    audience_id, campaign_id = ran(sandbox, 200)
    response = export(sandbox, campaign_id)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"campaign", "exportedAt", "totalAudienceMembers", "data"}
    assert body["campaign"] == "Spring calls"
    assert ISO.fullmatch(body["exportedAt"])
    assert body["totalAudienceMembers"] == 200 == len(body["data"])
    stored = {m["_id"]: m["data"] for m in sandbox.store.all_members(audience_id)}
    seen = set()
    for row in body["data"]:
        assert ROW_KEYS <= set(row) <= ROW_KEYS | {"finalStatus"}
        assert row["audienceMemberData"] == stored[row["audienceMemberId"]]
        assert row["phoneNumber"] == row["audienceMemberData"]["phoneNumber"]
        assert isinstance(row["totalAttempts"], int)
        assert isinstance(row["totalCallDuration"], int | float)
        assert isinstance(row["totalCallCost"], int | float)
        assert isinstance(row["retryAttempts"], list)
        status = row.get("finalStatus")
        seen.add(status)
        if status is None:
            assert "finalStatus" not in row
            assert row["totalAttempts"] == 0 and row["originalCall"] is None
            assert row["retryAttempts"] == [] and row["totalCallCost"] == 0
        else:
            assert isinstance(row["originalCall"], dict)
            assert row["totalAttempts"] == 1 + len(row["retryAttempts"])
            assert 1 <= row["totalAttempts"] <= 4
            assert row["originalCall"]["attempt"] == 1
    assert {"completed", "no_answer", "failed", None} <= seen


def test_the_csv_export_agrees_with_the_json_one(sandbox: Sandbox):
    _, campaign_id = ran(sandbox, 120)
    as_json = export(sandbox, campaign_id, "json").json()["data"]
    response = export(sandbox, campaign_id, "csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    reader = csv.reader(io.StringIO(response.text, newline=""))
    header = next(reader)
    assert header == [
        "audienceMemberId",
        "phoneNumber",
        "finalStatus",
        "totalAttempts",
        "totalCallDuration",
        "totalCallCost",
        "firstName",
        "city",
    ]
    rows = [dict(zip(header, r, strict=True)) for r in reader]
    assert len(rows) == len(as_json)
    for got, want in zip(rows, as_json, strict=True):
        assert got["audienceMemberId"] == want["audienceMemberId"]
        assert got["phoneNumber"] == want["phoneNumber"]
        assert got["finalStatus"] == want.get("finalStatus", "")
        assert int(got["totalAttempts"]) == want["totalAttempts"]
        assert float(got["totalCallDuration"]) == want["totalCallDuration"]
        assert float(got["totalCallCost"]) == want["totalCallCost"]
        assert got["firstName"] == want["audienceMemberData"]["firstName"]


def test_the_csv_has_a_column_per_data_key_first_seen_first(sandbox: Sandbox):
    audience = sandbox.create([{"phoneNumber": "+14155550000", "a": "1"}])
    sandbox.add(audience["_id"], [{"phoneNumber": "+14155550001", "b": 'x,"y"\nz'}])
    campaign = create(sandbox, audience["_id"])
    start(sandbox, campaign["_id"])
    reader = csv.reader(io.StringIO(export(sandbox, campaign["_id"], "csv").text, newline=""))
    header, first, second = list(reader)
    assert header[6:] == ["a", "b"]
    assert first[6:] == ["1", ""]
    assert second[6:] == ["", 'x,"y"\nz']


def test_a_member_removed_after_the_run_is_still_exported_with_its_data(sandbox: Sandbox):
    audience_id, campaign_id = ran(sandbox, 10)
    gone = sandbox.store.all_members(audience_id)[3]
    assert sandbox.remove(audience_id, [gone["_id"]]).json()["data"]["deletedCount"] == 1
    sandbox.add(audience_id, members(1, start=500))  # joined after the run: not in it
    rows = export(sandbox, campaign_id).json()["data"]
    assert len(rows) == 10
    (row,) = [r for r in rows if r["audienceMemberId"] == gone["_id"]]
    assert row["audienceMemberData"] == gone["data"]
    csv_text = export(sandbox, campaign_id, "csv").text
    assert gone["_id"] in csv_text and "+14155550500" not in csv_text


def test_a_campaign_never_started_exports_its_members_never_dialled(sandbox: Sandbox):
    audience = sandbox.create(members(3))
    campaign = create(sandbox, audience["_id"])
    body = export(sandbox, campaign["_id"]).json()
    assert body["totalAudienceMembers"] == 3
    assert all("finalStatus" not in r and r["totalAttempts"] == 0 for r in body["data"])


def test_export_refusals(sandbox: Sandbox):
    refused(export(sandbox, "f" * 24), 404, "Campaign not found")
    refused(export(sandbox, "f" * 24, "csv"), 404, "Campaign not found")
    refused(export(sandbox, "nope"), 400, "Invalid campaign id: nope")
    _, campaign_id = ran(sandbox, 1)
    refused(export(sandbox, campaign_id, "xlsx"), 400, "format must be one of json, csv")


# --- determinism and settings ---------------------------------------------------------


def _outcomes(sandbox: Sandbox, campaign_id: str) -> dict[str, tuple[Any, ...]]:
    return {
        r["phoneNumber"]: (
            r.get("finalStatus"),
            r["totalAttempts"],
            r["totalCallDuration"],
            r["totalCallCost"],
        )
        for r in export(sandbox, campaign_id).json()["data"]
    }


def test_two_sandboxes_with_the_same_seed_give_the_same_outcomes(
    make_sandbox: SandboxFactory, tmp_path: Path
):
    one = make_sandbox(tmp_path / "one.db", campaign_seed=11)
    two = make_sandbox(tmp_path / "two.db", campaign_seed=11)
    other = make_sandbox(tmp_path / "other.db", campaign_seed=12)
    two.create(members(5, start=900), name="Noise")  # other ids, other order of creation
    results = [_outcomes(s, ran(s, 100)[1]) for s in (one, two, other)]
    assert results[0] == results[1]
    assert results[0] != results[2]
    assert set(results[0]) == set(results[2])


def test_the_campaign_settings_come_from_the_environment():
    config = SandboxConfig.from_env(
        {"AUDIENCE_SANDBOX_CAMPAIGN_SEED": "42", "AUDIENCE_SANDBOX_CAMPAIGN_FINISH": "running"}
    )
    assert (config.campaign_seed, config.campaign_finish) == (42, "running")
    assert SandboxConfig.from_env({}).campaign_seed == 0
    with pytest.raises(ValueError, match="AUDIENCE_SANDBOX_CAMPAIGN_SEED='x'"):
        SandboxConfig.from_env({"AUDIENCE_SANDBOX_CAMPAIGN_SEED": "x"})
    with pytest.raises(ValueError, match="AUDIENCE_SANDBOX_CAMPAIGN_FINISH='done'"):
        SandboxConfig.from_env({"AUDIENCE_SANDBOX_CAMPAIGN_FINISH": "done"})


def test_faults_apply_to_the_campaign_routes(tmp_path: Path):
    store = SandboxStore(tmp_path / "f.db")
    app = FaultInjector(SandboxApp(store), FaultConfig(fail_rate=1.0, seed=1))
    with httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url="http://sandbox.invalid/atoms/v1/",
        headers={"Authorization": "Bearer k"},
    ) as client:
        for method, path in [
            ("GET", "campaign"),
            ("POST", "campaign"),
            ("GET", f"campaign/{'a' * 24}"),
            ("POST", f"campaign/{'a' * 24}/start"),
            ("GET", f"campaign/{'a' * 24}/export/by-audience-member"),
        ]:
            response = client.request(method, path, json={})
            assert response.status_code in (500, 502, 503), (method, path)
    assert store.count_campaigns() == 0
    assert app.stats.total == 5


# --- the store's older files ---------------------------------------------------------


def test_a_sandbox_file_from_before_campaign_runs_still_opens(tmp_path: Path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE audiences (id TEXT PRIMARY KEY, name TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '', phone_column TEXT NOT NULL,
                identifier_column TEXT, organization TEXT NOT NULL, created_by TEXT NOT NULL,
                created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE campaigns (id TEXT PRIMARY KEY,
                audience_id TEXT NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
                name TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
            INSERT INTO audiences VALUES ('aaaaaaaaaaaaaaaaaaaaaaaa', 'Old', '', 'phoneNumber',
                NULL, 'o', 'u', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            INSERT INTO campaigns VALUES ('cccccccccccccccccccccccc', 'aaaaaaaaaaaaaaaaaaaaaaaa',
                'Legacy', 'running', '2026-01-02T00:00:00.000Z');
            """
        )
    db.close()
    store = SandboxStore(path)
    old = store.get_campaign("c" * 24)
    assert old is not None
    assert (old["name"], old["status"], old["maxRetries"]) == ("Legacy", "running", 3)
    assert old["updatedAt"] == "2026-01-02T00:00:00.000Z"
    assert store.active_campaigns("a" * 24)[0]["id"] == "c" * 24
    store.set_campaign_status("c" * 24, "completed")
    assert store.campaigns_of("a" * 24)[0]["status"] == "completed"
    added = store.add_campaign("a" * 24, name="New", status="paused")
    assert set(added) == {"_id", "name", "status", "createdAt"}
    assert SandboxStore(path).count_campaigns() == 2  # opening again changes nothing


# --- `audience sandbox serve`'s campaign options ---------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ([], {}, (0, "completed")),
        (["--campaign-seed", "9", "--campaign-finish", "running"], {}, (9, "running")),
        ([], {"AUDIENCE_SANDBOX_CAMPAIGN_SEED": "5"}, (5, "completed")),
    ],
)
def test_serve_passes_its_campaign_settings_to_the_app(
    cli, monkeypatch: pytest.MonkeyPatch, args, env, expected
):
    from werkzeug.serving import BaseWSGIServer

    seen: list[SandboxConfig] = []

    def interrupt(self: BaseWSGIServer, poll_interval: float = 0.5) -> None:
        seen.append(self.app.config)  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(BaseWSGIServer, "serve_forever", interrupt)
    result = cli("sandbox", "serve", "--port", "0", *args, env=env)
    assert result.exit_code == 0, result.stderr
    assert [(c.campaign_seed, c.campaign_finish) for c in seen] == [expected]


def test_serve_refuses_an_unknown_campaign_finish(cli):
    result = cli("sandbox", "serve", "--port", "0", "--campaign-finish", "done")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
