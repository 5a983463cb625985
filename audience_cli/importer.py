"""Sending a checked contact list to Atoms: create (optionally split) or add, in chunks.

Everything is checked before the first request (strict mode, the member
limit, the 5 MB CSV limit); then members go in chunks with a progress bar.
A failure half-way says exactly what was done and how to finish.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from audience_cli.client import build_members_csv
from audience_cli.errors import (
    ApiError,
    ApiTimeoutError,
    AudienceError,
    CliError,
    ExitCode,
    UsageError,
)
from audience_cli.limits import DEFAULT_CHUNK_SIZE, DEFAULT_MEMBER_LIMIT, MAX_CSV_BYTES
from audience_cli.progress import Advance, upload_progress

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient
    from audience_cli.contacts import Contact, ContactBatch
    from audience_cli.context import AppContext


@dataclass(frozen=True)
class ImportSettings:
    chunk_size: int = DEFAULT_CHUNK_SIZE
    member_limit: int = DEFAULT_MEMBER_LIMIT
    dry_run: bool = False
    strict: bool = False
    phone_column: str = "phoneNumber"


def check_rejects(
    batch: ContactBatch, settings: ImportSettings, *, allow_empty: bool = False
) -> None:
    report = batch.report
    if settings.strict and report.invalid:
        raise CliError(
            f"{report.invalid} row(s) rejected and --strict is set: nothing was sent",
            exit_code=ExitCode.ROWS_REJECTED,
            hint="Fix the rows (--rejects FILE writes them out) or drop --strict.",
        )
    if len(batch) == 0 and not (allow_empty and not report.invalid):
        code = ExitCode.ROWS_REJECTED if report.invalid else ExitCode.USAGE
        raise CliError("no valid contacts to send: nothing was sent", exit_code=code)


def split_sizes(total: int, limit: int) -> list[int]:
    """Even segment sizes, each within the limit: 25,000 at 10,000 -> 3 of ~8,334."""
    parts = max(1, math.ceil(total / limit))
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def segment_names(name: str, parts: int) -> list[str]:
    return [name] if parts == 1 else [f"{name} ({i}/{parts})" for i in range(1, parts + 1)]


def _members(contacts: list[Contact], phone_column: str) -> list[dict[str, str]]:
    return [c.to_member(phone_column) for c in contacts]


def _first_chunk_fitting(members: list[dict[str, str]], phone_column: str) -> int:
    """How many of `members` the create CSV can carry under the API's 5 MB limit."""
    n = len(members)
    while n > 1 and len(build_members_csv(members[:n], phone_column)) > MAX_CSV_BYTES:
        n //= 2
    return n


def create_from_batch(
    app: AppContext,
    name: str,
    batch: ContactBatch,
    settings: ImportSettings,
    *,
    description: str | None = None,
    split: bool = False,
) -> dict[str, Any]:
    """Create one audience (or, with split, several) holding every valid contact."""
    check_rejects(batch, settings)
    total = len(batch)
    if total > settings.member_limit and not split:
        parts = math.ceil(total / settings.member_limit)
        raise UsageError(
            f"{total:,} contacts exceed the {settings.member_limit:,}-member limit of one audience",
            hint=f"Add --split to create {parts} audiences named '{name} (1/{parts})'… "
            f"each within the limit, or send a smaller list.",
        )
    sizes = split_sizes(total, settings.member_limit)
    names = segment_names(name, len(sizes))
    plan = {
        "audiences": [{"name": n, "members": s} for n, s in zip(names, sizes, strict=True)],
        "chunkSize": settings.chunk_size,
        "requests": _count_create_requests(batch, sizes, settings),
    }
    if settings.dry_run:
        return {"dryRun": True, "plan": plan, "audiences": []}

    client = app.client()
    taken = [a for a in client.list_audiences() if a.get("name") in names]
    for audience in taken:
        app.warn(
            f"an audience named {audience.get('name')!r} already exists ({audience.get('_id')}): "
            "Atoms allows it, but commands will need ids to tell them apart"
        )
    created: list[dict[str, Any]] = []
    contacts = iter(batch)
    label = f"Uploading to {name!r}"
    with upload_progress(app, total, label, requests=plan["requests"]) as advance:
        for segment_name, size in zip(names, sizes, strict=True):
            audience = _create_segment(
                client,
                segment_name,
                contacts,
                size,
                settings,
                description,
                advance,
                created,
                split=len(sizes) > 1,
            )
            created.append(audience)
    _settle_counts(client, created)
    return {"dryRun": False, "plan": plan, "audiences": created}


