"""The records the Atoms API speaks, the member schema and its limits, and the one members CSV.

Records are `TypedDict`s: they are the API's own JSON objects (JSON output shows
them as received, unknown fields included), typed for the code that reads them.

The member schema: a member is a flat object of strings whose phone number sits
under the audience's `phoneNumberColumnName` (`phoneNumber` when it names none),
beside optional `firstName` and `lastName` and any other data.

The members CSVs: the members as an audience holds them (`members --format csv`,
`export`) are `_id`, the phone column, firstName, lastName, then the other keys in
first-seen order; the contacts the tool sends or checks (the create upload,
`validate --output`) have no id: firstName, lastName, the phone column, the other
keys. Each can be read back by `create --csv` (which does not import `_id`). Every
CSV is written by `write_csv`, in one dialect (`csv_writer`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NotRequired, TextIO, TypedDict

from audience_cli.text import cell_text, protect_formula

if TYPE_CHECKING:
    from _csv import Writer as CsvWriter

# --- limits (the API's, and this tool's defaults where the API documents none) ------

DEFAULT_CHUNK_SIZE = 1000  # members per request; the API documents no maximum
DEFAULT_MEMBER_LIMIT = 10_000  # members per audience (Atoms product guide)
MAX_CSV_BYTES = 5 * 1024 * 1024  # the create upload's CSV limit
ALL_PAGES_SIZE = 100  # members per page when reading every page (AUDIENCE_PAGE_SIZE)
MAX_ALL_PAGES_SIZE = 10_000
DNC_MAX_PAGE_SIZE = 500  # the do-not-call list's largest page (`offset` is clamped to 1-500)
DEFAULT_TIMEOUT = 30.0  # seconds for one request as a whole, connect and body included
MAX_TIMEOUT = 3600.0
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds to connect (TLS included), within the above
QUICK_DEADLINE = 30.0  # seconds a run of `list` or `auth login|status` takes at most, by default
DEFAULT_MAX_BODY = 64 * 1024 * 1024  # bytes of one answer, decoded (AUDIENCE_MAX_BODY)
DEFAULT_CONCURRENCY = 8  # pages of members a read keeps in flight
MAX_CONCURRENCY = 64

# --- the member schema -----------------------------------------------------------------

DEFAULT_PHONE_COLUMN = "phoneNumber"
FIRST_NAME_KEY = "firstName"
LAST_NAME_KEY = "lastName"
NAME_KEYS = (FIRST_NAME_KEY, LAST_NAME_KEY)
MEMBER_ID_KEY = "_id"
# Fields of a member object that the server sets, not contact data: a column of a
# contacts file with one of these names (a members CSV has `_id`) is not imported.
# `_id` is documented; the others are what a MongoDB-backed API adds to a document.
SERVER_MEMBER_FIELDS = (MEMBER_ID_KEY, "__v", "audienceId", "createdAt", "updatedAt")

# --- records -----------------------------------------------------------------------------


class Campaign(TypedDict, total=False):
    _id: str
    name: str
    status: str
    createdAt: str


class Audience(TypedDict, total=False):
    _id: str
    name: str
    description: str
    memberCount: int
    phoneNumberColumnName: str
    identifierColumnName: str | None
    organization: str
    createdBy: str
    createdAt: str
    updatedAt: str
    campaigns: list[Campaign]
    hasCampaigns: bool


class Member(TypedDict, total=False):
    _id: str
    data: dict[str, Any]


class MemberPage(TypedDict, total=False):
    """One page of `GET /audience/{id}/members`."""

    members: list[Member]
    totalCount: int
    totalPages: int
    hasMore: bool


class SearchInfo(TypedDict, total=False):
    searchType: str
    searchTerm: Any
    searchFields: list[str]
    totalResults: int


class SearchResult(TypedDict, total=False):
    """The answer of `GET /audience/{id}/members/search`: every match, unpaged."""

    members: list[Member]
    searchInfo: SearchInfo


class AddCounts(TypedDict):
    """What the server did with one `POST /audience/{id}/members`.

    `retried`: an earlier attempt of the same request may have been carried out,
    so some of `skipped` may be members this request added."""

    added: int
    skipped: int
    message: str
    retried: NotRequired[bool]


class RemoveCounts(TypedDict, total=False):
    deletedCount: int
    retried: bool


class DncEntry(TypedDict, total=False):
    """One number on the organisation's do-not-call list (`GET /dnc`).

    `agentId` is None for an organisation-wide entry, else the one agent it binds;
    `source` says how it got there (e.g. "manual", "call": then `detectedInCallId`)."""

    id: str
    agentId: str | None
    orgId: str
    phoneNumber: str
    source: str
    detectedInCallId: str | None
    createdAt: str
    updatedAt: str


class DncPagination(TypedDict, total=False):
    page: int
    offset: int  # the page size the server used
    total: int
    totalPages: int
    hasMore: bool


class DncPage(TypedDict, total=False):
    """One page of `GET /dnc`."""

    entries: list[DncEntry]
    pagination: DncPagination


def phone_column_of(audience: Mapping[str, Any]) -> str:
    """The member key that holds the number in `audience` (`phoneNumber` when unnamed)."""
    return str(audience.get("phoneNumberColumnName") or DEFAULT_PHONE_COLUMN)


def member_count(audience: Mapping[str, Any]) -> int | None:
    """The audience's `memberCount` (the SDK declares it a float), None when absent."""
    count = audience.get("memberCount")
    if isinstance(count, bool) or not isinstance(count, int | float):
        return None
    return int(count)


