"""Replay the README's console blocks and write their real output (or, with --check,
say where the README has drifted from what the tool prints).

    python scripts/tour.py          # rewrite the output in every marked block, if any drifted
    python scripts/tour.py --check  # exit 1, with a diff, when a block has drifted

A block is marked with `<!-- tour -->` on the line before its ```console fence. Its
`$ ` lines are the commands; everything else in it is output, regenerated. Every
block runs in README order, in one fresh sandbox, on a 100-column pseudo-terminal,
in a scratch folder holding a copy of examples/. Ids (24 hex characters), snapshot ids
and the sandbox's paths are masked when comparing, so a check is stable from run to run.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARK = "<!-- tour -->"
SHOWN_DB = "~/.local/share/audience-cli/sandbox.db"
SHOWN_STATE = "~/.local/state/audience-cli"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_ID = re.compile(r"\b[0-9a-f]{24}\b")
_STAMP = re.compile(r"\b\d{8}T\d{12}Z\b")  # a snapshot's id: the time it was taken
_ELAPSED = re.compile(r"\b\d+:\d\d:\d\d\b")  # a progress bar's elapsed time
_BLOCK = re.compile(re.escape(MARK) + r"\n```console\n(.*?)\n```", re.DOTALL)


def run(command: str, env: dict[str, str], cwd: str, db: str, state: str = "") -> str:
    """The command's terminal output, as a person sees it (no colours, no trailing blanks)."""
    child = pexpect.spawn(
        "bash", ["-c", command], env=env, encoding="utf-8", dimensions=(50, 100), cwd=cwd,
        timeout=120,
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    text = _ANSI.sub("", child.before or "").replace("\r\n", "\n")
    # What the terminal shows at the end: a line redrawn after a carriage return (a
    # progress bar's frames, as many as the machine's speed allowed) is its last drawing.
    text = "\n".join(line.split("\r")[-1] for line in text.split("\n"))
    text = text.replace(db, SHOWN_DB)
    if state:
        text = text.replace(state, SHOWN_STATE)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def replay(readme: str) -> str:
    """The README with every marked block's output replaced by what the tool prints now."""
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(ROOT / "examples", Path(scratch) / "examples")
        db = str(Path(scratch) / "sandbox.db")
        state = str(Path(scratch) / "state")
        env = {
            **os.environ,
            "AUDIENCE_SANDBOX_DB": db,
            "AUDIENCE_CACHE_DIR": str(Path(scratch) / "cache"),
            "SMALLEST_CONFIG_DIR": str(Path(scratch) / "smallestai"),
            "AUDIENCE_CONFIG_DIR": str(Path(scratch) / "config"),
            "AUDIENCE_STATE_DIR": state,
            "HOME": scratch,
            "COLUMNS": "100",
            "LINES": "50",
            "TERM": "xterm",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        for name in ("SMALLEST_API_KEY", "SMALLEST_BASE_URL", "AUDIENCE_SANDBOX", "NO_COLOR"):
            env.pop(name, None)

        def block(match: re.Match[str]) -> str:
            commands = [line[2:] for line in match.group(1).splitlines() if line.startswith("$ ")]
            shown = []
            for command in commands:
                output = run(command, env, scratch, db, state)
                shown.append(f"$ {command}" + (f"\n{output}" if output else ""))
            return f"{MARK}\n```console\n" + "\n\n".join(shown) + "\n```"

        return _BLOCK.sub(block, readme)


def masked(text: str) -> str:
    return _ELAPSED.sub("<elapsed>", _STAMP.sub("<stamp>", _ID.sub("<id>", text)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    current = README.read_text()
    fresh = replay(current)
    if not args.check:
        # Ids alone differ at every run: rewrite only when the output drifted (all blocks
        # then, so that one audience keeps one id throughout).
        if masked(fresh) != masked(current):
            README.write_text(fresh)
        return
    if masked(fresh) != masked(current):
        diff = difflib.unified_diff(
            masked(current).splitlines(), masked(fresh).splitlines(), "README.md", "replayed",
            lineterm="",
        )  # fmt: skip
        sys.stderr.write("README tour drifted (python scripts/tour.py rewrites it):\n")
        sys.stderr.write("\n".join(diff) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
