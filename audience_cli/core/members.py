"""Members: one page, every page, a search, phone numbers to member ids, removal, export rows."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audience_cli.errors import AudienceError, NothingRemovedError, PagingError
from audience_cli.model import (
    DEFAULT_MEMBER_LIMIT,
    Audience,
    Member,
    MemberPage,
    data_keys,
    member_count,
    member_phone,
    phone_column_of,
)

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient

PageRead = Callable[[int, int], None]  # (members on the page just read, the audience's count)


@dataclass(frozen=True)
class MembersPage:
    """One page of members, with what the server said about the rest."""

    members: list[Member]
    page: int
    page_size: int  # what was asked for
    total: int
    pages: int
    has_more: bool

    @property
    def server_page_size(self) -> int | None:
        """The server's own largest page, when it is smaller than the one asked for."""
        shown = len(self.members)
        if shown and shown < self.page_size and self.has_more:
            return shown
        return None

    @property
    def past_the_end(self) -> bool:
        return self.total > 0 and self.page > self.pages


def page_of_members(
    client: AtomsClient, audience_id: str, *, page: int, page_size: int
) -> MembersPage:
    data = client.list_members(audience_id, page=page, page_size=page_size)
    pages = int(data.get("totalPages") or 0)
    return MembersPage(
        members=list(data.get("members") or []),
        page=page,
        page_size=page_size,
        total=int(data.get("totalCount") or 0),
        pages=pages,
        has_more=bool(data.get("hasMore")) or page < pages,
    )


def iter_members(
    client: AtomsClient,
    audience_id: str,
    *,
    page_size: int | None = None,
    member_limit: int = DEFAULT_MEMBER_LIMIT,
    workers: int | None = None,
    first: MemberPage | None = None,
    expected: int | None = None,
    on_page: PageRead | None = None,
) -> Iterator[Member]:
    """Every member, in page order: page 1 first (it says how many pages there are),
    then the others `workers` at a time (default: the client's `concurrency`), holding
    no more than the pages in flight. Pages are of `page_size` members (default: the
    client's `page_size`); a server that sends fewer is followed at its own size.

    `first` is page 1 when it was read already (with the audience's lookup).
    `expected` is the audience's `memberCount`, when known: without `first`, every page it
    makes is asked for at once, page 1 among them (an audience that grew meanwhile
    is read on; pages past a shrunken end come back empty). `on_page` hears of each
    page as it is handed on (for a progress bar).

    A server whose pages do not add up is stopped, never followed forever: a page
    that repeats members already seen, more members than its `totalCount`, or more
    pages than the member limit allows is a `PagingError`.
    """
    workers = workers or client.concurrency
    page_size = page_size or client.page_size  # AUDIENCE_PAGE_SIZE, else 100
    check = _PageCheck(audience_id, page_size, member_limit, on_page)
    guess = math.ceil(expected / page_size) if expected and expected > 0 else 0
    data: MemberPage | None
    if first is None and workers > 1 and guess >= 2:
        batch = range(1, min(guess, check.cap) + 1)
        last, data = yield from _pages(client, audience_id, check, batch, workers)
    else:
        if first is None:
            first = client.list_members(audience_id, page=1, page_size=page_size)
        yield from check.members(1, first)
        last, data = 1, first
    while data is not None and _more(data, last):
        following = last + 1
        total_pages = data.get("totalPages")
        if workers > 1 and isinstance(total_pages, int) and total_pages > following:
            if total_pages > check.cap:
                check.past_cap(total_pages)
            batch = range(following, total_pages + 1)
            last, data = yield from _pages(client, audience_id, check, batch, workers)
            continue
        if following > check.cap:  # the audience grew while it was read, or no count
            check.past_cap(last)
        data = client.list_members(audience_id, page=following, page_size=check.page_size)
        yield from check.members(following, data)
        last = following
    check.complete()


def _pages(
    client: AtomsClient, audience_id: str, check: _PageCheck, pages: range, workers: int
) -> Generator[Member, None, tuple[int, MemberPage | None]]:
    """The members of `pages`, read `workers` at once, in order. Returns the last page's
    number and answer; None when a page past a shrunken end came back empty."""
    from audience_cli.core.fan_out import FanOut

    def read(number: int) -> MemberPage:
        return _page(client, audience_id, number, check.page_size)

    data: MemberPage = {}
    page = pages.start
    with FanOut(read, workers=workers, name="members-page") as fan:
        for page, data in fan.in_order(pages):
            yield from check.members(page, data)
            if page >= 2 and not data.get("members") and not _more(data, page):
                return page, None  # the audience shrank: the pages after this one are empty
    return page, data


