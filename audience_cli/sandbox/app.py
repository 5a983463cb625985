"""The Atoms audience API, emulated: a Werkzeug WSGI app over the SQLite store.

Same paths under `/atoms/v1`, same envelopes (`{"status", "data"}` or
`{"status": false, "message"}`), same status codes and the vendor's own
messages where they are known (see ATOMS_AUDIENCE_API.md). It serves the
embedded mode (httpx.WSGITransport, in-process) and `audience sandbox serve`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from audience_cli.sandbox.store import SandboxStore, matches_filters, matches_query

API_PREFIX = "/atoms/v1"
DUPLICATE_IN_CSV = (
    "Some phone numbers in your CSV already exist in this audience. "
    "Please remove duplicate entries and try again."
)
COLUMN_NAME = re.compile(r"[A-Za-z0-9_]+")
OBJECT_ID = re.compile(r"[0-9a-f]{24}")
MAX_QUERY_INT = 1_000_000_000  # the largest page or page size a query may ask for
DNC_MAX_PAGE_SIZE = 500  # `GET /dnc` clamps `offset` to 1-500
DNC_DEFAULT_PAGE_SIZE = 10
DNC_SORT_FIELDS = ("createdAt", "phoneNumber")
SORT_ORDERS = ("asc", "desc")


@dataclass(frozen=True)
class SandboxConfig:
    """The limits the real API enforces, as settings (some are undocumented there)."""

    api_key: str | None = None  # None: any non-empty Bearer key is accepted
    member_limit: int = 10_000
    max_csv_bytes: int = 5 * 1024 * 1024
    default_page_size: int = 5
    max_page_size: int = 100

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SandboxConfig:
        """The embedded sandbox's limits: AUDIENCE_SANDBOX_MEMBER_LIMIT and
        AUDIENCE_SANDBOX_MAX_PAGE_SIZE (positive whole numbers), else the defaults."""
        return cls(
            member_limit=_positive_int(env, "AUDIENCE_SANDBOX_MEMBER_LIMIT", cls.member_limit),
            max_page_size=_positive_int(env, "AUDIENCE_SANDBOX_MAX_PAGE_SIZE", cls.max_page_size),
        )


def _positive_int(env: Mapping[str, str], var: str, default: int) -> int:
    raw = env.get(var, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{var}={raw!r}: expected a positive whole number")
    return int(raw)


class ApiFailure(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def envelope(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps({"status": True, "data": data}), status=status, mimetype="application/json"
    )


def failure(status: int, message: str) -> Response:
    return Response(
        json.dumps({"status": False, "message": message}),
        status=status,
        mimetype="application/json",
    )


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
        return envelope(audience, status=201)

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
        sort_field = args.get("sortField") or "createdAt"
        if sort_field not in DNC_SORT_FIELDS:
            raise ApiFailure(400, f"sortField must be one of {', '.join(DNC_SORT_FIELDS)}")
        sort_order = (args.get("sortOrder") or "desc").lower()
        if sort_order not in SORT_ORDERS:
            raise ApiFailure(400, f"sortOrder must be one of {', '.join(SORT_ORDERS)}")
        search = (args.get("search") or "").strip() or None
        total = self.store.count_dnc(search=search, agent_id=agent_id)
        entries = self.store.page_dnc(
            limit=size,
            skip=(page - 1) * size,
            search=search,
            agent_id=agent_id,
            sort_field=sort_field,
            sort_order=sort_order,
        )
        total_pages = math.ceil(total / size) if total else 0
        pagination = {
            "page": page,
            "offset": size,
            "total": total,
            "totalPages": total_pages,
            "hasMore": page < total_pages,
        }
        return envelope({"entries": entries, "pagination": pagination})

    def _clamped_int(self, request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.args.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiFailure(400, f"{name} must be an integer") from None
        return max(low, min(high, value))
