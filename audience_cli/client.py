"""The Atoms audience API over httpx: one method per endpoint, typed records and errors, retries.

It speaks HTTP and Atoms, not CLI: no typer or rich here, and its errors carry
facts (status, the server's message, the URL), never a command to run; hints
are the CLI's business (`hints.py`). Everything a test swaps is a constructor
argument: the httpx transport, the retry policy (and so the sleep), the request log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast
from urllib.parse import quote

import httpx

from audience_cli import __version__
from audience_cli.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    error_for_status,
)
from audience_cli.model import (
    DEFAULT_PHONE_COLUMN,
    AddCounts,
    Audience,
    MemberPage,
    RemoveCounts,
    SearchResult,
)
from audience_cli.retry import RETRYABLE_STATUS, RetryPolicy

REDACTED = "sk_***"

RequestLog = Callable[[str, str, int | None, float], None]
RetryNotice = Callable[[str, float, int, int], None]  # (why, delay, attempt, max)


def error_message(response: httpx.Response) -> str:
    """The server's own words: `message`, then `error`, then `errors`, then the raw text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "error", "errors"):
            value = body.get(key)
            if value:
                return value if isinstance(value, str) else _flatten(value)
    status_line = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    text = response.text.strip()
    is_markup = "html" in response.headers.get("content-type", "") or text.startswith("<")
    says_nothing = isinstance(body, dict) and not set(body) - {"status", "data"}
    if not text or is_markup or says_nothing:
        # An HTML error page, or `{}`/`{"status": false}`, says nothing a person can use.
        return status_line
    return text[:500]


