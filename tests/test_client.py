"""AtomsClient over httpx.MockTransport: endpoints, typed errors, exit codes, the upload."""

from __future__ import annotations

import csv
import io
import json
import re
import ssl
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from werkzeug.wrappers import Request

from audience_cli.cli.hints import hint_for
from audience_cli.client import AtomsClient, error_message, tls_verification
from audience_cli.core.members import iter_members
from audience_cli.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    BadResponseError,
    ConflictError,
    ExitCode,
    LockedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
    exit_code_for,
)
from audience_cli.model import members_csv
from audience_cli.retry import RetryPolicy
from tests.scripted import Scripts

BASE = "https://atoms.invalid/atoms/v1"
KEY = "sk_live_SECRET_0123456789"
AID = "0123456789abcdef01234567"


def envelope(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"status": True, "data": data})


def failure(status: int, message: str = "nope", **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"status": False, "message": message}, headers=headers)


def make_client(
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    max_retries: int = 0,
    sleeps: list[float] | None = None,
    **kwargs: Any,
) -> AtomsClient:
    policy = RetryPolicy(
        max_retries=max_retries,
        sleep=(sleeps if sleeps is not None else []).append,
        random=lambda: 0.5,
    )
    return AtomsClient(BASE, KEY, transport=httpx.MockTransport(handler), retry=policy, **kwargs)


def multipart(request: httpx.Request) -> Request:
    """The received multipart body, parsed by Werkzeug as a server would."""
    body = request.read()
    environ = {
        "REQUEST_METHOD": request.method,
        "CONTENT_TYPE": request.headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "SERVER_NAME": "atoms.invalid",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
    }
    return Request(environ)


# --- typed errors and exit codes -----------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type", "exit_code"),
    [
        (400, BadRequestError, ExitCode.REFUSED),
        (401, AuthenticationError, ExitCode.AUTH),
        (403, PermissionDeniedError, ExitCode.AUTH),
        (404, NotFoundError, ExitCode.NOT_FOUND),
        (409, ConflictError, ExitCode.REFUSED),
        (422, UnprocessableEntityError, ExitCode.REFUSED),
        (423, LockedError, ExitCode.REFUSED),
        (429, RateLimitError, ExitCode.UNAVAILABLE),
        (500, ServerError, ExitCode.UNAVAILABLE),
        (502, ServerError, ExitCode.UNAVAILABLE),
        (503, ServerError, ExitCode.UNAVAILABLE),
        (504, ServerError, ExitCode.UNAVAILABLE),
        (408, ApiTimeoutError, ExitCode.UNAVAILABLE),
    ],
)
def test_each_status_maps_to_its_typed_error_and_exit_code(
    status: int, error_type: type[ApiError], exit_code: ExitCode, scripted: Scripts
) -> None:
    body = {"status": False, "message": f"server says {status}"}
    client = make_client(scripted(httpx.Response(status, json=body)))
    with pytest.raises(error_type) as caught:
        client.list_audiences()
    error = caught.value
    assert type(error) is error_type
    assert error.message == f"server says {status}"
    assert str(error) == f"server says {status}"
    assert error.status_code == status
    assert error.body == body
    assert error.exit_code == exit_code
    assert exit_code_for(error) == exit_code


def test_400_carries_the_servers_exact_message(scripted: Scripts) -> None:
    message = (
        "Some phone numbers in your CSV already exist in this audience. "
        "Please remove duplicate entries and try again."
    )
    client = make_client(scripted(failure(400, message)))
    with pytest.raises(BadRequestError) as caught:
        client.create_audience("A", members_csv([{"phoneNumber": "+15550000001"}]))
    assert caught.value.message == message
    assert caught.value.exit_code == ExitCode.REFUSED


def test_an_unlisted_4xx_is_a_plain_api_error(scripted: Scripts) -> None:
    client = make_client(scripted(failure(418, "teapot")))
    with pytest.raises(ApiError) as caught:
        client.list_audiences()
    assert type(caught.value) is ApiError
    assert (caught.value.status_code, caught.value.message) == (418, "teapot")


def test_a_200_with_status_false_is_a_bad_request(scripted: Scripts) -> None:
    client = make_client(scripted(httpx.Response(200, json={"status": False, "message": "no"})))
    with pytest.raises(BadRequestError, match=r"^no$"):
        client.list_audiences()


