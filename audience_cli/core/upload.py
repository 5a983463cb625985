"""Sending a checked contact list to Atoms: create (optionally split) or add, in chunks.

Everything is checked and planned before the first request (strict mode, the
member limit, the 5 MB CSV limit); then members go in chunks, reporting progress
through a callback. A failure half way raises an error that says exactly what
was done (`PartialUploadError`, `CreateUncertainError`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from audience_cli.core.chunks import ChunkFailure, chunked, send_chunks
from audience_cli.core.members import PageRead, Present, read_audience
from audience_cli.errors import (
    ApiError,
    AudienceError,
    BadRequestError,
    CliError,
    CreateUncertainError,
    CsvTooLargeError,
    ExitCode,
    MemberLimitError,
    MemberLimitReachedError,
    NameTakenError,
    NoRoomError,
    PartialUploadError,
    RowsRejectedError,
    UsageError,
    exit_code_for,
    stop_word,
)
from audience_cli.model import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MEMBER_LIMIT,
    DEFAULT_PHONE_COLUMN,
    MAX_CSV_BYTES,
    NAME_KEYS,
    Audience,
    members_csv,
    phone_column_of,
)

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient
    from audience_cli.contacts import Contact, ContactBatch
    from audience_cli.model import AddCounts

Progress = Callable[[int], None]  # members just sent


def _no_progress(members: int) -> None:
    return None


@dataclass(frozen=True)
class UploadSettings:
    chunk_size: int = DEFAULT_CHUNK_SIZE
    member_limit: int = DEFAULT_MEMBER_LIMIT
    dry_run: bool = False
    strict: bool = False
    phone_column: str = DEFAULT_PHONE_COLUMN
    identifier_column: str | None = None  # the member field that identifies a member
    create_size: int | None = None  # members in a create request (None: all the 5 MB allow)


def check_rejects(
    batch: ContactBatch, settings: UploadSettings, *, allow_empty: bool = False
) -> None:
    """Refuse before any request: rejected rows under strict mode, or nothing valid to send."""
    report = batch.report
    if settings.strict and report.invalid:
        raise RowsRejectedError(
            f"{report.invalid:,} row(s) rejected and strict mode is on: nothing was sent",
            strict=True,
        )
    if len(batch) == 0 and not (allow_empty and not report.invalid):
        message = "no valid contacts to send: nothing was sent"
        if report.invalid:
            raise RowsRejectedError(message, strict=False)
        raise CliError(message, exit_code=ExitCode.USAGE)


def split_sizes(total: int, limit: int) -> list[int]:
    """Even segment sizes, each within the limit: 25,000 at 10,000 -> 3 of ~8,334."""
    parts = max(1, math.ceil(total / limit))
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def segment_names(name: str, parts: int) -> list[str]:
    return [name] if parts == 1 else [f"{name} ({i}/{parts})" for i in range(1, parts + 1)]


def _first_request(members: list[dict[str, str]], phone_column: str) -> tuple[int, bytes]:
    """How many of `members` the create CSV carries under the 5 MB limit, and that CSV.

    The CSV is built once, except when it is too large: then it is halved until it fits.
    """
    n = len(members)
    body = members_csv(members, phone_column)
    while len(body) > MAX_CSV_BYTES:
        if n == 1:
            raise CsvTooLargeError(
                f"one member alone makes a CSV of {len(body) / 1e6:.1f} MB; "
                "the API accepts at most 5 MB"
            )
        n //= 2
        body = members_csv(members[:n], phone_column)
    return n, body


def _within_csv_limit(
    contacts: Iterator[Contact], most: int, phone_column: str
) -> list[dict[str, str]]:
    """Up to `most` contacts as members, stopping once their rows would make more than the
    5 MB the create CSV may hold (estimated; `_first_request` makes sure)."""
    taken: list[dict[str, str]] = []
    estimate = 0
    for contact in islice(contacts, most):
        member = contact.to_member(phone_column)
        taken.append(member)
        estimate += sum(len(v) + 3 for v in member.values()) + 2
        if estimate > MAX_CSV_BYTES:
            break
    return taken


# --- create -----------------------------------------------------------------------------


@dataclass
class Segment:
    """One audience of a create: its name, its size, and the CSV its create request carries."""

    name: str
    size: int
    first: int  # members in the create request; the rest go in adds
    body: bytes = field(repr=False, default=b"")

    def requests(self, chunk_size: int) -> int:
        return 1 + math.ceil((self.size - self.first) / chunk_size)


@dataclass
class CreatePlan:
    name: str
    segments: list[Segment]
    chunk_size: int
    phone_column: str
    identifier_column: str | None = None

    @property
    def requests(self) -> int:
        return sum(s.requests(self.chunk_size) for s in self.segments)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.segments]

    def to_json(self) -> dict[str, Any]:
        return {
            "audiences": [{"name": s.name, "members": s.size} for s in self.segments],
            "chunkSize": self.chunk_size,
            "requests": self.requests,
        }


def plan_create(
    batch: ContactBatch, name: str, settings: UploadSettings, *, split: bool
) -> CreatePlan:
    """Check the batch and lay out the audiences and requests of a create (sends nothing)."""
    check_rejects(batch, settings)
    total = len(batch)
    if total > settings.member_limit and not split:
        raise MemberLimitError(total, settings.member_limit, name=name)
    sizes = split_sizes(total, settings.member_limit)
    column = settings.phone_column
    contacts = iter(batch)
    segments: list[Segment] = []
    for segment_name, size in zip(segment_names(name, len(sizes)), sizes, strict=True):
        first = _within_csv_limit(contacts, min(size, settings.create_size or size), column)
        fit, body = _first_request(first, column)
        segments.append(Segment(segment_name, size, fit, body))
        for _ in islice(contacts, size - len(first)):
            pass
    identifier = settings.identifier_column
    if identifier:
        fields = [*NAME_KEYS, column, *batch.csv_header_keys()]
        if identifier not in fields:
            raise UsageError(
                f"the identifier column {identifier!r} is not a field of these contacts; "
                f"their fields are: {', '.join(fields)}"
            )
    return CreatePlan(name, segments, settings.chunk_size, column, identifier)


@dataclass
class Existing:
    """The audiences there were before a create: their ids, and those with a planned name."""

    ids: set[str]
    taken: list[Audience]


def check_names(client: AtomsClient, plan: CreatePlan, *, allow_duplicate: bool) -> Existing:
    """Refuse a name an audience already has (unless allowed), before anything is sent.

    Names are how people and scripts address audiences: a second audience of the
    same name makes every later look-up by that name ambiguous.
    """
    audiences = client.list_audiences()
    names = set(plan.names)
    taken = [a for a in audiences if a.get("name") in names]
    if taken and not allow_duplicate:
        raise NameTakenError([str(a.get("name")) for a in taken], [str(a["_id"]) for a in taken])
    return Existing({str(a.get("_id")) for a in audiences}, taken)


@dataclass
class CreatedAudience:
    audience: Audience
    added: int
    skipped: int
    recovered: str | None = None  # the create's failure, when the audience was found made
    retried: bool = False  # an add was sent again after an attempt that may have been done


@dataclass
class CreateResult:
    plan: CreatePlan
    created: list[CreatedAudience]

    @property
    def added(self) -> int:
        return sum(c.added for c in self.created)

    @property
    def skipped(self) -> int:
        return sum(c.skipped for c in self.created)


def send_create(
    client: AtomsClient,
    batch: ContactBatch,
    plan: CreatePlan,
    *,
    existing: Existing | None = None,
    description: str | None = None,
    progress: Progress = _no_progress,
) -> CreateResult:
    """Create the plan's audiences and fill them.

    A create whose answer is lost may have been carried out: the audience it
    may have made is looked for (its name, an id not in `existing`) and, when
    found, filled with adds (which skip what is there), never created twice.
    """
    known = set((existing or Existing(set(), [])).ids)
    if existing is None:
        known = {str(a.get("_id")) for a in client.list_audiences()}
    created: list[CreatedAudience] = []
    contacts = _Cursor(batch)
    split = len(plan.segments) > 1
    for segment in plan.segments:
        made = _create_segment(
            client, segment, contacts, plan, description, progress, created, split, known
        )
        known.add(str(made.audience.get("_id")))
        created.append(made)
    if any(c.recovered or c.retried for c in created):
        _settle_counts(client, created)
    return CreateResult(plan, created)


def _no_taken(taken: list[Audience]) -> None:
    pass


def create_checked(
    client: AtomsClient,
    batch: ContactBatch,
    plan: CreatePlan,
    *,
    allow_duplicate: bool = False,
    description: str | None = None,
    on_taken: Callable[[list[Audience]], None] = _no_taken,
    progress: Progress = _no_progress,
) -> CreateResult:
    """A create as `create` and `sync --create` send it: the names checked (a taken one
    refused unless allowed, else handed to `on_taken` before anything is sent), the
    audiences created and filled (`send_create`), and what was added and skipped
    counted into the batch's report."""
    existing = check_names(client, plan, allow_duplicate=allow_duplicate)
    if existing.taken:
        on_taken(existing.taken)
    result = send_create(
        client, batch, plan, existing=existing, description=description, progress=progress
    )
    batch.report.added, batch.report.skipped = result.added, result.skipped
    return result


