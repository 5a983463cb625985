"""When and how long to wait before trying a request again: one policy, injectable sleep."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Exponential backoff from `initial` seconds, doubling, capped, with jitter.

    `Retry-After` (seconds or an HTTP date) and `retry-after-ms` win over the
    computed delay (still capped by `max_delay`). `sleep` and `random` are
    injectable so tests never sleep and delays are deterministic.
    """

    max_retries: int = 4
    initial: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.25
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = field(default=random.random)
    now: Callable[[], float] = time.time

    def backoff(self, attempt: int) -> float:
        """Delay before retry number `attempt` (0-based) when the server gave no hint."""
        base = min(self.max_delay, self.initial * (2**attempt))
        spread = base * self.jitter
        return max(0.0, min(self.max_delay, base - spread + 2 * spread * self.random()))

    def delay(self, attempt: int, headers: Mapping[str, str] | None = None) -> float:
        hinted = retry_after_seconds(headers or {}, now=self.now())
        if hinted is not None:
            return min(self.max_delay, hinted)
        return self.backoff(attempt)


def retry_after_seconds(headers: Mapping[str, str], *, now: float) -> float | None:
    """The server's own wait hint, if it gave a usable one."""
    lower = {k.lower(): v for k, v in headers.items()}
    ms = lower.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = lower.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC without a zone; not the local time
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)
