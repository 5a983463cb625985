"""A fake Atoms campaign API for `httpx.MockTransport`: campaigns to list, get and export,
in the shapes of OpenAPI (nested `agent`/`audience`) or the SDK (plain ids), the export
bare or in the `{status, data}` envelope, JSON or CSV. Records every request."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

AGENT = "a" * 24
AUDIENCE = "b" * 24


def campaign(cid: str, name: str, status: str = "completed", *, nested: bool = True) -> dict:
    record: dict[str, Any] = {
        "_id": cid,
        "name": name,
        "status": status,
        "createdAt": "2026-11-01T10:00:00.000Z",
        "maxRetries": 3,
        "retryDelay": 15,
    }
    if nested:
        record["agent"] = {"_id": AGENT, "name": "Sales", "workflowType": "single_prompt"}
        record["audience"] = {"_id": AUDIENCE, "name": "Leads"}
    else:
        record["agentId"], record["audienceId"] = AGENT, AUDIENCE
    return record


def outcome(
    member_id: str,
    phone: str,
    status: str | None,
    attempts: int = 1,
    duration: float = 60.0,
    cost: float = 0.1,
    **data: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "audienceMemberId": member_id,
        "audienceMemberData": {"phoneNumber": phone, **data},
        "phoneNumber": phone,
        "originalCall": None if status is None else {"status": status},
        "retryAttempts": [],
        "totalAttempts": attempts,
        "totalCallDuration": duration,
        "totalCallCost": cost,
    }
    if status is not None:
        record["finalStatus"] = status
    return record


def export_csv(records: list[dict[str, Any]]) -> bytes:
    """The sandbox's column set: the fixed ones, then each member-data key."""
    keys: list[str] = []
    for r in records:
        for k in r["audienceMemberData"]:
            if k not in keys:
                keys.append(k)
    out = io.StringIO()
    writer = csv.writer(out)
    fixed = ["audienceMemberId", "phoneNumber", "finalStatus", "totalAttempts",
             "totalCallDuration", "totalCallCost"]  # fmt: skip
    writer.writerow(fixed + keys)
    for r in records:
        writer.writerow(
            [r.get(k) if r.get(k) is not None else "" for k in fixed]
            + [r["audienceMemberData"].get(k, "") for k in keys]
        )
    return out.getvalue().encode()


@dataclass
class CampaignServer:
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    exports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # a stated total unlike the records
    enveloped: bool = False  # the JSON export inside `{status, data}`
    page_size: int | None = None  # the server's largest page
    requests: list[httpx.Request] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/atoms/v1").strip("/").split("/")
        q = request.url.params
        if path == ["campaign"] and request.method == "GET":
            search = q.get("search") or ""
            found = [c for c in self.campaigns if search.lower() in c["name"].lower()]
            size = int(q.get("offset", "5"))
            size = min(size, self.page_size or size)
            page = int(q.get("page", "1"))
            chunk = found[(page - 1) * size : page * size]
            pages = max(1, -(-len(found) // size))
            return _ok(
                {
                    "campaigns": chunk,
                    "pagination": {
                        "total": len(found),
                        "page": page,
                        "offset": size,
                        "hasMore": page < pages,
                        "totalPages": pages,
                    },
                    "totalCampaignCount": len(self.campaigns),
                }
            )
        by_id = {c["_id"]: c for c in self.campaigns}
        if len(path) >= 2 and path[0] == "campaign":
            found_campaign = by_id.get(path[1])
            if found_campaign is None:
                return httpx.Response(404, json={"status": False, "errors": ["Campaign not found"]})
            if len(path) == 2:
                metrics = {"total_participants": 3, "contacts_called": 2}
                return _ok({"campaign": found_campaign, "events": [], "metrics": metrics})
            if path[2:] == ["export", "by-audience-member"]:
                records = self.exports.get(path[1], [])
                if q.get("format") == "csv":
                    return httpx.Response(
                        200,
                        content=export_csv(records),
                        headers={"content-type": "text/csv; charset=utf-8"},
                    )
                body = {
                    "campaign": found_campaign["name"],
                    "exportedAt": "2026-11-02T10:00:00.000Z",
                    "totalAudienceMembers": self.totals.get(path[1], len(records)),
                    "data": records,
                }
                if self.enveloped:
                    body = {"status": True, "data": body}
                return httpx.Response(200, content=json.dumps(body).encode())
        return httpx.Response(404, json={"status": False, "errors": ["no route"]})


def _ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": True, "data": data})
