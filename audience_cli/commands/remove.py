"""`audience remove`: members out of an audience, by phone number or member id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.commands.contact_options import RegionOpt
from audience_cli.commands.options import AudienceArg, DryRunOpt, FormatOpt, JsonOpt, YesOpt
from audience_cli.errors import UsageError
from audience_cli.output import OutputFormat

if TYPE_CHECKING:
    from audience_cli.context import AppContext


@dataclass(frozen=True)
class RemoveOptions:
    audience: str
    numbers: list[str]  # E.164
    member_ids: list[str]
    yes: bool
    dry_run: bool
    fmt: OutputFormat | None  # None: nothing on stdout


def remove(
    ctx: typer.Context,
    audience: AudienceArg,
    phone: Annotated[
        list[str] | None,
        typer.Option(
            "--phone", metavar="NUMBER", help="Remove the member with this number (repeatable)."
        ),
    ] = None,
    member_id: Annotated[
        list[str] | None,
        typer.Option(
            "--member-id", metavar="ID", help="Remove the member with this id (repeatable)."
        ),
    ] = None,
    region: RegionOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove members from an audience, by phone number or member id.

    Numbers are looked up with the search endpoint. Confirms like delete.

    [bold]Examples[/bold]

      audience remove "Q1 Sales Leads" --phone +14155552671

      audience remove 696ddd56b905442f52b71392 --member-id 696ddd56b905442f52b71394 --yes
    """
    from audience_cli.output import asked_format

    options = RemoveOptions(
        audience=audience,
        numbers=numbers_to_remove(phone or [], region),
        member_ids=checked_member_ids(member_id or []),
        yes=yes,
        dry_run=dry_run,
        fmt=asked_format(fmt, as_json),
    )
    run_remove(ctx.obj, options)


def numbers_to_remove(phones: list[str], region: str | None) -> list[str]:
    """--phone values in E.164 (the same region rule as every contact option)."""
    from audience_cli.commands.contact_options import check_region_option
    from audience_cli.phone import PhoneNumberError, normalize_phone

    code = check_region_option(region)
    numbers: list[str] = []
    for raw in phones:
        try:
            numbers.append(normalize_phone(raw, code))
        except PhoneNumberError as exc:
            raise UsageError(f"--phone {raw!r}: {exc}") from None
    return numbers


def checked_member_ids(member_ids: list[str]) -> list[str]:
    from audience_cli.core.audiences import OBJECT_ID

    for member_id in member_ids:
        if not OBJECT_ID.fullmatch(member_id):
            raise UsageError(
                f"--member-id {member_id!r}: not a member id (24 hex characters)",
                hint="See the ID column of `audience members AUDIENCE`.",
            )
    return member_ids


def run_remove(app: AppContext, opts: RemoveOptions) -> None:
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.members import plan_removal, remove_members
    from audience_cli.output import emit
    from audience_cli.prompts import require_confirmation
    from audience_cli.text import plural
    from audience_cli.views import removal_summary

    if not opts.numbers and not opts.member_ids:
        raise UsageError("nothing to remove: give --phone NUMBER and/or --member-id ID")
    client = app.client()
    audience = resolve_audience(client, opts.audience)
    name = audience.get("name")
    removal = plan_removal(client, audience, numbers=opts.numbers, member_ids=opts.member_ids)
    for number in removal.not_found:
        app.warn(f"{number} is not in {name!r}")
    removal.require_some()
    what = f"remove {plural(len(removal.member_ids), 'member')} from {name!r}"
    if opts.dry_run:
        app.say(f"Would {what}. Nothing was changed (--dry-run).")
    else:
        require_confirmation(
            app, yes=opts.yes, action=what, type_to_confirm=str(name or audience.get("_id"))
        )
        remove_members(client, removal)
        app.success(f"Removed {plural(removal.deleted, 'member')} from {name!r}.")
        if removal.unknown_ids:
            n = removal.unknown_ids
            app.warn(
                f"{n} of the given member ids {'was' if n == 1 else 'were'} not in the audience"
            )
    if opts.fmt is not None:
        emit(app, removal_summary(removal), opts.fmt)
