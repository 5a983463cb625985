"""Answers that are valid JSON but not what the API documents: each is stopped where it
enters the tool, as exit 7 naming the field, never a crash ("unexpected error", exit 1)
or a request to a path the server named. The checks themselves (`answers.py`) are tested
at the end."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from audience_cli import answers
from audience_cli.client import AtomsClient
from audience_cli.errors import UnexpectedAnswerError, UsageError
from tests.conftest import RecordingTransport, seed_audience

KEY = "sk_live_Zq8Xw3Vt5Rn7Pm2Kj4Hg"
BASE = "https://atoms.invalid"
ENV = {"SMALLEST_API_KEY": KEY}
NOT_UNDERSTOOD = "the server answered something this tool does not understand"


class Hostile(RecordingTransport):
    """The sandbox, except that the answers to `method` on paths ending in `suffix` are
    replaced: by `{"status": true, "data": data}`, or by `raw` bytes."""

    def __init__(
        self, store, method: str, suffix: str, data: Any = None, *, raw: bytes | None = None
    ) -> None:
        super().__init__(store)
        self.method, self.suffix = method, suffix
        self.raw = raw if raw is not None else json.dumps({"status": True, "data": data}).encode()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = super().handle_request(request)
        path = request.url.path.removeprefix("/atoms/v1")
        if request.method == self.method and re.fullmatch(self.suffix, path):
            answer.read()
            return httpx.Response(200, content=self.raw, headers={"content-type": "json"})
        return answer


def understood_not(result, field_message: str) -> None:
    assert result.exit_code == 7, result.stderr
    assert NOT_UNDERSTOOD in result.stderr
    assert field_message in result.stderr
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr
    # One line and a hint (after the snapshot a removal takes first).
    said = [line for line in result.stderr.splitlines() if not line.startswith("Snapshot of ")]
    assert len(said) <= 2, said


AUDIENCE = r"/audience"
MEMBERS = r"/audience/[0-9a-f]{24}/members"


@pytest.mark.parametrize(
    ("args", "method", "suffix", "data", "message"),
    [
        (("list",), "GET", AUDIENCE, "str", '"data" is "str", not a list'),
        (("list",), "GET", AUDIENCE, [7], '"data[0]" is 7, not an audience'),
        (("list",), "GET", AUDIENCE, [{"_id": "0" * 24, "memberCount": "many"}],
         '"data[0].memberCount" is "many", not a whole number'),
        (("list",), "GET", AUDIENCE, [{"_id": "0" * 24, "name": ["x"]}],
         '"data[0].name" is an array, not a string'),
        (("list",), "GET", AUDIENCE, [{"_id": "0" * 24, "campaigns": "none"}],
         '"data[0].campaigns" is "none", not a list'),
        (("members", "Leads"), "GET", MEMBERS, {"members": "x"}, '"members" is "x", not a list'),
        (("members", "Leads"), "GET", MEMBERS, {"members": [], "totalCount": "many"},
         '"totalCount" is "many", not a whole number'),
        (("members", "Leads"), "GET", MEMBERS, {"members": [], "totalPages": -3},
         '"totalPages" is -3, not a whole number of 0 or more'),
        (("members", "Leads"), "GET", MEMBERS, {"members": [{"_id": "a", "data": "x"}]},
         '"members[0].data" is "x", not an object'),
        (("members", "Leads"), "GET", MEMBERS, "str", '"data" is "str", not a page of members'),
        (("members", "Leads", "--search", "x"), "GET", MEMBERS + "/search",
         {"members": [], "searchInfo": {"totalResults": "lots"}},
         '"searchInfo.totalResults" is "lots", not a whole number'),
        (("add", "Leads", "--phone", "+14155550100", "--no-dnc"), "POST", MEMBERS,
         [{"message": "ok", "data": {"added": "many", "skipped": 0}}],
         '"data[0].data.added" is "many", not a whole number'),
        (("add", "Leads", "--phone", "+14155550100", "--no-dnc"), "POST", MEMBERS, "done",
         '"data" is "done", not the counts of an add'),
        (("remove", "Leads", "--phone", "+14155550000", "--yes"), "DELETE", MEMBERS,
         {"deletedCount": "all"}, '"deletedCount" is "all", not a whole number'),
        (("dnc", "list"), "GET", r"/dnc", {"entries": "x", "pagination": {}},
         '"entries" is "x", not a list'),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith('"') else None,
)  # fmt: skip
def test_a_field_of_the_wrong_type_is_exit_7_naming_it(
    cli, store, args, method, suffix, data, message
) -> None:
    seed_audience(store, "Leads", 3)
    transport = Hostile(store, method, suffix, data)
    result = cli("--base-url", BASE, *args, transport=transport, env=ENV)
    understood_not(result, message)
    assert re.search(rf"{method} {BASE}/atoms/v1\S*: {NOT_UNDERSTOOD}: ", result.stderr)


def test_a_create_answered_with_null_is_looked_for_and_finished(cli, store) -> None:
    # The audience was made, but the answer does not say which: it is found by its name
    # (a create is never simply sent again) and finished with adds.
    transport = Hostile(store, "POST", AUDIENCE, None)
    result = cli(
        "--base-url", BASE, "create", "New", "--phone", "+14155550100", "--no-dnc",
        transport=transport, env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f'{NOT_UNDERSTOOD}: "data" is null, not an audience), but the audience had been ' in (
        result.stderr
    )
    (made,) = store.list_audiences()
    assert result.stdout == made["_id"] + "\n"
    assert [m for m, _ in transport.writes()] == ["POST", "POST"]  # the create, then an add


def test_not_a_number_is_not_a_member_count(cli, store) -> None:
    seed_audience(store, "Leads", 3)
    raw = b'{"status": true, "data": [{"_id": "0123456789abcdef01234567", "memberCount": NaN}]}'
    result = cli(
        "--base-url", BASE, "list", transport=Hostile(store, "GET", AUDIENCE, raw=raw), env=ENV
    )
    understood_not(result, '"data[0].memberCount" is NaN, not a whole number')


def test_json_nested_100000_levels_deep_is_no_recursion_error(cli, store) -> None:
    seed_audience(store, "Leads", 3)
    raw = b'{"status": true, "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    transport = Hostile(store, "GET", AUDIENCE, raw=raw)
    result = cli("--base-url", BASE, "list", transport=transport, env=ENV)
    understood_not(result, "JSON nested more than 64 levels deep")
    assert len(transport.calls) == 1  # not tried again: the server would answer the same


@pytest.mark.parametrize("status", [400, 500])
def test_an_error_answer_nested_too_deep_says_its_status(cli, store, status) -> None:
    raw = b'{"message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=raw)

    result = cli("--base-url", BASE, "list", transport=httpx.MockTransport(handler), env=ENV)
    assert result.exit_code in (6, 7)
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


def test_a_shape_error_is_not_tried_again(cli, store) -> None:
    seed_audience(store, "Leads", 3)
    transport = Hostile(store, "GET", MEMBERS, {"members": [], "totalCount": "many"})
    result = cli("--base-url", BASE, "members", "Leads", transport=transport, env=ENV)
    assert result.exit_code == 7
    assert "trying again" not in result.stderr
    assert [c for c in transport.calls if c[1].endswith("/members")] and result.sleeps == []


# --- ids that go into a path ------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["..", ".", "", "../dnc", "0123456789abcdef0123456z", 24])
def test_an_id_from_the_server_that_is_not_one_never_goes_into_a_path(cli, store, bad_id) -> None:
    seed_audience(store, "Leads", 3)
    listing = [{"_id": bad_id, "name": "Leads", "memberCount": 3}]
    transport = Hostile(store, "GET", AUDIENCE, listing)
    result = cli("--base-url", BASE, "delete", "Leads", "--yes", transport=transport, env=ENV)
    understood_not(result, f'"data[0]._id" is {json.dumps(bad_id)}, not an id of 24 hex digits')
    assert transport.writes() == []  # today: DELETE /atoms/v1 (the path `audience/..`)
    assert store.list_audiences()  # nothing deleted


@pytest.mark.parametrize("typed", ["..", ".", "../dnc", "../..", "%2e%2e"])
def test_an_id_the_user_types_never_escapes_its_path(cli, store, typed) -> None:
    seed_audience(store, "Leads", 3)
    transport = RecordingTransport(store)
    for args in (("show", typed), ("delete", typed, "--yes"), ("members", typed)):
        result = cli("--base-url", BASE, *args, transport=transport, env=ENV)
        assert result.exit_code == 5, result.stderr  # looked up as a name: none has it
    assert {path for _, path in transport.calls} == {"/audience"}


@pytest.mark.parametrize("segment", ["..", ".", "", " .. "])
def test_the_client_refuses_a_dot_segment(segment: str, scripted) -> None:
    recorder = scripted()  # no request may be sent
    client = AtomsClient(BASE, KEY, transport=httpx.MockTransport(recorder))
    for call in (
        lambda: client.get_audience(segment),
        lambda: client.delete_audience(segment),
        lambda: client.list_members(segment),
        lambda: client.add_members(segment, [{"phoneNumber": "+14155550100"}]),
    ):
        with pytest.raises(UsageError, match="is not an id"):
            call()


def test_the_key_never_shows_in_a_field_error(cli, store) -> None:
    seed_audience(store, "Leads", 3)
    transport = Hostile(store, "DELETE", MEMBERS, {"deletedCount": KEY})
    result = cli(
        "--base-url", BASE, "remove", "Leads", "--phone", "+14155550000", "--yes",
        transport=transport, env=ENV,
    )  # fmt: skip
    understood_not(result, '"deletedCount" is "sk_***"')
    assert KEY[:12] not in result.stderr and KEY[-12:] not in result.stderr


# --- the checks ------------------------------------------------------------------------


AID = "0123456789abcdef01234567"


def test_documented_answers_pass_as_they_are() -> None:
    audience = {
        "_id": AID, "name": "A", "description": None, "memberCount": 150.0,
        "phoneNumberColumnName": "phoneNumber", "identifierColumnName": None,
        "hasCampaigns": True, "campaigns": [{"_id": "c", "name": "C", "status": "running"}],
        "somethingNew": {"kept": True},
    }  # fmt: skip
    assert answers.audience_list([audience]) == [audience]
    assert answers.audience_list(None) == []
    assert answers.audience(audience) is audience
    page = {"members": [{"_id": "m", "data": {"phoneNumber": "+1"}}], "totalCount": 1,
            "totalPages": 1, "hasMore": False}  # fmt: skip
    assert answers.member_page(page) is page
    assert answers.member_page({"members": None}) == {"members": None}
    found = {"members": [], "searchInfo": {"searchType": "general", "searchTerm": "x"}}
    assert answers.search_result(found) is found
    assert answers.remove_counts({"deletedCount": 2}) == {"deletedCount": 2}
    assert answers.remove_counts(None) == {}
    dnc = {"entries": [{"id": "d", "agentId": None, "phoneNumber": "+1"}],
           "pagination": {"page": 1, "offset": 500, "total": 1, "totalPages": 1,
                          "hasMore": False}}  # fmt: skip
    assert answers.dnc_page(dnc) is dnc


# Every string field each check reads, null: the spec declares none of them nullable (but
# `detectedInCallId`), and the sandbox never sends null there, but the API might (issue 22).
NULL_AUDIENCE = {"_id": AID, **dict.fromkeys(answers._AUDIENCE_TEXT), "memberCount": None,
                 "hasCampaigns": None,
                 "campaigns": [dict.fromkeys(answers._CAMPAIGN_TEXT)]}  # fmt: skip
NULL_CAMPAIGN = {"_id": AID, **dict.fromkeys(answers._CAMPAIGN_FIELDS), "agent": None,
                 "audience": None, "agentId": None, "audienceId": None,
                 "participantsCount": None}  # fmt: skip
NULL_RECORD = dict.fromkeys(("audienceMemberId", "phoneNumber", "finalStatus", "totalAttempts",
                             "totalCallDuration", "totalCallCost", "audienceMemberData",
                             "originalCall"))  # fmt: skip


@pytest.mark.parametrize(
    ("check", "data"),
    [
        (answers.audience, NULL_AUDIENCE),
        (answers.audience_list, [NULL_AUDIENCE]),
        (answers.member_page, {"members": [{"_id": None, "data": None}], "totalCount": None}),
        (
            answers.search_result,
            {"members": None, "searchInfo": {"searchTerm": None, "totalResults": None}},
        ),
        (
            answers.dnc_page,
            {
                "entries": [{"id": "d", **dict.fromkeys(answers._DNC_TEXT)}],
                "pagination": dict.fromkeys(("page", "offset", "hasMore")),
            },
        ),
        (answers.campaign_created, NULL_CAMPAIGN),
        (answers.campaign_detail, {"campaign": NULL_CAMPAIGN, "metrics": None}),
        (
            answers.campaign_page,
            {"campaigns": [NULL_CAMPAIGN], "pagination": None, "totalCampaignCount": None},
        ),
        (answers.campaign_started, {"message": None, "taskId": None}),
        (
            answers.outcome_export,
            {
                "campaign": None,
                "exportedAt": None,
                "totalAudienceMembers": None,
                "data": [NULL_RECORD],
            },
        ),
        (answers.add_counts, [{"message": None, "data": {"added": None, "skipped": None}}]),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_null_is_accepted_wherever_a_string_or_count_is_read(check: Any, data: Any) -> None:
    """Null where the spec says a string (or a number): read as absent, never refused."""
    check(json.loads(json.dumps(data)))


def test_an_id_that_goes_into_a_path_is_never_null() -> None:
    with pytest.raises(answers.AnswerShapeError, match='"_id" is null'):
        answers.audience({**NULL_AUDIENCE, "_id": None})


@pytest.mark.parametrize(
    "data",
    [
        [{"message": "2 members added successfully", "data": {"added": 2, "skipped": 1}}],
        {"message": "2 members added successfully", "data": {"added": 2, "skipped": 1}},
        {"added": 2, "skipped": 1, "message": "2 members added successfully"},
        [{"added": 2.0, "skipped": 1, "message": "2 members added successfully"}],
    ],
)
def test_every_documented_shape_of_the_add_answer_is_read(data: Any) -> None:
    assert answers.add_counts(data) == {
        "added": 2,
        "skipped": 1,
        "message": "2 members added successfully",
    }


@pytest.mark.parametrize("data", [None, [], {}, [{}]])
def test_an_add_answer_that_says_nothing_counts_nothing(data: Any) -> None:
    assert answers.add_counts(data) == {"added": 0, "skipped": 0, "message": ""}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("x" * 100, '"' + "x" * 38 + "…"), (1.5, "1.5"), (True, "true"), ({}, "an object")],
)
def test_values_are_shown_short(value: Any, expected: str) -> None:
    assert answers.shown(value) == expected


def test_the_depth_limit_counts_arrays_and_objects() -> None:
    answers.check_depth(json.loads("[" * 64 + "]" * 64))
    answers.check_depth({"a": [{"b": 1}]}, limit=3)
    with pytest.raises(answers.AnswerTooDeepError):
        answers.check_depth(json.loads("[" * 65 + "]" * 65))
    with pytest.raises(answers.AnswerTooDeepError):
        answers.check_depth({"a": [{"b": {}}]}, limit=3)


def test_the_client_names_the_endpoint_and_the_field(scripted) -> None:
    recorder = scripted(httpx.Response(200, json={"status": True, "data": {"members": 5}}))
    client = AtomsClient(BASE + "/atoms/v1", KEY, transport=httpx.MockTransport(recorder))
    with pytest.raises(UnexpectedAnswerError) as caught:
        client.list_members(AID)
    assert caught.value.message == (
        f'GET {BASE}/atoms/v1/audience/{AID}/members: {NOT_UNDERSTOOD}: "members" is 5, not a list'
    )
    assert caught.value.maybe_processed


def test_the_hint_asks_whether_the_base_url_is_the_api(cli, store) -> None:
    seed_audience(store, "Leads", 1)
    transport = Hostile(store, "GET", AUDIENCE, "str")
    result = cli("--base-url", BASE, "list", transport=transport, env=ENV)
    assert result.exit_code == 7
    assert result.stderr.splitlines()[1] == (
        "Check that the base URL is the Atoms API (`audience auth status`); if it is, its "
        "answer has changed: please report it."
    )