class _Cursor:
    """The batch, read from where the last segment stopped, and only when members are
    left for adds (a create that carried them all reads the spool no further)."""

    def __init__(self, batch: ContactBatch) -> None:
        self._batch = batch
        self._it: Iterator[Contact] | None = None
        self._skipped = 0

    def skip(self, count: int) -> None:
        if self._it is None:
            self._skipped += count
        else:
            for _ in islice(self._it, count):
                pass

    def take(self, count: int) -> Iterator[Contact]:
        if self._it is None:
            self._it = islice(iter(self._batch), self._skipped, None)
        return islice(self._it, count)


CREATE_ATTEMPTS = 3  # creates sent in all when each answer is lost and nothing was made


def _create_or_find(
    client: AtomsClient,
    segment: Segment,
    plan: CreatePlan,
    description: str | None,
    known: set[str],
) -> tuple[Audience, str | None]:
    """The new audience, and the failure it was found after (None: the create answered)."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            made = client.create_audience(
                segment.name,
                segment.body,
                phone_column=plan.phone_column,
                identifier_column=plan.identifier_column,
                description=description,
            )
            return made, None
        except ApiError as exc:
            if not exc.maybe_processed:
                raise
            try:
                found = [
                    a
                    for a in client.list_audiences()
                    if a.get("name") == segment.name and str(a.get("_id")) not in known
                ]
            except ApiError:
                raise CreateUncertainError(
                    f"{exc.message}; the audience may have been created, and the list of "
                    "audiences could not be read to check",
                    name=segment.name,
                    exit_code=exc.exit_code,
                ) from None
            if len(found) == 1:
                return found[0], exc.message
            if found:
                ids = ", ".join(str(a.get("_id")) for a in found)
                raise CreateUncertainError(
                    f"{exc.message}; then {len(found)} new audiences named {segment.name!r} "
                    f"appeared ({ids}): another run may be creating it too",
                    name=segment.name,
                    exit_code=exc.exit_code,
                ) from None
            if attempt == CREATE_ATTEMPTS:
                exc.message += f" (checked: no audience named {segment.name!r} was created)"
                exc.args = (exc.message,)
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _create_segment(
    client: AtomsClient,
    segment: Segment,
    contacts: _Cursor,
    plan: CreatePlan,
    description: str | None,
    progress: Progress,
    done: list[CreatedAudience],
    split: bool,
    known: set[str],
) -> CreatedAudience:
    column = plan.phone_column
    try:
        audience, recovered = _create_or_find(client, segment, plan, description, known)
    except (AudienceError, KeyboardInterrupt) as exc:
        raise _create_failed(exc, segment.name, done) from None
    segment.body = b""  # sent: not kept for the rest of the upload
    added = skipped = 0
    retried = False
    left = segment.size
    if recovered is None:
        contacts.skip(segment.first)  # those were in the create request
        progress(segment.first)
        added, left = segment.first, segment.size - segment.first
    # After a lost answer every member goes through add: the server skips what is there.
    rest = (c.to_member(column) for c in contacts.take(left))

    def answered(members: int, counts: AddCounts) -> None:
        nonlocal added, skipped, retried
        added += counts["added"]
        skipped += counts["skipped"]
        retried = retried or bool(counts.get("retried"))
        progress(members)

    try:
        send_chunks(client, str(audience.get("_id")), chunked(rest, plan.chunk_size), answered)
    except ChunkFailure as failed:
        raise _segment_add_failed(
            failed, audience, segment.size, added + skipped, done if split else None
        ) from None
    audience = {**audience, "memberCount": added}
    return CreatedAudience(audience, added, skipped, recovered, retried)


def _settle_counts(client: AtomsClient, created: list[CreatedAudience]) -> None:
    """Take member counts from the server, after a retry or a recovered create.

    Counting answers is not enough then: when an add times out after the server
    stored it, the retry is answered "skipped", yet those members were added by
    this run (a new audience holds nothing else).
    """
    try:
        counts = {a.get("_id"): a.get("memberCount") for a in client.list_audiences()}
    except AudienceError:
        return  # the counts from the answers stand
    for item in created:
        count = counts.get(item.audience.get("_id"))
        if isinstance(count, int):
            sent = item.added + item.skipped
            item.audience["memberCount"] = count
            item.added, item.skipped = count, max(0, sent - count)


def _create_failed(
    exc: AudienceError | KeyboardInterrupt, name: str, done: list[CreatedAudience]
) -> BaseException:
    """The error to raise when creating `name` failed, after the audiences in `done`."""
    if not done:
        if isinstance(exc, KeyboardInterrupt):
            return CreateUncertainError(
                f"{stop_word(exc)} while creating {name!r}", name=name, exit_code=exit_code_for(exc)
            )
        return exc
    _, code = _stopped(exc)
    made = ", ".join(f"{c.audience.get('name')!r} ({c.audience.get('_id')})" for c in done)
    failed = f"failed: {exc.message}" if isinstance(exc, AudienceError) else f"was {stop_word(exc)}"
    return PartialUploadError(
        f"created {made}, then creating {name!r} {failed}",
        exit_code=code,
        audience_id="",
        created=False,
        split_made=[str(c.audience.get("_id")) for c in done],
    )


def _segment_add_failed(
    failed: ChunkFailure,
    audience: Audience,
    size: int,
    sent: int,
    split_done: list[CreatedAudience] | None,
) -> PartialUploadError:
    """The error for an add that failed after `audience` was created with `sent` members.

    `split_done` holds the earlier parts of a split import (None: not a split)."""
    what, code = _stopped(failed.cause)
    if isinstance(failed.cause, KeyboardInterrupt):
        # The requests under way may have been received: their members may be in too.
        count = f"at least {sent:,} (at most {sent + failed.in_flight:,})"
    else:
        count = f"{sent:,}"
    made = None
    if split_done is not None:
        made = [*(f"{c.audience.get('name')!r} ({c.audience.get('_id')})" for c in split_done)]
        made.append(f"{audience.get('name')!r} ({audience.get('_id')})")
    return PartialUploadError(
        f"audience {audience.get('name')!r} ({audience.get('_id')}) was created with {count} of "
        f"{size:,} members, {what}",
        exit_code=code,
        audience_id=str(audience.get("_id")),
        created=True,
        split_made=made,
    )


def _stopped(exc: BaseException) -> tuple[str, ExitCode]:
    """How an upload stopped half way, for the message that says what was done."""
    if isinstance(exc, AudienceError):
        return f"then a request failed: {exc.message}", exc.exit_code
    return f"then it was {stop_word(exc)}", exit_code_for(exc)


# --- add --------------------------------------------------------------------------------


@dataclass
class AddPlan:
    """What an add sends. Near the member limit the audience is read first (`present`):
    then only the numbers not already there are sent, and the rest count as skipped."""

    audience: Audience
    members: int  # to send
    chunk_size: int
    phone_column: str
    present: dict[str, Present] | None = field(default=None, repr=False)
    known_skipped: int = 0  # contacts whose number `present` holds: not sent
    member_limit: int = DEFAULT_MEMBER_LIMIT  # the limit the plan was checked against

    @property
    def requests(self) -> int:
        return math.ceil(self.members / self.chunk_size)

    def to_json(self) -> dict[str, Any]:
        return {
            "audience": self.audience.get("_id"),
            "members": self.members,
            "chunkSize": self.chunk_size,
            "requests": self.requests,
        }


@dataclass
class AddResult:
    plan: AddPlan
    sent: int
    added: int
    skipped: int


def plan_add(
    client: AtomsClient,
    audience: Audience,
    batch: ContactBatch,
    settings: UploadSettings,
    *,
    on_page: PageRead | None = None,
) -> AddPlan:
    """Check the batch against the audience's room. Its `memberCount` answers unless the
    batch could cross the limit; only then are its members read, to count exactly
    (numbers already present are skipped, not added)."""
    check_rejects(batch, settings, allow_empty=True)
    column = phone_column_of(audience)
    current = int(audience.get("memberCount") or 0)
    limit = settings.member_limit
    if current + len(batch) <= limit:
        return AddPlan(audience, len(batch), settings.chunk_size, column, member_limit=limit)
    present = read_audience(client, audience, on_page=on_page)
    new = sum(1 for c in batch if c.phone not in present)
    if len(present) + new > limit:
        raise NoRoomError(str(audience.get("name")), len(present), new, limit)
    return AddPlan(audience, new, settings.chunk_size, column, present, len(batch) - new, limit)


def send_add(
    client: AtomsClient,
    batch: ContactBatch,
    plan: AddPlan,
    *,
    progress: Progress = _no_progress,
) -> AddResult:
    """Add the plan's contacts in chunks; the server skips numbers already present."""
    present = plan.present or {}
    members = (c.to_member(plan.phone_column) for c in batch if c.phone not in present)
    if plan.known_skipped:
        progress(plan.known_skipped)
    counts = add_in_chunks(
        client,
        plan.audience,
        members,
        plan.chunk_size,
        total=plan.members,
        progress=progress,
        member_limit=plan.member_limit,
    )
    skipped = counts.skipped + plan.known_skipped
    return AddResult(plan, counts.sent, counts.added, skipped)


