"""The organisation's do-not-call list: a page, the whole list read once, the numbers it
forbids, and the suppression an import applies (the list, and other lists of numbers).

Atoms keeps one do-not-call list per organisation (`GET /dnc`). An entry either binds
the whole organisation (`agentId` None) or one agent: an import applies the
organisation-wide entries always, and one agent's entries only when it says which
agent will call. The list is read whole once per run, page 1 first (for the page
count), then the other pages a few at a time, and kept in memory for the run only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from audience_cli.errors import (
    ApiError,
    BadResponseError,
    DncReadError,
    PagingError,
)
from audience_cli.model import DNC_MAX_PAGE_SIZE, Audience, DncEntry, member_phone, phone_column_of
from audience_cli.phone import phone_or_reason
from audience_cli.reasons import PhoneReason, RowReason

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient

# Reject reasons of the rows an import must not call (the report, the rejects file).
DO_NOT_CALL = RowReason.DO_NOT_CALL  # on the organisation's do-not-call list
EXCLUDED = RowReason.EXCLUDED  # on a suppression list the command was given

MAX_DNC_PAGES = 20_000  # 10 million entries of 500: a page count past it is a server fault


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DncListPage:
    """One page of the do-not-call list, with what the server said about the rest."""

    entries: list[DncEntry]
    page: int
    page_size: int  # the page size the server used
    total: int
    pages: int
    has_more: bool

    @property
    def past_the_end(self) -> bool:
        return self.total > 0 and self.page > self.pages


def page_of_dnc(
    client: AtomsClient,
    *,
    page: int = 1,
    page_size: int = DNC_MAX_PAGE_SIZE,
    search: str | None = None,
    agent_id: str | None = None,
    sort_field: str | None = None,
    sort_order: str | None = None,
) -> DncListPage:
    """One page; `agent_id` keeps that agent's entries only (the server's filter)."""
    data = client.list_dnc(
        page=page,
        page_size=page_size,
        search=search,
        agent_id=agent_id,
        sort_field=sort_field,
        sort_order=sort_order,
    )
    return _checked_page(data, page, page_size)


def _checked_page(data: Any, page: int, page_size: int) -> DncListPage:
    entries = data.get("entries") if isinstance(data, dict) else None
    pagination = data.get("pagination") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not isinstance(pagination, dict):
        raise BadResponseError(
            f"page {page} of the do-not-call list is not the API's answer "
            "(no entries and pagination)"
        )
    total = _count(pagination.get("total"))
    size = _count(pagination.get("offset")) or page_size
    given_pages = pagination.get("totalPages")
    pages = _count(given_pages) if given_pages is not None else math.ceil(total / size)
    return DncListPage(
        entries=[cast(DncEntry, e) for e in entries if isinstance(e, dict)],
        page=page,
        page_size=size,
        total=total,
        pages=pages,
        has_more=bool(pagination.get("hasMore")) or page < pages,
    )


def _count(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def read_dnc(
    client: AtomsClient,
    *,
    search: str | None = None,
    agent_id: str | None = None,
    page_size: int = DNC_MAX_PAGE_SIZE,
    workers: int | None = None,
) -> list[DncEntry]:
    """Every entry: page 1 (which gives the page count), then the others, `workers` at
    a time (default: the client's concurrency, `--concurrency`), oldest entries first
    (so entries added meanwhile land after the last page).

    `client` is shared by the threads (AtomsClient is thread-safe). Pages that do not
    add up are a `PagingError`, never a short list taken for the whole: an absurd page
    count, or fewer distinct entries than the first page counted (a page repeated, a
    page empty, or entries removed while the list was read). The first failed page
    stops the read; the pages not yet asked for are not asked.
    """

    def fetch(page: int) -> DncListPage:
        return page_of_dnc(
            client,
            page=page,
            page_size=page_size,
            search=search,
            agent_id=agent_id,
            sort_field="createdAt",
            sort_order="asc",
        )

    first = fetch(1)
    pages = first.pages
    if first.has_more and pages <= 1:
        raise PagingError(
            "the do-not-call list says it has more entries than its first page but not how "
            "many pages; stopped reading"
        )
    if pages > MAX_DNC_PAGES:
        raise PagingError(
            f"the do-not-call list says it has {pages:,} pages of {first.page_size}, more than "
            f"the {MAX_DNC_PAGES:,} this tool reads; stopped reading"
        )
    found = [first]
    if pages > 1:
        from audience_cli.core.fan_out import FanOut

        workers = min(workers or client.concurrency, pages - 1)
        with FanOut(fetch, workers=workers, name="dnc") as fan:
            found.extend(result for _, result in fan.in_order(range(2, pages + 1)))
    entries: list[DncEntry] = []
    seen: set[str] = set()
    for result in found:
        for entry in result.entries:
            key = str(entry.get("id") or (entry.get("phoneNumber"), entry.get("agentId")))
            if key not in seen:
                seen.add(key)
                entries.append(entry)
    if len(entries) < first.total:
        raise PagingError(
            f"the do-not-call list counts {first.total:,} entries but its {max(pages, 1):,} "
            f"pages held {len(entries):,} distinct ones (did it change while it was read?); "
            "stopped reading"
        )
    return entries


# --- the numbers it forbids -------------------------------------------------------------


def entry_number(raw: str, region: str | None = None) -> str | None:
    """An entry's number in E.164: as written, or national with `region`, or digits
    alone read as international ("14155550100"); None when it is no number at all."""
    found = phone_or_reason(raw, region)
    if not isinstance(found, PhoneReason):
        return found
    digits = "".join(ch for ch in raw if ch.isdigit())
    if digits and not raw.strip().startswith("+") and len(digits) >= 8:
        again = phone_or_reason("+" + digits, None)
        if not isinstance(again, PhoneReason):
            return again
    return None


@dataclass(frozen=True)
class DoNotCall:
    """The numbers (E.164) on the list that apply to a run, each with its entry."""

    by_number: dict[str, DncEntry]
    entries: int  # entries read
    agent_id: str | None = None
    agent_entries: int = 0  # entries of `agent_id`, applied
    other_agents: int = 0  # entries of other agents (or of any agent, when none is given)
    unreadable: list[str] = field(default_factory=list)  # entries that are no phone number

    def __contains__(self, number: object) -> bool:
        return number in self.by_number

    def __len__(self) -> int:
        return len(self.by_number)


def do_not_call(
    entries: Iterable[DncEntry], *, agent_id: str | None = None, region: str | None = None
) -> DoNotCall:
    """The numbers `entries` forbid: organisation-wide ones, plus `agent_id`'s.

    An organisation-wide entry wins over an agent's for the same number."""
    by_number: dict[str, DncEntry] = {}
    count = agent_entries = other_agents = 0
    unreadable: list[str] = []
    wanted = agent_id.lower() if agent_id else None
    for entry in entries:
        count += 1
        scope = str(entry.get("agentId") or "").lower() or None
        if scope is not None:
            if scope != wanted:
                other_agents += 1
                continue
            agent_entries += 1
        raw = str(entry.get("phoneNumber") or "")
        number = entry_number(raw, region)
        if number is None:
            unreadable.append(raw)
            continue
        if number not in by_number or scope is None:
            by_number[number] = entry
    return DoNotCall(by_number, count, agent_id, agent_entries, other_agents, unreadable)


def load_do_not_call(
    client: AtomsClient,
    *,
    agent_id: str | None = None,
    region: str | None = None,
    during_import: bool = True,
) -> DoNotCall:
    """The whole list read once, as the numbers that apply; any failure to read it is a
    `DncReadError` (with the exit code of the failure underneath)."""
    try:
        entries = read_dnc(client)
    except ApiError as exc:
        raise DncReadError(exc, during_import=during_import) from exc
    return do_not_call(entries, agent_id=agent_id, region=region)


# --- suppression: the numbers an import must not call, and why ----------------------------


class Suppression:
    """Numbers an import must not call, each with its reject reason, from several lists.

    Each list is a loader, called once, at the first number asked about (so a file
    that fails its own checks costs no request), with the detail a report shows for
    its numbers (which list: "in audience 'X' (--exclude-audience)"). Call the object
    with an E.164 number for its reason, or None; `why` gives the reason and the
    detail. Do-not-call wins over any other reason for one number.
    """

    def __init__(self) -> None:
        self._loaders: list[tuple[str, str, Callable[[], Collection[str]]]] = []
        self._reasons: dict[str, tuple[str, str]] | None = None

    def add(
        self,
        reason: str,
        numbers: Collection[str] | Callable[[], Collection[str]],
        *,
        detail: str = "",
    ) -> None:
        if self._reasons is not None:
            raise RuntimeError("a suppression list was added after the first look-up")
        load = numbers if callable(numbers) else (lambda: numbers)
        self._loaders.append((reason, detail, load))

    def __bool__(self) -> bool:
        return bool(self._loaders)

    @property
    def loaded(self) -> bool:
        return self._reasons is not None

    def load(self) -> dict[str, tuple[str, str]]:
        """Read every list now (each once): number -> (reason, detail)."""
        if self._reasons is None:
            reasons: dict[str, tuple[str, str]] = {}
            for reason, detail, load in sorted(
                self._loaders, key=lambda item: item[0] == DO_NOT_CALL
            ):
                reasons.update(dict.fromkeys(load(), (reason, detail)))
            self._reasons = reasons
        return self._reasons

    def __call__(self, number: str) -> str | None:
        found = self.load().get(number)
        return None if found is None else found[0]

    def why(self, number: str) -> tuple[str, str] | None:
        """The reason not to call `number` and the detail of the list that says so, or None."""
        return self.load().get(number)


def audience_numbers(
    client: AtomsClient, audience: Audience, *, region: str | None = None
) -> set[str]:
    """The numbers (E.164) of every member of `audience`."""
    from audience_cli.core.members import iter_members

    column = phone_column_of(audience)
    numbers: set[str] = set()
    for member in iter_members(client, str(audience.get("_id"))):
        number = entry_number(member_phone(member, column), region)
        if number:
            numbers.add(number)
    return numbers


# --- which numbers of a source are on the list -----------------------------------------


@dataclass(frozen=True)
class DncMatch:
    """A number of a file or an audience that is on the list, and the entry that says so.

    `where` is the file's line or the member's id."""

    phone: str
    entry: DncEntry
    first_name: str = ""
    last_name: str = ""
    line: int | str | None = None  # a text file's line, a workbook's Sheet1!7
    member_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "phoneNumber": self.phone,
            "firstName": self.first_name,
            "lastName": self.last_name,
        }
        if self.line is not None:
            document["line"] = self.line
        if self.member_id is not None:
            document["memberId"] = self.member_id
        document["dnc"] = dict(self.entry)
        return document


