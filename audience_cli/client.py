"""The Atoms audience API over httpx: one method per endpoint, typed records and errors, retries.

It speaks HTTP and Atoms, not CLI: no typer or rich here, and its errors carry
facts (status, the server's message, the URL), never a command to run; hints
are the CLI's business (`hints.py`). Everything a test swaps is a constructor
argument: the httpx transport, the retry policy (and so the sleep), the request log.
"""

from __future__ import annotations

import contextlib
import ssl
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlsplit

from audience_cli import __version__, answers
from audience_cli.errors import (
    AnswerTooLargeError,
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    BadResponseError,
    NotFoundError,
    RunDeadlineError,
    UnexpectedAnswerError,
    UsageError,
    error_for_status,
)
from audience_cli.model import (
    ALL_PAGES_SIZE,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_BODY,
    DEFAULT_PHONE_COLUMN,
    AddCounts,
    Audience,
    DncPage,
    MemberPage,
    RemoveCounts,
    SearchResult,
)
from audience_cli.redaction import MIN_SECRET, scrub
from audience_cli.retry import RETRYABLE_STATUS, RetryPolicy

if TYPE_CHECKING:
    from audience_cli.deadline_backend import Cut

# httpx/__init__.py ends with `from ._main import main` inside `try/except ImportError`:
# its own command-line client, which imports click, rich.progress, rich.syntax and
# pygments, a third of our start-up, for a `main` this tool never calls. A None entry in
# sys.modules makes that import raise ImportError, and httpx falls back to its stub. This
# is the one module of the tool that imports httpx (tests/test_startup.py checks both).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx  # noqa: E402

REDACTED = "sk_***"

Body = Literal["envelope", "json", "bytes"]
RequestLog = Callable[[str, str, int | None, float], None]
RetryNotice = Callable[[str, float, int, int], None]  # (why, delay, attempt, max)


def tls_verification(base_url: str) -> ssl.SSLContext | bool:
    """What verifies TLS for `base_url`: httpx's default (certifi's bundle) for https.

    An http:// API (the served sandbox, a local proxy) never makes a TLS connection, so it
    need not load the bundle's 150 certificates (about 20 ms of a 100 ms run): it gets a
    context that verifies as strictly but trusts no one, so a TLS connection it were
    ever led to would fail, never go unverified."""
    if urlsplit(base_url).scheme.lower() == "http":
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True


def wsgi_transport(app: Callable[..., Any]) -> httpx.BaseTransport:
    """A transport that hands each request to a WSGI app in this process (the sandbox)."""
    return httpx.WSGITransport(app=app)


def network_transport(base_url: str, proxy: str | None = None) -> httpx.HTTPTransport:
    """httpx's own transport to `base_url`, through `proxy` (None: directly), with every
    connect, read and write bounded by the deadline of the request under way
    (`deadline_backend`): httpx's timeouts alone bound each socket operation, not the
    exchange. Proxies are the caller's choice: none is read from the environment."""
    from audience_cli.deadline_backend import install

    transport = httpx.HTTPTransport(verify=tls_verification(base_url), proxy=proxy)
    install(transport._pool)
    return transport


@dataclass(frozen=True)
class RunDeadline:
    """When the run must end (`at`, on the client's clock), and its length in seconds;
    `given`: set by the user, not a command's default."""

    at: float
    seconds: float
    given: bool = True


