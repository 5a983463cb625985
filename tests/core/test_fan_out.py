"""The one fan-out: at most N calls in flight, in order or as done, a failure stops it."""

from __future__ import annotations

import threading

import pytest

from audience_cli.core.fan_out import FanOut
from tests.in_flight import TIMEOUT, Gate


def test_in_order_keeps_n_in_flight_and_never_more() -> None:
    gate = Gate(3)

    def square(n: int) -> int:
        with gate.inside():
            return n * n

    with FanOut(square, workers=3) as fan:
        got = list(fan.in_order(range(20)))
    assert got == [(n, n * n) for n in range(20)]
    assert gate.opened.is_set() and gate.most == 3


def test_in_order_hands_on_results_in_order_whatever_ends_first() -> None:
    last_may_end = threading.Event()

    def slow_first(n: int) -> int:
        if n == 0:
            assert last_may_end.wait(TIMEOUT)
        if n == 2:
            last_may_end.set()  # item 2 ends before item 0
        return n

    with FanOut(slow_first, workers=3) as fan:
        assert [n for n, _ in fan.in_order(range(3))] == [0, 1, 2]


def test_as_done_hands_on_results_as_they_end() -> None:
    second_done = threading.Event()

    def call(n: int) -> int:
        if n == 0:
            assert second_done.wait(TIMEOUT)
        return n

    seen: list[int] = []
    with FanOut(call, workers=2) as fan:
        for n, _ in fan.as_done(range(2)):
            seen.append(n)
            second_done.set()
    assert seen == [1, 0]


def test_as_done_after_a_failure_starts_nothing_and_finishes_those_in_flight() -> None:
    started: list[int] = []
    lock = threading.Lock()
    failed = threading.Event()

    def call(n: int) -> int:
        with lock:
            started.append(n)
        if n == 0:
            failed.set()
            raise ValueError("item 0 failed")
        assert failed.wait(TIMEOUT)  # still in flight when item 0 failed
        return n

    handed: list[int] = []
    with pytest.raises(ValueError, match="item 0 failed"), FanOut(call, workers=3) as fan:
        for n, _ in fan.as_done(range(100)):
            handed.append(n)
    assert {1, 2} <= set(handed)  # those in flight with the failure, counted
    assert len(started) < 10  # and not the rest


def test_in_order_a_failure_is_raised_at_its_turn_and_stops_the_rest() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def call(n: int) -> int:
        with lock:
            started.append(n)
        if n == 3:
            raise ValueError("item 3 failed")
        return n

    handed: list[int] = []
    with pytest.raises(ValueError, match="item 3 failed"), FanOut(call, workers=2) as fan:
        for n, _ in fan.in_order(range(100)):
            handed.append(n)
    assert handed == [0, 1, 2]
    assert max(started) <= 5  # a window of two past what was handed on, never the rest


def test_one_worker_calls_in_this_thread_one_after_another() -> None:
    gate = Gate(2)
    here = threading.current_thread().name

    def call(n: int) -> int:
        with gate.inside(held=False):
            return n

    with FanOut(call, workers=1) as fan:
        assert list(fan.as_done(range(5))) == [(n, n) for n in range(5)]
        assert list(fan.in_order(range(5))) == [(n, n) for n in range(5)]
    assert gate.most == 1 and gate.threads == {here}


def test_a_failure_with_one_worker_leaves_its_item_in_flight() -> None:
    def call(n: int) -> int:
        if n == 1:
            raise ValueError("no")
        return n

    fan = FanOut(call, workers=1)
    with pytest.raises(ValueError), fan:
        list(fan.as_done(range(3)))
    assert fan.in_flight == [1]  # sent, and not known to have done nothing


def test_ctrl_c_leaves_the_calls_in_flight_and_says_which() -> None:
    release = threading.Event()
    ended = threading.Event()

    def call(n: int) -> int:
        if n == 1:
            release.wait(TIMEOUT)  # released once the block was left
            ended.set()
        return n

    fan = FanOut(call, workers=2)
    with pytest.raises(KeyboardInterrupt), fan:
        for _n, _ in fan.as_done(range(2)):
            raise KeyboardInterrupt  # after item 0's answer, item 1 still under way
    assert fan.in_flight == [1]
    assert not ended.is_set()  # the block was left without waiting for item 1
    release.set()


def test_a_failure_waits_for_the_calls_in_flight() -> None:
    one_started = threading.Event()
    zero_failed = threading.Event()
    ended = threading.Event()

    def call(n: int) -> int:
        if n == 0:
            assert one_started.wait(TIMEOUT)
            zero_failed.set()
            raise ValueError("item 0 failed")
        one_started.set()
        assert zero_failed.wait(TIMEOUT)  # still in flight when item 0 failed
        ended.set()
        return n

    with pytest.raises(ValueError), FanOut(call, workers=2) as fan:
        list(fan.in_order(range(2)))
    assert ended.is_set()  # item 1 ended before the block was left