@dataclass(frozen=True)
class AddCountsTotal:
    sent: int
    added: int
    skipped: int


def add_in_chunks(
    client: AtomsClient,
    audience: Audience,
    members: Iterable[dict[str, str]],
    chunk_size: int,
    *,
    total: int | None = None,
    progress: Progress = _no_progress,
    member_limit: int | None = None,
) -> AddCountsTotal:
    """POST `members` in chunks, a few at a time. The counts are the server's answers to
    this run's requests; only a part answered to a retried request is settled by the growth.

    A refusal by the server's member limit is a `MemberLimitReachedError` (`member_limit`:
    the limit this run checked against, for its hint)."""
    audience_id = str(audience.get("_id"))
    if total is None:
        listed = list(members)
        members, total = listed, len(listed)
    added = skipped = uncertain = 0

    def answered(size: int, counts: AddCounts) -> None:
        nonlocal added, skipped, uncertain
        added += counts["added"]
        skipped += counts["skipped"]
        if counts.get("retried"):
            uncertain += counts["skipped"]
        progress(size)

    try:
        sent = send_chunks(client, audience_id, chunked(members, chunk_size), answered)
    except ChunkFailure as failed:
        limit = refused_limit(failed.cause)
        if limit is not None:
            raise _limit_reached(audience, failed, total, added, limit, member_limit) from None
        interrupted = isinstance(failed.cause, KeyboardInterrupt)
        if not failed.sent and not (interrupted and failed.in_flight):
            raise failed.cause from None  # nothing was sent: the error as it is
        what, code = _stopped(failed.cause)
        count = f"{failed.sent:,}"
        if interrupted:
            # The requests under way may have been received: their members may be in too.
            most = failed.sent + failed.in_flight
            count = (
                f"at least {failed.sent:,} (at most {most:,})"
                if failed.sent
                else f"at most {most:,}"
            )
        raise PartialUploadError(
            f"{count} of {total:,} members were sent ({added:,} added), {what}",
            exit_code=code,
            audience_id=audience_id,
            created=False,
        ) from None
    if uncertain:
        added = _settle_retried(client, audience, added, uncertain)
        skipped = sent - added
    return AddCountsTotal(sent, added, skipped)


