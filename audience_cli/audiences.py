"""Audience-level operations behind the commands (deleting; creating lives in importer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audience_cli.errors import BadRequestError, CliError, ExitCode
from audience_cli.prompts import require_confirmation
from audience_cli.resolve import resolve_audience

if TYPE_CHECKING:
    from audience_cli.context import AppContext


def delete_audience(app: AppContext, ref: str, *, yes: bool, dry_run: bool) -> dict[str, Any]:
    client = app.client()
    audience = resolve_audience(client, ref)
    audience_id = audience["_id"]
    name = str(audience.get("name") or audience_id)
    count = audience.get("memberCount")
    what = f"audience {name!r} ({audience_id})"
    if count is not None:
        what += f" and its {count} member{'s' if count != 1 else ''}"
    active = [c for c in audience.get("campaigns") or [] if c.get("status") != "completed"]
    result: dict[str, Any] = {
        "deleted": not dry_run,
        "dryRun": dry_run,
        "audience": {"_id": audience_id, "name": audience.get("name"), "memberCount": count},
    }
    if dry_run:
        app.say(f"Would delete {what}. Nothing was changed (--dry-run).")
        if active:
            app.warn(
                "Atoms would refuse: active campaign(s) use it: "
                + ", ".join(str(c.get("name") or c.get("_id")) for c in active)
            )
        return result
    require_confirmation(app, yes=yes, action=f"delete {what}", type_to_confirm=name)
    try:
        client.delete_audience(audience_id)
    except BadRequestError as exc:
        if "campaign" in exc.message.lower():
            names = ", ".join(repr(str(c.get("name") or c.get("_id"))) for c in active)
            using = f" ({names})" if names else ""
            raise CliError(
                f"Atoms refused to delete {name!r}: a campaign that is not completed uses it"
                f"{using}. Server said: {exc.message}",
                exit_code=ExitCode.REFUSED,
                hint="Complete or delete the campaign in the Atoms dashboard first, "
                "then run the delete again.",
            ) from None
        raise
    app.success(f"Deleted {what}.")
    return result
