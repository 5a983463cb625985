"""Member chunks sent a few at a time, their answers counted as they come.

The server skips numbers already present, so the order of the adds does not
matter and a chunk sent again adds nothing twice. A failure stops the sending:
the chunks already in flight are waited for and counted, so the error can say
exactly what was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from audience_cli.errors import ApiError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from audience_cli.client import AtomsClient
    from audience_cli.model import AddCounts

ADDS_IN_FLIGHT = 4  # add requests at once (never more than the client's --concurrency)

MemberData = Mapping[str, Any]  # what an add sends for one member
T = TypeVar("T")
Answered = Callable[[int, "AddCounts"], None]  # (members in the chunk, the server's answer)


@dataclass
class ChunkFailure(Exception):
    """An add failed (or was interrupted) after `sent` members had been answered for;
    `in_flight` members were sent and not answered (they may have been added)."""

    cause: ApiError | KeyboardInterrupt
    sent: int
    in_flight: int


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def send_chunks(
    client: AtomsClient,
    audience_id: str,
    chunks: Iterable[Sequence[MemberData]],
    on_answer: Answered,
    *,
    workers: int | None = None,
) -> int:
    """Add every chunk, `workers` at a time (default: up to `ADDS_IN_FLIGHT`, within the
    client's concurrency), calling `on_answer` in this thread as answers come.
    Returns the members sent; raises `ChunkFailure` when a chunk fails."""
    if workers is None:
        workers = min(ADDS_IN_FLIGHT, int(getattr(client, "concurrency", 1) or 1))
    if workers <= 1:
        return _one_at_a_time(client, audience_id, chunks, on_answer)
    return _at_once(client, audience_id, chunks, on_answer, workers)


def _one_at_a_time(
    client: AtomsClient,
    audience_id: str,
    chunks: Iterable[Sequence[MemberData]],
    on_answer: Answered,
) -> int:
    sent = 0
    for chunk in chunks:
        try:
            counts = client.add_members(audience_id, chunk)
        except (ApiError, KeyboardInterrupt) as exc:
            raise ChunkFailure(exc, sent, len(chunk)) from None
        sent += len(chunk)
        on_answer(len(chunk), counts)
    return sent


def _at_once(
    client: AtomsClient,
    audience_id: str,
    chunks: Iterable[Sequence[MemberData]],
    on_answer: Answered,
    workers: int,
) -> int:
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="members-add")
    flying: dict[Future[AddCounts], int] = {}
    todo = iter(chunks)
    sent = 0
    failure: ApiError | KeyboardInterrupt | None = None
    try:
        for chunk in islice(todo, workers):
            flying[pool.submit(client.add_members, audience_id, chunk)] = len(chunk)
        try:
            while flying:
                done, _ = wait(flying, return_when=FIRST_COMPLETED)
                for future in done:
                    size = flying.pop(future)
                    try:
                        counts = future.result()
                    except ApiError as exc:
                        failure = failure or exc
                        continue
                    sent += size
                    on_answer(size, counts)
                    following = next(todo, None) if failure is None else None
                    if following is not None:
                        job = pool.submit(client.add_members, audience_id, following)
                        flying[job] = len(following)
        except KeyboardInterrupt as exc:
            failure = exc
        if failure is not None:  # an API error: every other chunk was answered by now
            raise ChunkFailure(failure, sent, sum(flying.values()))
        return sent
    finally:
        # Interrupted: the requests under way are not waited for (their members are
        # counted as "at most"); the pool's threads end with them.
        pool.shutdown(wait=not isinstance(failure, KeyboardInterrupt), cancel_futures=True)
