"""`audience split AUDIENCE|FILE --by timezone`: one audience per calling-window group,
each with the earliest safe start (scheduledAt) for the next day."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands import options as o
from audience_cli.cli.commands.calling_options import CallingInput, calling_options
from audience_cli.cli.commands.check_hours import AtOpt, SourceArg
from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.output import Output
from audience_cli.errors import UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.core.hours import SplitGroup

DEFAULT_TEMPLATE = "{name} {window}"


class SplitBy(StrEnum):
    timezone = "timezone"


@dataclass(frozen=True)
class SplitOptions:
    source: str
    contacts: ContactInput
    calling: CallingInput
    by: SplitBy
    template: str
    at: str | None
    dry_run: bool
    yes: bool
    stdout: Output


@contact_options(sources=False)
@calling_options(screen=False)
@o.output_options("SPLIT_FIELDS", always=True)
def split(
    ctx: typer.Context,
    source: SourceArg,
    by: Annotated[
        SplitBy,
        typer.Option(
            "--by",
            metavar="timezone",
            case_sensitive=False,
            help="How to group the members: by calling window (their time zones and rules).",
        ),
    ],
    contacts: ContactInput,
    name_template: Annotated[
        str,
        typer.Option(
            "--name-template",
            metavar="TEXT",
            help="Each new audience's name: {name} (the source's), {window}, {zone}, {n} "
            "(the group's number, from 1).",
        ),
    ] = DEFAULT_TEMPLATE,
    at: AtOpt = None,
    dry_run: o.DryRunOpt = False,
    yes: o.YesOpt = False,
    calling: CallingInput | None = None,
    stdout: Output = o.NO_OUTPUT,
    wait: o.WaitOpt = 60.0,
) -> None:
    """Split an audience or a file into one audience per calling window, each with its start.

    Members go together when their calling window the next day is the same: the
    same time zones and hours, and so the same stretch of time in UTC. Each group's
    scheduledAt is the earliest instant of the day after --at (default: now) at
    which every one of its members is inside their window: the start time to give
    its campaign. Members with no known zone (or a zone, ZIP or state value that
    cannot be read) go to their own group, `unknown`, with no start time. Every
    member is in exactly one group; the source is left as it is.

    Names come from --name-template; a name an audience already has is refused
    before anything is created. --dry-run prints the plan and changes nothing.
    Asks before creating on a terminal (--yes does not ask). Each new name is locked
    as `create` locks it, so two runs never make two audiences of one name.

    [bold]Examples[/bold]

      audience split "Spring Leads" --by timezone --dry-run

      audience split "Spring Leads" --by timezone --at "2026-12-07 18:00 UTC"

      audience split leads.csv --by timezone --name-template "Leads {n} {zone}"

      audience split "Spring Leads" --by timezone --yes --json
    """
    o.keep_safe(ctx, wait)
    options = SplitOptions(
        source,
        contacts,
        calling or CallingInput(),
        by,
        name_template,
        at,
        dry_run,
        yes,
        stdout,
    )
    run_split(ctx.obj, options)


def run_split(app: AppContext, opts: SplitOptions) -> None:
    from audience_cli.cli.commands.check_hours import hours_request, instant, read_source
    from audience_cli.cli.hours_views import split_view
    from audience_cli.cli.output import emit
    from audience_cli.core.hours import check_hours, plan_split
    from audience_cli.model import DEFAULT_PHONE_COLUMN

    now = app.now()
    at = instant(opts.at, now)
    request = hours_request(opts.calling, now)
    label, contacts, column = read_source(app, opts.source, opts.contacts)
    base = _base_name(app, opts.source, column is None)
    report = check_hours(label, contacts, request, at)
    groups = plan_split(report.rows, at, request.rules)
    names = group_names(opts.template, base, groups)
    _check_sizes(app, groups, names)
    if not opts.dry_run or column is not None:
        _check_taken(app, names)
    ids: list[str | None] = [None] * len(groups)
    if not opts.dry_run and groups:
        _confirm(app, opts.yes, len(groups), len(contacts))
        from contextlib import ExitStack

        from audience_cli.cli.safekeeping import name_lock

        with ExitStack() as held:
            # Each name's lock, as `create` takes it (in one order: two splits never wait
            # on each other in a circle), then the names checked again under them.
            for name in sorted(set(names)):
                held.enter_context(name_lock(app, name))
            _check_taken(app, names)
            ids = _create(app, groups, names, column or DEFAULT_PHONE_COLUMN)
    emit(app, split_view(groups, names, ids, dry_run=opts.dry_run), opts.stdout)
    from audience_cli.text import plural

    done = "would be created" if opts.dry_run else "created"
    made = plural(len(groups), "audience")
    app.note(f"{label}: {plural(len(contacts), 'member')} in {made} {done}.")


def _base_name(app: AppContext, source: str, is_file: bool) -> str:
    """{name}: the audience's name, or the file's name without its extension."""
    if is_file:
        from pathlib import Path

        return "stdin" if source == "-" else Path(source).stem
    from audience_cli.core.audiences import resolve_audience

    return str(resolve_audience(app.client(), source).get("name") or source)


def group_names(template: str, base: str, groups: list[SplitGroup]) -> list[str]:
    from audience_cli.core.hours import group_name

    try:
        names = [group_name(template, base, g, i) for i, g in enumerate(groups, 1)]
    except ValueError as exc:
        raise UsageError(
            f"--name-template {exc}: it takes {{name}}, {{window}}, {{zone}} and {{n}}"
        ) from None
    if any(not n for n in names):
        raise UsageError(f"--name-template {template!r} gives an empty name")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(
            f"--name-template {template!r} gives two groups the name {repeated[0]!r}: "
            "add {n} or {window} to it"
        )
    return names


def _check_sizes(app: AppContext, groups: list[SplitGroup], names: list[str]) -> None:
    """A group larger than one audience may hold is refused before anything is made."""
    from audience_cli.model import DEFAULT_MEMBER_LIMIT

    text = app.env.get("AUDIENCE_MEMBER_LIMIT", "")
    limit = int(text) if text.strip().isdigit() and int(text) > 0 else DEFAULT_MEMBER_LIMIT
    for group, name in zip(groups, names, strict=True):
        if len(group.members) > limit:
            raise UsageError(
                f"the group {name!r} holds {len(group.members):,} members, over the "
                f"{limit:,}-member limit of one audience: nothing was created",
                hint="Split the file first (audience create --split), then split each part.",
            )


def _check_taken(app: AppContext, names: list[str]) -> None:
    from audience_cli.errors import NameTakenError

    taken = [a for a in app.client().list_audiences() if a.get("name") in set(names)]
    if taken:
        raise NameTakenError([str(a.get("name")) for a in taken], [str(a["_id"]) for a in taken])


def _confirm(app: AppContext, yes: bool, count: int, members: int) -> None:
    if yes or not app.can_prompt:
        return
    import click

    try:
        from audience_cli.text import plural

        what = f"Create {plural(count, 'audience')} of {plural(members, 'member')} in all?"
        go = click.confirm(what, err=True)
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None
    if not go:
        from audience_cli.errors import CliError, ExitCode

        raise CliError("not confirmed: nothing was created", exit_code=ExitCode.USAGE)


def _create(
    app: AppContext, groups: list[SplitGroup], names: list[str], column: str
) -> list[str | None]:
    from audience_cli.core.upload import create_from_rows
    from audience_cli.model import DEFAULT_CHUNK_SIZE

    client = app.client()
    ids: list[str | None] = []
    for group, name in zip(groups, names, strict=True):
        rows = [dict(c.fields) for c in group.members]
        made = create_from_rows(
            client, name, rows, phone_column=column, chunk_size=DEFAULT_CHUNK_SIZE
        )
        ids.append(str(made.audience.get("_id")))
        app.note(f"Created {name!r} ({made.added:,} members).")
    return ids
