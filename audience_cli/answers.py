"""Each endpoint's answer, checked where it enters the tool: the typed record the rest of
the tool reads, or an `AnswerShapeError` naming the field that is not what the API says.

The API's objects are kept as received (JSON output shows them, unknown fields included):
what is checked is every field the tool reads, and only its type. A field that is absent
or null is left to the reader's defaults, as before; a field of another type (`"totalCount":
"many"`, `"memberCount": NaN`, `"members": "x"`) stops here, instead of as a crash deep
in the tool. Ids that go into a URL path (an audience's `_id`) must be 24 hex digits, so
that `".."` can never make a request to another path. Where the reference documents
alternatives (the add answer, wrapped in a list or not), both are read.

A leaf beside the client: plain functions of decoded JSON, nothing of httpx.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from audience_cli.model import (
    AddCounts,
    Audience,
    DncPage,
    Member,
    MemberPage,
    RemoveCounts,
    SearchResult,
)

OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
MAX_DEPTH = 64  # levels of nested arrays and objects an answer may have


class AnswerShapeError(ValueError):
    """A field of an answer is not of the type the API documents."""

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.field, self.value, self.expected = field, value, expected
        super().__init__(f"{json.dumps(field)} is {shown(value)}, not {expected}")


class AnswerTooDeepError(ValueError):
    """An answer nests arrays or objects deeper than any answer of the API."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested more than {MAX_DEPTH} levels deep")


def shown(value: Any) -> str:
    """A value as a message shows it: JSON for scalars (cut short), the kind for the rest."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def decode_json(content: bytes) -> Any:
    """`content` as JSON; ValueError when it is not JSON, `AnswerTooDeepError` when it
    nests deeper than `MAX_DEPTH` (100,000 `[` would otherwise be a RecursionError
    here or in any code that walks it)."""
    try:
        value = json.loads(content)
    except RecursionError:
        raise AnswerTooDeepError() from None
    check_depth(value)
    return value


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Raise `AnswerTooDeepError` when `value` nests more than `limit` levels (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise AnswerTooDeepError()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


# --- field checks ----------------------------------------------------------------------


def _object(value: Any, field: str, what: str = "an object") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AnswerShapeError(field, value, what)
    return value


def _list(value: Any, field: str) -> list[Any]:
    """A list; absent or null is an empty one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise AnswerShapeError(field, value, "a list")
    return value


def _count(record: Mapping[str, Any], key: str, prefix: str) -> None:
    """`record[key]`, when present and not null, is a whole number of 0 or more."""
    value = record.get(key)
    if value is None:
        return
    whole = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and math.isfinite(value) and value.is_integer()
    )
    if not whole:
        raise AnswerShapeError(prefix + key, value, "a whole number")
    if value < 0:
        raise AnswerShapeError(prefix + key, value, "a whole number of 0 or more")


def _text(record: Mapping[str, Any], key: str, prefix: str) -> None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise AnswerShapeError(prefix + key, value, "a string")


def _flag(record: Mapping[str, Any], key: str, prefix: str) -> None:
    value = record.get(key)
    if value is not None and not isinstance(value, bool):
        raise AnswerShapeError(prefix + key, value, "true or false")


def _object_id(record: Mapping[str, Any], key: str, prefix: str) -> None:
    """`record[key]` is an id that may go into a URL path: 24 hex digits."""
    value = record.get(key)
    if not isinstance(value, str) or not OBJECT_ID.fullmatch(value):
        raise AnswerShapeError(prefix + key, value, "an id of 24 hex digits")


# --- records ----------------------------------------------------------------------------

_AUDIENCE_TEXT = ("name", "description", "phoneNumberColumnName", "identifierColumnName",
                  "organization", "createdBy", "createdAt", "updatedAt")  # fmt: skip
_CAMPAIGN_TEXT = ("_id", "name", "status", "createdAt")
_DNC_TEXT = ("id", "agentId", "orgId", "phoneNumber", "source", "detectedInCallId",
             "createdAt", "updatedAt")  # fmt: skip