def test_a_200_that_is_not_the_envelope_is_the_servers_fault(scripted: Scripts) -> None:
    client = make_client(scripted(httpx.Response(200, text="<html>proxy login</html>")))
    with pytest.raises(BadResponseError) as caught:
        client.list_audiences()
    assert caught.value.message == (
        f"GET {BASE}/audience: HTTP 200 answer that is not JSON: '<html>proxy login</html>'"
    )
    assert caught.value.body == "<html>proxy login</html>"
    assert caught.value.exit_code == ExitCode.UNAVAILABLE


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (httpx.Response(200, json={"ok": 1}), "not the API's envelope"),
        (httpx.Response(200, text='{"status": true, "da'), "not JSON"),
        (httpx.Response(201, content=b"\x00\xff" * 100), "not JSON"),
    ],
)
def test_malformed_answers_name_status_url_and_first_bytes(
    scripted: Scripts, answer: httpx.Response, why: str
) -> None:
    client = make_client(scripted(answer))
    with pytest.raises(BadResponseError) as caught:
        client.list_audiences()
    message = caught.value.message
    assert message.startswith(
        f"GET {BASE}/audience: HTTP {answer.status_code} answer that is {why}"
    )
    assert len(message) < 250  # the first bytes, not the whole body
    assert caught.value.maybe_processed


def test_a_malformed_answer_to_a_read_is_tried_again(scripted: Scripts) -> None:
    sleeps: list[float] = []
    recorder = scripted(httpx.Response(200, text="<html>oops</html>"), envelope([]))
    assert make_client(recorder, max_retries=2, sleeps=sleeps).list_audiences() == []
    assert sleeps == [0.5]


def test_an_empty_success_answer_is_none(scripted: Scripts) -> None:
    client = make_client(scripted(httpx.Response(204)))
    assert client._call("DELETE", f"audience/{AID}") is None


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.WriteTimeout("timed out"),
        httpx.PoolTimeout("timed out"),
    ],
)
def test_timeouts_are_api_timeout_errors(exc: Exception, scripted: Scripts) -> None:
    client = make_client(scripted(exc))
    with pytest.raises(ApiTimeoutError) as caught:
        client.list_audiences()
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert BASE in caught.value.message
    assert "did not answer in time" in caught.value.message
    assert caught.value.hint is None  # the client states facts; the CLI adds the hint
    assert hint_for(caught.value) == "Check the network or try again later."


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadError("connection reset"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
def test_connection_failures_are_api_connection_errors(exc: Exception, scripted: Scripts) -> None:
    client = make_client(scripted(exc))
    with pytest.raises(ApiConnectionError) as caught:
        client.list_audiences()
    assert not isinstance(caught.value, ApiTimeoutError)
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert exit_code_for(caught.value) == ExitCode.UNAVAILABLE
    message = caught.value.message
    if isinstance(exc, httpx.ConnectError):  # never sent
        assert message.startswith(f"cannot reach {BASE} ({exc}) after ")
        assert not caught.value.maybe_processed
    else:  # sent, then the connection broke: the server may have done it
        assert message.startswith(
            f"GET {BASE}/audience: the connection broke before the answer ({exc}) after "
        )
        assert caught.value.maybe_processed
    assert re.search(r" after \d+\.\d s$", message)


def test_an_empty_exception_text_is_described_by_its_type(scripted: Scripts) -> None:
    client = make_client(scripted(httpx.ConnectError("")))
    with pytest.raises(ApiConnectionError, match=r"\(ConnectError\)"):
        client.list_audiences()


# --- message extraction ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "from message", "error": "from error", "errors": ["x"]}, "from message"),
        ({"error": "from error", "errors": ["from errors"]}, "from error"),
        ({"message": "", "error": "from error"}, "from error"),
        ({"message": None, "error": None, "errors": ["first", "second"]}, "first; second"),
        ({"errors": [{"msg": "bad phone"}, {"message": "bad name"}]}, "bad phone; bad name"),
        ({"errors": {"phoneNumber": "required"}}, "phoneNumber: required"),
        ({"error": {"message": "nested"}}, "nested"),
        ({"message": ["a", "b"]}, "a; b"),
    ],
)
def test_error_message_reads_message_then_error_then_errors(
    body: dict[str, Any], expected: str
) -> None:
    assert error_message(httpx.Response(400, json=body)) == expected


