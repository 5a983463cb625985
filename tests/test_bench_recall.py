"""A tiny run of benchmarks/bench_recall.py in the suite: its figures hang together (the
retry audience, the sync and the anchor hold the export's members not reached; every
case sent requests, counted by kind), and a wrong count is not taken quietly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_recall.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_recall", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_recall", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_tiny_run_has_consistent_counts_and_requests(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench()
    result = bench.bench(members=200, latency_ms=0, repeat=1, quiet=True)
    checks = result["checks"]
    outcomes, bare, create, sync, anchor = result["cases"]
    assert outcomes.members == bare.members == 200  # every record of the export
    assert 0 < checks["expected_retry"] < 200  # some completed or running, some not reached
    assert create.members == sync.members == anchor.members == checks["expected_retry"]
    for case in result["cases"]:
        assert len(case.seconds) == 1
        assert sum(case.requests.values()) > 0
    assert create.requests["POST /audience"] == 1  # one create carries every member
    assert create.requests["GET /campaign/{id}/export/by-audience-member"] == 1
    assert sync.requests["POST /audience"] == 0  # the second run creates nothing
    assert checks["server_requests"] == checks["counted_requests"] > 0
    bench.print_table(result["cases"])
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 2 + 5
    assert table[-1].endswith("| 1.00x |")  # the anchor against itself


def test_a_retry_audience_of_the_wrong_size_fails_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The export, read over HTTP, says one more member should have been picked: the
    # benchmark stops instead of printing figures.
    bench = load_bench()
    real = bench.expected_retry
    monkeypatch.setattr(bench, "expected_retry", lambda url, cid: real(url, cid) + 1)
    with pytest.raises(RuntimeError, match="retry has"):
        bench.bench(members=60, latency_ms=0, repeat=1, quiet=True)
