"""The shape of the package, checked: no import cycles, a plain core, hints only at the
CLI edge, and a README design section that names every module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "audience_cli"
README = (ROOT / "README.md").read_text()

# The plain side: every module outside cli/ (and __main__, which only hands over to it).
# It imports nothing of the CLI side, nor Typer, Click or rich: a library can use it.
CLI_MODULES = ("typer", "click", "rich", "audience_cli.cli")

# What each folder of the plain side may import from the rest of the package, besides
# itself. The top-level modules are the leaves (errors, model, text, config, phone…) and
# the client; the sandbox stands alone (it imports nothing of the tool).
LEAVES = frozenset({
    "answers", "config", "contract", "deadline_backend", "errors", "files", "json_text", "model",
    "phone", "reasons", "redaction", "retry", "text", "worker_process", "audience_cli",
})  # fmt: skip
FOLDER_MAY_IMPORT = {
    "sandbox": frozenset(),
    "state": LEAVES,
    # Calling windows and consent: the leaves (phone/ among them), nothing of the rest.
    "calling": LEAVES,
    "contacts": LEAVES | {"calling"},
    "core": LEAVES | {"client", "calling", "contacts", "state"},
    "client": LEAVES,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, wherever written (top level, functions, TYPE_CHECKING)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def internal_edges(path: Path) -> set[str]:
    """The package's own modules that `path` imports (a name resolved to its module)."""
    edges = set()
    for target in imports_of(path):
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != module_name(path):
            edges.add(target)
    return edges


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of `graph` (module -> modules it imports) as a path, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name)):
            return cycle
    return None


def test_no_module_imports_another_in_a_circle() -> None:
    cycle = find_cycle({name: internal_edges(path) for name, path in MODULES.items()})
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_check_can_fail() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    # Lazy and type-only imports count: cli imports hints inside a function.
    assert internal_edges(PACKAGE / "cli" / "app.py") >= {
        "audience_cli.cli.context",
        "audience_cli.cli.hints",
    }


def plain_modules() -> list[Path]:
    return [
        p for p in MODULES.values() if p.relative_to(PACKAGE).parts[0] not in ("cli", "__main__.py")
    ]


@pytest.mark.parametrize("path", plain_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_plain_side_knows_nothing_of_the_cli(path: Path) -> None:
    bad = sorted(
        target
        for target in imports_of(path)
        if any(target == m or target.startswith(m + ".") for m in CLI_MODULES)
    )
    assert bad == [], f"{path.name} imports {bad}"


def layer(module: str) -> str:
    """`audience_cli.core.sync` -> "core"; `audience_cli.client` -> "client"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


@pytest.mark.parametrize("folder", sorted(FOLDER_MAY_IMPORT))
def test_each_layer_imports_only_the_layers_below_it(folder: str) -> None:
    allowed = FOLDER_MAY_IMPORT[folder] | {folder}
    bad = sorted(
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if layer(name) == folder
        for target in internal_edges(path)
        if layer(target) not in allowed
    )
    assert bad == []


def test_the_leaves_import_no_folder_and_not_the_client() -> None:
    bad = sorted(
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if layer(name) in LEAVES
        for target in internal_edges(path)
        if layer(target) not in LEAVES
    )
    assert bad == []


def test_the_layer_check_can_fail() -> None:
    assert layer("audience_cli.cli.context") == "cli"
    assert "cli" not in FOLDER_MAY_IMPORT["core"]
    assert "client" not in LEAVES


def test_the_plain_side_imports_without_typer_click_or_rich() -> None:
    """Every plain module imported in a fresh interpreter loads none of the CLI's libraries."""
    import subprocess
    import sys

    names = [module_name(p) for p in plain_modules()]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich')"
        " or m == 'audience_cli.cli' or m.startswith('audience_cli.cli.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


# A command (`audience add`) or a flag (--split) named in text.
NAMES_THE_CLI = re.compile(r"`audience\b|(?<![\w-])--[a-z]")


# Plain modules whose texts still name flags: each is a known debt of #19, and the test
# fails (strict xfail) the day one of them is clean, so that it leaves this list.
STILL_NAMING_FLAGS: frozenset[str] = frozenset()


def _plain_module_param(path: Path) -> object:
    name = str(path.relative_to(PACKAGE))
    if name in STILL_NAMING_FLAGS:
        return pytest.param(path, marks=pytest.mark.xfail(strict=True, reason="names flags"))
    return path


@pytest.mark.parametrize(
    "path",
    [_plain_module_param(p) for p in plain_modules()],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_client_and_the_core_name_no_command_or_flag(path: Path) -> None:
    """No text of the plain side (every module outside cli/) names a command or a flag:
    the hints that do are added at the CLI edge (hints.py). Docstrings and comments may."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
    assert [t for t in texts if NAMES_THE_CLI.search(t)] == []


def design_tree() -> set[str]:
    """The module paths the README's design section lists, from its indented tree."""
    section = README.split("## Design", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\naudience_cli/\n(.+?)\n```", section, flags=re.DOTALL)
    assert block, "the design section has no audience_cli/ tree"
    listed: set[str] = set()
    folders: list[tuple[int, str]] = []
    for line in block.group(1).splitlines():
        indent = len(line) - len(line.lstrip())
        entry = line.split()[0]
        if not entry.endswith((".py", "/")):
            continue  # a description's second line
        folders = [(i, f) for i, f in folders if i < indent]
        prefix = "".join(f for _, f in folders)
        if entry.endswith("/"):
            folders.append((indent, entry))
        else:
            listed.add(prefix + entry)
    return listed


def test_the_readme_design_section_names_every_module() -> None:
    actual = {str(p.relative_to(PACKAGE)) for p in MODULES.values()}
    listed = design_tree()
    assert sorted(actual - listed) == [], "modules the README does not name"
    assert sorted(listed - actual) == [], "modules the README names that do not exist"