def test_error_message_falls_back_to_the_raw_text() -> None:
    assert error_message(httpx.Response(502, text="  Bad gateway from nginx \n")) == (
        "Bad gateway from nginx"
    )
    # JSON without any of the fields: the raw JSON text, unless it says nothing at all.
    assert error_message(httpx.Response(400, json={"detail": "x"})) == '{"detail":"x"}'
    assert error_message(httpx.Response(400, json=["a"])) == '["a"]'
    assert error_message(httpx.Response(400, json={"status": False})) == "HTTP 400 Bad Request"
    assert error_message(httpx.Response(429, json={})) == "HTTP 429 Too Many Requests"


def test_an_html_error_page_becomes_the_status_line() -> None:
    page = httpx.Response(
        500, text="<html><body>oops</body></html>", headers={"content-type": "text/html"}
    )
    assert error_message(page) == "HTTP 500 Internal Server Error"


def test_error_message_truncates_long_raw_text() -> None:
    assert error_message(httpx.Response(500, text="x" * 2000)) == "x" * 500


def test_error_message_of_an_empty_body_is_the_status_line() -> None:
    assert error_message(httpx.Response(503)) == "HTTP 503 Service Unavailable"


def test_the_client_raises_with_the_extracted_message(scripted: Scripts) -> None:
    client = make_client(scripted(httpx.Response(422, json={"errors": [{"msg": "bad phone"}]})))
    with pytest.raises(UnprocessableEntityError, match=r"^bad phone$"):
        client.add_members(AID, [{"phoneNumber": "x"}])


# --- headers and the key ---------------------------------------------------------


def test_every_request_carries_the_bearer_key(scripted: Scripts) -> None:
    recorder = scripted(envelope([]), envelope({"_id": AID}), envelope({"members": []}))
    client = make_client(recorder)
    client.list_audiences()
    client.get_audience(AID)
    client.list_members(AID)
    assert len(recorder.requests) == 3
    for request in recorder.requests:
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"].startswith("audience-cli/")


@pytest.mark.parametrize(
    "answer",
    [
        failure(401, f"Invalid API key: {KEY}"),
        failure(403, f"key {KEY} is not allowed in this workspace"),
        httpx.Response(500, text=f"internal error; Authorization: Bearer {KEY}"),
        httpx.Response(400, json={"error": {"message": f"bad key {KEY}"}}),
        httpx.ConnectError(f"cannot connect with {KEY}"),
        httpx.ReadTimeout(f"timed out for {KEY}"),
        httpx.Response(200, text=f"<html>{KEY}</html>"),
    ],
)
def test_the_key_never_appears_in_an_error(
    answer: httpx.Response | Exception, scripted: Scripts
) -> None:
    client = make_client(scripted(answer))
    with pytest.raises(ApiError) as caught:
        client.list_audiences()
    error = caught.value
    for text in (str(error), error.message, error.hint or "", repr(error.body), repr(error)):
        assert KEY not in text
    assert "sk_live_" not in str(error)


@pytest.mark.parametrize("echo", [KEY[:12], KEY[3:20], KEY.upper(), KEY.swapcase(), KEY[:-1]])
def test_a_key_echoed_cut_short_or_re_cased_is_hidden(scripted: Scripts, echo: str) -> None:
    client = make_client(scripted(failure(401, f"Invalid API key: {echo} (check it)")))
    with pytest.raises(AuthenticationError) as caught:
        client.list_audiences()
    message = caught.value.message
    assert message == "Invalid API key: sk_*** (check it)"


def test_eleven_characters_of_the_key_are_not_a_secret(scripted: Scripts) -> None:
    client = make_client(scripted(failure(401, f"bad key {KEY[:11]}")))
    with pytest.raises(AuthenticationError) as caught:
        client.list_audiences()
    assert caught.value.message == f"bad key {KEY[:11]}"


def test_an_error_message_still_says_what_went_wrong_after_redaction(scripted: Scripts) -> None:
    client = make_client(scripted(failure(401, f"Invalid API key: {KEY}")))
    with pytest.raises(AuthenticationError) as caught:
        client.list_audiences()
    assert caught.value.message.startswith("Invalid API key: ")


# --- endpoints -------------------------------------------------------------------


def test_list_audiences_returns_the_data_array(scripted: Scripts) -> None:
    audiences = [{"_id": AID, "name": "A", "memberCount": 2, "hasCampaigns": False}]
    recorder = scripted(envelope(audiences))
    assert make_client(recorder).list_audiences() == audiences
    (request,) = recorder.requests
    assert (request.method, str(request.url)) == ("GET", f"{BASE}/audience")


