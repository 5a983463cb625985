"""`audience sandbox campaign run | add`: campaigns on sandbox audiences.

`run` makes a campaign and runs it at once (the sandbox's seeded simulation, as
`POST /campaign/{id}/start` does); `add` attaches a campaign in a given status, to try
the delete refusal. Both write the sandbox's SQLite store directly.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from audience_cli.cli.commands.options import AudienceArg, DbOpt, sandbox_db

if TYPE_CHECKING:
    from audience_cli.sandbox.store import SandboxStore

app = typer.Typer(
    help="Campaigns on sandbox audiences: run one (simulated calls), or attach one in a status.",
    no_args_is_help=True,
)


class CampaignStatus(StrEnum):
    running = "running"
    scheduled = "scheduled"
    paused = "paused"
    completed = "completed"


def _sandbox_audience(store: SandboxStore, audience: str) -> dict[str, Any]:
    """The sandbox audience of this id or exact name; not found or ambiguous: an error."""
    from audience_cli.errors import CliError, ExitCode, UsageError

    matches = [a for a in store.list_audiences() if audience in (a["_id"], a["name"])]
    if not matches:
        raise CliError(
            f"no sandbox audience with id or name {audience!r}",
            exit_code=ExitCode.NOT_FOUND,
            hint="See `audience --sandbox list`.",
        )
    if len(matches) > 1:
        ids = ", ".join(a["_id"] for a in matches)
        raise UsageError(f"{len(matches)} audiences are named {audience!r}: {ids}")
    return matches[0]


@app.command("run")
def run(
    ctx: typer.Context,
    audience: AudienceArg,
    name: Annotated[str, typer.Option("--name", help="The campaign's name.")] = "Sandbox campaign",
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            envvar="AUDIENCE_SANDBOX_CAMPAIGN_SEED",
            metavar="N",
            help="Seed of the simulated calls: the same audience and seed give the same "
            "outcomes (as a served sandbox's --campaign-seed).",
        ),
    ] = 0,
    max_retries: Annotated[
        int,
        typer.Option(
            "--max-retries", min=0, max=10, metavar="N", help="Retries of an unanswered call."
        ),
    ] = 3,
    still_running: Annotated[
        bool,
        typer.Option(
            "--still-running",
            help="Leave the campaign running (not completed), as one still under way.",
        ),
    ] = False,
    db: DbOpt = None,
) -> None:
    """Create a campaign on a sandbox audience and run it at once: every member gets a
    simulated outcome (completed, no_answer, failed, cancelled, still running, never
    dialled, or voicemail), decided by the seed and the member's number.

    Prints the campaign's id on stdout and the count of outcomes on stderr. The
    outcomes are then served by the sandbox's campaign export.

    [bold]Examples[/bold]

      audience sandbox campaign run "Q1 Sales Leads"

      audience sandbox campaign run "Q1 Leads" --name Spring --seed 7

      audience sandbox campaign run "Q1 Leads" --max-retries 0 --still-running
    """
    from audience_cli.cli.context import open_sandbox_store
    from audience_cli.cli.output import emit_lines
    from audience_cli.sandbox.campaign_run import create_and_run, summary_by_status

    store = open_sandbox_store(sandbox_db(ctx.obj, db))
    target = _sandbox_audience(store, audience)
    campaign, results = create_and_run(
        store,
        target["_id"],
        name=name,
        seed=seed,
        max_retries=max_retries,
        finish="running" if still_running else "completed",
    )
    ctx.obj.success(
        f"Campaign {name!r} ({campaign['_id']}, {campaign['status']}) ran on "
        f"{target['name']!r}: {summary_by_status(results)}."
    )
    emit_lines(ctx.obj, [campaign["_id"]])


@app.command("add")
def add(
    ctx: typer.Context,
    audience: AudienceArg,
    status: Annotated[
        CampaignStatus,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="running, scheduled, paused or completed; only completed allows delete.",
        ),
    ] = CampaignStatus.running,
    name: Annotated[
        str,
        typer.Option(
            "--name", help="The campaign: its status changes if the audience has one so named."
        ),
    ] = "Sandbox campaign",
    campaign_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            metavar="CAMPAIGN_ID",
            help="Change the status of this campaign of the audience.",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Attach a campaign to a sandbox audience, or change one's status, to try the delete
    refusal.

    A campaign of the same name (or --id) that the audience already has gets the new
    status; otherwise a new one is attached. Only a completed campaign lets the
    audience be deleted.

    [bold]Examples[/bold]

      audience sandbox campaign add "Q1 Sales Leads"

      audience sandbox campaign add "Q1 Sales Leads" --status completed

      audience sandbox campaign add "Q1 Leads" --id 696ddd56b905442f52b71399
    """
    from audience_cli.cli.context import open_sandbox_store
    from audience_cli.cli.output import emit_lines
    from audience_cli.errors import CliError, ExitCode

    store = open_sandbox_store(sandbox_db(ctx.obj, db))
    target = _sandbox_audience(store, audience)
    campaigns = store.campaigns_of(target["_id"])
    if campaign_id is not None:
        existing = [c for c in campaigns if c["_id"] == campaign_id]
        if not existing:
            known = ", ".join(f"{c['_id']} ({c['name']})" for c in campaigns) or "none"
            raise CliError(
                f"{target['name']!r} has no campaign {campaign_id}; its campaigns: {known}",
                exit_code=ExitCode.NOT_FOUND,
            )
    else:
        existing = [c for c in campaigns if c["name"] == name]
    if existing:
        changed = existing[-1]
        store.set_campaign_status(changed["_id"], status.value)
        ctx.obj.success(
            f"Campaign {changed['name']!r} ({changed['_id']}) of {target['name']!r} is now "
            f"{status.value} (was {changed['status']})."
        )
        emit_lines(ctx.obj, [changed["_id"]])
        return
    made = store.add_campaign(target["_id"], name=name, status=status.value)
    ctx.obj.success(
        f"Campaign {name!r} ({made['_id']}, {status.value}) now uses {target['name']!r}."
    )
    emit_lines(ctx.obj, [made["_id"]])
