"""The README's console blocks are real output: a replay on a fresh sandbox matches them
(ids masked). `python scripts/tour.py` rewrites them after a change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# Folders that tools keep in a checkout (and that the tour does not write to).
NOT_THE_TOURS = {".git", ".venv", ".ci-venv", "__pycache__", ".pytest_cache", ".ruff_cache",
                 ".mypy_cache", ".hypothesis"}  # fmt: skip


def checkout_files() -> set[Path]:
    found: set[Path] = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in NOT_THE_TOURS]
        found.update(Path(folder, name).relative_to(ROOT) for name in files)
    return found


@pytest.mark.slow
def test_the_readme_tour_is_what_the_tool_prints_and_leaves_nothing_in_the_checkout():
    before = checkout_files()
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "tour.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (ROOT / "README.md").read_text().count("<!-- tour -->") >= 7
    # Its commands write clean.csv, rejects.csv, backup.csv…: in its scratch folder.
    assert checkout_files() - before == set()


def test_the_tour_check_notices_drift(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import tour
    finally:
        sys.path.pop(0)
    readme = "<!-- tour -->\n```console\n$ echo hello 0123456789abcdef01234567\nhello\n```\n"
    fresh = tour._BLOCK.sub(
        lambda m: (
            "<!-- tour -->\n```console\n$ echo hello 0123456789abcdef01234567\n"
            "hello ffffffffffffffffffffffff\n```"
        ),
        readme,
    )
    assert tour.masked(fresh) != tour.masked(readme)  # output drifted: caught
    same_but_ids = readme.replace("hello\n", "hello 0123456789abcdef01234567\n")
    other_ids = same_but_ids.replace("0123456789abcdef01234567", "aaaaaaaaaaaaaaaaaaaaaaaa")
    assert tour.masked(same_but_ids) == tour.masked(other_ids)  # ids alone: not drift
