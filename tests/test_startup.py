"""What a run imports: only the command it invokes, httpx without its own CLI, rich only
where something is drawn. Each probe runs the program in a fresh interpreter and reads
`sys.modules` after it; speed itself is measured by `benchmarks/run.py`, not here."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audience_cli.cli.command_table import COMMANDS
from audience_cli.sandbox.server import running_server
from tests.conftest import seed_audience

PACKAGE = Path(__file__).resolve().parent.parent / "audience_cli"
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
# httpx's own command-line client and what it drags in; rich's progress and syntax;
# pydantic, which Typer 0.29+ imports on every run (pyproject.toml pins Typer below).
NEVER_ON_A_READ = ("httpx._main", "pygments", "rich.progress", "rich.syntax", "rich.table",
                   "pydantic")  # fmt: skip


def command_modules() -> set[str]:
    return {e.target.partition(":")[0] for e in COMMANDS.values()} - {"audience_cli.cli.app"}


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
    assert loaded(modules, "audience_cli.cli.context") == []
    assert loaded(modules, "pydantic") == []


def test_sandbox_list_imports_list_alone_and_httpx_without_its_cli(tmp_path: Path, store) -> None:
    seed_audience(store, "Leads", 2)
    modules = probe(tmp_path, "--sandbox", "list")
    assert {"httpx", "audience_cli.cli.commands.list_audiences"} <= modules
    assert sorted(modules & command_modules()) == ["audience_cli.cli.commands.list_audiences"]
    for name in NEVER_ON_A_READ:
        assert loaded(modules, name) == [], f"{name} imported by `--sandbox list`"
    assert loaded(modules, "rich") == []  # piped: nothing is drawn, the note is plain text
    # Werkzeug's package __init__ (its server, its test client) is skipped in-process.
    assert "werkzeug.routing" in modules
    assert loaded(modules, "werkzeug.serving") == loaded(modules, "werkzeug.test") == []


@pytest.mark.slow
def test_list_against_a_served_api_imports_no_rich_and_no_httpx_cli(tmp_path: Path) -> None:
    with running_server(tmp_path / "served.db", port=0) as base_url:
        modules = probe(
            tmp_path, "--base-url", base_url, "list", env={"SMALLEST_API_KEY": "sk_test_1234"}
        )
    assert "httpcore" in modules  # a real HTTP request was made
    assert sorted(modules & command_modules()) == ["audience_cli.cli.commands.list_audiences"]
    for name in (*NEVER_ON_A_READ, "rich"):
        assert loaded(modules, name) == [], f"{name} imported by `--base-url … list`"


def test_a_command_that_draws_still_gets_rich(tmp_path: Path) -> None:
    modules = probe(tmp_path, "sandbox", "--help")
    assert "rich.console" in modules
    assert sorted(modules & command_modules()) == ["audience_cli.cli.commands.sandbox"]


def runtime_imports(path: Path) -> set[str]:
    """The modules `path` imports when it runs: everything but `if TYPE_CHECKING:` blocks."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    return found


def test_client_py_is_the_one_module_that_imports_httpx() -> None:
    # The httpx._main guard sits in client.py: an import of httpx elsewhere that ran
    # first would load httpx's CLI (click, rich.progress, pygments) again.
    importers = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if any(m == "httpx" or m.startswith("httpx.") for m in runtime_imports(p))
    )
    assert importers == ["client.py"]