def _flatten(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        msg = value.get("message") or value.get("msg")
        return str(msg) if msg else ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


class AtomsClient:
    """A thin client for the Atoms audience endpoints."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        log: RequestLog | None = None,
        on_retry: RetryNotice | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._log = log
        self._on_retry = on_retry
        self._api_key = api_key
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            transport=transport,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": f"audience-cli/{__version__}",
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AtomsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- audiences ---------------------------------------------------------

    def list_audiences(self) -> list[Audience]:
        return cast("list[Audience]", self._call("GET", "audience") or [])

    def get_audience(self, audience_id: str) -> Audience:
        return cast(Audience, self._call("GET", f"audience/{_seg(audience_id)}"))

    def create_audience(
        self,
        name: str,
        csv_body: bytes,
        *,
        phone_column: str = DEFAULT_PHONE_COLUMN,
        identifier_column: str | None = None,
        description: str | None = None,
    ) -> Audience:
        """POST a multipart form with the members as a CSV file (`model.members_csv`).

        Not retried once the request may have been received: a retried create
        can make a second audience."""
        form: dict[str, str] = {"name": name, "phoneNumberColumnName": phone_column}
        if identifier_column:
            form["identifierColumnName"] = identifier_column
        if description:
            form["description"] = description
        files = {"file": ("audience.csv", csv_body, "text/csv")}
        return cast(
            Audience, self._call("POST", "audience", data=form, files=files, idempotent=False)
        )

    def delete_audience(self, audience_id: str) -> Any:
        return self._call("DELETE", f"audience/{_seg(audience_id)}")

    # --- members -----------------------------------------------------------

    def list_members(self, audience_id: str, *, page: int = 1, page_size: int = 5) -> MemberPage:
        """One page: `{"members", "totalCount", "totalPages", "hasMore"}`.

        The API calls the page size `offset` (and ignores `limit`)."""
        params = {"page": page, "offset": page_size}
        return cast(
            MemberPage, self._call("GET", f"audience/{_seg(audience_id)}/members", params=params)
        )

    def add_members(self, audience_id: str, members: Sequence[Mapping[str, Any]]) -> AddCounts:
        """Add members; the server skips numbers already present.

        Safe to retry (a repeat adds nothing twice). Returns `{"added",
        "skipped", "message"}`."""
        data = self._call(
            "POST",
            f"audience/{_seg(audience_id)}/members",
            json={"members": [dict(m) for m in members]},
        )
        first = data[0] if isinstance(data, list) and data else data
        entry: dict[str, Any] = first if isinstance(first, dict) else {}
        inner = entry.get("data")
        counts: dict[str, Any] = inner if isinstance(inner, dict) else entry
        return {
            "added": int(counts.get("added", 0) or 0),
            "skipped": int(counts.get("skipped", 0) or 0),
            "message": entry.get("message", ""),
        }

    def remove_members(self, audience_id: str, member_ids: Sequence[str]) -> RemoveCounts:
        return self._call(
            "DELETE",
            f"audience/{_seg(audience_id)}/members",
            json={"memberIds": list(member_ids)},
        )

    def search_members(
        self,
        audience_id: str,
        *,
        query: str | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> SearchResult:
        """`query` searches every field; `filters` match fields by name. One or the other."""
        if bool(query) == bool(filters):
            raise ValueError("search_members takes a query or filters, not both or neither")
        params = {"query": query} if query else dict(filters or {})
        return self._call("GET", f"audience/{_seg(audience_id)}/members/search", params=params)

    # --- plumbing ----------------------------------------------------------

    def _call(self, method: str, path: str, *, idempotent: bool = True, **kwargs: Any) -> Any:
        try:
            response = self._send(method, path, idempotent=idempotent, **kwargs)
            if response.is_success:
                return self._data(response)
            raise error_for_status(response.status_code, error_message(response), _json(response))
        except ApiError as error:
            self._redact(error)
            raise

    def _redact(self, error: ApiError) -> None:
        """Take the API key out of an error's text: servers and proxies may echo it."""
        key = self._api_key
        if len(key) < 8:  # too short to replace without mangling the message
            return

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                return value.replace(key, REDACTED)
            if isinstance(value, list):
                return [clean(v) for v in value]
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value

        error.message = clean(error.message)
        error.args = (error.message,)
        error.hint = clean(error.hint)
        error.body = clean(error.body)

    def _data(self, response: httpx.Response) -> Any:
        body = _json(response)
        if isinstance(body, dict) and body.get("status") is False:
            # The error envelope `{"status": false, "message"}`, even under a 2xx.
            raise error_for_status(400, error_message(response), body)
        if not isinstance(body, dict) or "data" not in body:
            if response.status_code == 204 or not response.content:
                return None
            raise ApiError(
                f"unexpected answer from {response.request.url.path}: not the JSON envelope",
                status_code=response.status_code,
                body=response.text[:500],
            )
        return body["data"]

    def _send(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> httpx.Response:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                self._record(method, path, None, started)
                # A refused or timed-out connection never carried the request: safe to repeat.
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if attempt < self.retry.max_retries and (idempotent or never_sent):
                    self._wait(_describe(exc), self.retry.delay(attempt), attempt)
                    attempt += 1
                    continue
                raise self._transport_error(exc) from None
            self._record(method, path, response.status_code, started)
            status = response.status_code
            # A 429 means the request was not processed, so even create may repeat it.
            retryable = status in RETRYABLE_STATUS and (idempotent or status == 429)
            if retryable and attempt < self.retry.max_retries:
                delay = self.retry.delay(attempt, response.headers)
                response.close()
                self._wait(f"HTTP {status}", delay, attempt)
                attempt += 1
                continue
            return response

    def _wait(self, why: str, delay: float, attempt: int) -> None:
        if self._on_retry is not None:
            self._on_retry(why, delay, attempt + 1, self.retry.max_retries)
        self.retry.sleep(delay)

    def _transport_error(self, exc: httpx.TransportError) -> ApiConnectionError:
        if isinstance(exc, httpx.TimeoutException):
            return ApiTimeoutError(f"{self.base_url} did not answer in time ({_describe(exc)})")
        return ApiConnectionError(f"cannot reach {self.base_url} ({_describe(exc)})")

    def _record(self, method: str, path: str, status: int | None, started: float) -> None:
        if self._log is not None:
            url = f"{self.base_url}/{path}"
            self._log(method, url, status, time.perf_counter() - started)


def _seg(value: str) -> str:
    return quote(value, safe="")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
