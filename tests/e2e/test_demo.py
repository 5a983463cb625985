"""examples/demo.sh, the README's first set-up command after the install, runs end to end
on the embedded sandbox with the installed `audience` on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_runs_every_step_and_ends_with_a_retry_audience(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "audience").exists(), "the tool is installed in this venv"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AUDIENCE_", "SMALLEST_"))},
        "HOME": str(tmp_path),
        "AUDIENCE_STATE_DIR": str(tmp_path / "state"),
        "AUDIENCE_CACHE_DIR": str(tmp_path / "cache"),
        "AUDIENCE_CONFIG_DIR": str(tmp_path / "config"),
        "AUDIENCE_SANDBOX_DB": str(tmp_path / "demo.db"),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        ["sh", str(ROOT / "examples" / "demo.sh")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for step in ("== create", "== list", "== add", "== members", "== show", "== delete",
                 "== a campaign"):  # fmt: skip
        assert step in done.stdout
    assert "Deleted audience 'Q1 Sales Leads'" in done.stderr
    retry = done.stdout.split("== a campaign", 1)[1].strip().splitlines()
    last = [line.split("\t") for line in retry if line.count("\t") == 3]
    assert last, done.stdout
    assert all(row[3] not in ("completed", "") for row in last)
    assert "Created audience 'Spring retry'" in done.stderr
