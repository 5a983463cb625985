"""The sandbox package stands on its own: it imports nothing else from audience_cli.

Every import is checked, wherever it is written (module level, inside a
function, under `if TYPE_CHECKING:`, relative or absolute, or through
`importlib.import_module("…")`), and its errors are its own.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import audience_cli.sandbox
from audience_cli.sandbox.errors import SandboxError
from audience_cli.sandbox.store import SandboxStore

PACKAGE = "audience_cli.sandbox"
PACKAGE_DIR = Path(audience_cli.sandbox.__file__).parent
ROOT = "audience_cli"


def sandbox_modules() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def imported_names(source: str, module: str, *, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted name) for every module `source` imports, wherever written."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from audience_cli import errors` imports audience_cli.errors.
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and _call_name(node.func) in {"import_module", "importlib.import_module", "__import__"}
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def outside_sandbox(name: str) -> bool:
    """An audience_cli module that is neither the sandbox nor the bare top package.

    `from audience_cli import sandbox` yields both "audience_cli" (allowed: a
    subpackage always loads its parent) and "audience_cli.sandbox"."""
    if name != ROOT and not name.startswith(ROOT + "."):
        return False
    return name != ROOT and name != PACKAGE and not name.startswith(PACKAGE + ".")


def violations(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    names = imported_names(source, module_name(path), is_package=path.name == "__init__.py")
    return [f"{path.name}:{line}: imports {name}" for line, name in names if outside_sandbox(name)]


def test_the_sandbox_has_modules_to_check():
    names = {p.name for p in sandbox_modules()}
    assert {"__init__.py", "app.py", "store.py", "server.py", "errors.py"} <= names


@pytest.mark.parametrize("path", sandbox_modules(), ids=lambda p: p.name)
def test_sandbox_module_imports_nothing_from_the_cli(path: Path):
    assert violations(path) == []


def test_the_import_check_sees_every_kind_of_import():
    """The checker itself: each of these imports a CLI module and must be caught."""
    source = textwrap.dedent(
        """
        from __future__ import annotations
        import importlib
        from typing import TYPE_CHECKING
        import audience_cli.errors
        from audience_cli.sandbox.store import SandboxStore
        from audience_cli import sandbox

        if TYPE_CHECKING:
            from audience_cli.client import AtomsClient

        def later():
            from audience_cli import errors
            from .. import config
            from ..phone import normalize_phone
            import audience_cli.cli.output as output
            return importlib.import_module("audience_cli.retry")

        class K:
            def m(self):
                from ..contacts import dedup
        """
    )
    names = imported_names(source, "audience_cli.sandbox.store", is_package=False)
    bad = sorted({name for _, name in names if outside_sandbox(name)})
    assert bad == [
        "audience_cli.cli.output",
        "audience_cli.client",
        "audience_cli.client.AtomsClient",
        "audience_cli.config",
        "audience_cli.contacts",
        "audience_cli.contacts.dedup",
        "audience_cli.errors",
        "audience_cli.phone",
        "audience_cli.phone.normalize_phone",
        "audience_cli.retry",
    ]
    # …while the sandbox's own imports and the standard library pass.
    assert not any(
        outside_sandbox(n)
        for n in ("audience_cli.sandbox.store", "audience_cli", "importlib", "typing")
    )


def test_importing_the_sandbox_loads_no_cli_module():
    """At run time too: a fresh interpreter that uses the sandbox loads none of the CLI."""
    code = textwrap.dedent(
        """
        import sys
        import audience_cli.sandbox, audience_cli.sandbox.app, audience_cli.sandbox.errors
        import audience_cli.sandbox.server, audience_cli.sandbox.store
        from audience_cli.sandbox.store import SandboxStore
        SandboxStore(":memory:").list_audiences()
        print("\\n".join(sorted(m for m in sys.modules if m.startswith("audience_cli"))))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = out.split()
    assert [m for m in loaded if outside_sandbox(m)] == []
    assert PACKAGE + ".store" in loaded


# --- SandboxError -----------------------------------------------------------


def test_sandbox_error_is_not_a_cli_error():
    err = SandboxError("boom", hint="do this")
    assert isinstance(err, Exception)
    assert type(err).__module__ == "audience_cli.sandbox.errors"
    assert (str(err), err.message, err.hint) == ("boom", "boom", "do this")
    assert SandboxError("no hint").hint is None


def test_a_directory_is_not_a_sandbox_database(tmp_path: Path):
    with pytest.raises(SandboxError) as info:
        SandboxStore(tmp_path)
    assert str(tmp_path) in info.value.message
    assert "cannot use this file as the sandbox database" in info.value.message
    assert info.value.hint and "AUDIENCE_SANDBOX_DB" in info.value.hint
    assert info.value.__cause__ is None  # the sqlite/OS error is in the message


def test_a_file_of_garbage_is_not_a_sandbox_database(tmp_path: Path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite \x00\xff" * 200)
    before = junk.read_bytes()
    with pytest.raises(SandboxError) as info:
        SandboxStore(junk)
    assert str(junk) in info.value.message
    assert "cannot use this file as the sandbox database" in info.value.message
    assert junk.read_bytes() == before  # refused, not overwritten


def test_a_file_under_a_regular_file_is_not_a_sandbox_database(tmp_path: Path):
    """The parent "directory" is a file, so it cannot be created."""
    blocker = tmp_path / "plain"
    blocker.write_text("x")
    with pytest.raises(SandboxError) as info:
        SandboxStore(blocker / "sandbox.db")
    assert str(blocker / "sandbox.db") in info.value.message


def test_a_new_path_is_a_usable_sandbox_database(tmp_path: Path):
    store = SandboxStore(tmp_path / "new" / "dir" / "sandbox.db")
    assert store.list_audiences() == []
