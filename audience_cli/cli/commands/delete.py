"""`audience delete`: an audience and all its members, after confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

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
from audience_cli.cli.output import Output

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


@dataclass(frozen=True)
class DeleteOptions:
    audience: str
    yes: bool
    dry_run: bool
    stdout: Output  # its format (None: nothing on stdout) and fields


@output_options("DELETE_FIELDS")
def delete(
    ctx: typer.Context,
    audience: AudienceArg,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    stdout: Output = NO_OUTPUT,
    wait: WaitOpt = 60.0,
    no_snapshot: NoSnapshotOpt = False,
) -> None:
    """Delete an audience and all its members.

    On a terminal you type the audience's name to confirm; in scripts pass
    --yes. Atoms refuses while a campaign that is not completed uses it. The
    audience is snapshotted first: `audience restore ID` makes it again, with
    every member and field.

    [bold]Examples[/bold]

      audience delete "Q1 Sales Leads"

      audience delete 696ddd56b905442f52b71392 --yes
    """
    keep_safe(ctx, wait, no_snapshot)

    run_delete(
        ctx.obj,
        DeleteOptions(
            audience,
            yes,
            dry_run,
            stdout,
        ),
    )


def run_delete(app: AppContext, opts: DeleteOptions) -> None:
    from audience_cli.cli.completion_cache import remember_change
    from audience_cli.cli.output import emit
    from audience_cli.cli.prompts import require_confirmation
    from audience_cli.cli.safekeeping import guarded_write
    from audience_cli.cli.views import delete_summary
    from audience_cli.core.audiences import delete_audience, plan_delete
    from audience_cli.text import plural

    plan = plan_delete(app.client(), opts.audience)
    audience = plan.audience
    name = str(audience.get("name") or audience.get("_id"))
    count = audience.get("memberCount")
    what = f"audience {name!r} ({audience.get('_id')})"
    if count is not None:
        what += f" and its {plural(count, 'member')}"
    if opts.dry_run:
        app.say(f"Would delete {what}. Nothing was changed (--dry-run).")
        if plan.blocking:
            app.warn(
                "Atoms would refuse: active campaign(s) use it: "
                + ", ".join(str(c.get("name") or c.get("_id")) for c in plan.blocking)
            )
        result = plan
    else:
        require_confirmation(app, yes=opts.yes, action=f"delete {what}", type_to_confirm=name)
        with guarded_write(app, audience) as guard:
            guard.snapshot_read(reason="delete")
            result = delete_audience(app.client(), plan)
        remember_change(app, gone=[str(audience.get("_id"))])
        app.success(f"Deleted {what}.")
    if opts.stdout.fmt is not None:
        emit(app, delete_summary(result), opts.stdout)
