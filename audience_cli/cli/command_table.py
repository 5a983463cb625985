"""Every top-level command by name: where it lives and the line `audience --help` shows.

The root group holds a `LazyCommands` table instead of built commands: a run
imports and builds only the command it invokes (building all twelve commands and
three groups, and importing their modules, cost more than the run itself), while
`--help`, "Did you mean …?" and shell completion read the names and summaries
here without importing a command module. `tests/test_command_table.py` checks
every summary against the command's own help, so the two cannot drift.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from typer.core import MarkupMode


@dataclass(frozen=True)
class Entry:
    target: str  # "module:attribute": a command function or a Typer group
    summary: str  # the first paragraph of its help: what `audience --help` lists


# In the order `audience --help` lists them (Typer's: commands, then groups).
COMMANDS: dict[str, Entry] = {
    "create": Entry(
        "audience_cli.cli.commands.create:create",
        "Create an audience from --phone flags and/or a CSV file.",
    ),
    "list": Entry(
        "audience_cli.cli.commands.list_audiences:list_audiences",
        "List every audience: id, name, members, campaigns, created.",
    ),
    "show": Entry(
        "audience_cli.cli.commands.show:show",
        "Show every field of one audience, its member count and its campaigns.",
    ),
    "members": Entry(
        "audience_cli.cli.commands.members:members",
        "Show the members of an audience, one page at a time, or all of them.",
    ),
    "add": Entry(
        "audience_cli.cli.commands.add:add",
        "Add contacts to an audience; numbers already in it are skipped.",
    ),
    "sync": Entry(
        "audience_cli.cli.commands.sync:sync",
        "Make an audience's members equal to a contacts file: add, remove, update.",
    ),
    "diff": Entry(
        "audience_cli.cli.commands.diff:diff",
        "Show what `sync` would change: members to add, remove and update.",
    ),
    "validate": Entry(
        "audience_cli.cli.commands.validate:validate",
        "Check a contacts file: nothing is sent, and no key is needed.",
    ),
    "check-hours": Entry(
        "audience_cli.cli.commands.check_hours:check_hours",
        "Check who may be called at a time (default: now), by each member's local time.",
    ),
    "split": Entry(
        "audience_cli.cli.commands.split:split",
        "Split an audience or a file into one audience per calling window, each with its start.",
    ),
    "remove": Entry(
        "audience_cli.cli.commands.remove:remove",
        "Remove members from an audience: by number (--phone, or every number in --csv), by "
        "id, or those on the do-not-call list (--dnc).",
    ),
    "export": Entry(
        "audience_cli.cli.commands.export:export",
        "Write every member of an audience to a CSV file: a backup `add` can re-import.",
    ),
    "delete": Entry(
        "audience_cli.cli.commands.delete:delete",
        "Delete an audience and all its members.",
    ),
    "outcomes": Entry(
        "audience_cli.cli.commands.outcomes:outcomes",
        "Show a campaign's outcome for each audience member, with a summary by status.",
    ),
    "snapshots": Entry(
        "audience_cli.cli.commands.snapshots:snapshots",
        "List the snapshots taken before members were removed or replaced, newest first.",
    ),
    "restore": Entry(
        "audience_cli.cli.commands.restore:restore",
        "Make an audience equal to a snapshot: its members, with exactly their fields.",
    ),
    "doctor": Entry(
        "audience_cli.cli.commands.doctor:doctor",
        "Check the setup: the key, the base URL, the network, the API's answers, the clock.",
    ),
    "completion": Entry(
        "audience_cli.cli.commands.completion:completion",
        "Print the shell completion script for SHELL.",
    ),
    "help": Entry(
        "audience_cli.cli.app:help_command",
        "Show the help of the tool, or of a command: `audience help add` is `audience add --help`.",
    ),
    "dnc": Entry(
        "audience_cli.cli.commands.dnc:app",
        "The organisation's do-not-call list: numbers Atoms must not call. Imports (create, "
        "add, sync, validate) reject the numbers on it unless --no-dnc.",
    ),
    "auth": Entry(
        "audience_cli.cli.commands.auth:app",
        "Store, show and remove the Atoms API key (~/.smallestai/credentials.json).",
    ),
    "sandbox": Entry(
        "audience_cli.cli.commands.sandbox:app",
        "The local sandbox: an emulator of the Atoms audience API backed by SQLite.",
    ),
}


def build_command(name: str, entry: Entry, markup_mode: MarkupMode) -> click.Command:
    """Import the command's module and build its Click command as the whole app would."""
    import typer
    import typer.main

    module, _, attribute = entry.target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(rich_markup_mode=markup_mode)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    command = typer.main.get_group(holder).commands[name]
    unwrap_help(command)
    return command


def unwrap_help(command: click.Command) -> None:
    """Make each paragraph of the help of `command` (and of its subcommands) one line.

    Rich help keeps a docstring's line breaks inside a paragraph, so the text came out
    as the source wraps it: cut short on a wide terminal, ragged on a narrow one. One
    line a paragraph lets the terminal's width decide. Paragraphs with an indented line
    (the examples) keep their lines."""
    if command.help:
        command.help = unwrapped(command.help)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            unwrap_help(sub)


def unwrapped(text: str) -> str:
    import inspect

    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if any(line[:1].isspace() or line.startswith("\b") for line in p.split("\n"))
        else " ".join(line.strip() for line in p.split("\n"))
        for p in paragraphs
    )  # fmt: skip


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands: the table's names at once, each command built when first used.

    `listed(name)` is what a listing needs (`--help`, completion of names): the built
    command if it is built, else a stand-in that carries the name and summary alone.
    """

    def __init__(self, table: dict[str, Entry], markup_mode: MarkupMode) -> None:
        self.table = table
        self.markup_mode = markup_mode
        self.built: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.built:
            entry = self.table[name]  # KeyError: no such command
            self.built[name] = build_command(name, entry, self.markup_mode)
        return self.built[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self.table and name not in self.built:
            raise KeyError(name)
        self.table = {k: v for k, v in self.table.items() if k != name}
        self.built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self.table
        yield from (name for name in self.built if name not in self.table)

    def __len__(self) -> int:
        return len(self.table.keys() | self.built.keys())

    def __contains__(self, name: object) -> bool:
        return name in self.table or name in self.built

    def listed(self, name: str) -> click.Command | None:
        if name in self.built:
            return self.built[name]
        entry = self.table.get(name)
        return None if entry is None else click.Command(name, help=entry.summary)
