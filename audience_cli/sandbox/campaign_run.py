"""The sandbox's campaign simulation: what calling one member gives, decided by dice.

`simulate(seed, phone, max_retries)` is a pure function: the same seed, number and
retry limit always give the same outcome, whatever the ids, the order of members or
the time (so two sandboxes with the same audience and seed agree). Shares of final
statuses, per 1,000 members (`OUTCOME_SHARES`): completed ~45%, no_answer ~22%,
failed ~14%, cancelled ~6%, each running status (pending, in_queue, in_progress,
processing, active) ~1%, never dialled ~5% (no final status, no attempt) and an
unknown status, "voicemail", ~3%.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from audience_cli.sandbox.store import SANDBOX_AGENT_ID, CampaignResult, SandboxStore

NEVER_DIALLED = None
OUTCOME_SHARES: tuple[tuple[str | None, int], ...] = (
    ("completed", 450),
    ("no_answer", 220),
    ("failed", 140),
    ("cancelled", 60),
    ("pending", 10),
    ("in_queue", 10),
    ("in_progress", 10),
    ("processing", 10),
    ("active", 10),
    (NEVER_DIALLED, 50),
    ("voicemail", 30),
)
RUNNING_STATUSES = ("pending", "in_queue", "in_progress", "processing", "active")
COST_PER_MINUTE = 0.08  # USD, of a connected call
CONNECT_FEE = 0.002  # USD, of every call placed


@dataclass(frozen=True)
class Outcome:
    """One member's calls: `final_status` None when never dialled (then no calls)."""

    final_status: str | None
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        return len(self.calls)

    @property
    def duration(self) -> float:
        return round(sum(float(c["duration"]) for c in self.calls), 1)

    @property
    def cost(self) -> float:
        return round(sum(float(c["cost"]) for c in self.calls), 4)

    @property
    def original_call(self) -> dict[str, Any] | None:
        return self.calls[0] if self.calls else None

    @property
    def retry_attempts(self) -> list[dict[str, Any]]:
        return self.calls[1:]


def _dice(seed: int, phone: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}\x00{phone}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _pick_status(roll: int) -> str | None:
    for status, share in OUTCOME_SHARES:
        if roll < share:
            return status
        roll -= share
    raise AssertionError("OUTCOME_SHARES must add up to 1000")  # pragma: no cover


def _attempt_count(status: str, dice: random.Random, max_retries: int) -> int:
    most = max_retries + 1
    if status in ("no_answer", "failed"):
        return most  # retried until the retries run out
    if status == "completed":
        return 1 if dice.random() < 0.7 else dice.randint(1, most)
    if status in RUNNING_STATUSES:
        return dice.randint(1, min(2, most))
    return dice.randint(1, most)  # cancelled, voicemail


def _duration(status: str, dice: random.Random) -> float:
    if status == "completed":
        return round(dice.uniform(20, 300), 1)
    if status == "voicemail":
        return round(dice.uniform(8, 45), 1)
    if status == "failed":
        return round(dice.uniform(0, 4), 1)
    if status in ("active", "in_progress"):
        return round(dice.uniform(1, 60), 1)
    return 0.0  # no_answer, cancelled, queued


def simulate(seed: int, phone: str, max_retries: int) -> Outcome:
    """The calls of the member with number `phone` in a campaign allowing `max_retries`."""
    dice = _dice(seed, phone)
    final = _pick_status(dice.randrange(1000))
    if final is None:
        return Outcome(None)
    n = _attempt_count(final, dice, max_retries)
    calls = []
    for number in range(1, n + 1):
        # Every attempt before the last one went unanswered (that is why it was retried).
        status = final if number == n else dice.choice(("no_answer", "failed"))
        duration = _duration(status, dice)
        cost = CONNECT_FEE + (duration / 60 * COST_PER_MINUTE)
        calls.append(
            {
                "callId": dice.getrandbits(96).to_bytes(12, "big").hex(),
                "attempt": number,
                "status": status,
                "duration": duration,
                "cost": round(cost, 4),
            }
        )
    return Outcome(final, calls)


def run_campaign(
    store: SandboxStore, campaign_id: str, *, seed: int, finish: str = "completed"
) -> list[CampaignResult]:
    """Call every member of the campaign's audience at once (by `simulate`), store the
    outcomes with each member's data as it is now, and leave the campaign in `finish`
    ("completed", or "running" to emulate a campaign still under way)."""
    campaign = store.get_campaign_document(campaign_id)
    if campaign is None:
        raise KeyError(campaign_id)
    audience = store.get_audience(campaign["audienceId"])
    phone_column = audience["phoneNumberColumnName"] if audience else None
    results = []
    for member in store.all_members(campaign["audienceId"]):
        data = member["data"]
        phone = str(data.get(phone_column, "")) if phone_column else ""
        outcome = simulate(seed, phone, campaign["maxRetries"])
        results.append(
            CampaignResult(
                member_id=member["_id"],
                phone=phone,
                data=data,
                final_status=outcome.final_status,
                attempts=outcome.attempts,
                duration=outcome.duration,
                cost=outcome.cost,
                original_call=outcome.original_call,
                retry_attempts=outcome.retry_attempts,
            )
        )
    store.record_run(campaign_id, results, status=finish)
    return results


def create_and_run(
    store: SandboxStore,
    audience_id: str,
    *,
    name: str,
    seed: int,
    max_retries: int = 3,
    finish: str = "completed",
) -> tuple[dict[str, Any], list[CampaignResult]]:
    """A new campaign of the sandbox's agent on the audience, run at once; returns the
    campaign as GET answers it (after the run) and every member's outcome."""
    made = store.create_campaign(
        audience_id, name=name, agent_id=SANDBOX_AGENT_ID, max_retries=max_retries
    )
    results = run_campaign(store, made["_id"], seed=seed, finish=finish)
    return store.get_campaign(made["_id"]) or made, results


def summary_by_status(results: list[CampaignResult]) -> str:
    """ "7 completed, 2 no_answer, 1 never dialled": counts by final status, largest first."""
    counts: dict[str, int] = {}
    for r in results:
        key = r.final_status if r.final_status is not None else "never dialled"
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{n} {status}" for status, n in ranked) or "no members"