def _settle_counts(client: AtomsClient, created: list[dict[str, Any]]) -> None:
    """Take member counts from the server once the upload is done.

    Counting answers is not enough: when an add times out after the server stored
    it, the retry is answered "skipped", yet those members were added by us.
    """
    try:
        counts = {a.get("_id"): a.get("memberCount") for a in client.list_audiences()}
    except AudienceError:
        return  # the counts from the answers stand
    for audience in created:
        count = counts.get(audience["_id"])
        if isinstance(count, int):
            sent = audience["added"] + audience["skipped"]
            audience.update(memberCount=count, added=count, skipped=max(0, sent - count))


def _count_create_requests(batch: ContactBatch, sizes: list[int], settings: ImportSettings) -> int:
    """Requests the upload will make: per audience one create, whose first chunk may be
    cut to fit the 5 MB CSV limit (its remainder is one more request), then the adds."""
    contacts = iter(batch)
    requests = 0
    for size in sizes:
        first = _members(
            list(islice(contacts, min(size, settings.chunk_size))), settings.phone_column
        )
        fit = _first_chunk_fitting(first, settings.phone_column)
        requests += 1 + (fit < len(first)) + math.ceil((size - len(first)) / settings.chunk_size)
        for _ in islice(contacts, size - len(first)):
            pass
    return requests


def _chunks(contacts: Iterator[Contact], size: int, chunk_size: int) -> Iterator[list[Contact]]:
    """The next `size` contacts of `contacts`, `chunk_size` at a time."""
    left = size
    while left > 0:
        chunk = list(islice(contacts, min(chunk_size, left)))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def _create_segment(
    client: AtomsClient,
    name: str,
    contacts: Iterator[Contact],
    size: int,
    settings: ImportSettings,
    description: str | None,
    advance: Advance,
    done: list[dict[str, Any]],
    *,
    split: bool,
) -> dict[str, Any]:
    column = settings.phone_column
    chunks = _chunks(contacts, size, settings.chunk_size)
    first = _members(next(chunks, []), column)
    fit = _first_chunk_fitting(first, column)
    try:
        audience = client.create_audience(
            name, first[:fit], phone_column=column, description=description
        )
    except (AudienceError, KeyboardInterrupt) as exc:
        raise _create_failed(exc, name, done) from None
    advance(fit)
    added, skipped = fit, 0
    rest = chain([first[fit:]] if fit < len(first) else [], (_members(c, column) for c in chunks))
    for chunk in rest:
        try:
            counts = client.add_members(audience["_id"], chunk)
        except (ApiError, KeyboardInterrupt) as exc:
            raise _segment_add_failed(
                exc, audience, size, added + skipped, len(chunk), done if split else None
            ) from None
        added += counts["added"]
        skipped += counts["skipped"]
        advance(len(chunk))
    return {**audience, "memberCount": added, "added": added, "skipped": skipped}


def _create_failed(
    exc: AudienceError | KeyboardInterrupt, name: str, done: list[dict[str, Any]]
) -> BaseException:
    """The error to raise when creating `name` failed, after the audiences in `done`."""
    maybe_created = (
        f"It may have been created anyway: check `audience list` for {name!r} "
        "before running the command again."
    )
    if isinstance(exc, ApiTimeoutError):
        # The request may have arrived: a blind retry could make a second audience.
        exc.hint = maybe_created
    if not done:
        if isinstance(exc, KeyboardInterrupt):
            return CliError(
                f"interrupted while creating {name!r}",
                exit_code=ExitCode.INTERRUPTED,
                hint=maybe_created,
            )
        return exc
    _, code = _stopped(exc)
    made = ", ".join(f"{a.get('name')!r} ({a.get('_id')})" for a in done)
    failed = f"failed: {exc.message}" if isinstance(exc, AudienceError) else "was interrupted"
    return CliError(
        f"created {made}, then creating {name!r} {failed}",
        exit_code=code,
        hint="Import the rest into a new audience, or delete those and run the same command again.",
    )


