"""The command table: `--help` and completion list every command from it, and it says what
each command's own help says; a run builds the command it invokes and no other."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import typer.main
from click.testing import CliRunner

from audience_cli.cli.app import app
from audience_cli.cli.command_table import COMMANDS, LazyCommands, build_command

COMMANDS_DIR = Path(__file__).resolve().parent.parent / "audience_cli" / "commands"
# Modules of commands/ that declare options or a subgroup, not a top-level command.
HELPERS = {"__init__", "options", "contact_options", "option_groups", "suppression_options",
           "sandbox_dnc"}  # fmt: skip


def fresh_root() -> click.Group:
    root = typer.main.get_command(app)
    assert isinstance(root, click.Group)
    return root


def lazy(root: click.Group) -> LazyCommands:
    assert isinstance(root.commands, LazyCommands)
    return root.commands


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_the_first_paragraph_of_the_commands_own_help(name: str) -> None:
    real = build_command(name, COMMANDS[name], "rich")
    assert real.name == name
    first = inspect.cleandoc(real.short_help or real.help or "").split("\n\n")[0]
    assert COMMANDS[name].summary == first
    stand_in = LazyCommands({name: COMMANDS[name]}, "rich").listed(name)
    assert stand_in is not None
    assert stand_in.get_short_help_str() == real.get_short_help_str()  # what completion shows


def test_every_command_module_is_in_the_table() -> None:
    modules = {p.stem for p in COMMANDS_DIR.glob("*.py")} - HELPERS
    in_table = {e.target.partition(":")[0].rpartition(".")[2] for e in COMMANDS.values()}
    assert modules <= in_table, f"command modules missing from the table: {modules - in_table}"


def test_help_lists_every_command_without_building_one() -> None:
    root = fresh_root()
    listed = CliRunner().invoke(root, ["--help"], prog_name="audience").stdout
    assert lazy(root).built == {}
    for name in COMMANDS:
        assert f" {name} " in listed
    for name in COMMANDS:  # now every command is built: the help must not change
        root.get_command(click.Context(root), name)
    assert set(lazy(root).built) == set(COMMANDS)
    assert CliRunner().invoke(root, ["--help"], prog_name="audience").stdout == listed


def test_completion_lists_every_command_name_without_building_one() -> None:
    root = fresh_root()
    ctx = click.Context(root, info_name="audience", resilient_parsing=True)
    found = [item.value for item in root.shell_complete(ctx, "")]
    assert [v for v in found if not v.startswith("-")] == list(COMMANDS)
    assert lazy(root).built == {}
    assert [item.value for item in root.shell_complete(ctx, "s")] == [
        "show",
        "sync",
        "split",
        "snapshots",
        "sandbox",
    ]


def test_a_run_builds_only_the_command_it_invokes() -> None:
    root = fresh_root()
    result = CliRunner().invoke(root, ["completion", "bash"])
    assert result.exit_code == 0, result.output
    assert list(lazy(root).built) == ["completion"]


def test_a_typo_still_gets_a_suggestion(cli) -> None:
    result = cli("lsit")
    assert result.exit_code == 2
    assert "'list'" in result.stderr


def test_the_table_refuses_a_name_it_does_not_have() -> None:
    root = fresh_root()
    assert root.get_command(click.Context(root), "nope") is None
    assert "nope" not in root.commands
    assert len(root.commands) == len(COMMANDS)


def _every_command(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _every_command(sub, f"{path} {name}")


def test_help_paragraphs_wrap_to_the_terminal_not_to_the_source() -> None:
    """Rich help keeps a docstring's line breaks: each paragraph is made one line, so a
    wide terminal is not cut at the source's 80 columns (`remove`, `sandbox campaign add`)."""
    for name, entry in COMMANDS.items():
        for path, command in _every_command(build_command(name, entry, "rich"), name):
            for paragraph in (command.help or "").split("\n\n"):
                lines = paragraph.split("\n")
                if not any(line[:1].isspace() for line in lines):  # examples keep theirs
                    assert len(lines) == 1, (path, paragraph)
    wide = CliRunner().invoke(
        fresh_root(),
        ["sandbox", "campaign", "add", "--help"],
        terminal_width=200,
        env={"COLUMNS": "200"},
    )
    assert "Only a completed campaign lets the audience be deleted." in wide.stdout
    listed = CliRunner().invoke(fresh_root(), ["--help"], env={"COLUMNS": "200"}).stdout
    assert "by id, or those on the do-not-call list (--dnc)." in listed
