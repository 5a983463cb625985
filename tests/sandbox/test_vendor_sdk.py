"""The sandbox's campaign routes read by the vendor's SDK (scripts/check_vendor_sdk.py).

The SDK is never a dependency of this project: the check runs only when
AUDIENCE_VENDOR_PYTHON names a python that has `smallestai` installed, e.g.
`AUDIENCE_VENDOR_PYTHON=/tmp/sdkvenv/bin/python pytest tests/sandbox/test_vendor_sdk.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_vendor_sdk.py"
VENDOR_PYTHON = os.environ.get("AUDIENCE_VENDOR_PYTHON")


@pytest.mark.slow
@pytest.mark.skipif(not VENDOR_PYTHON, reason="AUDIENCE_VENDOR_PYTHON is not set")
def test_the_vendor_sdk_parses_every_campaign_answer_of_a_served_sandbox():
    assert VENDOR_PYTHON is not None
    result = subprocess.run(
        [VENDOR_PYTHON, str(SCRIPT), "--serve-with", sys.executable, "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all vendor SDK checks passed" in result.stdout
    assert "ok: export: every row's fields arrive through the model" in result.stdout