def resolve_with_first_page(
    client: AtomsClient, ref: str, *, page_size: int | None = None
) -> tuple[Audience, MemberPage | None]:
    """The audience `ref` names and, when `ref` is an id, its first page of members,
    asked for at the same time as the lookup (one round trip instead of two).

    The page is dropped when the lookup finds another audience (a name that looks
    like an id) or when it failed: then the reader asks for page 1 itself.
    """
    from audience_cli.core.audiences import OBJECT_ID, resolve_audience

    ref = ref.strip()
    if client.concurrency < 2 or not OBJECT_ID.fullmatch(ref):
        return resolve_audience(client, ref), None
    from concurrent.futures import ThreadPoolExecutor

    page_size = page_size or client.page_size  # AUDIENCE_PAGE_SIZE, else 100
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="members-page")
    try:
        early = pool.submit(_page, client, ref, 1, page_size)
        audience = resolve_audience(client, ref)
        if str(audience.get("_id")) != ref:
            return audience, None
        try:
            return audience, early.result()
        except AudienceError:  # the reader asks again, and reports its own error
            return audience, None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class Present:
    """A member as the audience holds it: its id and its data."""

    member_id: str
    data: Mapping[str, Any]


def read_audience(
    client: AtomsClient, audience: Audience, *, on_page: PageRead | None = None
) -> dict[str, Present]:
    """Every member of `audience` by its number: the one copy of the member set a plan holds."""
    column = phone_column_of(audience)
    present: dict[str, Present] = {}
    audience_id, expected = str(audience.get("_id")), member_count(audience)
    for member in iter_members(client, audience_id, expected=expected, on_page=on_page):
        data = member.get("data") or {}
        phone = str(data.get(column) or "")
        if phone:
            present[phone] = Present(str(member.get("_id")), data)
    return present


def read_all_data(
    client: AtomsClient, audience: Audience, *, on_page: PageRead | None = None
) -> list[dict[str, Any]]:
    """Every member's data (a snapshot's rows), read whole or not at all."""
    audience_id, expected = str(audience.get("_id")), member_count(audience)
    every = iter_members(client, audience_id, expected=expected, on_page=on_page)
    return [dict(m.get("data") or {}) for m in every]


def _more(data: Mapping[str, Any], page: int) -> bool:
    members = data.get("members") or []
    total_pages = data.get("totalPages")
    return bool(members) and bool(data.get("hasMore") or (total_pages and page < total_pages))


def _page(client: AtomsClient, audience_id: str, page: int, page_size: int) -> MemberPage:
    return client.list_members(audience_id, page=page, page_size=page_size)


class _PageCheck:
    """What pages must add up to: no member twice, no more than counted, a page cap."""

    def __init__(
        self, audience_id: str, page_size: int, member_limit: int, on_page: PageRead | None
    ) -> None:
        self.audience_id = audience_id
        self.on_page = on_page
        self.page_size = page_size  # asked for
        self.served = page_size  # what the server sends: smaller, when that is its largest
        self.member_limit = member_limit
        self.cap = math.ceil(member_limit / page_size) + 1  # no audience holds more
        self.seen: set[str] = set()
        self.total = 0  # the count the last page read gave
        self.sizes: dict[int, int] = {}  # members on each page read

    def members(self, page: int, data: Mapping[str, Any]) -> list[Member]:
        members: list[Member] = list(data.get("members") or [])
        total = int(data.get("totalCount") or 0)
        self.total = total
        self.sizes[page] = len(members)
        for member in members:
            member_id = str(member.get("_id"))
            if member_id in self.seen:
                raise PagingError(
                    f"page {page} of audience {self.audience_id} repeats member {member_id}: "
                    "the server's pages do not add up; stopped reading"
                )
            self.seen.add(member_id)
        if total and len(self.seen) > total:
            raise PagingError(
                f"audience {self.audience_id} sent {len(self.seen):,} members by page {page}, "
                f"more than the {total:,} it counts; stopped reading"
            )
        if members and len(members) < self.served and _more(data, page):
            # A full page shorter than asked: the server's largest. Its pages count in it.
            self.served = len(members)
            self.cap = math.ceil(self.member_limit / self.served) + 1
        if self.on_page is not None:
            self.on_page(len(members), total)
        return members

    def complete(self) -> None:
        """The pages ended: they must have brought every member the server counts. An
        empty or short page (or a page that was lost) is never taken for the end."""
        if not self.total or len(self.seen) >= self.total:
            return
        pages = sorted(self.sizes)
        read = f"page {pages[0]}" if len(pages) == 1 else f"pages {pages[0]}-{pages[-1]}"
        largest = max(self.sizes.values())
        short = [p for p in pages if self.sizes[p] < largest][:5]
        said = "; short: " + ", ".join(f"page {p} had {self.sizes[p]}" for p in short)
        raise PagingError(
            f"audience {self.audience_id}: the pages ended with {len(self.seen):,} members "
            f"({read} read{said if short else ''}) but the server counts {self.total:,}; "
            "the read is incomplete, so it was not used"
        )

    def past_cap(self, pages: int) -> None:
        raise PagingError(
            f"audience {self.audience_id} still has more after {pages:,} pages of "
            f"{self.served}, past anything the {self.member_limit:,}-member limit "
            "allows; stopped reading"
        )


