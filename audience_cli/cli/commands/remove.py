"""`audience remove`: members out of an audience, by phone number or member id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands.contact_options import ContactInput, contact_options
from audience_cli.cli.commands.options import (
    NO_OUTPUT,
    AudienceArg,
    DryRunOpt,
    NoSnapshotOpt,
    WaitOpt,
    YesOpt,
    keep_safe,
    output_options,
)
from audience_cli.cli.commands.suppression_options import check_agent
from audience_cli.cli.output import Output
from audience_cli.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext
    from audience_cli.cli.safekeeping import Guard
    from audience_cli.core.members import Removal
    from audience_cli.model import Audience


@dataclass(frozen=True)
class RemoveOptions:
    audience: str
    contacts: ContactInput  # --phone and --csv: the numbers to remove
    member_ids: list[str]
    dnc: bool  # the members on the organisation's do-not-call list
    agent: str | None  # with dnc: that agent's entries count too
    missing_ok: bool
    yes: bool
    dry_run: bool
    stdout: Output  # its format (None: nothing on stdout) and fields


@contact_options(names=False, screen=False)  # a removal file lists who not to call
@output_options("REMOVE_FIELDS")
def remove(
    ctx: typer.Context,
    audience: AudienceArg,
    contacts: ContactInput,
    member_id: Annotated[
        list[str] | None,
        typer.Option(
            "--member-id", metavar="ID", help="Remove the member with this id (repeatable)."
        ),
    ] = None,
    dnc: Annotated[
        bool,
        typer.Option(
            "--dnc",
            help="Remove the members whose number is on the organisation's do-not-call list.",
        ),
    ] = False,
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent",
            metavar="ID",
            help="With --dnc: that agent's own entries count too (without it, only the "
            "organisation-wide ones).",
        ),
    ] = None,
    missing_ok: Annotated[
        bool,
        typer.Option(
            "--missing-ok",
            help="Numbers that are not in the audience are a note, not an error (an opt-out "
            "list applied every night).",
        ),
    ] = False,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    stdout: Output = NO_OUTPUT,
    wait: WaitOpt = 60.0,
    no_snapshot: NoSnapshotOpt = False,
) -> None:
    """Remove members from an audience: by number (--phone, or every number in --csv), by
    id, or those on the do-not-call list (--dnc).

    A file goes through the same pipeline as an import (phone column found by
    name, --region for national numbers). Confirms like delete, and snapshots the
    audience first (`audience restore` puts it back). Exit 5 when none
    of them is in the audience, unless --missing-ok; --dnc alone finding no member
    on the list is not an error (exit 0).

    [bold]Examples[/bold]

      audience remove "Q1 Sales Leads" --phone +14155552671

      audience remove "Q1 Sales Leads" --csv opt-outs.csv --missing-ok --yes

      audience remove "Q1 Leads" --member-id 696ddd56b905442f52b71394 --yes

      audience remove "Q1 Sales Leads" --dnc --dry-run
    """
    keep_safe(ctx, wait, no_snapshot)

    options = RemoveOptions(
        audience=audience,
        contacts=contacts,
        member_ids=checked_member_ids(member_id or []),
        dnc=dnc,
        agent=check_agent(agent),
        missing_ok=missing_ok,
        yes=yes,
        dry_run=dry_run,
        stdout=stdout,
    )
    raise typer.Exit(int(run_remove(ctx.obj, options)))


def checked_member_ids(member_ids: list[str]) -> list[str]:
    from audience_cli.core.audiences import OBJECT_ID

    for member_id in member_ids:
        if not OBJECT_ID.fullmatch(member_id):
            raise UsageError(
                f"--member-id {member_id!r}: not a member id (24 hex characters)",
                hint="See the ID column of `audience members AUDIENCE`.",
            )
    return member_ids


SHOWN = 10  # missing numbers named one by one


def run_remove(app: AppContext, opts: RemoveOptions) -> ExitCode:
    from audience_cli.cli.commands.contact_options import (
        import_contacts,
        rows_exit_code,
    )
    from audience_cli.cli.safekeeping import guarded_write
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.imports import ImportRequest

    inp = opts.contacts
    if not inp.csv and not inp.phones and not opts.member_ids and not opts.dnc:
        raise UsageError(
            "nothing to remove: give --phone NUMBER, --csv FILE, --member-id ID and/or --dnc"
        )
    if opts.agent and not opts.dnc:
        raise UsageError("--agent picks which do-not-call entries apply: it goes with --dnc")
    code = ExitCode.OK
    numbers: list[str] = []
    if inp.csv or inp.phones:
        request = ImportRequest(inp)
        with import_contacts(app, request, stdout_taken=opts.stdout.fmt is not None) as batch:
            numbers = [c.phone for c in batch]
            code = rows_exit_code(batch.report)
    audience = resolve_audience(app.client(), opts.audience)
    with guarded_write(app, audience, dry_run=opts.dry_run) as guard:
        removal = _remove_from(app, opts, audience, numbers, guard)
    if opts.stdout.fmt is not None:
        from audience_cli.cli.output import emit
        from audience_cli.cli.views import removal_summary

        emit(app, removal_summary(removal), opts.stdout)
    return code


def _remove_from(
    app: AppContext,
    opts: RemoveOptions,
    audience: Audience,
    numbers: list[str],
    guard: Guard,
) -> Removal:
    """Plan the removal, confirm it, snapshot the audience and remove (unless --dry-run)."""
    from audience_cli.cli.prompts import require_confirmation
    from audience_cli.core.members import plan_removal, remove_members
    from audience_cli.text import plural

    client = app.client()
    name = audience.get("name")
    removal = plan_removal(
        client,
        audience,
        numbers=numbers,
        member_ids=opts.member_ids,
    )
    _say_missing(app, removal.not_found, str(name), opts.missing_ok)
    dnc_only = opts.dnc and not numbers and not opts.member_ids
    if opts.dnc:
        on_list = _members_on_dnc(app, opts, audience)
        for member_id, number in on_list.items():
            removal.member_ids.setdefault(member_id, number)
        if dnc_only and not on_list:
            app.note(f"Nothing to remove from {name!r}: no member is on the do-not-call list.")
            return removal
    if not removal.member_ids and opts.missing_ok:
        app.note(f"Nothing to remove from {name!r}: none of the numbers is in it.")
        return removal
    removal.require_some()
    what = f"remove {plural(len(removal.member_ids), 'member')} from {name!r}"
    if opts.dry_run:
        app.say(f"Would {what}. Nothing was changed (--dry-run).")
    else:
        require_confirmation(
            app, yes=opts.yes, action=what, type_to_confirm=str(name or audience.get("_id"))
        )
        guard.snapshot_read(reason="remove")
        remove_members(client, removal)
        app.success(f"Removed {plural(removal.deleted, 'member')} from {name!r}.")
        if removal.unknown_ids:
            n = removal.unknown_ids
            app.warn(
                f"{n} of the given member ids {'was' if n == 1 else 'were'} not in the audience"
            )
    return removal


def _members_on_dnc(app: AppContext, opts: RemoveOptions, audience: Audience) -> dict[str, str]:
    """Member id -> number of the members on the do-not-call list; the first few named."""
    from audience_cli.cli.commands.suppression_options import load_dnc
    from audience_cli.core.dnc import members_on_list
    from audience_cli.text import plural

    dnc = load_dnc(app, opts.agent, opts.contacts.options.region, during_import=False)
    on_list = members_on_list(app.client(), audience, dnc)
    name = audience.get("name")
    numbers = list(on_list.values())
    for number in numbers[:SHOWN]:
        app.note(f"{number} is on the do-not-call list")
    if len(numbers) > SHOWN:
        app.note(f"… and {plural(len(numbers) - SHOWN, 'more number')} of {name!r} on it")
    return on_list


def _say_missing(app: AppContext, missing: list[str], name: str, missing_ok: bool) -> None:
    """Numbers not in the audience: a warning each (a note with --missing-ok), the first few."""
    from audience_cli.text import plural

    say = app.note if missing_ok else app.warn
    for number in missing[:SHOWN]:
        say(f"{number} is not in {name!r}")
    if len(missing) > SHOWN:
        say(f"… and {plural(len(missing) - SHOWN, 'more number')} not in {name!r}")