def error_message(response: httpx.Response) -> str:
    """The server's own words: `message`, then `error`, then `errors`, then the raw text."""
    body = _json(response)
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
    """A thin client for the Atoms audience endpoints.

    Safe to share between threads (the do-not-call list is read with a few at
    once): `httpx.Client` is (its connection pool takes a lock), each call keeps
    its own state (`Exchange`, attempt, deadline) in locals, and nothing here is
    changed after construction. The `log` and `on_retry` callbacks may be called
    from several threads at once (rich consoles lock their own output).

    Every answer is checked at this edge (`answers.py`): a field of the wrong type is
    an `UnexpectedAnswerError` naming it, never a crash further in. Each request ends by
    its deadline (`timeout` seconds, from connect to the last byte of the body), and
    no request outlives `run_deadline`; no answer is read past `max_body` bytes."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        run_deadline: RunDeadline | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_body: int = DEFAULT_MAX_BODY,
        proxy: str | None = None,
        retry: RetryPolicy | None = None,
        log: RequestLog | None = None,
        on_retry: RetryNotice | None = None,
        concurrency: int = 1,
        page_size: int = ALL_PAGES_SIZE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.concurrency = max(1, concurrency)  # requests a reader may keep in flight
        self.page_size = max(1, page_size)  # members a page asked for when reading them all
        self.timeout = timeout  # seconds for one request as a whole, its body included
        self.connect_timeout = min(connect_timeout, timeout)
        self.run_deadline = run_deadline
        self.max_body = max_body
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._log = log
        self._on_retry = on_retry
        self._api_key = api_key
        self._closed = False
        self._own_transport = transport is None  # httpx's, under a `DeadlineBackend`
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            # Given a transport, httpx reads no proxy from the environment: which proxy
            # may carry the key is decided by the caller (`proxy`), never by httpx.
            transport=transport or network_transport(self.base_url, proxy),
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": f"audience-cli/{__version__}",
            },
        )

    def close(self) -> None:
        """Close the connections. A request still under way in another thread (an add in
        flight when Ctrl-C came) then fails without being tried again or announced."""
        self._closed = True
        self._http.close()

    def __enter__(self) -> AtomsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- audiences ---------------------------------------------------------

    def list_audiences(self) -> list[Audience]:
        result: list[Audience] = self._call("GET", "audience", answer=answers.audience_list)
        return result

    def get_audience(self, audience_id: str) -> Audience:
        result: Audience = self._call(
            "GET", f"audience/{_seg(audience_id)}", answer=answers.audience
        )
        return result

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
        result: Audience = self._call(
            "POST",
            "audience",
            data=form,
            files=files,
            idempotent=False,
            answer=answers.audience,
        )
        return result

    def delete_audience(self, audience_id: str) -> None:
        """Delete an audience. A 404 that answers a retry, after an attempt that may
        have been carried out, means that attempt deleted it: done, not an error."""
        try:
            self._call("DELETE", f"audience/{_seg(audience_id)}", answer=answers.anything)
        except NotFoundError as exc:
            if not exc.after_ambiguous:
                raise

    # --- members -----------------------------------------------------------

    def list_members(self, audience_id: str, *, page: int = 1, page_size: int = 5) -> MemberPage:
        """One page: `{"members", "totalCount", "totalPages", "hasMore"}`.

        The API calls the page size `offset` (and ignores `limit`)."""
        params = {"page": page, "offset": page_size}
        result: MemberPage = self._call(
            "GET",
            f"audience/{_seg(audience_id)}/members",
            params=params,
            answer=answers.member_page,
        )
        return result

    def add_members(self, audience_id: str, members: Sequence[Mapping[str, Any]]) -> AddCounts:
        """Add members; the server skips numbers already present.

        Safe to retry (a repeat adds nothing twice). Returns `{"added",
        "skipped", "message"}`."""
        exchange = self._exchange(
            "POST",
            f"audience/{_seg(audience_id)}/members",
            json={"members": [dict(m) for m in members]},
            answer=answers.add_counts,
        )
        answer: AddCounts = exchange.data
        if exchange.ambiguous:
            answer["retried"] = True  # some of "skipped" may be an earlier attempt's "added"
        return answer

    def remove_members(self, audience_id: str, member_ids: Sequence[str]) -> RemoveCounts:
        """`{"deletedCount"}`; `"retried": True` when an earlier attempt may have deleted
        some of them (then the count is short of what this call did)."""
        exchange = self._exchange(
            "DELETE",
            f"audience/{_seg(audience_id)}/members",
            json={"memberIds": list(member_ids)},
            answer=answers.remove_counts,
        )
        answer: RemoveCounts = exchange.data
        if exchange.ambiguous:
            answer["retried"] = True
        return answer

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
        result: SearchResult = self._call(
            "GET",
            f"audience/{_seg(audience_id)}/members/search",
            params=params,
            answer=answers.search_result,
        )
        return result

    # --- the do-not-call list ---------------------------------------------------

    def list_dnc(
        self,
        *,
        page: int = 1,
        page_size: int = 100,
        search: str | None = None,
        agent_id: str | None = None,
        sort_field: str | None = None,
        sort_order: str | None = None,
    ) -> DncPage:
        """One page of the organisation's do-not-call list: `{"entries", "pagination"}`.

        The API calls the page size `offset` (it clamps it to 1-500); `search` is free
        text on numbers; `agent_id` keeps the entries of one agent; `sort_field` is
        "createdAt" or "phoneNumber", `sort_order` "asc" or "desc"."""
        params: dict[str, str | int] = {"page": page, "offset": page_size}
        if search:
            params["search"] = search
        if agent_id:
            params["agentId"] = agent_id
        if sort_field:
            params["sortField"] = sort_field
        if sort_order:
            params["sortOrder"] = sort_order
        result: DncPage = self._call("GET", "dnc", params=params, answer=answers.dnc_page)
        return result

    # --- campaigns ----------------------------------------------------------

    def list_campaigns(
        self, page: int = 1, offset: int = 20, status: str | None = None, search: str | None = None
    ) -> dict[str, Any]:
        """One page: `{"campaigns", "pagination", "totalCampaignCount"}`. Like the members'
        paging, the API calls the page size `offset`. Each campaign has `audienceId` and
        `agentId` as plain ids, whether the server nested them or not (`answers`)."""
        params: dict[str, str | int] = {"page": page, "offset": offset}
        if status:
            params["status"] = status
        if search:
            params["search"] = search
        result: dict[str, Any] = self._call(
            "GET", "campaign", params=params, answer=answers.campaign_page
        )
        return result

    def get_campaign(self, campaign_id: str) -> dict[str, Any]:
        """The campaign (with its `metrics` attached when the server gives them)."""
        result: dict[str, Any] = self._call(
            "GET", f"campaign/{_object_id(campaign_id)}", answer=answers.campaign_detail
        )
        return result

    def create_campaign(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a campaign (`name`, `audienceId`, `agentId`, ...). Not retried once the
        request may have been received: a retried create can make a second campaign."""
        result: dict[str, Any] = self._call(
            "POST", "campaign", json=dict(body), idempotent=False, answer=answers.campaign_created
        )
        return result

    def start_campaign(self, campaign_id: str) -> dict[str, Any]:
        """Start (or resume) a campaign: `{"message", "taskId"}`. Not retried once it may
        have been received."""
        result: dict[str, Any] = self._call(
            "POST",
            f"campaign/{_object_id(campaign_id)}/start",
            idempotent=False,
            answer=answers.campaign_started,
        )
        return result

    def export_campaign_outcomes(
        self, campaign_id: str, fmt: str = "json"
    ) -> dict[str, Any] | bytes:
        """The per-member export of a campaign: for "json" the object `{"campaign",
        "exportedAt", "totalAudienceMembers", "data"}` (OpenAPI sends it bare; inside the
        API's `{status, data}` envelope is read too), for "csv" the body's bytes."""
        if fmt not in ("json", "csv"):
            raise ValueError(f"export format {fmt!r}: json or csv")
        path = f"campaign/{_object_id(campaign_id)}/export/by-audience-member"
        if fmt == "csv":
            raw: bytes = self._call(
                "GET", path, params={"format": "csv"}, headers={"Accept": "text/csv"}, body="bytes"
            )
            return raw
        result: dict[str, Any] = self._call(
            "GET", path, params={"format": "json"}, body="json", answer=answers.outcome_export
        )
        return result

    # --- checks -------------------------------------------------------------

    def probe(self, path: str, params: Mapping[str, str | int] | None = None) -> Probe:
        """One GET, tried once and never a write (a check of the API, not a read of it):
        its status, the seconds it took on the client's clock, the server's `Date` header
        and the envelope's `data`, unchecked; or the error it met, redacted; and the whole
        body decoded (an error's too), for a check against the spec. Never raises an
        `ApiError`: a host that does not answer is a `Probe` with no status."""
        exchange = Exchange()
        started = self._clock()
        status: int | None = None
        date: str | None = None
        body: Any = None
        try:
            self._check_run_deadline("GET", path, None)
            response = self._attempt("GET", path, exchange, params=params)
            status, date = response.status_code, response.headers.get("date")
            body = _json(response)
            if not response.is_success:
                raise error_for_status(status, error_message(response), body)
            data = self._data("GET", response)
        except (httpx.TransportError, ApiError) as exc:
            error = exc if isinstance(exc, ApiError) else self._failure("GET", path, exc, exchange)
            self._redact(error)
            return Probe(status, self._clock() - started, date, None, error, body)
        return Probe(status, self._clock() - started, date, data, None, body)

    # --- plumbing ----------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool = True,
        answer: answers.Parser = answers.anything,
        body: Body = "envelope",
        **kwargs: Any,
    ) -> Any:
        return self._exchange(
            method, path, idempotent=idempotent, answer=answer, body=body, **kwargs
        ).data

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool = True,
        answer: answers.Parser = answers.anything,
        body: Body = "envelope",
        **kwargs: Any,
    ) -> Exchange:
        """Send, retry by the policy, unwrap the envelope and check the answer's shape;
        errors are typed and redacted. `body`: what a success holds: the API's envelope
        (its `data` is read), JSON that may or may not be in it, or bytes (a CSV)."""
        started = self._clock()
        exchange = Exchange()
        try:
            attempt = 0
            last: ApiError | None = None
            while True:
                self._check_run_deadline(method, path, last)
                try:
                    response = self._attempt(method, path, exchange, **kwargs)
                    if response.is_success:
                        data = self._read(method, response, body)
                        break
                    status = response.status_code
                    error = error_for_status(status, error_message(response), _json(response))
                    # A 429 was not processed, so even a create may be sent again.
                    may_repeat = status in RETRYABLE_STATUS and (idempotent or status == 429)
                    delay_hint: Mapping[str, str] = response.headers
                except UnexpectedAnswerError:
                    raise
                except (httpx.TransportError, BadResponseError) as exc:
                    error = self._failure(method, path, exc, exchange)
                    # A refused connection never carried the request: safe to repeat.
                    may_repeat = idempotent or not error.maybe_processed
                    delay_hint = {}
                self._redact(error)  # before its words are shown in a retry note
                error.after_ambiguous = exchange.ambiguous
                exchange.ambiguous = exchange.ambiguous or error.maybe_processed
                last_try = attempt >= self.retry.max_retries or self._closed
                if not may_repeat or last_try or isinstance(error, RunDeadlineError):
                    raise error
                delay = self.retry.delay(attempt, delay_hint)
                self._check_run_deadline(method, path, error, waiting=delay)
                why = f"HTTP {error.status_code}" if error.status_code else _short(error.message)
                self._wait(why, delay, attempt)
                attempt += 1
                last = error
            exchange.data = self._checked(method, path, answer, data)
            return exchange
        except ApiError as error:
            timed = isinstance(error, ApiConnectionError) and error.status_code is None
            if timed and not isinstance(error, RunDeadlineError):
                spent = self._clock() - started
                error.message += f" after {spent:.1f} s"
                error.args = (error.message,)
            self._redact(error)
            raise

    def _check_run_deadline(
        self, method: str, path: str, last: ApiError | None, *, waiting: float = 0.0
    ) -> None:
        """No attempt starts once the run's deadline has passed, nor a wait for one that
        would end past it: the error says so, with the last failure's words."""
        run = self.run_deadline
        if run is None or self._clock() + waiting < run.at:
            return
        if last is None:
            why = f"before {method} {self.base_url}/{path} was sent"
        elif waiting:
            why = f"before {method} {self.base_url}/{path} could be tried again: {last.message}"
        else:
            why = f"after {method} {self.base_url}/{path} failed: {last.message}"
        raise RunDeadlineError(
            f"the run's deadline ({run.seconds:g} s) passed {why}",
            seconds=run.seconds,
            given=run.given,
            maybe_processed=bool(last and last.maybe_processed),
        )

    def _attempt(self, method: str, path: str, exchange: Exchange, **kwargs: Any) -> httpx.Response:
        """One request, from connect to its body's last byte within its deadline: the
        request's timeout, or the run's deadline when that comes first."""
        started = time.perf_counter()
        now = self._clock()
        deadline = now + self.timeout
        run = self.run_deadline
        exchange.cut_by_run = run is not None and run.at < deadline
        if run is not None and exchange.cut_by_run:
            deadline = run.at
        left = max(deadline - now, 0.001)  # 0 would make httpx's sockets non-blocking
        # httpx's per-operation timeouts, none longer than the time left (a transport
        # other than httpx's own reads them; httpx's own is bounded at every read too).
        timeouts = httpx.Timeout(min(self.timeout, left), connect=min(self.connect_timeout, left))
        request = self._http.build_request(method, path, timeout=timeouts, **kwargs)
        status: int | None = None
        exchange.cut = False
        try:
            with self._bounded(left) as cut:
                try:
                    streamed = self._http.send(request, stream=True)
                    status = streamed.status_code
                    try:
                        content = self._body(streamed, request, deadline, exchange)
                    finally:
                        streamed.close()
                except httpx.TimeoutException:
                    exchange.cut = bool(cut and cut.expired) or self._clock() >= deadline
                    raise
        finally:
            self._record(method, str(request.url), status, started)
        exchange.attempts += 1
        headers = httpx.Headers(streamed.headers)
        for name in ("content-encoding", "content-length"):  # the content is decoded already
            headers.pop(name, None)
        return httpx.Response(
            streamed.status_code, headers=headers, content=content, request=request
        )

    def _bounded(self, seconds: float) -> contextlib.AbstractContextManager[Cut | None]:
        """Every network operation of this thread bounded by `seconds` from now, on
        httpx's own transport (another one, the sandbox's or a test's, has no sockets:
        its body is checked as it is read)."""
        if not self._own_transport:
            return contextlib.nullcontext()
        from audience_cli.deadline_backend import exchange_deadline

        return exchange_deadline(time.monotonic() + seconds)

    def _body(
        self, streamed: httpx.Response, request: httpx.Request, deadline: float, exchange: Exchange
    ) -> bytes:
        """The decoded body, read within the deadline and never past `max_body` bytes."""
        declared = streamed.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise self._too_large(request)
        if streamed.is_stream_consumed:  # an answer made in memory (tests' stubs)
            if len(streamed.content) > self.max_body:
                raise self._too_large(request)
            return streamed.content
        chunks: list[bytes] = []
        size = 0
        for chunk in streamed.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise self._too_large(request)
            chunks.append(chunk)
            if self._clock() > deadline:  # a transport that is not httpx's own
                exchange.cut = True
                raise httpx.ReadTimeout("the exchange's deadline passed", request=request)
        return b"".join(chunks)

    def _too_large(self, request: httpx.Request) -> AnswerTooLargeError:
        return AnswerTooLargeError(
            f"{request.method} {request.url}: the answer is larger than "
            f"{_size(self.max_body)}; reading stopped there (the AUDIENCE_MAX_BODY "
            "setting raises the limit)",
            maybe_processed=True,
        )

    def _failure(
        self,
        method: str,
        path: str,
        exc: httpx.TransportError | BadResponseError,
        exchange: Exchange,
    ) -> ApiError:
        """The typed error for a broken exchange; whether the server may have acted on it."""
        if isinstance(exc, BadResponseError):
            return exc
        url = f"{self.base_url}/{path}"
        never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
        run = self.run_deadline
        if isinstance(exc, httpx.TimeoutException) and exchange.cut:
            if run is not None and exchange.cut_by_run:
                return RunDeadlineError(
                    f"the run's deadline ({run.seconds:g} s) passed while waiting for "
                    f"{method} {url}",
                    seconds=run.seconds,
                    given=run.given,
                    maybe_processed=not never_sent or exchange.ambiguous,
                )
            return ApiTimeoutError(
                f"{method} {url} did not answer in time "
                f"(the answer took more than {self.timeout:g} s)",
                maybe_processed=not never_sent,
            )
        if isinstance(exc, httpx.TimeoutException):
            return ApiTimeoutError(
                f"{method} {url} did not answer in time ({_describe(exc)})",
                maybe_processed=not never_sent,
            )
        return ApiConnectionError(
            f"cannot reach {self.base_url} ({_describe(exc)})"
            if never_sent
            else f"{method} {url}: the connection broke before the answer ({_describe(exc)})",
            maybe_processed=not never_sent,
        )

    def _redact(self, error: ApiError) -> None:
        """Take the API key out of an error's text: servers and proxies may echo it,
        whole, cut short or re-cased (any 12 characters of it are hidden)."""
        key = self._api_key
        if len(key) < MIN_SECRET:  # too short to replace without mangling the message
            return

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                return scrub(value, key, mask=REDACTED)
            if isinstance(value, list):
                return [clean(v) for v in value]
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value

        error.message = clean(error.message)
        error.args = (error.message,)
        error.hint = clean(error.hint)
        error.body = clean(error.body)

    def _read(self, method: str, response: httpx.Response, body: Body) -> Any:
        """A success's content, as `body` says it comes."""
        if body == "envelope":
            return self._data(method, response)
        if body == "bytes":
            if "json" in response.headers.get("content-type", ""):
                decoded = _json(response)
                if isinstance(decoded, dict) and decoded.get("status") is False:
                    raise error_for_status(400, error_message(response), decoded)
            return response.content
        decoded = _json(response)
        if isinstance(decoded, dict) and isinstance(decoded.get("data"), dict):
            return self._data(method, response)  # `{status, data: {...}}`: the envelope
        if isinstance(decoded, dict) and decoded.get("status") is False:
            raise error_for_status(400, error_message(response), decoded)
        if isinstance(decoded, dict):
            return decoded
        return self._data(method, response)  # says what it is instead

    def _data(self, method: str, response: httpx.Response) -> Any:
        """The `data` of the API's envelope; anything else is a `BadResponseError`."""
        try:
            body = _decoded(response)
        except answers.AnswerTooDeepError as exc:
            raise UnexpectedAnswerError(
                f"{method} {response.request.url}: the server answered something this tool "
                f"does not understand: {exc}",
                status_code=response.status_code,
                maybe_processed=True,
            ) from None
        if isinstance(body, dict) and body.get("status") is False:
            # The error envelope `{"status": false, "message"}`, even under a 2xx.
            raise error_for_status(400, error_message(response), body)
        if isinstance(body, dict) and "data" in body:
            return body["data"]
        if response.status_code == 204 or not response.content:
            return None
        why = "not JSON" if body is None else "not the API's envelope"
        raise BadResponseError(
            f"{method} {response.request.url}: HTTP {response.status_code} answer that is {why}: "
            f"{_first_bytes(response.content)}",
            status_code=response.status_code,
            body=response.text[:500],
            maybe_processed=True,
        )

    def _checked(self, method: str, path: str, answer: answers.Parser, data: Any) -> Any:
        """`data` as `answer` reads it; a field of another type is an `UnexpectedAnswerError`."""
        try:
            return answer(data)
        except answers.AnswerShapeError as exc:
            raise UnexpectedAnswerError(
                f"{method} {self.base_url}/{path}: the server answered something this tool "
                f"does not understand: {exc}",
                maybe_processed=True,
            ) from None

    def _wait(self, why: str, delay: float, attempt: int) -> None:
        if self._on_retry is not None:
            self._on_retry(why, delay, attempt + 1, self.retry.max_retries)
        self.retry.sleep(delay)

    def _record(self, method: str, url: str, status: int | None, started: float) -> None:
        """Log one attempt: its method, its URL with the query string (the key is in a
        header, never in a URL), the status (None: no answer) and the seconds it took."""
        if self._log is not None:
            self._log(method, url, status, time.perf_counter() - started)


