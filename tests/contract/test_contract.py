"""The sandbox held to the vendor's OpenAPI description (issue 22).

For every operation the spec defines on the paths the tool calls or the sandbox serves, the
cases below call the served sandbox with valid inputs and with each documented error status
the sandbox can produce, and check that the status is one the spec lists for the operation
and that the body is what the spec's schema for that status says. A case table that misses
an operation of the spec fails (so a newer copy of the spec shows what is missing).

`pytest tests/contract --live` runs the read-only cases (GETs) against a real account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from audience_cli.sandbox.faults import FaultConfig
from audience_cli.sandbox.server import running_faulty_server
from tests.contract import openapi
from tests.contract.conftest import AGENT, SandboxTarget, Target

# The paths of the Atoms API the tool calls or the sandbox serves.
PATHS = (
    "/audience",
    "/audience/{id}",
    "/audience/{id}/members",
    "/audience/{id}/members/search",
    "/dnc",
    "/campaign",
    "/campaign/{id}",
    "/campaign/{id}/start",
    "/campaign/{id}/pause",
    "/campaign/{id}/export/by-audience-member",
)
UNKNOWN = "d" * 24  # a well-formed id nothing has

# Where the spec contradicts itself, the sandbox follows the rest of it: (METHOD, path,
# status) -> (JSON pointer in the body schema, what the spec says, what is checked instead).
ERRATA: dict[tuple[str, str, int], tuple[tuple[str, ...], Any, Any]] = {
    # The members-list 400 declares `status` a string ("error"); every other error of the
    # spec, and every answer the reference has seen, has the boolean `false`.
    ("GET", "/audience/{id}/members", 400): (
        ("properties", "status"),
        {"type": "string"},
        {"type": "boolean"},
    ),
}


@dataclass(frozen=True)
class Call:
    """A request, relative to the base URL."""

    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    auth: bool = True


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # as the spec writes it
    status: int  # what the sandbox must answer (and the spec must list)
    why: str
    call: Callable[[Target], Call]
    live: bool = False  # read-only: also run against the real API with --live
    media: str = "application/json"

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} {self.status} {self.why}"


CSV = b"phoneNumber,firstName\r\n+14155550001,Ada\r\n+14155550002,Alan\r\n"
DUPLICATE_CSV = b"phoneNumber\r\n+14155550001\r\n+14155550001\r\n"


def _create(with_file: bytes | None) -> Callable[[Target], Call]:
    def call(t: Target) -> Call:
        files = {"file": ("audience.csv", with_file, "text/csv")} if with_file else None
        form = {"name": "Contract", "phoneNumberColumnName": "phoneNumber"}
        return Call("audience", data=form, files=files)

    return call


def _with_campaign_on(t: Target) -> str:
    assert isinstance(t, SandboxTarget)
    return t.audience_of(t.campaign())


def _campaign_body(t: Target, **changes: Any) -> dict[str, Any]:
    return {"name": "Contract calls", "audienceId": t.audience(), "agentId": AGENT, **changes}


CASES: tuple[Case, ...] = (
    # /audience
    Case("GET", "/audience", 200, "the list", lambda t: Call("audience"), live=True),
    Case("GET", "/audience", 401, "no key", lambda t: Call("audience", auth=False), live=True),
    Case("POST", "/audience", 200, "a CSV", _create(CSV)),
    Case("POST", "/audience", 400, "no file", _create(None)),
    Case("POST", "/audience", 400, "duplicates", _create(DUPLICATE_CSV)),
    Case("POST", "/audience", 401, "no key", lambda t: Call("audience", auth=False)),
    # /audience/{id}
    Case(
        "GET", "/audience/{id}", 200, "one", lambda t: Call(f"audience/{t.audience()}"), live=True
    ),
    Case(
        "GET",
        "/audience/{id}",
        401,
        "no key",
        lambda t: Call(f"audience/{UNKNOWN}", auth=False),
        live=True,
    ),
    Case("GET", "/audience/{id}", 404, "unknown", lambda t: Call(f"audience/{UNKNOWN}"), live=True),
    Case("DELETE", "/audience/{id}", 200, "one", lambda t: Call(f"audience/{t.audience()}")),
    Case(
        "DELETE",
        "/audience/{id}",
        400,
        "a campaign uses it",
        lambda t: Call(f"audience/{_with_campaign_on(t)}"),
    ),
    Case(
        "DELETE", "/audience/{id}", 401, "no key", lambda t: Call(f"audience/{UNKNOWN}", auth=False)
    ),
    Case("DELETE", "/audience/{id}", 404, "unknown", lambda t: Call(f"audience/{UNKNOWN}")),
    # /audience/{id}/members
    Case(
        "GET",
        "/audience/{id}/members",
        200,
        "a page",
        lambda t: Call(f"audience/{t.audience()}/members", params={"page": 1, "offset": 2}),
        live=True,
    ),
    Case(
        "GET",
        "/audience/{id}/members",
        400,
        "page 0",
        lambda t: Call(f"audience/{t.audience()}/members", params={"page": 0}),
    ),
    Case(
        "GET",
        "/audience/{id}/members",
        401,
        "no key",
        lambda t: Call(f"audience/{UNKNOWN}/members", auth=False),
        live=True,
    ),
    Case(
        "GET",
        "/audience/{id}/members",
        404,
        "unknown",
        lambda t: Call(f"audience/{UNKNOWN}/members"),
        live=True,
    ),
    Case(
        "POST",
        "/audience/{id}/members",
        200,
        "one new, one present",
        lambda t: Call(
            f"audience/{t.audience()}/members",
            json={"members": [{"phoneNumber": "+14155550000"}, {"phoneNumber": "+14155559999"}]},
        ),
    ),
    Case(
        "POST",
        "/audience/{id}/members",
        400,
        "no phone field",
        lambda t: Call(f"audience/{t.audience()}/members", json={"members": [{"name": "x"}]}),
    ),
    Case(
        "POST",
        "/audience/{id}/members",
        401,
        "no key",
        lambda t: Call(f"audience/{UNKNOWN}/members", json={"members": []}, auth=False),
    ),
    Case(
        "POST",
        "/audience/{id}/members",
        404,
        "unknown",
        lambda t: Call(f"audience/{UNKNOWN}/members", json={"members": [{"phoneNumber": "+1"}]}),
    ),
    Case(
        "DELETE",
        "/audience/{id}/members",
        200,
        "two",
        lambda t: _remove_two(t),
    ),
    Case(
        "DELETE",
        "/audience/{id}/members",
        400,
        "no ids",
        lambda t: Call(f"audience/{t.audience()}/members", json={"memberIds": []}),
    ),
    Case(
        "DELETE",
        "/audience/{id}/members",
        401,
        "no key",
        lambda t: Call(f"audience/{UNKNOWN}/members", json={"memberIds": ["x"]}, auth=False),
    ),
    Case(
        "DELETE",
        "/audience/{id}/members",
        404,
        "unknown",
        lambda t: Call(f"audience/{UNKNOWN}/members", json={"memberIds": ["x"]}),
    ),
    # /audience/{id}/members/search
    Case(
        "GET",
        "/audience/{id}/members/search",
        200,
        "a query",
        lambda t: Call(f"audience/{t.audience()}/members/search", params={"query": "First1"}),
        live=True,
    ),
    Case(
        "GET",
        "/audience/{id}/members/search",
        200,
        "field filters",
        lambda t: Call(
            f"audience/{t.audience()}/members/search",
            params={"firstName": "First", "lastName": "Last"},
        ),
    ),
    Case(
        "GET",
        "/audience/{id}/members/search",
        400,
        "no parameter",
        lambda t: Call(f"audience/{t.audience()}/members/search"),
        live=True,
    ),
    Case(
        "GET",
        "/audience/{id}/members/search",
        401,
        "no key",
        lambda t: Call(f"audience/{UNKNOWN}/members/search", params={"query": "x"}, auth=False),
        live=True,
    ),
    Case(
        "GET",
        "/audience/{id}/members/search",
        404,
        "unknown",
        lambda t: Call(f"audience/{UNKNOWN}/members/search", params={"query": "x"}),
        live=True,
    ),
    # /dnc
    Case("GET", "/dnc", 200, "a page", lambda t: _dnc(t, {}), live=True),
    Case("GET", "/dnc", 200, "one agent's", lambda t: _dnc(t, {"agentId": AGENT})),
    Case("GET", "/dnc", 400, "malformed agentId", lambda t: Call("dnc", {"agentId": "xyz"})),
    Case("GET", "/dnc", 401, "no key", lambda t: Call("dnc", auth=False), live=True),
    # /campaign
    Case("GET", "/campaign", 200, "a page", lambda t: _listed_campaigns(t), live=True),
    Case("GET", "/campaign", 400, "bad status", lambda t: Call("campaign", {"status": "nope"})),
    Case("GET", "/campaign", 401, "no key", lambda t: Call("campaign", auth=False), live=True),
    Case("POST", "/campaign", 201, "a draft", lambda t: Call("campaign", json=_campaign_body(t))),
    Case(
        "POST",
        "/campaign",
        400,
        "no agentId",
        lambda t: Call("campaign", json=_campaign_body(t, agentId=None)),
    ),
    Case("POST", "/campaign", 401, "no key", lambda t: Call("campaign", json={}, auth=False)),
    # /campaign/{id}
    Case("GET", "/campaign/{id}", 200, "one", lambda t: _ran_campaign(t, ""), live=True),
    Case("GET", "/campaign/{id}", 400, "malformed id", lambda t: Call("campaign/xyz")),
    Case(
        "GET",
        "/campaign/{id}",
        401,
        "no key",
        lambda t: Call(f"campaign/{UNKNOWN}", auth=False),
        live=True,
    ),
    Case("DELETE", "/campaign/{id}", 200, "one", lambda t: Call(f"campaign/{t.campaign()}")),
    Case("DELETE", "/campaign/{id}", 400, "malformed id", lambda t: Call("campaign/xyz")),
    Case(
        "DELETE", "/campaign/{id}", 401, "no key", lambda t: Call(f"campaign/{UNKNOWN}", auth=False)
    ),
    Case("DELETE", "/campaign/{id}", 404, "unknown", lambda t: Call(f"campaign/{UNKNOWN}")),
    # /campaign/{id}/start
    Case(
        "POST",
        "/campaign/{id}/start",
        202,
        "a draft",
        lambda t: _campaign_action(t, "draft", "start"),
    ),
    Case(
        "POST",
        "/campaign/{id}/start",
        400,
        "completed",
        lambda t: _campaign_action(t, "completed", "start"),
    ),
    Case(
        "POST",
        "/campaign/{id}/start",
        401,
        "no key",
        lambda t: Call(f"campaign/{UNKNOWN}/start", auth=False),
    ),
    Case(
        "POST", "/campaign/{id}/start", 404, "unknown", lambda t: Call(f"campaign/{UNKNOWN}/start")
    ),
    # /campaign/{id}/pause
    Case(
        "POST",
        "/campaign/{id}/pause",
        200,
        "running",
        lambda t: _campaign_action(t, "running", "pause"),
    ),
    Case(
        "POST",
        "/campaign/{id}/pause",
        400,
        "a draft",
        lambda t: _campaign_action(t, "draft", "pause"),
    ),
    Case(
        "POST",
        "/campaign/{id}/pause",
        401,
        "no key",
        lambda t: Call(f"campaign/{UNKNOWN}/pause", auth=False),
    ),
    # /campaign/{id}/export/by-audience-member
    Case(
        "GET",
        "/campaign/{id}/export/by-audience-member",
        200,
        "json",
        lambda t: _ran_campaign(t, "/export/by-audience-member"),
        live=True,
    ),
    Case(
        "GET",
        "/campaign/{id}/export/by-audience-member",
        200,
        "never run",
        lambda t: Call(f"campaign/{t.campaign()}/export/by-audience-member"),
    ),
    Case(
        "GET",
        "/campaign/{id}/export/by-audience-member",
        200,
        "csv",
        lambda t: _ran_campaign(t, "/export/by-audience-member", {"format": "csv"}),
        live=True,
        media="text/csv",
    ),
    Case(
        "GET",
        "/campaign/{id}/export/by-audience-member",
        404,
        "unknown",
        lambda t: Call(f"campaign/{UNKNOWN}/export/by-audience-member"),
        live=True,
    ),
)


def _remove_two(t: Target) -> Call:
    audience = t.audience()
    return Call(f"audience/{audience}/members", json={"memberIds": t.member_ids(audience)[:2]})


def _dnc(t: Target, params: dict[str, Any]) -> Call:
    t.dnc()
    return Call("dnc", params)


def _listed_campaigns(t: Target) -> Call:
    if not t.live:
        t.campaign()
        t.campaign("running", ran=True)
    return Call("campaign", {"page": 1, "offset": 5})


def _ran_campaign(t: Target, suffix: str, params: dict[str, Any] | None = None) -> Call:
    return Call(f"campaign/{t.campaign('completed', ran=True)}{suffix}", params or {})


def _campaign_action(t: Target, status: str, action: str) -> Call:
    return Call(f"campaign/{t.campaign(status)}/{action}")


# --- the table of operations -----------------------------------------------------------


def test_every_operation_of_the_spec_on_those_paths_has_cases() -> None:
    """A newer spec with an operation no case calls fails here, naming it."""
    specified = openapi.operations(PATHS)
    covered = {(c.method, c.path) for c in CASES}
    table = "\n".join(
        f"  {'covered' if op in covered else 'MISSING'}  {op[0]:6} {op[1]}"
        for op in sorted(specified)
    )
    assert specified - covered == set(), f"operations of the spec without a case:\n{table}"
    assert covered - specified == set(), "cases of operations the spec does not define"


def test_every_operation_has_a_success_case_and_every_case_a_listed_status() -> None:
    for method, path in openapi.operations(PATHS):
        statuses = {c.status for c in CASES if (c.method, c.path) == (method, path)}
        assert any(200 <= s < 300 for s in statuses), f"{method} {path}: no success case"
    for case in CASES:
        listed = openapi.statuses(case.method, case.path)
        assert str(case.status) in listed, f"{case.id}: the spec lists only {sorted(listed)}"


def test_the_errata_are_still_errors_of_the_spec() -> None:
    """When the vendor fixes the spec, the erratum goes (and the sandbox is checked as is)."""
    for (method, path, status), (pointer, said, _) in ERRATA.items():
        node: Any = openapi.body_schema(method, path, status)
        for part in pointer:
            node = node[part]
        assert node == said, f"{method} {path} {status}: the spec changed; drop the erratum"


# --- the cases ---------------------------------------------------------------------------


def _schema(case: Case) -> dict[str, Any] | None:
    schema = openapi.body_schema(case.method, case.path, case.status)
    erratum = ERRATA.get((case.method, case.path, case.status))
    if schema is not None and erratum is not None:
        pointer, _, instead = erratum
        node = schema
        for part in pointer[:-1]:
            node = node[part]
        node[pointer[-1]] = instead
    return schema


def _send(target: Target, call: Call, method: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {target.key}"} if call.auth else {}
    with httpx.Client(base_url=target.base_url + "/", timeout=30.0) as client:
        return client.request(
            method,
            call.path,
            params=call.params,
            json=call.json,
            data=call.data,
            files=call.files,
            headers=headers,
        )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_answer_is_the_one_the_spec_describes(case: Case, target: Target) -> None:
    if target.live and not case.live:
        pytest.skip("writes, or needs a state a real account may not be in: sandbox only")
    assert not (case.live and case.method != "GET"), "live cases only read"
    answer = _send(target, case.call(target), case.method)
    listed = openapi.statuses(case.method, case.path)
    assert str(answer.status_code) in listed, (
        f"{answer.status_code} is not among the spec's {sorted(listed)}: {answer.text[:300]}"
    )
    if not target.live:
        assert answer.status_code == case.status, answer.text[:300]
    elif answer.status_code != case.status:
        pytest.skip(f"the account answered another listed status ({answer.status_code})")
    content_type = answer.headers.get("content-type", "")
    assert content_type.split(";")[0].strip() == case.media, content_type
    if case.media != "application/json":
        return
    body = answer.json()
    schema = _schema(case)
    if schema is not None:
        jsonschema.Draft7Validator(schema).validate(body)
        if not target.live:  # the spec requires nothing; the sandbox sends every outer key
            assert set(schema.get("properties", {})) <= set(body), sorted(body)
    if answer.status_code >= 400:
        _check_error_body(body, target)


def _check_error_body(body: Any, target: Target) -> None:
    """Every error names its message twice: the spec's `errors` list, the reference's
    `message` (the sandbox; the real API is only held to the spec's schema)."""
    assert body["status"] is False
    if not target.live:
        assert body["errors"] == [body["message"]] and body["message"]


def test_an_injected_server_fault_is_the_specs_500(tmp_path: Path) -> None:
    """The sandbox's 500 (from its fault injector) as each operation listing it describes."""
    faults = FaultConfig(fail_rate=1.0, seed=3)  # 500, 502 or 503 before any work
    with (
        running_faulty_server(tmp_path / "faulty.db", faults) as served,
        httpx.Client(base_url=served.url + "/", timeout=30.0) as client,
    ):
        answers = [client.get("audience") for _ in range(30)]
    body = next(a for a in answers if a.status_code == 500).json()
    checked = 0
    for method, path in sorted(openapi.operations(PATHS)):
        if "500" not in openapi.statuses(method, path):
            continue
        schema = openapi.body_schema(method, path, 500)
        if schema is not None:
            jsonschema.Draft7Validator(schema).validate(body)
            checked += 1
    assert checked >= 10
    assert body["status"] is False and body["errors"] == [body["message"]]
