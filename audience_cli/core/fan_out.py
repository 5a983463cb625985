"""Calls made a few at a time on threads: the one way the core keeps requests in flight.

`FanOut(call, workers=N)` calls `call` on items, at most N at once, taking the items
lazily (so no more than N are held). Results come either in the items' order
(`in_order`: pages) or as they are done (`as_done`: adds, counted as answers come).
With one worker the calls are made in the calling thread, one after another.

A failed call stops the fan-out: nothing more is started, the calls in flight are
waited for (`as_done` hands on those that succeed), and the first failure is raised.
Ctrl-C is not waited out: the calls in flight are left to end on their own threads,
and `in_flight` says which items they were (an upload reports them as "at most").

    with FanOut(fetch, workers=4, name="pages") as fan:
        for page, answer in fan.in_order(range(2, 10)):
            ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

T = TypeVar("T")
R = TypeVar("R")


class FanOut(Generic[T, R]):
    """`call` on items, at most `workers` at once; use it in a `with` block."""

    def __init__(self, call: Callable[[T], R], *, workers: int, name: str = "fan-out") -> None:
        self.call = call
        self.workers = max(1, workers)
        self.name = name
        self._flying: dict[Future[R], T] = {}  # in the order they were started
        self._current: list[T] = []  # the item being called in this thread (one worker)
        self._pool: ThreadPoolExecutor | None = None

    @property
    def in_flight(self) -> list[T]:
        """The items whose calls were started and not handed on (nor failed)."""
        return [*self._current, *self._flying.values()]

    def __enter__(self) -> FanOut[T, R]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            # The calls not started are dropped; those in flight end before the caller
            # goes on (and closes the client), unless Ctrl-C: then they are not waited for.
            interrupted = kind is not None and issubclass(kind, KeyboardInterrupt)
            self._pool.shutdown(wait=not interrupted, cancel_futures=True)

    def in_order(self, items: Iterable[T]) -> Iterator[tuple[T, R]]:
        """(item, result) in the order of `items`; a failure is raised at its turn."""
        if self.workers == 1:
            yield from self._one_at_a_time(items)
            return
        todo = iter(items)
        self._start(islice(todo, self.workers))
        while self._flying:
            future = next(iter(self._flying))
            result = future.result()  # a failure: raised here, the others waited for on exit
            item = self._flying.pop(future)
            self._start(islice(todo, 1))
            yield item, result

    def as_done(self, items: Iterable[T]) -> Iterator[tuple[T, R]]:
        """(item, result) as each call ends. After a failure nothing more is started; the
        calls in flight are waited for (their results handed on), then it is raised."""
        if self.workers == 1:
            yield from self._one_at_a_time(items)
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        todo = iter(items)
        failure: Exception | None = None
        self._start(islice(todo, self.workers))
        while self._flying:
            done, _ = wait(self._flying, return_when=FIRST_COMPLETED)
            for future in done:  # failures first
                error = future.exception()
                if error is None:
                    continue
                self._flying.pop(future)
                if not isinstance(error, Exception):
                    raise error  # not a failure of the call: Ctrl-C in its thread
                failure = failure or error
            for future in [f for f in done if f.exception() is None]:
                item = self._flying.pop(future)
                if failure is None:
                    self._start(islice(todo, 1))
                yield item, future.result()
        if failure is not None:
            raise failure

    def _one_at_a_time(self, items: Iterable[T]) -> Iterator[tuple[T, R]]:
        for item in items:
            self._current = [item]
            result = self.call(item)
            self._current = []
            yield item, result

    def _start(self, items: Iterable[T]) -> None:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=self.name)
        for item in items:
            self._flying[self._pool.submit(self.call, item)] = item