@dataclass(frozen=True)
class Probe:
    """One GET as `AtomsClient.probe` met it: `status` None when no answer came."""

    status: int | None
    seconds: float
    date: str | None  # the answer's Date header, as sent
    data: Any  # the envelope's data, unchecked (None after an error)
    error: ApiError | None
    body: Any = None  # the whole answer decoded, error or not (None: no answer, not JSON)


@dataclass
class Exchange:
    """One call as the server answered it: its data, and whether an attempt before the
    last may have been carried out (then a 404 or "skipped" may be this call's own doing).
    `cut`: the last attempt was ended by its deadline; `cut_by_run`: that deadline was the
    run's."""

    data: Any = None
    attempts: int = 0
    ambiguous: bool = False
    cut: bool = False
    cut_by_run: bool = False


def _size(count: int) -> str:
    """Bytes as a person reads them: 64 MB, 1.5 KB, 300 bytes."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            whole = count % scale == 0
            return f"{count // scale} {unit}" if whole else f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _first_bytes(content: bytes, size: int = 60) -> str:
    """The start of a body, quoted, for a message (control characters escaped)."""
    text = content[:size].decode("utf-8", "replace")
    return repr(text) + ("…" if len(content) > size else "")


def _short(message: str) -> str:
    return message.rsplit(" (", 1)[-1].rstrip(")") if " (" in message else message


def _object_id(value: str) -> str:
    """A campaign id for a URL path: 24 hex digits, checked before any request is made."""
    if not answers.OBJECT_ID.fullmatch(value):
        raise UsageError(f"{value!r} is not a campaign id (24 hex digits)")
    return value


def _seg(value: str) -> str:
    """`value` as one segment of a URL path. `.` and `..` are refused: quoting leaves them
    as they are, and httpx and servers read them as "this folder" and "the one above"."""
    if value.strip() in ("", ".", ".."):
        raise UsageError(f"{value!r} is not an id")
    return quote(value, safe="")


def _decoded(response: httpx.Response) -> Any:
    """The JSON of a body; None when it is not JSON. Nested too deep: `AnswerTooDeepError`."""
    try:
        return answers.decode_json(response.content)
    except answers.AnswerTooDeepError:
        raise
    except ValueError:
        return None


def _json(response: httpx.Response) -> Any:
    """The JSON of an error's body, for its message: None when it is not JSON or nests
    too deep to be a message."""
    try:
        return _decoded(response)
    except answers.AnswerTooDeepError:
        return None


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
