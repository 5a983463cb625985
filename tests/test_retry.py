"""Retries: which requests repeat, on what, and after exactly how long. Nothing sleeps."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from typing import Any

import httpx
import pytest
from werkzeug.wrappers import Request

from audience_cli.client import AtomsClient
from audience_cli.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from audience_cli.model import members_csv
from audience_cli.retry import RETRYABLE_STATUS, RetryPolicy, retry_after_seconds
from tests.scripted import Recorder, Scripts

BASE = "https://atoms.invalid/atoms/v1"
AID = "0123456789abcdef01234567"
NOW = 1_750_000_000.0  # a fixed "now" for HTTP-date arithmetic
MEMBERS = [{"phoneNumber": "+15550000001", "firstName": "Smith, John"}]


def ok(data: Any = None) -> httpx.Response:
    return httpx.Response(200, json={"status": True, "data": [] if data is None else data})


def status(code: int, **headers: str) -> httpx.Response:
    return httpx.Response(code, json={"status": False, "message": f"{code}"}, headers=headers)


def policy(sleeps: list[float], **kwargs: Any) -> RetryPolicy:
    kwargs.setdefault("random", lambda: 0.5)  # jitter exactly in the middle: no jitter
    kwargs.setdefault("now", lambda: NOW)
    return RetryPolicy(sleep=sleeps.append, **kwargs)


def client_for(script: Recorder, sleeps: list[float], **kwargs: Any) -> AtomsClient:
    return AtomsClient(
        BASE, "sk_test_key", transport=httpx.MockTransport(script), retry=policy(sleeps, **kwargs)
    )


ADD_MEMBERS_ADDED = ok([{"message": "1 members added successfully", "data": {"added": 1}}])

# Every call that may be repeated safely: (name, call, success answer).
IDEMPOTENT_CALLS: list[tuple[str, Callable[[AtomsClient], Any], httpx.Response]] = [
    ("list", lambda c: c.list_audiences(), ok()),
    ("get", lambda c: c.get_audience(AID), ok({"_id": AID})),
    ("members", lambda c: c.list_members(AID), ok({"members": []})),
    ("search", lambda c: c.search_members(AID, query="x"), ok({"members": []})),
    ("delete", lambda c: c.delete_audience(AID), ok()),
    ("remove", lambda c: c.remove_members(AID, ["m1"]), ok({"deletedCount": 1})),
    ("add", lambda c: c.add_members(AID, MEMBERS), ADD_MEMBERS_ADDED),
]
CALL_IDS = [name for name, _, _ in IDEMPOTENT_CALLS]


def create(client: AtomsClient) -> Any:
    return client.create_audience("Spring", members_csv(MEMBERS), description="d")


# --- the policy on its own --------------------------------------------------------


def test_backoff_starts_at_half_a_second_and_doubles_up_to_the_cap() -> None:
    retry = policy([])
    assert [retry.backoff(n) for n in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


def test_backoff_jitter_spreads_a_quarter_either_way() -> None:
    assert [policy([], random=lambda: 0.0).backoff(n) for n in range(3)] == [0.375, 0.75, 1.5]
    assert [policy([], random=lambda: 1.0).backoff(n) for n in range(3)] == [0.625, 1.25, 2.5]


def test_backoff_with_jitter_never_exceeds_the_cap() -> None:
    retry = policy([], random=lambda: 1.0, max_delay=3.0)
    assert [retry.backoff(n) for n in range(5)] == [0.625, 1.25, 2.5, 3.0, 3.0]


def test_backoff_without_jitter() -> None:
    retry = policy([], jitter=0.0, random=lambda: 0.99)
    assert [retry.backoff(n) for n in range(4)] == [0.5, 1, 2, 4]


def test_backoff_with_a_custom_start() -> None:
    retry = policy([], initial=0.1, max_delay=1.0)
    assert [retry.backoff(n) for n in range(6)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": formatdate(NOW + 12, usegmt=True)}, 12.0),
        ({"Retry-After": formatdate(NOW - 60, usegmt=True)}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After-Ms": "1500", "Retry-After": "9"}, 1.5),  # milliseconds win
        ({"retry-after-ms": "soon", "Retry-After": "9"}, 9.0),  # unusable ms: seconds
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": ""}, None),
        ({}, None),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers, now=NOW) == expected


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in a local time zone hours away from UTC."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_from_utc")
@pytest.mark.parametrize("zone", ["GMT", "-0000", "+0000", "UT"])
def test_retry_after_date_does_not_depend_on_the_local_zone(zone: str) -> None:
    # RFC 5322 "-0000" means UTC with no zone information; it must still be UTC.
    date = formatdate(NOW + 5, usegmt=True).replace("GMT", zone)
    assert retry_after_seconds({"Retry-After": date}, now=NOW) == 5.0


def test_delay_prefers_the_servers_hint_and_caps_it() -> None:
    retry = policy([])
    assert retry.delay(3, httpx.Headers({"Retry-After": "2"})) == 2.0
    assert retry.delay(0, httpx.Headers({"Retry-After": "120"})) == 30.0
    assert retry.delay(2, httpx.Headers({"Retry-After": "later"})) == 2.0  # backoff(2)
    assert retry.delay(1) == 1.0
    assert retry.delay(1, httpx.Headers()) == 1.0


# --- what is retried --------------------------------------------------------------


@pytest.mark.parametrize(("name", "call", "success"), IDEMPOTENT_CALLS, ids=CALL_IDS)
@pytest.mark.parametrize("code", sorted(RETRYABLE_STATUS))
def test_safe_calls_are_retried_on_408_429_and_5xx(
    name: str,
    call: Callable[[AtomsClient], Any],
    success: httpx.Response,
    code: int,
    scripted: Scripts,
) -> None:
    sleeps: list[float] = []
    script = scripted(status(code), status(code), success)
    call(client_for(script, sleeps))
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]
    assert {r.method for r in script.requests} == {script.requests[0].method}


@pytest.mark.parametrize(("name", "call", "success"), IDEMPOTENT_CALLS, ids=CALL_IDS)
def test_safe_calls_are_retried_on_connection_errors(
    name: str, call: Callable[[AtomsClient], Any], success: httpx.Response, scripted: Scripts
) -> None:
    sleeps: list[float] = []
    script = scripted(
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.ReadTimeout("slow"),
        success,
    )
    call(client_for(script, sleeps))
    assert len(script.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 422, 423])
def test_client_errors_are_not_retried(code: int, scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(code))
    with pytest.raises(ApiError) as caught:
        client_for(script, sleeps).list_audiences()
    assert caught.value.status_code == code
    assert len(script.requests) == 1
    assert sleeps == []


def test_retries_stop_after_max_retries_with_the_last_error(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(503), repeat_last=True)
    with pytest.raises(ServerError) as caught:
        client_for(script, sleeps).list_audiences()
    assert caught.value.status_code == 503
    assert len(script.requests) == 5  # the first try and the default 4 retries
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_rate_limit_after_the_retries_is_a_rate_limit_error(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(429), repeat_last=True)
    with pytest.raises(RateLimitError):
        client_for(script, sleeps, max_retries=2).get_audience(AID)
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_connection_errors_after_the_retries(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(httpx.ConnectError("refused"), repeat_last=True)
    with pytest.raises(ApiConnectionError):
        client_for(script, sleeps, max_retries=3).list_audiences()
    assert len(script.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_timeouts_after_the_retries(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(httpx.ReadTimeout("slow"), repeat_last=True)
    with pytest.raises(ApiTimeoutError):
        client_for(script, sleeps, max_retries=2).list_members(AID)
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_max_retries_zero_never_retries(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(500))
    with pytest.raises(ServerError):
        client_for(script, sleeps, max_retries=0).list_audiences()
    assert len(script.requests) == 1
    assert sleeps == []


def test_a_retry_that_succeeds_returns_the_data(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(502), ok([{"_id": AID}]))
    assert client_for(script, sleeps).list_audiences() == [{"_id": AID}]
    assert sleeps == [0.5]


def test_backoff_is_capped_at_max_delay(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(500), repeat_last=True)
    with pytest.raises(ServerError):
        client_for(script, sleeps, max_retries=6, max_delay=3.0).list_audiences()
    assert sleeps == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_backoff_jitter_is_applied_between_retries(scripted: Scripts) -> None:
    low: list[float] = []
    with pytest.raises(ServerError):
        client_for(
            scripted(status(500), repeat_last=True), low, max_retries=3, random=lambda: 0.0
        ).list_audiences()
    assert low == [0.375, 0.75, 1.5]
    high: list[float] = []
    with pytest.raises(ServerError):
        client_for(
            scripted(status(500), repeat_last=True), high, max_retries=3, random=lambda: 1.0
        ).list_audiences()
    assert high == [0.625, 1.25, 2.5]


# --- the server's hints -------------------------------------------------------------


def test_retry_after_in_seconds_is_honoured(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(
        status(429, **{"Retry-After": "7"}), status(503, **{"Retry-After": "2"}), ok()
    )
    client_for(script, sleeps).list_audiences()
    assert sleeps == [7.0, 2.0]


def test_retry_after_as_an_http_date_is_honoured(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(429, **{"Retry-After": formatdate(NOW + 12, usegmt=True)}), ok())
    client_for(script, sleeps).list_audiences()
    assert sleeps == [12.0]


def test_retry_after_ms_is_honoured(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(429, **{"retry-after-ms": "1500"}), ok())
    client_for(script, sleeps).list_audiences()
    assert sleeps == [1.5]


def test_retry_after_is_capped_at_max_delay(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(429, **{"Retry-After": "3600"}), ok())
    client_for(script, sleeps).list_audiences()
    assert sleeps == [30.0]


def test_an_unusable_retry_after_falls_back_to_backoff(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(
        status(429, **{"Retry-After": "whenever"}), status(429, **{"Retry-After": "x"}), ok()
    )
    client_for(script, sleeps).list_audiences()
    assert sleeps == [0.5, 1.0]


def test_hints_and_backoff_mix_by_attempt_number(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(500), status(429, **{"Retry-After": "5"}), status(500), ok())
    client_for(script, sleeps).list_audiences()
    assert sleeps == [0.5, 5.0, 2.0]


# --- create: a retry could make a second audience ------------------------------------


def multipart_fields(request: httpx.Request) -> tuple[dict[str, str], bytes]:
    body = request.read()
    parsed = Request(
        {
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": request.headers["Content-Type"],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "SERVER_NAME": "atoms.invalid",
            "SERVER_PORT": "443",
            "wsgi.url_scheme": "https",
        }
    )
    return parsed.form.to_dict(), parsed.files["file"].read()


@pytest.mark.parametrize("code", [500, 502, 503, 504, 408])
def test_create_is_not_retried_on_a_server_error(code: int, scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(code))
    with pytest.raises(ApiError) as caught:
        create(client_for(script, sleeps))
    assert caught.value.status_code == code
    assert len(script.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("exc", "error_type"),
    [
        (httpx.ReadError("reset after sending"), ApiConnectionError),
        (httpx.RemoteProtocolError("closed mid-answer"), ApiConnectionError),
        (httpx.WriteError("broken pipe"), ApiConnectionError),
        (httpx.ReadTimeout("no answer"), ApiTimeoutError),
        (httpx.WriteTimeout("stalled upload"), ApiTimeoutError),
    ],
)
def test_create_is_not_retried_once_it_may_have_been_received(
    exc: Exception, error_type: type[Exception], scripted: Scripts
) -> None:
    sleeps: list[float] = []
    script = scripted(exc)
    with pytest.raises(error_type):
        create(client_for(script, sleeps))
    assert len(script.requests) == 1
    assert sleeps == []


def test_create_is_retried_on_429_with_the_same_upload(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(429, **{"Retry-After": "3"}), status(429), ok({"_id": AID}))
    assert create(client_for(script, sleeps)) == {"_id": AID}
    assert len(script.requests) == 3
    assert sleeps == [3.0, 1.0]
    first, *others = (multipart_fields(r) for r in script.requests)
    assert first[0] == {
        "name": "Spring",
        "phoneNumberColumnName": "phoneNumber",
        "description": "d",
    }
    assert b'"Smith, John"' in first[1]
    assert all(other == first for other in others)


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("no handshake")]
)
def test_create_is_retried_when_it_was_never_sent(exc: Exception, scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(exc, exc, ok({"_id": AID}))
    assert create(client_for(script, sleeps)) == {"_id": AID}
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_create_gives_up_after_max_retries_when_never_sent(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(httpx.ConnectError("refused"), repeat_last=True)
    with pytest.raises(ApiConnectionError):
        create(client_for(script, sleeps, max_retries=2))
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_create_rate_limited_then_server_error_stops_at_the_server_error(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(status(429), status(500))
    with pytest.raises(ServerError):
        create(client_for(script, sleeps))
    assert len(script.requests) == 2
    assert sleeps == [0.5]


def test_add_members_retry_resends_the_same_body(scripted: Scripts) -> None:
    sleeps: list[float] = []
    script = scripted(httpx.ReadError("reset"), status(503), ADD_MEMBERS_ADDED)
    result = client_for(script, sleeps).add_members(AID, MEMBERS)
    assert result["added"] == 1
    assert len({r.content for r in script.requests}) == 1
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("code", "error_type"),
    [(400, BadRequestError), (401, AuthenticationError), (404, NotFoundError)],
)
def test_create_refusals_are_not_retried(
    code: int, error_type: type[Exception], scripted: Scripts
) -> None:
    sleeps: list[float] = []
    script = scripted(status(code))
    with pytest.raises(error_type):
        create(client_for(script, sleeps))
    assert len(script.requests) == 1
    assert sleeps == []
