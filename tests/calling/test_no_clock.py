"""Nothing in calling/ reads the clock: every function that depends on the time is given
`now`, so that tests freeze it and a run decides at one instant."""

from __future__ import annotations

import re
from pathlib import Path

CALLING = Path(__file__).resolve().parents[2] / "audience_cli" / "calling"
CLOCK = re.compile(r"datetime\.now\(|date\.today\(|time\.time\(|datetime\.utcnow\(|\bnow\(\)")


def test_no_module_of_calling_reads_the_clock() -> None:
    sources = sorted(CALLING.glob("*.py"))
    assert len(sources) >= 5
    assert [p.name for p in sources if CLOCK.search(p.read_text())] == []


def test_the_check_can_fail() -> None:
    assert CLOCK.search("when = datetime.now(UTC)")
    assert CLOCK.search("d = date.today()")
    assert CLOCK.search("t = time.time()")
    assert not CLOCK.search("def verdict(zones, now: datetime)")
