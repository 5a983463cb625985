"""What a run imports: only the command it invokes, httpx without its own CLI, rich only
where something is drawn. Each probe runs the program in a fresh interpreter and reads
`sys.modules` after it; speed itself is measured by `benchmarks/run.py`, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audience_cli.command_table import COMMANDS

PROBE = """
import json, sys
sys.argv = ["audience", *json.loads(sys.argv[1])]
from audience_cli.__main__ import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
with open(OUT, "w") as f:
    json.dump({"code": code, "modules": sorted(k for k, v in sys.modules.items() if v)}, f)
"""
# httpx's own command-line client and what it drags in; rich's progress and syntax.
NEVER_ON_A_READ = ("httpx._main", "pygments", "rich.progress", "rich.syntax", "rich.table")


def command_modules() -> set[str]:
    return {e.target.partition(":")[0] for e in COMMANDS.values()} - {"audience_cli.cli"}


def probe(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    out = tmp_path / "modules.json"
    code = PROBE.replace("OUT", repr(str(out)))
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(args))],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    result = json.loads(out.read_text())
    assert result["code"] in (0, None), done.stderr
    return set(result["modules"])


def loaded(modules: set[str], prefix: str) -> list[str]:
    return sorted(m for m in modules if m == prefix or m.startswith(prefix + "."))


def test_help_imports_no_command_module_and_no_http(tmp_path: Path) -> None:
    modules = probe(tmp_path, "--help")
    assert "typer" in modules  # the probe saw a real run
    assert sorted(modules & command_modules()) == []
    assert loaded(modules, "httpx") == []
    assert loaded(modules, "audience_cli.context") == []


def test_a_command_that_draws_still_gets_rich(tmp_path: Path) -> None:
    modules = probe(tmp_path, "sandbox", "--help")
    assert "rich.console" in modules
    assert sorted(modules & command_modules()) == ["audience_cli.commands.sandbox"]
