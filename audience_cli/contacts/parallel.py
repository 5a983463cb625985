"""The numbers of a large file normalised on a process pool, answered in file order.

The parent reads the file, decides everything about a row and keeps the order,
the de-duplication and the report; the workers only run `phone.details_of_chunk`
on chunks of (value, region) queries: the number's E.164 form, region and type,
and for the first rejects the region the number may belong to instead. Their
answers are the same function's, so the output is the same byte for byte as in
one process.

At most `IN_FLIGHT_PER_WORKER` chunks per worker are in flight, so memory stays
bounded. The pool is for large files only (`MIN_ROWS`, estimated from the file's
size and its first rows): below that, starting workers costs more than they save.
`AUDIENCE_WORKERS` sets the number of workers (0 or 1: no pool; never more than the
usable cores); by default, one per usable core.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from audience_cli.errors import UsageError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from audience_cli.phone import NumberAnswer, NumberQuery

MIN_ROWS = 50_000  # estimated data rows from which a file is read on the pool
CHUNK_ROWS = 500  # rows sent to a worker at once
HINT_CHUNK_ROWS = 250  # rows at once while the first rejects may still want hints
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: one being answered, one waiting
WORKERS_ENV = "AUDIENCE_WORKERS"

T = TypeVar("T")


def worker_count(note: Callable[[str], None] | None = None) -> int:
    """Workers to start: `AUDIENCE_WORKERS`, else one per usable core. More than the
    cores would only fight over them (and 100,000 forks exhaust the memory first): the
    setting is capped at the core count, and `note` hears of it."""
    cores = usable_cores()
    value = os.environ.get(WORKERS_ENV, "").strip()
    if not value:
        return cores
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise UsageError(
            f"{WORKERS_ENV}={value!r}: give a number of worker processes (0 or 1: none)"
        )
    if count > cores:
        if note is not None:
            what = "core" if cores == 1 else "cores"
            note(f"{WORKERS_ENV}={count:,} is more than the {cores} usable {what}: {cores} used")
        return cores
    return count


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def estimated_rows(size: int, sample: list[list[str]]) -> int:
    """The data rows of a file of `size` bytes whose first rows are `sample` (cells)."""
    if not sample:
        return 0
    chars = sum(len(cell) + 1 for cells in sample for cell in cells)
    return size * len(sample) // max(chars, 1)


def answered(
    items: Iterable[T],
    query: Callable[[T], NumberQuery],
    *,
    workers: int,
    hint_region: str | None,
    hints_left: int,
) -> Iterator[tuple[T, NumberAnswer]]:
    """Each item with the answer to its query, in the order given, from `workers`
    processes; the first `hints_left` hint candidates get their hint.

    A worker that fails (killed, out of memory) is a `UsageError`, not a hang; on
    Ctrl-C the workers, which ignore SIGINT, are stopped with the pool, and workers
    whose parent died exit on their own (`worker_process`).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from audience_cli.phone import details_of_chunk
    from audience_cli.worker_process import start_worker

    method = _start_method()
    # A forkserver's workers are its children, not this process's.
    parent = os.getpid() if method != "forkserver" else None
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=start_worker,
        initargs=(parent,),
    )
    pending: deque[tuple[list[T], int, Future[tuple[list[NumberAnswer], int]]]] = deque()
    source = iter(items)
    done_candidates = 0  # hint candidates in the chunks answered
    rows_answered = 0
    rate: float | None = None  # hint candidates per row so far
    try:
        while True:
            while len(pending) < workers * IN_FLIGHT_PER_WORKER:
                # While hints may still be wanted, small chunks: the hints (dozens of
                # parses each) spread over the workers.
                size = HINT_CHUNK_ROWS if done_candidates < hints_left else CHUNK_ROWS
                chunk = [item for _, item in zip(range(size), source, strict=False)]
                if not chunk:
                    break
                budget = max(0, hints_left - done_candidates - _expected(pending, rate))
                queries = [query(item) for item in chunk]
                future = pool.submit(details_of_chunk, queries, hint_region, budget)
                pending.append((chunk, budget, future))
            if not pending:
                return
            chunk, _, future = pending.popleft()
            try:
                answers, candidates = future.result()
            except BrokenProcessPool:
                raise UsageError(
                    "a worker process normalising the numbers stopped unexpectedly",
                    hint=f"run again, or with {WORKERS_ENV}=1 to read the file in one process",
                ) from None
            done_candidates += candidates
            rows_answered += len(chunk)
            rate = done_candidates / rows_answered
            yield from zip(chunk, answers, strict=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _expected(pending: Iterable[tuple[list[T], int, object]], rate: float | None) -> int:
    """Hint candidates the chunks in flight will take: at the rate seen so far, or (none
    seen yet) as many as each could, so that no hint is asked twice. A chunk that gets
    too few leaves the rest to the parent, which asks `valid_elsewhere` itself."""
    if rate is None:
        return sum(min(budget, len(chunk)) for chunk, budget, _ in pending)
    return sum(min(budget, round(rate * len(chunk))) for chunk, budget, _ in pending)


def _start_method() -> str:
    """fork when this process runs one thread (a worker then starts at once, with the
    number plan already loaded); else forkserver (forking a process with threads could
    copy a lock another thread holds), or spawn where neither exists."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"