@dataclass(frozen=True)
class DncCheck:
    """What `numbers` of a source are on the list: the matches, in the source's order."""

    source: str
    checked: int  # distinct numbers looked at
    matches: list[DncMatch]
    dnc: DoNotCall


def check_members(client: AtomsClient, audience: Audience, dnc: DoNotCall) -> DncCheck:
    """The members of `audience` whose number is on the list (a match per member)."""
    from audience_cli.core.members import iter_members
    from audience_cli.model import FIRST_NAME_KEY, LAST_NAME_KEY

    column = phone_column_of(audience)
    matches: list[DncMatch] = []
    seen: set[str] = set()
    for member in iter_members(client, str(audience.get("_id"))):
        number = entry_number(member_phone(member, column))
        if number is None:
            continue
        seen.add(number)
        entry = dnc.by_number.get(number)
        if entry is not None:
            data: Mapping[str, Any] = member.get("data") or {}
            matches.append(
                DncMatch(
                    number,
                    entry,
                    str(data.get(FIRST_NAME_KEY) or ""),
                    str(data.get(LAST_NAME_KEY) or ""),
                    member_id=str(member.get("_id")),
                )
            )
    return DncCheck(str(audience.get("name") or audience.get("_id")), len(seen), matches, dnc)


def check_numbers(
    source: str, contacts: Iterable[tuple[str, str, str, int | str | None]], dnc: DoNotCall
) -> DncCheck:
    """Which of `contacts` ((E.164, first name, last name, line), unique) are on the list."""
    matches: list[DncMatch] = []
    checked = 0
    for phone, first, last, line in contacts:
        checked += 1
        entry = dnc.by_number.get(phone)
        if entry is not None:
            matches.append(DncMatch(phone, entry, first, last, line=line))
    return DncCheck(source, checked, matches, dnc)


def members_on_list(client: AtomsClient, audience: Audience, dnc: DoNotCall) -> dict[str, str]:
    """Member id -> number, of every member of `audience` whose number is on the list."""
    return {str(m.member_id): m.phone for m in check_members(client, audience, dnc).matches}