def test_list_audiences_of_null_data_is_an_empty_list(scripted: Scripts) -> None:
    assert make_client(scripted(envelope(None))).list_audiences() == []


def test_get_and_delete_use_the_quoted_id(scripted: Scripts) -> None:
    recorder = scripted(envelope({"_id": AID}), envelope([]))
    client = make_client(recorder)
    assert client.get_audience(AID) == {"_id": AID}
    assert client.delete_audience("a/b c") is None
    get, delete = recorder.requests
    assert (get.method, get.url.path) == ("GET", f"/atoms/v1/audience/{AID}")
    assert (delete.method, delete.url.raw_path) == ("DELETE", b"/atoms/v1/audience/a%2Fb%20c")


def test_base_url_trailing_slash_is_ignored(scripted: Scripts) -> None:
    recorder = scripted(envelope([]))
    client = AtomsClient(BASE + "/", KEY, transport=httpx.MockTransport(recorder))
    client.list_audiences()
    assert str(recorder.requests[0].url) == f"{BASE}/audience"
    assert client.base_url == BASE


def test_list_members_sends_page_and_offset(scripted: Scripts) -> None:
    page = {"members": [], "totalCount": 0, "totalPages": 0, "hasMore": False}
    recorder = scripted(envelope(page), envelope(page))
    client = make_client(recorder)
    assert client.list_members(AID, page=3, page_size=50) == page
    client.list_members(AID)
    explicit, default = recorder.requests
    assert explicit.url.path == f"/atoms/v1/audience/{AID}/members"
    assert dict(explicit.url.params) == {"page": "3", "offset": "50"}
    assert dict(default.url.params) == {"page": "1", "offset": "5"}
    assert "limit" not in explicit.url.params


def paged(total: int, *, honest: bool = True) -> Callable[[httpx.Request], httpx.Response]:
    """A server of `total` members that answers any page asked for."""
    members = [{"_id": f"{i:024x}", "data": {"phoneNumber": f"+1555{i:07d}"}} for i in range(total)]

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["offset"])
        chunk = members[(page - 1) * size : page * size]
        pages = -(-total // size)
        data: dict[str, Any] = {"members": chunk, "totalCount": total, "totalPages": pages}
        data["hasMore"] = page < pages if honest else True
        return envelope(data)

    return answer


def test_iter_members_walks_every_page(scripted: Scripts) -> None:
    recorder = scripted(paged(12), repeat_last=True)
    members = list(iter_members(make_client(recorder), AID, page_size=5))
    assert [m["data"]["phoneNumber"] for m in members] == [f"+1555{i:07d}" for i in range(12)]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]
    assert {r.url.params["offset"] for r in recorder.requests} == {"5"}


def test_iter_members_of_an_exact_multiple_stops_without_an_extra_request(
    scripted: Scripts,
) -> None:
    recorder = scripted(paged(10), repeat_last=True)
    assert len(list(iter_members(make_client(recorder), AID, page_size=5))) == 10
    assert len(recorder.requests) == 2


def test_iter_members_stops_at_an_empty_page_even_if_told_there_is_more(scripted: Scripts) -> None:
    recorder = scripted(paged(7, honest=False), repeat_last=True)
    assert len(list(iter_members(make_client(recorder), AID, page_size=5))) == 7
    assert len(recorder.requests) == 3  # the third page is empty


def test_iter_members_uses_total_pages_when_has_more_is_missing(scripted: Scripts) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        return envelope({"members": [{"_id": str(page)}], "totalPages": 3})

    recorder = scripted(answer, repeat_last=True)
    assert [m["_id"] for m in iter_members(make_client(recorder), AID)] == ["1", "2", "3"]


def test_iter_members_of_an_empty_audience(scripted: Scripts) -> None:
    recorder = scripted(paged(0), repeat_last=True)
    assert list(iter_members(make_client(recorder), AID)) == []
    assert len(recorder.requests) == 1


def test_add_members_posts_json_and_reads_the_vendor_envelope(scripted: Scripts) -> None:
    data = [{"message": "2 members added successfully", "data": {"added": 2, "skipped": 1}}]
    recorder = scripted(envelope(data))
    members = [{"phoneNumber": "+15550000001", "firstName": "A"}, {"phoneNumber": "+15550000002"}]
    result = make_client(recorder).add_members(AID, members)
    assert result == {"added": 2, "skipped": 1, "message": "2 members added successfully"}
    (request,) = recorder.requests
    assert (request.method, request.url.path) == ("POST", f"/atoms/v1/audience/{AID}/members")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"members": members}


