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

# Modules that hold the tool's logic apart from any terminal: no CLI, console or prompt.
PLAIN = ("client.py", "retry.py", "errors.py", "model.py", "text.py", "phone.py", "redaction.py",
         "answers.py", "deadline_backend.py", "core/")  # fmt: skip
CLI_MODULES = ("typer", "click", "rich", "audience_cli.context", "audience_cli.output",
               "audience_cli.prompts", "audience_cli.progress", "audience_cli.commands",
               "audience_cli.cli", "audience_cli.hints")  # fmt: skip


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
    assert internal_edges(PACKAGE / "cli.py") >= {"audience_cli.context", "audience_cli.hints"}


def plain_modules() -> list[Path]:
    return [
        p
        for p in MODULES.values()
        if any(str(p.relative_to(PACKAGE)).startswith(prefix) for prefix in PLAIN)
    ]


@pytest.mark.parametrize("path", plain_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_plain_modules_know_nothing_of_the_cli(path: Path) -> None:
    bad = sorted(
        target
        for target in imports_of(path)
        if any(target == m or target.startswith(m + ".") for m in CLI_MODULES)
    )
    assert bad == [], f"{path.name} imports {bad}"


# A command (`audience add`) or a flag (--split) named in text.
NAMES_THE_CLI = re.compile(r"`audience\b|(?<![\w-])--[a-z]")


@pytest.mark.parametrize(
    "path",
    [
        *(PACKAGE / name for name in ("client.py", "answers.py", "deadline_backend.py")),
        PACKAGE / "model.py",
        *sorted((PACKAGE / "core").glob("*.py")),
    ],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_client_and_the_core_name_no_command_or_flag(path: Path) -> None:
    """Hints that name commands and flags are added at the CLI edge (hints.py)."""
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