@dataclass(frozen=True)
class SearchFound:
    members: list[Member]
    total: int


def search_members(
    client: AtomsClient,
    audience_id: str,
    *,
    query: str | None = None,
    filters: Mapping[str, str] | None = None,
) -> SearchFound:
    """Members with `query` in any field, or whose fields match `filters` (one or the other)."""
    result = client.search_members(audience_id, query=query, filters=filters)
    found = list(result.get("members") or [])
    total = (result.get("searchInfo") or {}).get("totalResults", len(found))
    return SearchFound(found, int(total))


@dataclass
class Removal:
    """Members to remove from an audience, and what came of it."""

    audience: Audience
    member_ids: dict[str, str]  # member id -> what the user gave (the id, or the number)
    not_found: list[str]  # numbers that are not in the audience
    dry_run: bool = True
    deleted: int = 0
    unknown_ids: int = field(default=0)  # given ids the server did not delete

    def require_some(self) -> None:
        """Raise `NothingRemovedError` when nothing named is in the audience."""
        if not self.member_ids:
            raise NothingRemovedError(
                "none of the given numbers is in the audience: nothing was removed"
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "audience": {"_id": self.audience.get("_id"), "name": self.audience.get("name")},
            "memberIds": list(self.member_ids),
            "notFound": list(self.not_found),
            "dryRun": self.dry_run,
            "deletedCount": self.deleted,
        }


SEARCHED_AT_MOST = 20  # numbers above which the audience is read once instead of searched


def plan_removal(
    client: AtomsClient,
    audience: Audience,
    *,
    numbers: Sequence[str],
    member_ids: Sequence[str],
    read_all: bool | None = None,
) -> Removal:
    """The member ids behind E.164 `numbers` and `member_ids`.

    A few numbers (at most `SEARCHED_AT_MOST`) are looked up with the search endpoint,
    one request each; more (a file of many), or `read_all`, and the audience's members
    are read once instead."""
    if read_all is None:
        read_all = len(numbers) > SEARCHED_AT_MOST
    audience_id = str(audience.get("_id"))
    column = phone_column_of(audience)
    ids: dict[str, str] = {i: i for i in member_ids}
    missing: list[str] = []
    by_phone: dict[str, list[str]] | None = None
    if read_all:
        by_phone = {}
        for member in iter_members(client, audience_id):
            by_phone.setdefault(member_phone(member, column), []).append(str(member.get("_id")))
    for number in dict.fromkeys(numbers):
        if by_phone is not None:
            exact = by_phone.get(number, [])
        else:
            found = client.search_members(audience_id, query=number).get("members") or []
            exact = [str(m.get("_id")) for m in found if member_phone(m, column) == number]
        if not exact:
            missing.append(number)
        for member_id in exact:
            ids[member_id] = number
    return Removal(audience, ids, missing)


def remove_members(client: AtomsClient, removal: Removal) -> Removal:
    """Remove the members of `removal`; none removed at all is a `NothingRemovedError`.

    When the request was sent again after an attempt that may have been carried
    out, the server's count misses what that attempt removed: the members still
    there are counted instead, so a retried removal that did its job is not an error.
    """
    audience = removal.audience
    audience_id = str(audience.get("_id"))
    answer = client.remove_members(audience_id, list(removal.member_ids))
    deleted = int(answer.get("deletedCount", 0) or 0)
    if answer.get("retried") and deleted < len(removal.member_ids):
        still = {str(m.get("_id")) for m in iter_members(client, audience_id)}
        deleted = sum(1 for member_id in removal.member_ids if member_id not in still)
    if not deleted:
        raise NothingRemovedError(
            f"none of the given members is in {audience.get('name')!r}: nothing was removed"
        )
    removal.dry_run = False
    removal.deleted = deleted
    removal.unknown_ids = max(0, len(removal.member_ids) - deleted)
    return removal


@dataclass(frozen=True)
class ExportRows:
    """Every member (its id and data), and the data keys beyond the names and the number."""

    phone_column: str
    members: list[Member]
    extra_keys: list[str]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Each member's data."""
        return [dict(m.get("data") or {}) for m in self.members]


def export_rows(
    client: AtomsClient,
    audience: Audience,
    *,
    first: MemberPage | None = None,
    on_page: PageRead | None = None,
) -> ExportRows:
    column = phone_column_of(audience)
    audience_id, expected = str(audience.get("_id")), member_count(audience)
    every = iter_members(client, audience_id, first=first, expected=expected, on_page=on_page)
    members = list(every)
    return ExportRows(column, members, data_keys((m.get("data") or {} for m in members), column))