def test_add_members_accepts_an_unwrapped_answer(scripted: Scripts) -> None:
    client = make_client(scripted(envelope({"added": 1, "skipped": 0})))
    assert client.add_members(AID, [{"phoneNumber": "+1"}]) == {
        "added": 1,
        "skipped": 0,
        "message": "",
    }


def test_remove_members_sends_member_ids_in_a_delete_body(scripted: Scripts) -> None:
    recorder = scripted(envelope({"deletedCount": 2}))
    assert make_client(recorder).remove_members(AID, ("m1", "m2")) == {"deletedCount": 2}
    (request,) = recorder.requests
    assert (request.method, request.url.path) == ("DELETE", f"/atoms/v1/audience/{AID}/members")
    assert json.loads(request.content) == {"memberIds": ["m1", "m2"]}


def test_search_members_with_a_query_or_with_filters(scripted: Scripts) -> None:
    found = {"members": [], "searchInfo": {"searchType": "general"}}
    recorder = scripted(envelope(found), envelope(found))
    client = make_client(recorder)
    assert client.search_members(AID, query="+15550000001") == found
    client.search_members(AID, filters={"firstName": "john", "lastName": "doe"})
    by_query, by_filters = recorder.requests
    assert by_query.url.path == f"/atoms/v1/audience/{AID}/members/search"
    assert dict(by_query.url.params) == {"query": "+15550000001"}
    assert dict(by_filters.url.params) == {"firstName": "john", "lastName": "doe"}


@pytest.mark.parametrize(
    "kwargs", [{}, {"query": "x", "filters": {"firstName": "y"}}, {"query": "", "filters": {}}]
)
def test_search_members_takes_exactly_one_of_query_or_filters(
    kwargs: dict[str, Any], scripted: Scripts
) -> None:
    recorder = scripted()  # no request may be sent
    with pytest.raises(ValueError, match="not both or neither"):
        make_client(recorder).search_members(AID, **kwargs)
    assert recorder.requests == []


# --- create: the multipart upload --------------------------------------------------


def test_create_sends_a_multipart_form_with_a_csv_file(scripted: Scripts) -> None:
    recorder = scripted(envelope({"_id": AID, "name": "Spring"}, 201))
    members = [
        {"firstName": "Smith, John", "lastName": 'O"Brien', "phoneNumber": "+15550000001"},
        {"firstName": "Line\nBreak", "lastName": "Zoë", "phoneNumber": "+15550000002"},
        {"phoneNumber": "+15550000003", "city": "Paris, FR", "vip": True, "note": None},
    ]
    client = make_client(recorder)
    created = client.create_audience(
        'Spring, "big" list', members_csv(members), description="Q2 calls"
    )
    assert created == {"_id": AID, "name": "Spring"}
    (request,) = recorder.requests
    assert (request.method, request.url.path) == ("POST", "/atoms/v1/audience")
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    form = multipart(request)
    assert form.form.to_dict() == {
        "name": 'Spring, "big" list',
        "phoneNumberColumnName": "phoneNumber",
        "description": "Q2 calls",
    }
    upload = form.files["file"]
    assert upload.filename == "audience.csv"
    assert upload.mimetype == "text/csv"
    text = upload.read().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == ["firstName", "lastName", "phoneNumber", "city", "vip", "note"]
    assert list(reader) == [
        {**members[0], "city": "", "vip": "", "note": ""},
        {**members[1], "city": "", "vip": "", "note": ""},
        {
            "firstName": "",
            "lastName": "",
            "phoneNumber": "+15550000003",
            "city": "Paris, FR",
            "vip": "true",
            "note": "",
        },
    ]


@pytest.mark.parametrize("status", [200, 201])
def test_create_takes_the_specs_200_and_the_older_201(scripted: Scripts, status: int) -> None:
    """The spec answers a create with 200; the sandbox once (and maybe the API) with 201."""
    recorder = scripted(
        envelope({"_id": AID, "name": "Spring", "identifierColumnName": None}, status)
    )
    created = make_client(recorder).create_audience("Spring", members_csv([{"phoneNumber": "+1"}]))
    assert created == {"_id": AID, "name": "Spring", "identifierColumnName": None}
    assert len(recorder.requests) == 1


