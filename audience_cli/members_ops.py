"""Member-level operations behind `remove` and `export`."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from audience_cli.errors import CliError, ExitCode, UsageError
from audience_cli.files import open_output
from audience_cli.output import cell_text, protect_formula
from audience_cli.prompts import require_confirmation
from audience_cli.resolve import OBJECT_ID, resolve_audience
from audience_cli.views import MEMBER_NAME_KEYS, member_data_keys

if TYPE_CHECKING:
    from audience_cli.context import AppContext


def remove_members(
    app: AppContext,
    ref: str,
    *,
    phones: Sequence[str],
    member_ids: Sequence[str],
    region: str | None,
    yes: bool,
    dry_run: bool,
) -> dict[str, Any]:
    from audience_cli.phone import PhoneNumberError, normalize_phone

    if not phones and not member_ids:
        raise UsageError("nothing to remove: give --phone NUMBER and/or --member-id ID")
    for member_id in member_ids:
        if not OBJECT_ID.fullmatch(member_id):
            raise UsageError(
                f"--member-id {member_id!r}: not a member id (24 hex characters)",
                hint="See the ID column of `audience members AUDIENCE`.",
            )
    numbers: list[str] = []
    for raw in phones:
        try:
            numbers.append(normalize_phone(raw, region))
        except PhoneNumberError as exc:
            raise UsageError(f"--phone {raw!r}: {exc}") from None
    client = app.client()
    audience = resolve_audience(client, ref)
    audience_id = audience["_id"]
    column = audience.get("phoneNumberColumnName") or "phoneNumber"

    ids: dict[str, str] = {i: i for i in member_ids}  # member id -> what the user gave
    missing: list[str] = []
    for number in dict.fromkeys(numbers):
        found = client.search_members(audience_id, query=number).get("members") or []
        exact = [m for m in found if str((m.get("data") or {}).get(column)) == number]
        if not exact:
            missing.append(number)
        for m in exact:
            ids[m["_id"]] = number
    for number in missing:
        app.warn(f"{number} is not in {audience.get('name')!r}")
    result: dict[str, Any] = {
        "audience": {"_id": audience_id, "name": audience.get("name")},
        "memberIds": list(ids),
        "notFound": missing,
        "dryRun": dry_run,
        "deletedCount": 0,
    }
    if not ids:
        raise CliError(
            "none of the given numbers is in the audience: nothing was removed",
            exit_code=ExitCode.NOT_FOUND,
        )
    what = f"remove {len(ids)} member{'s' if len(ids) != 1 else ''} from {audience.get('name')!r}"
    if dry_run:
        app.say(f"Would {what}. Nothing was changed (--dry-run).")
        return result
    require_confirmation(
        app, yes=yes, action=what, type_to_confirm=str(audience.get("name") or audience_id)
    )
    deleted = int(client.remove_members(audience_id, list(ids)).get("deletedCount", 0))
    result["deletedCount"] = deleted
    if not deleted:
        raise CliError(
            f"none of the given members is in {audience.get('name')!r}: nothing was removed",
            exit_code=ExitCode.NOT_FOUND,
        )
    app.success(
        f"Removed {deleted} member{'s' if deleted != 1 else ''} from {audience.get('name')!r}."
    )
    if deleted < len(ids):
        missing_ids = len(ids) - deleted
        app.warn(
            f"{missing_ids} of the given member ids {'was' if missing_ids == 1 else 'were'} "
            "not in the audience"
        )
    return result


def export_members(app: AppContext, ref: str, output: str, *, safe: bool) -> int:
    """Write every member as CSV (firstName, lastName, phone, then data fields).

    The file can be imported again with `audience add --csv`. It is written
    to a temporary file and renamed, so a failure never leaves half a backup.
    """
    client = app.client()
    audience = resolve_audience(client, ref)
    column = audience.get("phoneNumberColumnName") or "phoneNumber"
    members = list(client.iter_members(audience["_id"], page_size=100))
    header = [*MEMBER_NAME_KEYS, column, *member_data_keys(members, column)]

    def write(stream: Any) -> None:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        for m in members:
            data = m.get("data") or {}
            cells = [cell_text(data.get(k)) for k in header]
            writer.writerow([protect_formula(c) for c in cells] if safe else cells)

    with open_output(output, "export") as stream:
        write(stream)
    if output != "-":
        app.success(
            f"Exported {len(members):,} member{'s' if len(members) != 1 else ''} of "
            f"{audience.get('name')!r} to {output}."
        )
    return len(members)
