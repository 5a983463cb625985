"""The sandbox's rules, one test each, driven over HTTP through httpx.WSGITransport.

Every refusal is checked for the vendor's status code AND its exact message
(see ATOMS_AUDIENCE_API.md); every success for the vendor's envelope.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from audience_cli.sandbox.app import DUPLICATE_IN_CSV
from tests.sandbox.conftest import refused

if TYPE_CHECKING:
    from .conftest import Sandbox, SandboxFactory

HEX24 = re.compile(r"[0-9a-f]{24}")
ISO_8601_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
UNAUTHORIZED = "Unauthorized: missing or invalid API key"
NOT_FOUND = "Audience not found"
FIVE_MB = 5 * 1024 * 1024


def csv_of_size(size: int) -> bytes:
    """A realistic CSV of exactly `size` bytes: many rows of ~600 bytes, distinct numbers."""
    header = b"phoneNumber,notes\r\n"
    rows: list[bytes] = []
    total = len(header)
    i = 0
    while total < size:
        prefix = b"+1555%07d," % i
        room = size - total - len(prefix) - 2
        row = prefix + b"x" * max(1, min(600, room)) + b"\r\n"
        if size - total - len(row) < 20 and size - total != len(row):
            row = prefix + b"x" * (size - total - len(prefix) - 2) + b"\r\n"
        rows.append(row)
        total += len(row)
        i += 1
    body = header + b"".join(rows)
    assert len(body) == size
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The vendor's success envelope; returns `data`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] is True
    assert set(body) == {"status", "data"}
    return body["data"]


# --- authentication ------------------------------------------------------------


def test_request_without_authorization_header_is_401(sandbox: Sandbox) -> None:
    refused(sandbox.client(key=None).get("audience"), 401, UNAUTHORIZED)


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer    ", "", "sk_test_key", "Basic c2s6eA==", "Token sk_test_key"],
)
def test_empty_or_non_bearer_authorization_is_401(sandbox: Sandbox, header: str) -> None:
    client = sandbox.raw_client({"Authorization": header})
    refused(client.get("audience"), 401, UNAUTHORIZED)


def test_any_non_empty_bearer_key_works_when_no_key_is_configured(sandbox: Sandbox) -> None:
    for key in ("a", "sk_anything", "another-key"):
        assert ok(sandbox.client(key).get("audience")) == []


def test_bearer_scheme_is_case_insensitive(sandbox: Sandbox) -> None:
    client = sandbox.raw_client({"Authorization": "bearer sk_lower"})
    assert ok(client.get("audience")) == []


def test_configured_key_accepts_only_exactly_that_key(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(api_key="k")
    assert ok(sandbox.client("k").get("audience")) == []
    for wrong in ("K", "kk", "k2", "x", "sk_test_key"):
        refused(sandbox.client(wrong).get("audience"), 401, UNAUTHORIZED)
    refused(sandbox.client(None).get("audience"), 401, UNAUTHORIZED)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "audience"),
        ("POST", "audience"),
        ("GET", "audience/{id}"),
        ("DELETE", "audience/{id}"),
        ("GET", "audience/{id}/members"),
        ("POST", "audience/{id}/members"),
        ("DELETE", "audience/{id}/members"),
        ("GET", "audience/{id}/members/search?query=x"),
    ],
)
def test_every_route_requires_the_key_before_anything_else(
    make_sandbox: SandboxFactory, method: str, path: str
) -> None:
    sandbox = make_sandbox(api_key="k")
    audience = sandbox.create(sandbox.people(2))
    wrong = sandbox.client("not-k")
    refused(wrong.request(method, path.format(id=audience["_id"])), 401, UNAUTHORIZED)
    # An unknown audience is not revealed as missing to a caller without the key.
    refused(wrong.request(method, path.format(id="0" * 24)), 401, UNAUTHORIZED)
    # And the refused calls changed nothing.
    assert len(sandbox.all_members(audience["_id"])) == 2


# --- ids and the audience object ------------------------------------------------


def test_ids_are_24_lowercase_hex_characters(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(3))
    sandbox.store.add_campaign(audience["_id"], name="C", status="running")
    assert HEX24.fullmatch(audience["_id"])
    assert HEX24.fullmatch(audience["organization"])
    assert HEX24.fullmatch(audience["createdBy"])
    members = sandbox.all_members(audience["_id"])
    assert len({m["_id"] for m in members}) == 3
    assert all(HEX24.fullmatch(m["_id"]) for m in members)
    (listed,) = ok(sandbox.http.get("audience"))
    assert all(HEX24.fullmatch(c["_id"]) for c in listed["campaigns"])


def test_created_audience_object_has_the_vendor_fields(sandbox: Sandbox) -> None:
    response = sandbox.post_csv(
        sandbox.csv(sandbox.people(1)),
        name="  Spring promo  ",
        description="For the spring",
        identifierColumnName="firstName",
    )
    audience = ok(response, 200)
    assert set(audience) == {
        "_id",
        "name",
        "description",
        "phoneNumberColumnName",
        "identifierColumnName",
        "organization",
        "createdBy",
        "createdAt",
        "updatedAt",
    }
    assert audience["name"] == "Spring promo"
    assert audience["description"] == "For the spring"
    assert audience["phoneNumberColumnName"] == "phoneNumber"
    assert audience["identifierColumnName"] == "firstName"
    assert ISO_8601_UTC.fullmatch(audience["createdAt"])
    assert audience["updatedAt"] == audience["createdAt"]
    assert ok(sandbox.http.get(f"audience/{audience['_id']}")) == audience


def test_optional_create_fields_default_to_empty(sandbox: Sandbox) -> None:
    """No identifier column: the field is absent (the spec declares it a string, not null)."""
    audience = sandbox.create(sandbox.people(1))
    assert audience["description"] == ""
    assert "identifierColumnName" not in audience
    assert None not in audience.values()
    assert ok(sandbox.http.get(f"audience/{audience['_id']}")) == audience


# --- create --------------------------------------------------------------------


def test_create_stores_every_csv_row_as_member_data(sandbox: Sandbox) -> None:
    rows = [
        {"phoneNumber": "+15550000001", "firstName": "Ann", "city": "Paris"},
        {"phoneNumber": "+15550000002", "firstName": "Bob", "city": ""},
    ]
    audience = sandbox.create(rows)
    assert [m["data"] for m in sandbox.all_members(audience["_id"])] == rows


@pytest.mark.parametrize("name", [None, "", "   "])
def test_create_requires_a_name(sandbox: Sandbox, name: str | None) -> None:
    response = sandbox.post_csv(sandbox.csv(sandbox.people(1)), name=name)
    refused(response, 400, "name is required")


@pytest.mark.parametrize("column", [None, "", "  "])
def test_create_requires_the_phone_column_name(sandbox: Sandbox, column: str | None) -> None:
    response = sandbox.post_csv(sandbox.csv(sandbox.people(1)), phone_column=column)
    refused(response, 400, "phoneNumberColumnName is required")


def test_create_requires_a_file(sandbox: Sandbox) -> None:
    # Multipart, but the CSV travels under another field name.
    response = sandbox.http.post(
        "audience",
        data={"name": "X", "phoneNumberColumnName": "phoneNumber"},
        files={"upload": ("a.csv", b"phoneNumber\r\n+15550000001\r\n", "text/csv")},
    )
    refused(response, 400, "file is required")


def test_create_must_be_multipart(sandbox: Sandbox) -> None:
    response = sandbox.http.post(
        "audience", json={"name": "X", "phoneNumberColumnName": "phoneNumber"}
    )
    refused(response, 400, "Request must be multipart/form-data with a CSV file")
    urlencoded = sandbox.http.post(
        "audience", data={"name": "X", "phoneNumberColumnName": "phoneNumber"}
    )
    refused(urlencoded, 400, "Request must be multipart/form-data with a CSV file")


def test_create_accepts_a_csv_of_exactly_5_mb(sandbox: Sandbox) -> None:
    body = csv_of_size(FIVE_MB)
    audience = ok(sandbox.post_csv(body), 200)
    (listed,) = ok(sandbox.http.get("audience"))
    assert listed["_id"] == audience["_id"]
    assert listed["memberCount"] == body.count(b"\r\n") - 1


def test_create_refuses_a_csv_over_5_mb(sandbox: Sandbox) -> None:
    refused(sandbox.post_csv(csv_of_size(FIVE_MB + 1)), 400, "File size exceeds the 5MB limit")
    assert ok(sandbox.http.get("audience")) == []


def test_csv_size_limit_is_configurable(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(max_csv_bytes=10_000)
    ok(sandbox.post_csv(csv_of_size(10_000)), 200)
    refused(
        sandbox.post_csv(csv_of_size(10_001)),
        400,
        f"File size exceeds the {10_000 / (1024 * 1024):g}MB limit",
    )


@pytest.mark.parametrize(
    "column", ["first name", "first-name", "phone.number", "e-mail", "prénom", "a$", ""]
)
def test_create_refuses_column_names_other_than_letters_digits_underscore(
    sandbox: Sandbox, column: str
) -> None:
    body = sandbox.csv([{"phoneNumber": "+15550000001", column: "v"}])
    refused(
        sandbox.post_csv(body),
        400,
        f"Invalid column name '{column}': only letters, numbers and underscores are allowed",
    )


def test_create_accepts_letters_digits_and_underscores_in_column_names(sandbox: Sandbox) -> None:
    rows = [{"phoneNumber": "+15550000001", "first_name2": "A", "ZIP_code_9": "75001"}]
    audience = sandbox.create(rows)
    assert sandbox.all_members(audience["_id"])[0]["data"] == rows[0]


def test_create_refuses_duplicate_column_names(sandbox: Sandbox) -> None:
    body = b"phoneNumber,name,city,name\r\n+15550000001,a,b,c\r\n"
    refused(sandbox.post_csv(body), 400, "Duplicate column names are not allowed: name")


def test_create_refuses_a_csv_without_the_phone_column(sandbox: Sandbox) -> None:
    body = sandbox.csv([{"mobile": "+15550000001"}])
    refused(sandbox.post_csv(body), 400, "CSV must have a 'phoneNumber' column")


def test_create_refuses_a_csv_without_the_identifier_column(sandbox: Sandbox) -> None:
    body = sandbox.csv([{"phoneNumber": "+15550000001"}])
    response = sandbox.post_csv(body, identifierColumnName="Name")
    refused(response, 400, "CSV must have a 'Name' column")


def test_create_refuses_duplicate_phone_numbers_inside_the_csv(sandbox: Sandbox) -> None:
    rows = [
        *sandbox.people(3),
        {"firstName": "Again", "lastName": "", "phoneNumber": "+15550000001"},
    ]
    response = sandbox.post_csv(sandbox.csv(rows))
    refused(
        response,
        400,
        "Some phone numbers in your CSV already exist in this audience. "
        "Please remove duplicate entries and try again.",
    )
    assert response.json()["message"] == DUPLICATE_IN_CSV
    assert ok(sandbox.http.get("audience")) == []  # the whole create failed


def test_create_refuses_a_row_without_a_phone_number(sandbox: Sandbox) -> None:
    rows = [*sandbox.people(1), {"firstName": "NoPhone", "lastName": "X", "phoneNumber": ""}]
    refused(sandbox.post_csv(sandbox.csv(rows)), 400, "Each member must have a phoneNumber field")


def test_create_uses_the_named_phone_column(sandbox: Sandbox) -> None:
    rows = [{"mobile": "+15550000001", "firstName": "A"}]
    audience = sandbox.create(rows, phone_column="mobile")
    assert audience["phoneNumberColumnName"] == "mobile"
    refused(
        sandbox.add(audience["_id"], [{"phoneNumber": "+15550000002"}]),
        400,
        "Each member must have a mobile field",
    )
    assert ok(sandbox.add(audience["_id"], [{"mobile": "+15550000002"}]))[0]["data"] == {
        "added": 1,
        "skipped": 0,
    }


def test_create_refuses_an_empty_file(sandbox: Sandbox) -> None:
    refused(sandbox.post_csv(b""), 400, "CSV file is empty")


def test_create_refuses_a_file_that_is_not_utf8(sandbox: Sandbox) -> None:
    body = "phoneNumber,firstName\r\n+15550000001,Zoë\r\n".encode("latin-1")
    refused(sandbox.post_csv(body), 400, "Invalid CSV file: it must be UTF-8 text")


def test_create_accepts_a_byte_order_mark_and_skips_blank_lines(sandbox: Sandbox) -> None:
    body = "\ufeffphoneNumber,firstName\r\n+15550000001,Ann\r\n\r\n,\r\n+15550000002,Bob\r\n"
    audience = ok(sandbox.post_csv(body.encode("utf-8")), 200)
    assert [m["data"] for m in sandbox.all_members(audience["_id"])] == [
        {"phoneNumber": "+15550000001", "firstName": "Ann"},
        {"phoneNumber": "+15550000002", "firstName": "Bob"},
    ]


def test_create_with_a_header_only_csv_makes_an_empty_audience(sandbox: Sandbox) -> None:
    audience = ok(sandbox.post_csv(b"phoneNumber,firstName\r\n"), 200)
    (listed,) = ok(sandbox.http.get("audience"))
    assert listed["_id"] == audience["_id"]
    assert listed["memberCount"] == 0


def test_csv_with_comma_quote_and_newline_in_names_round_trips(sandbox: Sandbox) -> None:
    rows = [
        {"firstName": "Smith, John", "lastName": 'O"Brien', "phoneNumber": "+15550000001"},
        {"firstName": "Line\nBreak", "lastName": '"quoted, too"', "phoneNumber": "+15550000002"},
        {"firstName": "Zoë", "lastName": "Ünïcødé 名前", "phoneNumber": "+15550000003"},
    ]
    body = sandbox.csv(rows)
    assert b'"Smith, John"' in body and b'"O""Brien"' in body  # really quoted on the wire
    audience = ok(sandbox.post_csv(body), 200)
    assert [m["data"] for m in sandbox.all_members(audience["_id"])] == rows


# --- member limit ---------------------------------------------------------------


def test_member_limit_on_create(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(member_limit=3)
    refused(
        sandbox.post_csv(sandbox.csv(sandbox.people(4))), 400, "Audience cannot exceed 3 members"
    )
    assert ok(sandbox.http.get("audience")) == []
    audience = sandbox.create(sandbox.people(3))  # exactly the limit is fine
    assert len(sandbox.all_members(audience["_id"])) == 3


def test_member_limit_on_add(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(member_limit=3)
    audience = sandbox.create(sandbox.people(2))
    refused(
        sandbox.add(audience["_id"], sandbox.people(2, start=10)),
        400,
        "Audience cannot exceed 3 members",
    )
    assert len(sandbox.all_members(audience["_id"])) == 2  # nothing of the batch was added
    # Numbers already present and repeats in the request do not count towards the limit.
    batch = [*sandbox.people(2), *sandbox.people(1, start=10), *sandbox.people(1, start=10)]
    assert ok(sandbox.add(audience["_id"], batch))[0]["data"] == {"added": 1, "skipped": 3}
    refused(
        sandbox.add(audience["_id"], sandbox.people(1, start=20)),
        400,
        "Audience cannot exceed 3 members",
    )


# --- add members ----------------------------------------------------------------


def test_add_members_answers_with_the_vendor_envelope(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(2))
    response = sandbox.add(audience["_id"], sandbox.people(3, start=5))
    assert response.status_code == 200
    assert response.json() == {
        "status": True,
        "data": [{"message": "3 members added successfully", "data": {"added": 3, "skipped": 0}}],
    }


def test_add_skips_numbers_already_present_and_repeats_in_the_request(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(2))
    new = {"phoneNumber": "+15559999999", "firstName": "New", "vip": True}
    repeat = {"phoneNumber": "+15559999999", "firstName": "Repeat"}
    changed_existing = {"phoneNumber": "+15550000000", "firstName": "Changed"}
    data = ok(sandbox.add(audience["_id"], [new, changed_existing, repeat, sandbox.people(2)[1]]))
    assert data == [{"message": "1 members added successfully", "data": {"added": 1, "skipped": 3}}]
    members = [m["data"] for m in sandbox.all_members(audience["_id"])]
    assert members == [*sandbox.people(2), new]  # first one wins; no update in place


def test_add_of_only_known_numbers_adds_nothing(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(2))
    data = ok(sandbox.add(audience["_id"], sandbox.people(2)))
    assert data == [{"message": "0 members added successfully", "data": {"added": 0, "skipped": 2}}]


@pytest.mark.parametrize(
    "bad_member",
    [{"firstName": "NoPhone"}, {"phoneNumber": ""}, {"phoneNumber": "   "}, {"phoneNumber": None}],
)
def test_add_refuses_a_member_without_the_phone_field(
    sandbox: Sandbox, bad_member: dict[str, Any]
) -> None:
    audience = sandbox.create(sandbox.people(1))
    batch = [*sandbox.people(2, start=10), bad_member]
    refused(sandbox.add(audience["_id"], batch), 400, "Each member must have a phoneNumber field")
    assert len(sandbox.all_members(audience["_id"])) == 1  # the valid ones were not added either


@pytest.mark.parametrize(
    "body", [{}, {"members": []}, {"members": "x"}, {"member": [{"phoneNumber": "+1"}]}, []]
)
def test_add_refuses_a_body_without_a_members_array(sandbox: Sandbox, body: Any) -> None:
    audience = sandbox.create(sandbox.people(1))
    response = sandbox.http.post(f"audience/{audience['_id']}/members", json=body)
    refused(response, 400, "members must be a non-empty array")


def test_add_refuses_a_member_that_is_not_an_object(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(1))
    response = sandbox.add(audience["_id"], ["+15550000009"])
    refused(response, 400, "Each member must have a phoneNumber field")


# --- pagination -----------------------------------------------------------------


def test_members_default_page_size_is_5(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(12))
    data = ok(sandbox.members(audience["_id"]))
    assert [m["data"]["firstName"] for m in data["members"]] == [f"Person{i}" for i in range(5)]
    assert {k: v for k, v in data.items() if k != "members"} == {
        "totalCount": 12,
        "totalPages": 3,
        "hasMore": True,
    }


def test_members_pages_walk_with_page_and_offset(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(12))
    seen: list[str] = []
    for page, expected_more, expected_count in [(1, True, 4), (2, True, 4), (3, False, 4)]:
        data = ok(sandbox.members(audience["_id"], page=page, offset=4))
        assert data["totalCount"] == 12
        assert data["totalPages"] == 3
        assert data["hasMore"] is expected_more
        assert len(data["members"]) == expected_count
        seen += [m["data"]["firstName"] for m in data["members"]]
    assert seen == [f"Person{i}" for i in range(12)]


def test_members_last_partial_page_and_past_the_end(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(12))
    last = ok(sandbox.members(audience["_id"], page=3))
    assert [m["data"]["firstName"] for m in last["members"]] == ["Person10", "Person11"]
    assert last["hasMore"] is False
    beyond = ok(sandbox.members(audience["_id"], page=9))
    assert beyond == {"members": [], "totalCount": 12, "totalPages": 3, "hasMore": False}


def test_members_of_an_empty_audience(sandbox: Sandbox) -> None:
    audience = ok(sandbox.post_csv(b"phoneNumber\r\n"), 200)
    data = ok(sandbox.members(audience["_id"]))
    assert data == {"members": [], "totalCount": 0, "totalPages": 0, "hasMore": False}


def test_members_limit_parameter_is_ignored(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(12))
    data = ok(sandbox.members(audience["_id"], limit=2))
    assert len(data["members"]) == 5


def test_members_page_size_is_clamped_to_the_maximum(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(120))
    data = ok(sandbox.members(audience["_id"], offset=1000))
    assert len(data["members"]) == 100
    assert (data["totalCount"], data["totalPages"], data["hasMore"]) == (120, 2, True)


def test_members_maximum_page_size_is_configurable(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(max_page_size=4, default_page_size=2)
    audience = sandbox.create(sandbox.people(10))
    assert len(ok(sandbox.members(audience["_id"]))["members"]) == 2
    data = ok(sandbox.members(audience["_id"], page=3, offset=50))
    assert [m["data"]["firstName"] for m in data["members"]] == ["Person8", "Person9"]
    assert (data["totalPages"], data["hasMore"]) == (3, False)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
def test_members_bad_page_is_400(sandbox: Sandbox, page: str) -> None:
    audience = sandbox.create(sandbox.people(3))
    refused(sandbox.members(audience["_id"], page=page), 400, "page must be a positive integer")


@pytest.mark.parametrize("offset", ["0", "-5", "ten"])
def test_members_bad_page_size_is_400(sandbox: Sandbox, offset: str) -> None:
    audience = sandbox.create(sandbox.people(3))
    refused(
        sandbox.members(audience["_id"], offset=offset), 400, "offset must be a positive integer"
    )


# --- search ---------------------------------------------------------------------


@pytest.fixture
def directory(sandbox: Sandbox) -> str:
    rows = [
        {"firstName": "John", "lastName": "Doe", "phoneNumber": "+15550001111", "city": "Paris"},
        {"firstName": "johnny", "lastName": "Smith", "phoneNumber": "+15550002222", "city": "Rome"},
        {"firstName": "Jane", "lastName": "Doe", "phoneNumber": "+447700900123", "city": "London"},
    ]
    return sandbox.create(rows)["_id"]


def names(data: dict[str, Any]) -> list[str]:
    return [m["data"]["firstName"] for m in data["members"]]


def test_search_query_is_general_and_case_insensitive(sandbox: Sandbox, directory: str) -> None:
    data = ok(sandbox.search(directory, query="JOHN"))
    assert names(data) == ["John", "johnny"]
    assert data["searchInfo"] == {
        "searchType": "general",
        "searchTerm": "JOHN",
        "searchFields": [],
        "totalResults": 2,
    }
    # Any field: "doe" matches lastName, "lond" the city.
    assert names(ok(sandbox.search(directory, query="doe"))) == ["John", "Jane"]
    assert names(ok(sandbox.search(directory, query="lond"))) == ["Jane"]


def test_search_query_finds_phone_numbers_with_or_without_plus(
    sandbox: Sandbox, directory: str
) -> None:
    assert names(ok(sandbox.search(directory, query="447700900123"))) == ["Jane"]
    assert names(ok(sandbox.search(directory, query="+447700900123"))) == ["Jane"]
    # Unquoted in the URL, the "+" arrives as a space.
    raw = sandbox.http.get(f"audience/{directory}/members/search?query=+447700900123")
    assert names(ok(raw)) == ["Jane"]


def test_search_with_no_match_is_empty(sandbox: Sandbox, directory: str) -> None:
    data = ok(sandbox.search(directory, query="nobody"))
    assert data["members"] == []
    assert data["searchInfo"]["totalResults"] == 0


def test_search_field_filters_must_all_match(sandbox: Sandbox, directory: str) -> None:
    data = ok(sandbox.search(directory, firstName="john", lastName="doe"))
    assert names(data) == ["John"]
    assert data["searchInfo"] == {
        "searchType": "multiple",
        "searchTerm": "firstName=john lastName=doe",  # a string, as the SDK declares it
        "searchFields": ["firstName", "lastName"],
        "totalResults": 1,
    }
    assert names(ok(sandbox.search(directory, lastName="DOE"))) == ["John", "Jane"]
    assert names(ok(sandbox.search(directory, phoneNumber="15550002222"))) == ["johnny"]
    assert ok(sandbox.search(directory, nickname="john"))["members"] == []


def test_search_refuses_query_and_filters_together(sandbox: Sandbox, directory: str) -> None:
    refused(
        sandbox.search(directory, query="john", lastName="doe"),
        400,
        "Use either query or field filters, not both",
    )


@pytest.mark.parametrize("params", [{}, {"query": ""}, {"firstName": ""}])
def test_search_refuses_neither_query_nor_filters(
    sandbox: Sandbox, directory: str, params: dict[str, str]
) -> None:
    refused(
        sandbox.search(directory, **params), 400, "Provide a query or at least one field filter"
    )


# --- remove members -------------------------------------------------------------


def test_remove_members_by_id(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(4))
    members = sandbox.all_members(audience["_id"])
    doomed = [members[0]["_id"], members[2]["_id"]]
    assert ok(sandbox.remove(audience["_id"], doomed)) == {"deletedCount": 2}
    remaining = [m["data"]["firstName"] for m in sandbox.all_members(audience["_id"])]
    assert remaining == ["Person1", "Person3"]
    # Already gone, unknown or malformed ids count nothing.
    assert ok(sandbox.remove(audience["_id"], [*doomed, "0" * 24, "junk"])) == {"deletedCount": 0}


def test_remove_only_touches_the_named_audience(sandbox: Sandbox) -> None:
    first = sandbox.create(sandbox.people(2), name="First")
    second = sandbox.create(sandbox.people(2), name="Second")
    other_ids = [m["_id"] for m in sandbox.all_members(second["_id"])]
    assert ok(sandbox.remove(first["_id"], other_ids)) == {"deletedCount": 0}
    assert len(sandbox.all_members(second["_id"])) == 2


def test_removed_number_can_be_added_again(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(2))
    first = sandbox.all_members(audience["_id"])[0]
    ok(sandbox.remove(audience["_id"], [first["_id"]]))
    data = ok(sandbox.add(audience["_id"], [first["data"]]))
    assert data[0]["data"] == {"added": 1, "skipped": 0}


@pytest.mark.parametrize("member_ids", [None, [], "abc", [1, 2], ["ok", None]])
def test_remove_refuses_a_bad_member_id_list(sandbox: Sandbox, member_ids: Any) -> None:
    audience = sandbox.create(sandbox.people(1))
    refused(
        sandbox.remove(audience["_id"], member_ids),
        400,
        "memberIds must be a non-empty array of member ids",
    )


# --- 404 ------------------------------------------------------------------------

AUDIENCE_ROUTES = [
    ("GET", "audience/{id}", None),
    ("DELETE", "audience/{id}", None),
    ("GET", "audience/{id}/members", None),
    ("POST", "audience/{id}/members", {"members": [{"phoneNumber": "+15550000001"}]}),
    ("DELETE", "audience/{id}/members", {"memberIds": ["0" * 24]}),
    ("GET", "audience/{id}/members/search?query=x", None),
]
MISSING_IDS = [
    "0123456789abcdef01234567",  # well-formed, unknown
    "not-an-id",
    "0123456789ABCDEF01234567",  # upper case
    "0123456789abcdef0123456",  # 23
    "0123456789abcdef012345678",  # 25
    "0123456789abcdef0123456g",
]


@pytest.mark.parametrize(("method", "path", "body"), AUDIENCE_ROUTES)
@pytest.mark.parametrize("audience_id", MISSING_IDS)
def test_unknown_or_malformed_audience_id_is_404_on_every_route(
    sandbox: Sandbox, method: str, path: str, body: Any, audience_id: str
) -> None:
    sandbox.create(sandbox.people(1))  # something exists, just not this one
    response = sandbox.http.request(method, path.format(id=audience_id), json=body)
    refused(response, 404, NOT_FOUND)


@pytest.mark.parametrize(("method", "path", "body"), AUDIENCE_ROUTES)
def test_a_deleted_audience_is_404_on_every_route(
    sandbox: Sandbox, method: str, path: str, body: Any
) -> None:
    audience_id = sandbox.create(sandbox.people(1))["_id"]
    ok(sandbox.http.delete(f"audience/{audience_id}"))
    response = sandbox.http.request(method, path.format(id=audience_id), json=body)
    refused(response, 404, NOT_FOUND)


def test_unknown_path_and_wrong_method(sandbox: Sandbox) -> None:
    refused(sandbox.http.get("campaigns"), 404, "Cannot GET /atoms/v1/campaigns")
    refused(sandbox.http.put("audience"), 405, "Method PUT not allowed on /atoms/v1/audience")


def test_head_is_answered_like_get_without_a_body(sandbox: Sandbox) -> None:
    audience = sandbox.create(sandbox.people(1))
    for path in ("audience", f"audience/{audience['_id']}", f"audience/{audience['_id']}/members"):
        response = sandbox.http.head(path)
        assert response.status_code == 200
        assert response.content == b""
    assert sandbox.http.head("audience/0123456789abcdef01234567").status_code == 404


def test_an_oversized_form_field_is_refused_not_crashed(sandbox: Sandbox) -> None:
    response = sandbox.post_csv(sandbox.csv(sandbox.people(1)), description="d" * 600_000)
    assert response.status_code == 413
    assert response.json()["status"] is False
    assert ok(sandbox.http.get("audience")) == []


# --- delete ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["running", "scheduled", "paused", "draft"])
def test_delete_is_refused_while_a_campaign_uses_the_audience(
    sandbox: Sandbox, status: str
) -> None:
    audience_id = sandbox.create(sandbox.people(2))["_id"]
    sandbox.store.add_campaign(audience_id, name="Spring calls", status=status)
    refused(
        sandbox.http.delete(f"audience/{audience_id}"),
        400,
        f"can't delete audience, campaign with this audience {audience_id} exists",
    )
    assert ok(sandbox.http.get(f"audience/{audience_id}"))["_id"] == audience_id
    assert len(sandbox.all_members(audience_id)) == 2


def test_delete_is_allowed_once_the_campaign_is_completed(sandbox: Sandbox) -> None:
    audience_id = sandbox.create(sandbox.people(2))["_id"]
    campaign = sandbox.store.add_campaign(audience_id, name="Spring calls", status="running")
    refused(
        sandbox.http.delete(f"audience/{audience_id}"),
        400,
        f"can't delete audience, campaign with this audience {audience_id} exists",
    )
    with sqlite3.connect(sandbox.db_path) as db:  # the campaign finishes
        db.execute("UPDATE campaigns SET status = 'completed' WHERE id = ?", (campaign["_id"],))
    db.close()
    assert ok(sandbox.http.delete(f"audience/{audience_id}")) == []


def test_delete_with_only_completed_campaigns_is_allowed(sandbox: Sandbox) -> None:
    audience_id = sandbox.create(sandbox.people(1))["_id"]
    sandbox.store.add_campaign(audience_id, name="Old", status="completed")
    assert ok(sandbox.http.delete(f"audience/{audience_id}")) == []


def test_delete_answers_an_empty_list_and_removes_the_members(sandbox: Sandbox) -> None:
    keep = sandbox.create(sandbox.people(2), name="Keep")["_id"]
    doomed = sandbox.create(sandbox.people(3), name="Doomed")["_id"]
    response = sandbox.http.delete(f"audience/{doomed}")
    assert response.status_code == 200
    assert response.json() == {"status": True, "data": []}
    refused(sandbox.http.get(f"audience/{doomed}"), 404, NOT_FOUND)
    assert sandbox.store.count_members(doomed) == 0
    assert [a["_id"] for a in ok(sandbox.http.get("audience"))] == [keep]
    assert len(sandbox.all_members(keep)) == 2


def test_a_campaign_on_another_audience_does_not_block_delete(sandbox: Sandbox) -> None:
    busy = sandbox.create(sandbox.people(1), name="Busy")["_id"]
    idle = sandbox.create(sandbox.people(1), name="Idle")["_id"]
    sandbox.store.add_campaign(busy, name="Live", status="running")
    assert ok(sandbox.http.delete(f"audience/{idle}")) == []


# --- list -----------------------------------------------------------------------


def test_list_includes_member_count_and_campaigns(sandbox: Sandbox) -> None:
    plain = sandbox.create(sandbox.people(3), name="Plain")
    busy = sandbox.create(sandbox.people(2), name="Busy")
    sandbox.add(busy["_id"], sandbox.people(2, start=50))
    first = sandbox.store.add_campaign(busy["_id"], name="Spring", status="completed")
    second = sandbox.store.add_campaign(busy["_id"], name="Summer", status="running")
    listed = {a["name"]: a for a in ok(sandbox.http.get("audience"))}
    assert set(listed) == {"Plain", "Busy"}
    assert listed["Plain"]["memberCount"] == 3
    assert listed["Plain"]["hasCampaigns"] is False
    assert listed["Plain"]["campaigns"] == []
    assert listed["Busy"]["memberCount"] == 4
    assert listed["Busy"]["hasCampaigns"] is True
    assert listed["Busy"]["campaigns"] == [first, second]
    assert set(first) == {"_id", "name", "status", "createdAt"}
    # Listed audiences carry the full audience object too.
    for created in (plain, busy):
        item = listed[created["name"]]
        assert {k: item[k] for k in created if k != "updatedAt"} == {
            k: v for k, v in created.items() if k != "updatedAt"
        }


def test_list_is_newest_first(sandbox: Sandbox) -> None:
    for name in ("one", "two", "three"):
        sandbox.create(sandbox.people(1), name=name)
    assert [a["name"] for a in ok(sandbox.http.get("audience"))] == ["three", "two", "one"]


def test_list_member_count_follows_removals(sandbox: Sandbox) -> None:
    audience_id = sandbox.create(sandbox.people(3))["_id"]
    ok(sandbox.remove(audience_id, [sandbox.all_members(audience_id)[0]["_id"]]))
    (listed,) = ok(sandbox.http.get("audience"))
    assert listed["memberCount"] == 2


# --- persistence ----------------------------------------------------------------


def test_data_survives_reopening_the_sqlite_file(
    make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    db_path = tmp_path / "persist" / "sandbox.db"  # a parent directory that does not exist yet
    first = make_sandbox(db_path=db_path)
    rows = [{"firstName": "Smith, John", "lastName": 'O"Brien', "phoneNumber": "+15550000001"}]
    audience = first.create(rows, name="Kept", description="survives")
    ok(first.add(audience["_id"], first.people(2, start=7)))
    campaign = first.store.add_campaign(audience["_id"], name="Live", status="running")
    before = ok(first.http.get("audience"))
    members_before = first.all_members(audience["_id"])
    first.close()

    second = make_sandbox(db_path=db_path)
    assert second.store is not first.store
    assert ok(second.http.get("audience")) == before
    assert second.all_members(audience["_id"]) == members_before
    assert before[0]["campaigns"] == [campaign]
    refused(
        second.http.delete(f"audience/{audience['_id']}"),
        400,
        f"can't delete audience, campaign with this audience {audience['_id']} exists",
    )


def test_members_keep_their_csv_text_exactly(sandbox: Sandbox) -> None:
    """Cells are text: leading zeros and long digit strings are not turned into numbers."""
    body = io.StringIO(newline="")
    writer = csv.writer(body, lineterminator="\r\n")
    writer.writerow(["phoneNumber", "zip", "account"])
    writer.writerow(["+15550000001", "01234", "12345678901234567890"])
    audience = ok(sandbox.post_csv(body.getvalue().encode()), 200)
    (member,) = sandbox.all_members(audience["_id"])
    assert member["data"] == {
        "phoneNumber": "+15550000001",
        "zip": "01234",
        "account": "12345678901234567890",
    }