def test_create_sends_the_identifier_and_phone_column_names(scripted: Scripts) -> None:
    recorder = scripted(envelope({"_id": AID}, 201))
    make_client(recorder).create_audience(
        "A",
        members_csv([{"mobile": "+15550000001", "Name": "x"}], "mobile"),
        phone_column="mobile",
        identifier_column="Name",
    )
    form = multipart(recorder.requests[0])
    assert form.form.to_dict() == {
        "name": "A",
        "phoneNumberColumnName": "mobile",
        "identifierColumnName": "Name",
    }
    header = form.files["file"].read().decode().splitlines()[0]
    assert header == "firstName,lastName,mobile,Name"


def test_members_csv_quotes_what_needs_quoting() -> None:
    body = members_csv([{"firstName": 'A, "B"', "phoneNumber": "+1"}])
    assert body == b'firstName,lastName,phoneNumber\r\n"A, ""B""",,+1\r\n'


# --- the request log ---------------------------------------------------------------


def test_the_request_log_gets_method_url_status_and_seconds(scripted: Scripts) -> None:
    log: list[tuple[str, str, int | None, float]] = []
    recorder = scripted(envelope([]), failure(404, "Audience not found"))
    client = make_client(recorder, log=lambda *entry: log.append(entry))
    client.list_audiences()
    with pytest.raises(NotFoundError):
        client.get_audience(AID)
    assert [entry[:3] for entry in log] == [
        ("GET", f"{BASE}/audience", 200),
        ("GET", f"{BASE}/audience/{AID}", 404),
    ]
    assert all(isinstance(entry[3], float) and entry[3] >= 0 for entry in log)


def test_the_request_log_records_every_attempt_and_failures_without_status(
    scripted: Scripts,
) -> None:
    log: list[tuple[str, str, int | None, float]] = []
    sleeps: list[float] = []
    recorder = scripted(httpx.ConnectError("refused"), failure(503), envelope([]))
    client = make_client(recorder, max_retries=3, sleeps=sleeps, log=lambda *e: log.append(e))
    assert client.list_audiences() == []
    assert [(m, s) for m, _, s, _ in log] == [("GET", None), ("GET", 503), ("GET", 200)]
    assert sleeps == [0.5, 1.0]


def test_the_log_never_shows_the_key(scripted: Scripts) -> None:
    log: list[tuple[str, str, int | None, float]] = []
    client = make_client(scripted(envelope([])), log=lambda *e: log.append(e))
    client.list_audiences()
    assert KEY not in repr(log)


def test_the_client_is_a_context_manager_that_closes(scripted: Scripts) -> None:
    with make_client(scripted(envelope([]))) as client:
        assert client.list_audiences() == []
    assert client._http.is_closed


def test_a_key_too_short_to_redact_leaves_messages_intact(scripted: Scripts) -> None:
    recorder = scripted(failure(401, "Unauthorized: missing or invalid API key"))
    client = AtomsClient(BASE, "k", transport=httpx.MockTransport(recorder))
    with pytest.raises(AuthenticationError) as caught:
        client.list_audiences()
    assert caught.value.message == "Unauthorized: missing or invalid API key"


def test_a_request_failing_after_the_client_closed_is_not_tried_again() -> None:
    # Ctrl-C closes the client while adds are in flight in other threads: their failures
    # must end them, not start retries (and "trying again" notes) after the error.
    calls: list[str] = []
    sleeps: list[float] = []
    notices: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        client.close()
        raise httpx.ReadError("Bad file descriptor", request=request)

    client = AtomsClient(
        BASE,
        "sk_test_closed",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_retries=3, sleep=sleeps.append),
        on_retry=lambda why, delay, attempt, most: notices.append(why),
    )
    with pytest.raises(ApiConnectionError):
        client.add_members("a" * 24, [{"phoneNumber": "+14155550100"}])
    assert (len(calls), sleeps, notices) == (1, [], [])


def test_an_http_api_loads_no_certificates_and_trusts_no_one() -> None:
    # http:// never makes a TLS connection: no certifi bundle to load (about 20 ms), and a
    # context that verifies strictly with no trusted roots, so TLS could only fail.
    for url in ("http://127.0.0.1:8787/atoms/v1", "HTTP://localhost:1"):
        context = tls_verification(url)
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] == 0
    assert tls_verification("https://api.smallest.ai/atoms/v1") is True  # httpx's default