def _audience(value: Any, prefix: str) -> Audience:
    record = _object(value, prefix.rstrip(".") or "data", "an audience")
    _object_id(record, "_id", prefix)
    for key in _AUDIENCE_TEXT:
        _text(record, key, prefix)
    _count(record, "memberCount", prefix)
    _flag(record, "hasCampaigns", prefix)
    for i, campaign in enumerate(_list(record.get("campaigns"), prefix + "campaigns")):
        where = f"{prefix}campaigns[{i}]"
        _object(campaign, where)
        for key in _CAMPAIGN_TEXT:
            _text(campaign, key, where + ".")
    return cast(Audience, record)


def _members(value: Any, field: str) -> list[Member]:
    members = _list(value, field)
    for i, member in enumerate(members):
        where = f"{field}[{i}]"
        record = _object(member, where, "a member")
        _text(record, "_id", where + ".")
        data = record.get("data")
        if data is not None:
            _object(data, where + ".data")
    return cast("list[Member]", members)


# --- one function per endpoint -------------------------------------------------------------


def audience_list(data: Any) -> list[Audience]:
    """`GET /audience`: a list of audiences (null: none)."""
    return [_audience(a, f"data[{i}].") for i, a in enumerate(_list(data, "data"))]


def audience(data: Any) -> Audience:
    """`GET /audience/{id}` and the create's answer: one audience."""
    return _audience(data, "")


def member_page(data: Any) -> MemberPage:
    """`GET /audience/{id}/members`: `{"members", "totalCount", "totalPages", "hasMore"}`."""
    page = _object(data, "data", "a page of members")
    _members(page.get("members"), "members")
    _count(page, "totalCount", "")
    _count(page, "totalPages", "")
    _flag(page, "hasMore", "")
    return cast(MemberPage, page)


def search_result(data: Any) -> SearchResult:
    """`GET /audience/{id}/members/search`: `{"members", "searchInfo"}`."""
    result = _object(data, "data", "a search result")
    _members(result.get("members"), "members")
    info = result.get("searchInfo")
    if info is not None:
        _count(_object(info, "searchInfo"), "totalResults", "searchInfo.")
    return cast(SearchResult, result)


def add_counts(data: Any) -> AddCounts:
    """`POST /audience/{id}/members`: the documented `[{"message", "data": {"added",
    "skipped"}}]`, or the same object unwrapped, or the counts alone; null or an empty
    list counts nothing."""
    prefix = ""
    first: Any = data
    if isinstance(data, list):
        first, prefix = (data[0] if data else None), "data[0]."
    if first is None:
        first = {}
    entry = _object(first, prefix.rstrip(".") or "data", "the counts of an add")
    inner = entry.get("data")
    counts, where = (inner, prefix + "data.") if isinstance(inner, dict) else (entry, prefix)
    if inner is not None and not isinstance(inner, dict):
        raise AnswerShapeError(prefix + "data", inner, "an object")
    _count(counts, "added", where)
    _count(counts, "skipped", where)
    _text(entry, "message", prefix)
    return {
        "added": int(counts.get("added") or 0),
        "skipped": int(counts.get("skipped") or 0),
        "message": entry.get("message") or "",
    }


def remove_counts(data: Any) -> RemoveCounts:
    """`DELETE /audience/{id}/members`: `{"deletedCount"}` (null: nothing said)."""
    answer = _object({} if data is None else data, "data", "an object")
    _count(answer, "deletedCount", "")
    return cast(RemoveCounts, dict(answer))


def dnc_page(data: Any) -> DncPage:
    """`GET /dnc`: `{"entries", "pagination"}` (the core says when either is missing)."""
    page = _object(data, "data", "a page of the do-not-call list")
    if "entries" in page:
        for i, entry in enumerate(_list(page["entries"], "entries")):
            where = f"entries[{i}]"
            _object(entry, where)
            for key in _DNC_TEXT:
                _text(entry, key, where + ".")
    _pagination(page)
    return cast(DncPage, page)


def _pagination(page: dict[str, Any]) -> None:
    """A page's `pagination` object, when it has one: its counts and `hasMore`."""
    pagination = page.get("pagination")
    if pagination is not None:
        _object(pagination, "pagination")
        for key in ("page", "offset", "total", "totalPages"):
            _count(pagination, key, "pagination.")
        _flag(pagination, "hasMore", "pagination.")


# --- campaigns ------------------------------------------------------------------------------

