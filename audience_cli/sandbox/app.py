"""The Atoms audience API, emulated: a Werkzeug WSGI app over the SQLite store.

Same paths under `/atoms/v1`, same envelopes (`{"status", "data"}` or
`{"status": false, "errors": [message], "message"}`), the status codes of the vendor's
OpenAPI description (tests/contract holds the sandbox to it) and the vendor's own
messages where they are known (see ATOMS_AUDIENCE_API.md). It serves the
embedded mode (httpx.WSGITransport, in-process) and `audience sandbox serve`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from audience_cli.sandbox.store import (
    CampaignResult,
    SandboxStore,
    matches_filters,
    matches_query,
    now_iso,
)

API_PREFIX = "/atoms/v1"
DUPLICATE_IN_CSV = (
    "Some phone numbers in your CSV already exist in this audience. "
    "Please remove duplicate entries and try again."
)
COLUMN_NAME = re.compile(r"[A-Za-z0-9_]+")
OBJECT_ID = re.compile(r"[0-9a-f]{24}")
MAX_QUERY_INT = 1_000_000_000  # the largest page or page size a query may ask for
DNC_MAX_PAGE_SIZE = 500  # `GET /dnc` clamps `offset` to 1-500
DNC_DEFAULT_PAGE_SIZE = 50  # the spec's default `offset`
DNC_SORT_FIELDS = ("createdAt", "phoneNumber")
SORT_ORDERS = ("asc", "desc")
CAMPAIGN_STATUSES = ("draft", "scheduled", "processing", "running", "paused", "completed", "failed")
CAMPAIGN_SORT_FIELDS = ("createdAt", "updatedAt")
CAMPAIGN_FINISHES = ("completed", "running")
MAX_RETRIES = 10
MAX_RETRY_DELAY = 1440  # minutes
# GET /campaign/{id} metrics: a contact "called" had a call attempted (per the spec).
CALLED_STATUSES = ("active", "completed", "failed", "no_answer")
EXPORT_COLUMNS = (
    "audienceMemberId",
    "phoneNumber",
    "finalStatus",
    "totalAttempts",
    "totalCallDuration",
    "totalCallCost",
)


@dataclass(frozen=True)
class SandboxConfig:
    """The limits the real API enforces, as settings (some are undocumented there)."""

    api_key: str | None = None  # None: any non-empty Bearer key is accepted
    member_limit: int = 10_000
    max_csv_bytes: int = 5 * 1024 * 1024
    default_page_size: int = 5
    max_page_size: int = 100
    campaign_seed: int = 0  # the dice of campaign runs (see campaign_run.simulate)
    campaign_finish: str = "completed"  # or "running": started campaigns stay running

    def __post_init__(self) -> None:
        if self.campaign_finish not in CAMPAIGN_FINISHES:
            raise ValueError(f"campaign_finish must be one of {', '.join(CAMPAIGN_FINISHES)}")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SandboxConfig:
        """The embedded sandbox's settings: AUDIENCE_SANDBOX_MEMBER_LIMIT and
        AUDIENCE_SANDBOX_MAX_PAGE_SIZE (positive whole numbers),
        AUDIENCE_SANDBOX_CAMPAIGN_SEED (a whole number) and
        AUDIENCE_SANDBOX_CAMPAIGN_FINISH (completed or running), else the defaults."""
        finish = env.get("AUDIENCE_SANDBOX_CAMPAIGN_FINISH", "").strip() or cls.campaign_finish
        if finish not in CAMPAIGN_FINISHES:
            raise ValueError(
                f"AUDIENCE_SANDBOX_CAMPAIGN_FINISH={finish!r}: "
                f"expected one of {', '.join(CAMPAIGN_FINISHES)}"
            )
        return cls(
            member_limit=_positive_int(env, "AUDIENCE_SANDBOX_MEMBER_LIMIT", cls.member_limit),
            max_page_size=_positive_int(env, "AUDIENCE_SANDBOX_MAX_PAGE_SIZE", cls.max_page_size),
            campaign_seed=_whole_int(env, "AUDIENCE_SANDBOX_CAMPAIGN_SEED", cls.campaign_seed),
            campaign_finish=finish,
        )


def _whole_int(env: Mapping[str, str], var: str, default: int) -> int:
    raw = env.get(var, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{var}={raw!r}: expected a whole number") from None


def _positive_int(env: Mapping[str, str], var: str, default: int) -> int:
    raw = env.get(var, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{var}={raw!r}: expected a positive whole number")
    return int(raw)


class ApiFailure(Exception):
    """An error answer: `{"status": false, "errors": [message], "message": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _sort_and_search(args: Mapping[str, str], fields: Sequence[str]) -> tuple[str, str, str | None]:
    """A list's `sortField` (one of `fields`, default createdAt), `sortOrder` (default
    desc) and `search` (None when blank); an unknown sort is a 400."""
    sort_field = args.get("sortField") or "createdAt"
    if sort_field not in fields:
        raise ApiFailure(400, f"sortField must be one of {', '.join(fields)}")
    sort_order = (args.get("sortOrder") or "desc").lower()
    if sort_order not in SORT_ORDERS:
        raise ApiFailure(400, f"sortOrder must be one of {', '.join(SORT_ORDERS)}")
    return sort_field, sort_order, (args.get("search") or "").strip() or None


def _pagination(page: int, size: int, total: int) -> dict[str, Any]:
    """A list's `pagination` object (do-not-call entries, campaigns): `offset` is the size."""
    total_pages = math.ceil(total / size) if total else 0
    return {
        "page": page,
        "offset": size,
        "total": total,
        "totalPages": total_pages,
        "hasMore": page < total_pages,
    }


def envelope(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps({"status": True, "data": data}), status=status, mimetype="application/json"
    )


def failure(status: int, message: str) -> Response:
    """An error: the spec's `{"status": false, "errors": [message]}` with the `message`
    clients written to the older reference read, so that either kind reads it."""
    body = {"status": False, "errors": [message], "message": message}
    return Response(json.dumps(body), status=status, mimetype="application/json")


class SandboxApp:
    """A WSGI callable: `SandboxApp(store)(environ, start_response)`."""

    def __init__(self, store: SandboxStore, config: SandboxConfig | None = None) -> None:
        self.store = store
        self.config = config or SandboxConfig()
        p = API_PREFIX
        self.urls = Map(
            [
                Rule(f"{p}/audience", endpoint="audiences", methods=["GET", "POST"]),
                Rule(f"{p}/audience/<audience_id>", endpoint="audience", methods=["GET", "DELETE"]),
                Rule(
                    f"{p}/audience/<audience_id>/members",
                    endpoint="members",
                    methods=["GET", "POST", "DELETE"],
                ),
                Rule(
                    f"{p}/audience/<audience_id>/members/search",
                    endpoint="search",
                    methods=["GET"],
                ),
                Rule(f"{p}/dnc", endpoint="dnc", methods=["GET"]),
                Rule(f"{p}/campaign", endpoint="campaigns", methods=["GET", "POST"]),
                Rule(f"{p}/campaign/<campaign_id>", endpoint="campaign", methods=["GET", "DELETE"]),
                Rule(f"{p}/campaign/<campaign_id>/start", endpoint="start", methods=["POST"]),
                Rule(f"{p}/campaign/<campaign_id>/pause", endpoint="pause", methods=["POST"]),
                Rule(
                    f"{p}/campaign/<campaign_id>/export/by-audience-member",
                    endpoint="export",
                    methods=["GET"],
                ),
            ],
            strict_slashes=False,
        )
        self._handlers: dict[tuple[str, str], Callable[..., Response]] = {
            ("audiences", "GET"): self.list_audiences,
            ("audiences", "POST"): self.create_audience,
            ("audience", "GET"): self.get_audience,
            ("audience", "DELETE"): self.delete_audience,
            ("members", "GET"): self.list_members,
            ("members", "POST"): self.add_members,
            ("members", "DELETE"): self.remove_members,
            ("search", "GET"): self.search_members,
            ("dnc", "GET"): self.list_dnc,
            ("campaigns", "GET"): self.list_campaigns,
            ("campaigns", "POST"): self.create_campaign,
            ("campaign", "GET"): self.get_campaign,
            ("campaign", "DELETE"): self.delete_campaign,
            ("start", "POST"): self.start_campaign,
            ("pause", "POST"): self.pause_campaign,
            ("export", "GET"): self.export_by_member,
        }

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = self.urls.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return failure(404, f"Cannot {request.method} {request.path}")
        except MethodNotAllowed:
            return failure(405, f"Method {request.method} not allowed on {request.path}")
        except HTTPException as exc:  # e.g. a redirect for slashes
            return failure(exc.code or 400, exc.description or "Bad request")
        if not self._authorized(request):
            return failure(401, "Unauthorized: missing or invalid API key")
        # Werkzeug routes HEAD to GET rules; answer it like GET (the body is dropped).
        method = "GET" if request.method == "HEAD" else request.method
        handler = self._handlers[(endpoint, method)]
        try:
            return handler(request, **args)
        except ApiFailure as exc:
            return failure(exc.status, exc.message)
        except HTTPException as exc:  # e.g. 413 from Werkzeug's form parser
            return failure(exc.code or 400, exc.description or "Bad request")

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        return self.config.api_key is None or token == self.config.api_key

    def _audience_or_404(self, audience_id: str) -> dict[str, Any]:
        audience = (
            self.store.get_audience(audience_id) if OBJECT_ID.fullmatch(audience_id) else None
        )
        if audience is None:
            raise ApiFailure(404, "Audience not found")
        return audience

    # --- audiences ---------------------------------------------------------

    def list_audiences(self, request: Request) -> Response:
        return envelope(self.store.list_audiences())

    def get_audience(self, request: Request, audience_id: str) -> Response:
        return envelope(self._audience_or_404(audience_id))

    def delete_audience(self, request: Request, audience_id: str) -> Response:
        self._audience_or_404(audience_id)
        if self.store.active_campaigns(audience_id):
            raise ApiFailure(
                400, f"can't delete audience, campaign with this audience {audience_id} exists"
            )
        self.store.delete_audience(audience_id)
        return envelope([])

    def create_audience(self, request: Request) -> Response:
        if not request.mimetype.startswith("multipart/form-data"):
            raise ApiFailure(400, "Request must be multipart/form-data with a CSV file")
        name = (request.form.get("name") or "").strip()
        phone_column = (request.form.get("phoneNumberColumnName") or "").strip()
        identifier = (request.form.get("identifierColumnName") or "").strip() or None
        description = request.form.get("description") or ""
        if not name:
            raise ApiFailure(400, "name is required")
        if not phone_column:
            raise ApiFailure(400, "phoneNumberColumnName is required")
        upload = request.files.get("file")
        if upload is None:
            raise ApiFailure(400, "file is required")
        raw = upload.stream.read(self.config.max_csv_bytes + 1)
        if len(raw) > self.config.max_csv_bytes:
            limit_mb = self.config.max_csv_bytes / (1024 * 1024)
            raise ApiFailure(400, f"File size exceeds the {limit_mb:g}MB limit")
        members = self._parse_csv(raw, phone_column, identifier)
        phones = [m[phone_column] for m in members]
        if len(set(phones)) != len(phones):
            raise ApiFailure(400, DUPLICATE_IN_CSV)
        self._check_limit(len(members))
        audience = self.store.create_audience(
            name=name,
            description=description,
            phone_column=phone_column,
            identifier_column=identifier,
            members=members,
        )
        return envelope(audience)  # 200, as the spec says (the client takes 201 too)

    def _parse_csv(
        self, raw: bytes, phone_column: str, identifier: str | None
    ) -> list[dict[str, str]]:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApiFailure(400, "Invalid CSV file: it must be UTF-8 text") from None
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            raise ApiFailure(400, "CSV file is empty") from None
        except csv.Error as exc:
            raise ApiFailure(400, f"Invalid CSV file: {exc}") from None
        header = [h.strip() for h in header]
        for column in header:
            if not COLUMN_NAME.fullmatch(column):
                raise ApiFailure(
                    400,
                    f"Invalid column name '{column}': "
                    "only letters, numbers and underscores are allowed",
                )
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            raise ApiFailure(400, f"Duplicate column names are not allowed: {', '.join(dupes)}")
        if phone_column not in header:
            raise ApiFailure(400, f"CSV must have a '{phone_column}' column")
        if identifier and identifier not in header:
            raise ApiFailure(400, f"CSV must have a '{identifier}' column")
        members = []
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                member = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
                if not member[phone_column]:
                    raise ApiFailure(400, f"Each member must have a {phone_column} field")
                members.append(member)
        except csv.Error as exc:
            raise ApiFailure(400, f"Invalid CSV file: {exc}") from None
        return members

    def _check_limit(self, total: int) -> None:
        if total > self.config.member_limit:
            raise ApiFailure(400, f"Audience cannot exceed {self.config.member_limit} members")

    # --- members -----------------------------------------------------------

    def _positive_int(self, request: Request, name: str, default: int) -> int:
        raw = request.args.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            raise ApiFailure(400, f"{name} must be a positive integer")
        if value > MAX_QUERY_INT:  # SQLite's OFFSET is a 64-bit integer: never a 500
            raise ApiFailure(400, f"{name} must be at most {MAX_QUERY_INT}")
        return value

    def list_members(self, request: Request, audience_id: str) -> Response:
        self._audience_or_404(audience_id)
        page = self._positive_int(request, "page", 1)
        size = self._positive_int(request, "offset", self.config.default_page_size)
        size = min(size, self.config.max_page_size)
        total = self.store.count_members(audience_id)
        members = self.store.page_members(audience_id, limit=size, skip=(page - 1) * size)
        total_pages = math.ceil(total / size) if total else 0
        return envelope(
            {
                "members": members,
                "totalCount": total,
                "totalPages": total_pages,
                "hasMore": page < total_pages,
            }
        )

    def add_members(self, request: Request, audience_id: str) -> Response:
        audience = self._audience_or_404(audience_id)
        body = request.get_json(silent=True)
        members = body.get("members") if isinstance(body, dict) else None
        if not isinstance(members, list) or not members:
            raise ApiFailure(400, "members must be a non-empty array")
        phone_column = audience["phoneNumberColumnName"]
        clean: list[dict[str, Any]] = []
        for m in members:
            if not isinstance(m, dict) or not str(m.get(phone_column) or "").strip():
                raise ApiFailure(400, f"Each member must have a {phone_column} field")
            clean.append({str(k): v for k, v in m.items()})
        # Numbers already present, or repeated in this request, are skipped.
        present = self.store.existing_phones(audience_id, (str(m[phone_column]) for m in clean))
        new_numbers = {str(m[phone_column]) for m in clean} - present
        self._check_limit(self.store.count_members(audience_id) + len(new_numbers))
        result = self.store.add_members(audience_id, phone_column, clean)
        return envelope(
            [
                {
                    "message": f"{result.added} members added successfully",
                    "data": {"added": result.added, "skipped": result.skipped},
                }
            ]
        )

    def remove_members(self, request: Request, audience_id: str) -> Response:
        self._audience_or_404(audience_id)
        body = request.get_json(silent=True)
        ids = body.get("memberIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ApiFailure(400, "memberIds must be a non-empty array of member ids")
        return envelope({"deletedCount": self.store.remove_members(audience_id, ids)})

    def search_members(self, request: Request, audience_id: str) -> Response:
        self._audience_or_404(audience_id)
        args: Mapping[str, str] = request.args
        query = args.get("query")
        filters = {k: v for k, v in args.items() if k != "query" and v != ""}
        if query and filters:
            raise ApiFailure(400, "Use either query or field filters, not both")
        if not query and not filters:
            raise ApiFailure(400, "Provide a query or at least one field filter")
        members = self.store.all_members(audience_id)
        if query:
            found = [m for m in members if matches_query(m["data"], query)]
            info = {
                "searchType": "general",
                "searchTerm": query,
                "searchFields": [],
                "totalResults": len(found),
            }
        else:
            found = [m for m in members if matches_filters(m["data"], filters)]
            info = {
                "searchType": "multiple",
                # A string, as the vendor's SDK declares it (SearchInfo.searchTerm: str).
                "searchTerm": " ".join(f"{k}={v}" for k, v in filters.items()),
                "searchFields": sorted(filters),
                "totalResults": len(found),
            }
        return envelope({"members": found, "searchInfo": info})

    # --- the do-not-call list ------------------------------------------------

    def list_dnc(self, request: Request) -> Response:
        """`GET /dnc`: one page of the organisation's do-not-call list.

        `offset` (the page size) is clamped to 1-500, as Atoms does; a `page` below 1,
        a malformed `agentId` or an unknown sort is a 400. The sandbox knows no agents:
        any well-formed `agentId` is the caller's."""
        args: Mapping[str, str] = request.args
        page = self._positive_int(request, "page", 1)
        size = self._clamped_int(request, "offset", DNC_DEFAULT_PAGE_SIZE, 1, DNC_MAX_PAGE_SIZE)
        agent_id = args.get("agentId") or None
        if agent_id is not None and not OBJECT_ID.fullmatch(agent_id):
            raise ApiFailure(400, f"Invalid agentId: {agent_id}")
        sort_field, sort_order, search = _sort_and_search(args, DNC_SORT_FIELDS)
        total = self.store.count_dnc(search=search, agent_id=agent_id)
        entries = self.store.page_dnc(
            limit=size,
            skip=(page - 1) * size,
            search=search,
            agent_id=agent_id,
            sort_field=sort_field,
            sort_order=sort_order,
        )
        return envelope({"entries": entries, "pagination": _pagination(page, size, total)})

    def _clamped_int(self, request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.args.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiFailure(400, f"{name} must be an integer") from None
        return max(low, min(high, value))

    # --- campaigns -----------------------------------------------------------

    def _campaign_or_404(self, campaign_id: str) -> dict[str, Any]:
        if not OBJECT_ID.fullmatch(campaign_id):
            raise ApiFailure(400, f"Invalid campaign id: {campaign_id}")
        campaign = self.store.get_campaign(campaign_id)
        if campaign is None:
            raise ApiFailure(404, "Campaign not found")
        return campaign

    def list_campaigns(self, request: Request) -> Response:
        """`GET /campaign`: one page (`offset` is the page size), filtered by status and
        by a part of the name, sorted by `createdAt` or `updatedAt`."""
        args: Mapping[str, str] = request.args
        page = self._positive_int(request, "page", 1)
        size = self._positive_int(request, "offset", self.config.default_page_size)
        size = min(size, self.config.max_page_size)
        status = args.get("status") or None
        if status is not None and status not in CAMPAIGN_STATUSES:
            raise ApiFailure(400, f"status must be one of {', '.join(CAMPAIGN_STATUSES)}")
        sort_field, sort_order, search = _sort_and_search(args, CAMPAIGN_SORT_FIELDS)
        total = self.store.count_campaigns(status=status, search=search)
        campaigns = self.store.page_campaigns(
            limit=size,
            skip=(page - 1) * size,
            status=status,
            search=search,
            sort_field=sort_field,
            sort_order=sort_order,
        )
        for campaign in campaigns:
            del campaign["events"]
        return envelope(
            {
                "campaigns": campaigns,
                "pagination": _pagination(page, size, total),
                "totalCampaignCount": self.store.count_campaigns(),
            }
        )

    def get_campaign(self, request: Request, campaign_id: str) -> Response:
        campaign = self._campaign_or_404(campaign_id)
        events = campaign.pop("events")
        results = self.store.campaign_results(campaign_id)
        statuses = [r.final_status for r in results]
        metrics = {
            "total_participants": campaign["participantsCount"],
            "contacts_called": sum(1 for s in statuses if s in CALLED_STATUSES),
            "contacts_connected": statuses.count("completed"),
        }
        return envelope({"campaign": campaign, "events": events, "metrics": metrics})

    def delete_campaign(self, request: Request, campaign_id: str) -> Response:
        """`DELETE /campaign/{id}`: `{"status": true}`; the campaign's audience is free to be
        deleted again. (The spec says nothing of a running campaign: the sandbox deletes it.)"""
        self._campaign_or_404(campaign_id)
        self.store.delete_campaign(campaign_id)
        return Response(json.dumps({"status": True}), status=200, mimetype="application/json")

    def create_campaign(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiFailure(400, "Request body must be a JSON object")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiFailure(400, "name is required")
        description = body.get("description", "")
        if not isinstance(description, str):
            raise ApiFailure(400, "description must be a string")
        audience_id = body.get("audienceId")
        if audience_id is None or audience_id == "":
            raise ApiFailure(400, "audienceId is required")
        if not isinstance(audience_id, str) or not OBJECT_ID.fullmatch(audience_id):
            raise ApiFailure(400, f"Invalid audienceId: {audience_id}")
        agent_id = body.get("agentId")
        if agent_id is None or agent_id == "":
            raise ApiFailure(400, "agentId is required")
        if not isinstance(agent_id, str) or not OBJECT_ID.fullmatch(agent_id):
            raise ApiFailure(400, f"Invalid agentId: {agent_id}")
        phone_ids = body.get("phoneNumberIds", [])
        if not isinstance(phone_ids, list) or not all(
            isinstance(i, str) and OBJECT_ID.fullmatch(i) for i in phone_ids
        ):
            raise ApiFailure(400, "phoneNumberIds must be an array of ids")
        max_retries = _int_between(body, "maxRetries", 3, 0, MAX_RETRIES)
        retry_delay = _int_between(body, "retryDelay", 15, 1, MAX_RETRY_DELAY)
        scheduled_at = _future_instant(body.get("scheduledAt"))
        if self.store.get_audience(audience_id) is None:
            raise ApiFailure(404, "Audience not found")
        campaign = self.store.create_campaign(
            audience_id,
            name=name.strip(),
            agent_id=agent_id,
            description=description,
            phone_number_ids=phone_ids,
            scheduled_at=scheduled_at,
            max_retries=max_retries,
            retry_delay=retry_delay,
            status="scheduled" if scheduled_at else "draft",
        )
        return envelope(campaign, status=201)

    def start_campaign(self, request: Request, campaign_id: str) -> Response:
        """`POST /campaign/{id}/start`: the sandbox runs the campaign at once (a paused
        one that has run resumes: it only takes the configured finishing status)."""
        from audience_cli.sandbox.campaign_run import run_campaign

        campaign = self._campaign_or_404(campaign_id)
        status = campaign["status"]
        if status == "completed":
            raise ApiFailure(400, "Campaign is already completed and cannot be started again")
        if status in ("running", "processing"):
            raise ApiFailure(400, f"Campaign is already {status}")
        finish = self.config.campaign_finish
        if status == "paused" and self.store.has_results(campaign_id):
            self.store.set_campaign_status(campaign_id, finish, event="resumed")
        else:
            run_campaign(self.store, campaign_id, seed=self.config.campaign_seed, finish=finish)
        message = "Campaign is being processed"
        return envelope(
            {"message": message, "taskId": new_task_id(), "campaignId": campaign_id}, status=202
        )

    def pause_campaign(self, request: Request, campaign_id: str) -> Response:
        campaign = self._campaign_or_404(campaign_id)
        if campaign["status"] not in ("running", "processing", "scheduled"):
            raise ApiFailure(
                400,
                f"Only a running or scheduled campaign can be paused (it is {campaign['status']})",
            )
        self.store.set_campaign_status(campaign_id, "paused", event="paused", paused=True)
        return Response(json.dumps({"status": True}), status=200, mimetype="application/json")

    def export_by_member(self, request: Request, campaign_id: str) -> Response:
        """One row per member: every attempt's outcome. A campaign never run lists its
        audience's members as never dialled."""
        campaign = self._campaign_or_404(campaign_id)
        fmt = request.args.get("format") or "json"
        if fmt not in ("json", "csv"):
            raise ApiFailure(400, "format must be one of json, csv")
        rows = [_export_row(r) for r in self._outcomes(campaign)]
        if fmt == "csv":
            return Response(_export_csv(rows), status=200, content_type="text/csv; charset=utf-8")
        body = {
            "campaign": campaign["name"],
            "exportedAt": now_iso(),
            "totalAudienceMembers": len(rows),
            "data": rows,
        }
        return Response(json.dumps(body), status=200, mimetype="application/json")

    def _outcomes(self, campaign: Mapping[str, Any]) -> list[CampaignResult]:
        if any(e.get("eventAction") == "started" for e in campaign["events"]):
            return self.store.campaign_results(campaign["_id"])
        audience = self.store.get_audience(campaign["audience"]["_id"])
        if audience is None:
            return []
        column = audience["phoneNumberColumnName"]
        return [
            CampaignResult(
                member_id=m["_id"],
                phone=str(m["data"].get(column, "")),
                data=m["data"],
                final_status=None,
                attempts=0,
                duration=0.0,
                cost=0.0,
                original_call=None,
                retry_attempts=[],
            )
            for m in self.store.all_members(audience["_id"])
        ]


def new_task_id() -> str:
    return secrets.token_hex(12)


def _int_between(body: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiFailure(400, f"{name} must be an integer between {low} and {high}")
    return value


def _future_instant(value: Any) -> str | None:
    """`scheduledAt`: an ISO-8601 instant in the future, or absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiFailure(400, "scheduledAt must be an ISO-8601 date-time")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiFailure(400, "scheduledAt must be an ISO-8601 date-time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when <= datetime.now(UTC):
        raise ApiFailure(400, "scheduledAt must be in the future")
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _export_row(result: CampaignResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "audienceMemberId": result.member_id,
        "audienceMemberData": result.data,
        "phoneNumber": result.phone,
        "originalCall": result.original_call,
        "retryAttempts": result.retry_attempts,
        "totalAttempts": result.attempts,
        "totalCallDuration": result.duration,
        "totalCallCost": result.cost,
    }
    if result.final_status is not None:  # a member never dialled has no final status
        row["finalStatus"] = result.final_status
    return row


def _export_csv(rows: list[dict[str, Any]]) -> bytes:
    """The sandbox's CSV: the fixed columns, then each member-data key (first seen first)
    but those named like a fixed column (the phone number column is `phoneNumber` already)."""
    data_keys: dict[str, None] = {}
    for row in rows:
        data_keys.update(dict.fromkeys(row["audienceMemberData"]))
    for column in EXPORT_COLUMNS:
        data_keys.pop(column, None)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*EXPORT_COLUMNS, *data_keys])
    for row in rows:
        data = row["audienceMemberData"]
        writer.writerow(
            [
                *(row.get(c, "") for c in EXPORT_COLUMNS),
                *("" if data.get(k) is None else data[k] for k in data_keys),
            ]
        )
    return out.getvalue().encode("utf-8")