# Atoms' member-limit refusals: "Audience cannot exceed 10000 members", and "Cannot add
# 15 members. You currently have 9990 members in this audience. The maximum limit is
# 10000 members. You can add up to 10 more members."
_LIMIT_TEXT = re.compile(r"cannot exceed ([\d,]+) members|maximum limit is ([\d,]+) members", re.I)
_ROOM_TEXT = re.compile(r"add up to ([\d,]+) more", re.I)


def refused_limit(cause: BaseException) -> int | None:
    """The member limit a 400 refusal names, or None when it is another refusal."""
    if not isinstance(cause, BadRequestError):
        return None
    found = _LIMIT_TEXT.search(cause.message)
    if found is None:
        return None
    return int((found.group(1) or found.group(2)).replace(",", ""))


def _limit_reached(
    audience: Audience,
    failed: ChunkFailure,
    total: int,
    added: int,
    limit: int,
    our_limit: int | None,
) -> MemberLimitReachedError:
    """What an add refused by the member limit did, and how many more the audience takes."""
    cause = failed.cause
    assert isinstance(cause, BadRequestError)
    before = audience.get("memberCount")
    members = before + added if isinstance(before, int) else None
    said = _ROOM_TEXT.search(cause.message)
    if said is not None:
        room: int | None = int(said.group(1).replace(",", ""))
    else:
        room = None if members is None else max(0, limit - members)
    left = total - failed.sent
    name = str(audience.get("name"))
    facts = [f"{name!r} has {members:,}"] if members is not None else []
    facts += [f"room for {room:,} more"] if room is not None else []
    now = f" ({', '.join(facts)})" if facts else ""
    by_limit = f"by its member limit of {limit:,} members{now}"
    message = (
        f"{failed.sent:,} of {total:,} members were sent ({added:,} added), then Atoms "
        f"refused the rest {by_limit}: {left:,} were not sent"
        if failed.sent
        else f"Atoms refused the add {by_limit}: no member was sent"
    ) + f" (Atoms: {cause.message})"
    return MemberLimitReachedError(
        message,
        audience_id=str(audience.get("_id")),
        name=name,
        sent=failed.sent,
        total=total,
        limit=limit,
        members=members,
        room=room,
        our_limit=our_limit,
    )


