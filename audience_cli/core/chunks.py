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
    from audience_cli.core.fan_out import FanOut

    if workers is None:
        workers = min(ADDS_IN_FLIGHT, client.concurrency)

    def add(chunk: Sequence[MemberData]) -> AddCounts:
        return client.add_members(audience_id, chunk)

    sent = 0
    with FanOut(add, workers=workers, name="members-add") as fan:
        try:
            for chunk, counts in fan.as_done(chunks):
                sent += len(chunk)
                on_answer(len(chunk), counts)
        except (ApiError, KeyboardInterrupt) as exc:
            # Interrupted: the requests under way are not waited for (their members are
            # counted as "at most"); the pool's threads end with them.
            raise ChunkFailure(exc, sent, sum(map(len, fan.in_flight))) from None
    return sent
