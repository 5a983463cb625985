"""The campaign simulation: a pure function of (seed, number, retry limit)."""

from __future__ import annotations

from collections import Counter

from audience_cli.sandbox.campaign_run import RUNNING_STATUSES, simulate

NUMBERS = [f"+1415555{i:04d}" for i in range(1000)]


def test_the_same_seed_number_and_retries_give_the_same_outcome():
    for number in NUMBERS[:200]:
        assert simulate(7, number, 3) == simulate(7, number, 3)


def test_another_seed_gives_other_outcomes():
    differ = sum(simulate(0, n, 3) != simulate(1, n, 3) for n in NUMBERS[:200])
    assert differ > 100


def test_over_1000_members_every_status_appears_in_roughly_its_share():
    counts = Counter(simulate(0, n, 3).final_status for n in NUMBERS)
    assert 380 <= counts["completed"] <= 520
    assert 170 <= counts["no_answer"] <= 270
    assert 100 <= counts["failed"] <= 180
    assert 35 <= counts["cancelled"] <= 90
    assert 20 <= counts[None] <= 80  # never dialled
    assert 12 <= counts["voicemail"] <= 50
    running = sum(counts[s] for s in RUNNING_STATUSES)
    assert 25 <= running <= 80
    assert all(counts[s] >= 1 for s in RUNNING_STATUSES)


def test_attempts_stay_within_the_retry_limit_and_add_up():
    for max_retries in (0, 1, 3, 10):
        for number in NUMBERS[:300]:
            outcome = simulate(3, number, max_retries)
            if outcome.final_status is None:
                assert outcome.calls == [] and outcome.original_call is None
                assert outcome.attempts == 0 and outcome.duration == 0 and outcome.cost == 0
                continue
            assert 1 <= outcome.attempts <= max_retries + 1
            assert outcome.calls[-1]["status"] == outcome.final_status
            assert outcome.original_call == outcome.calls[0]
            assert outcome.retry_attempts == outcome.calls[1:]
            assert outcome.duration == round(sum(c["duration"] for c in outcome.calls), 1)
            assert outcome.cost > 0


def test_unanswered_members_are_retried_until_the_limit():
    for number in NUMBERS[:300]:
        outcome = simulate(0, number, 2)
        if outcome.final_status in ("no_answer", "failed"):
            assert outcome.attempts == 3


def test_completed_calls_have_a_plausible_duration():
    durations = [
        simulate(0, n, 3).calls[-1]["duration"]
        for n in NUMBERS
        if simulate(0, n, 3).final_status == "completed"
    ]
    assert all(20 <= d <= 300 for d in durations)