def _settle_retried(client: AtomsClient, audience: Audience, added: int, uncertain: int) -> int:
    """How many this run added, when `uncertain` of the "skipped" answers came to
    requests sent again after a lost answer (their first attempt may have added them).

    The counts are the server's answers: another run adding to the same audience
    at the same time must not be counted as ours. Only the uncertain part is
    settled, by the audience's growth, and never beyond it.
    """
    before = audience.get("memberCount")
    try:
        after = next(
            (a.get("memberCount") for a in client.list_audiences() if a["_id"] == audience["_id"]),
            None,
        )
    except AudienceError:
        return added
    if not isinstance(before, int) or not isinstance(after, int):
        return added
    return min(max(after - before, added), added + uncertain)


def create_from_rows(
    client: AtomsClient,
    name: str,
    rows: list[dict[str, str]],
    *,
    phone_column: str,
    chunk_size: int,
    identifier_column: str | None = None,
    description: str | None = None,
    progress: Progress = _no_progress,
) -> CreatedAudience:
    """Create `name` holding `rows` as they are (member data: a snapshot put back): as many
    as fit in the create request, the rest in adds. A lost create answer is recovered as
    any create's is (the audience is looked for, never made twice)."""
    fit, body = _first_request(rows[: max(1, chunk_size)], phone_column)
    segment = Segment(name, len(rows), fit, body)
    plan = CreatePlan(name, [segment], chunk_size, phone_column, identifier_column)
    known = {str(a.get("_id")) for a in client.list_audiences()}
    audience, recovered = _create_or_find(client, segment, plan, description, known)
    rest = rows if recovered is not None else rows[fit:]
    added = 0 if recovered is not None else fit
    progress(len(rows) - len(rest))
    counts = add_in_chunks(client, audience, rest, chunk_size, progress=progress)
    added += counts.added
    return CreatedAudience({**audience, "memberCount": added}, added, counts.skipped, recovered)