def member_phone(member: Member, phone_column: str) -> str:
    return str((member.get("data") or {}).get(phone_column) or "")


# --- CSV ---------------------------------------------------------------------------------


def csv_writer(stream: TextIO) -> CsvWriter:
    """The writer of every CSV the tool writes (stdout, files, the create upload, snapshots).

    One dialect: RFC 4180's CRLF line ends, and quotes around a cell that holds the
    delimiter, a quote, a CR or an LF. (csv.writer quotes a lone CR in a cell only when
    CR is part of its line terminator: with "\n" alone, such a row splits when read back.)
    """
    return csv.writer(stream, lineterminator="\r\n")


# --- the members CSV ----------------------------------------------------------------------


def data_keys(members: Iterable[Mapping[str, Any]], phone_column: str) -> list[str]:
    """Keys beyond the names and the number, in first-seen order, of member data objects."""
    fixed = {*NAME_KEYS, phone_column}
    keys: dict[str, None] = {}
    for data in members:
        for key in data:
            if key not in fixed:
                keys.setdefault(key, None)
    return list(keys)


def members_header(phone_column: str, extra_keys: Iterable[str]) -> list[str]:
    """The columns of contacts to send or check: the names, the number, the data keys."""
    return [*NAME_KEYS, phone_column, *extra_keys]


def member_record_fields(phone_column: str, extra_keys: Iterable[str]) -> list[str]:
    """The columns of members as an audience holds them (`members --format csv`, `export`):
    the member's `_id`, the number, the names, then the data keys."""
    return [MEMBER_ID_KEY, phone_column, *NAME_KEYS, *extra_keys]


def member_field(member: Mapping[str, Any], key: str) -> Any:
    """One column of a member record: its `_id`, else that key of its data."""
    if key == MEMBER_ID_KEY:
        return member.get(MEMBER_ID_KEY)
    return (member.get("data") or {}).get(key)


def write_csv(
    stream: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    protect: bool = False,
) -> int:
    """A header and rows of cells, in the one dialect; returns the rows written.

    With `protect`, cells a spreadsheet would run as formulas are quoted (and the
    file is then no longer re-importable as is).
    """
    writer = csv_writer(stream)
    writer.writerow(header)
    count = 0
    for cells in rows:
        writer.writerow([protect_formula(c) for c in cells] if protect else cells)
        count += 1
    return count


def write_members_csv(
    stream: TextIO,
    members: Iterable[Mapping[str, Any]],
    *,
    phone_column: str,
    extra_keys: Sequence[str],
    protect: bool = False,
) -> int:
    """Member data objects (contacts to send or check) as CSV; returns the rows written.
    Missing values are empty cells."""
    header = members_header(phone_column, extra_keys)
    rows = ([cell_text(data.get(key)) for key in header] for data in members)
    return write_csv(stream, header, rows, protect=protect)


def write_member_records_csv(
    stream: TextIO,
    members: Iterable[Member],
    *,
    phone_column: str,
    extra_keys: Sequence[str],
    protect: bool = False,
) -> int:
    """Members as the audience holds them (`export`): the columns of `members --format
    csv`, `member_record_fields`; returns the rows written."""
    header = member_record_fields(phone_column, extra_keys)
    rows = ([cell_text(member_field(m, key)) for key in header] for m in members)
    return write_csv(stream, header, rows, protect=protect)


def members_csv(
    members: Sequence[Mapping[str, Any]], phone_column: str = DEFAULT_PHONE_COLUMN
) -> bytes:
    """The CSV that `create` uploads (UTF-8), with every key any member has."""
    out = io.StringIO(newline="")
    write_members_csv(
        out, members, phone_column=phone_column, extra_keys=data_keys(members, phone_column)
    )
    return out.getvalue().encode("utf-8")