def _segment_add_failed(
    exc: AudienceError | KeyboardInterrupt,
    audience: dict[str, Any],
    size: int,
    sent: int,
    in_flight: int,
    split_done: list[dict[str, Any]] | None,
) -> CliError:
    """The error for an add that failed after `audience` was created with `sent` members.

    `split_done` holds the earlier parts of a --split import (None: not a split)."""
    what, code = _stopped(exc)
    if isinstance(exc, KeyboardInterrupt):
        # The request under way may have been received: its members may be in too.
        count = f"at least {sent:,} (at most {sent + in_flight:,})"
    else:
        count = f"{sent:,}"
    if split_done is not None:
        made = [f"{a.get('name')!r} ({a.get('_id')})" for a in (*split_done, audience)]
        hint = (
            "This was one part of a --split import, which created "
            f"{', '.join(made)}: delete them and run the same command again."
        )
    else:
        hint = (
            f"Run the same import with `audience add {audience['_id']} …`: "
            "numbers already in the audience are skipped."
        )
    return CliError(
        f"audience {audience.get('name')!r} ({audience['_id']}) was created with {count} of "
        f"{size:,} members, {what}",
        exit_code=code,
        hint=hint,
    )


def _stopped(exc: BaseException) -> tuple[str, ExitCode]:
    """How an upload stopped half way, for the message that says what was done."""
    if isinstance(exc, AudienceError):
        return f"then a request failed: {exc.message}", exc.exit_code
    return "then it was interrupted", ExitCode.INTERRUPTED


def add_from_batch(
    app: AppContext, audience: dict[str, Any], batch: ContactBatch, settings: ImportSettings
) -> dict[str, Any]:
    """Add every valid contact to an existing audience, in chunks; the server skips repeats."""
    check_rejects(batch, settings, allow_empty=True)
    client = app.client()
    audience_id = audience["_id"]
    phone_column = audience.get("phoneNumberColumnName") or settings.phone_column
    total = len(batch)
    current = int(audience.get("memberCount") or 0)
    if current + total > settings.member_limit:
        _check_room(client, audience, batch, settings.member_limit, phone_column)
    requests = math.ceil(total / settings.chunk_size)
    plan = {
        "audience": audience_id,
        "members": total,
        "chunkSize": settings.chunk_size,
        "requests": requests,
    }
    if settings.dry_run:
        return {"dryRun": True, "plan": plan, "added": 0, "skipped": 0}
    added = skipped = sent = 0
    label = f"Adding to {audience.get('name')!r}"
    with upload_progress(app, total, label, requests=requests) as advance:
        for chunk in batch.chunks(settings.chunk_size):
            try:
                counts = client.add_members(audience_id, _members(chunk, phone_column))
            except (ApiError, KeyboardInterrupt) as exc:
                if sent:
                    what, code = _stopped(exc)
                    count = f"{sent:,}"
                    if isinstance(exc, KeyboardInterrupt):
                        count = f"at least {sent:,} (at most {sent + len(chunk):,})"
                    raise CliError(
                        f"{count} of {total:,} members were sent ({added:,} added), {what}",
                        exit_code=code,
                        hint="Run the same command again: numbers already added are skipped.",
                    ) from None
                raise
            sent += len(chunk)
            added += counts["added"]
            skipped += counts["skipped"]
            advance(len(chunk))
    before = audience.get("memberCount")
    if sent and isinstance(before, int):
        # As for create: the server's count is the truth when a retry was answered "skipped".
        try:
            after = next(
                (
                    a.get("memberCount")
                    for a in client.list_audiences()
                    if a.get("_id") == audience_id
                ),
                None,
            )
        except AudienceError:
            after = None
        if isinstance(after, int) and after >= before:
            added = min(sent, after - before)
            skipped = sent - added
    return {"dryRun": False, "plan": plan, "added": added, "skipped": skipped}


def _check_room(
    client: AtomsClient,
    audience: dict[str, Any],
    batch: ContactBatch,
    limit: int,
    phone_column: str,
) -> None:
    """Near the limit, count exactly: numbers already present are skipped, not added."""
    present = {
        str((m.get("data") or {}).get(phone_column))
        for m in client.iter_members(audience["_id"], page_size=100)
    }
    new = sum(1 for c in batch if c.phone not in present)
    if len(present) + new > limit:
        room = max(0, limit - len(present))
        raise UsageError(
            f"audience {audience.get('name')!r} has {len(present):,} members; adding {new:,} new "
            f"would exceed the {limit:,}-member limit (room for {room:,})",
            hint="Create a new audience for the rest (`audience create NAME --csv FILE --split`).",
        )