_CAMPAIGN_FIELDS = ("name", "description", "status", "createdAt", "updatedAt", "createdBy")


def _ref_id(record: dict[str, Any], nested: str, plain: str, prefix: str) -> None:
    """A campaign's agent or audience: OpenAPI's GET nests an object (`audience: {_id,
    name}`), the create's answer (and the SDK's) gives the id (`audienceId`). Both are
    read; the plain id is added when only the object came, so readers take `audienceId`."""
    inner = record.get(nested)
    if inner is not None and not isinstance(inner, str):
        _object(inner, prefix + nested)
        _text(inner, "_id", prefix + nested + ".")
        _text(inner, "name", prefix + nested + ".")
    _text(record, plain, prefix)
    if record.get(plain) is None:
        found = inner.get("_id") if isinstance(inner, dict) else inner
        if isinstance(found, str):
            record[plain] = found


def _campaign(value: Any, prefix: str) -> dict[str, Any]:
    record = _object(value, prefix.rstrip(".") or "data", "a campaign")
    _object_id(record, "_id", prefix)
    for key in _CAMPAIGN_FIELDS:
        _text(record, key, prefix)
    for key in ("participantsCount", "maxRetries", "retryDelay", "retryAttemptsMade"):
        _count(record, key, prefix)
    _ref_id(record, "audience", "audienceId", prefix)
    _ref_id(record, "agent", "agentId", prefix)
    return record


def campaign_page(data: Any) -> dict[str, Any]:
    """`GET /campaign`: `{"campaigns", "pagination": {total, page, offset, hasMore,
    totalPages}, "totalCampaignCount"}`."""
    page = _object(data, "data", "a page of campaigns")
    page["campaigns"] = [
        _campaign(c, f"campaigns[{i}].")
        for i, c in enumerate(_list(page.get("campaigns"), "campaigns"))
    ]
    _pagination(page)
    _count(page, "totalCampaignCount", "")
    return page


def campaign_detail(data: Any) -> dict[str, Any]:
    """`GET /campaign/{id}`: `{"campaign", "events", "metrics"}` (OpenAPI), or the campaign
    alone: the campaign, with `metrics` attached when given."""
    answer = _object(data, "data", "a campaign")
    if "campaign" not in answer:
        return _campaign(answer, "")
    campaign = _campaign(answer.get("campaign"), "campaign.")
    metrics = answer.get("metrics")
    if metrics is not None:
        campaign["metrics"] = _object(metrics, "metrics")
    return campaign


def campaign_created(data: Any) -> dict[str, Any]:
    """`POST /campaign`: the new campaign's document (`agentId`/`audienceId` plain ids)."""
    return _campaign(data, "")


def campaign_started(data: Any) -> dict[str, Any]:
    """`POST /campaign/{id}/start`: `{"message", "taskId"}` (null: nothing said)."""
    answer = _object({} if data is None else data, "data", "an object")
    _text(answer, "message", "")
    return answer


def outcome_export(data: Any) -> dict[str, Any]:
    """`GET /campaign/{id}/export/by-audience-member` as JSON: `{"campaign", "exportedAt",
    "totalAudienceMembers", "data": [records]}`. The records themselves are read by
    `core.outcomes`, which says which one is not what it expects."""
    export = _object(data, "data", "a campaign export")
    _text(export, "campaign", "")
    _text(export, "exportedAt", "")
    _count(export, "totalAudienceMembers", "")
    for i, record in enumerate(_list(export.get("data"), "data")):
        where = f"data[{i}]"
        _object(record, where, "an export record")
        for key in ("audienceMemberId", "phoneNumber", "finalStatus"):
            _text(record, key, where + ".")
        _count(record, "totalAttempts", where + ".")
        for key in ("totalCallDuration", "totalCallCost"):
            _number(record, key, where + ".")
        member_data = record.get("audienceMemberData")
        if member_data is not None:
            _object(member_data, where + ".audienceMemberData")
    return export


def _number(record: Mapping[str, Any], key: str, prefix: str) -> None:
    """`record[key]`, when present and not null, is a finite number."""
    value = record.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnswerShapeError(prefix + key, value, "a number")


def anything(data: Any) -> Any:
    """An answer nothing is read from (a delete's `[]`)."""
    return data


Parser = Callable[[Any], Any]
