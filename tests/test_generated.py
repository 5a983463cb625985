"""Generated files (docs/commands.md, completions/) must match the code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_fresh():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_command_reference_covers_every_command():
    text = (ROOT / "docs" / "commands.md").read_text()
    for command in (
        "create",
        "list",
        "show",
        "members",
        "add",
        "sync",
        "diff",
        "remove",
        "delete",
        "auth login",
        "sandbox serve",
        "completion",
    ):
        assert f"## `audience {command}`" in text, command
