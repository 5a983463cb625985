"""Check the sandbox's campaign routes against the vendor's own SDK (smallestai 5.14.0).

Run with a python that has `smallestai` installed (never a dependency of this project):

    /tmp/sdkvenv/bin/python scripts/check_vendor_sdk.py --serve-with .venv/bin/python
    /tmp/sdkvenv/bin/python scripts/check_vendor_sdk.py --base-url http://127.0.0.1:8787/atoms/v1

With `--serve-with PYTHON`, that python (the project's) serves a fresh sandbox
(`audience sandbox serve --port 0`) on 127.0.0.1 for the check, and stops it after.
The SDK's campaigns client then lists, gets, creates, starts and exports, and each
parsed model is compared with the raw JSON the sandbox answered: the values must
arrive through the SDK's models (a field the SDK drops or misnames fails the check).
Prints one line per check; exits 1 at the first that fails.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# The SDK sends usage events to the internet unless told not to: never from here.
os.environ["SMALLESTAI_TELEMETRY"] = "0"
os.environ["DO_NOT_TRACK"] = "1"

API_KEY = "sk_sandbox_vendor_check"
AGENT = "5f0c0ffee0c0ffee0c0ffee0"
BANNER = re.compile(r"Sandbox serving (http://\S+/atoms/v1)")


class CheckFailed(AssertionError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"ok: {what}")


@contextmanager
def served_sandbox(python: str, seed: int) -> Iterator[str]:
    """A sandbox served by `python -m audience_cli` on 127.0.0.1, port 0; yields its URL."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, NO_COLOR="1", AUDIENCE_NO_INPUT="1")
        env["XDG_CONFIG_HOME"] = env["XDG_STATE_HOME"] = env["XDG_DATA_HOME"] = scratch
        process = subprocess.Popen(
            [
                python,
                "-m",
                "audience_cli",
                "sandbox",
                "serve",
                "--port",
                "0",
                "--db",
                str(Path(scratch) / "sandbox.db"),
                "--campaign-seed",
                str(seed),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert process.stderr is not None
            url = None
            for line in process.stderr:
                found = BANNER.search(line)
                if found:
                    url = found.group(1)
                    break
            if url is None:
                raise CheckFailed(f"the sandbox did not start (exit {process.wait(10)})")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def seed_audience(base_url: str, rows: list[dict[str, str]]) -> str:
    """An audience made over plain HTTP (the SDK's upload is not what is checked)."""
    import httpx

    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    response = httpx.post(
        f"{base_url}/audience",
        headers={"Authorization": f"Bearer {API_KEY}"},
        data={"name": "Vendor check", "phoneNumberColumnName": "phoneNumber"},
        files={"file": ("a.csv", out.getvalue().encode(), "text/csv")},
    )
    response.raise_for_status()
    return str(response.json()["data"]["_id"])


def raw_get(base_url: str, path: str, **params: Any) -> Any:
    import httpx

    response = httpx.get(
        f"{base_url}/{path}", params=params, headers={"Authorization": f"Bearer {API_KEY}"}
    )
    response.raise_for_status()
    return response.json()


def run_checks(base_url: str) -> None:
    from smallestai import SmallestAI
    from smallestai.environment import SmallestAIEnvironment

    environment = SmallestAIEnvironment(
        atoms=base_url, waves=base_url, waves_ws=base_url, payment=base_url
    )
    campaigns = SmallestAI(environment=environment, api_key=API_KEY, max_retries=0).atoms.campaigns

    rows = [
        {"phoneNumber": f"+1415555{i:04d}", "firstName": f"First{i}", "tier": "gold"}
        for i in range(60)
    ]
    audience_id = seed_audience(base_url, rows)

    made = campaigns.create(
        name="SDK check",
        audience_id=audience_id,
        agent_id=AGENT,
        description="made by the vendor SDK",
        max_retries=2,
        retry_delay=30,
    ).data
    check(made is not None and made.id is not None and len(made.id) == 24, "create: an _id")
    assert made is not None and made.id is not None
    check(made.name == "SDK check", "create: name")
    check(made.description == "made by the vendor SDK", "create: description")
    check(made.agent_id == AGENT, "create: agentId (a plain id)")
    check(made.audience_id == audience_id, "create: audienceId (a plain id)")
    check(made.status == "draft", "create: status draft")
    check((made.max_retries, made.retry_delay) == (2, 30), "create: maxRetries, retryDelay")
    check(made.participants_count == 60, "create: participantsCount")
    check(made.created_at is not None and made.updated_at is not None, "create: dates parsed")

    started = campaigns.start_or_resume(made.id).data
    check(started is not None and started.message == "Campaign is being processed", "start")
    assert started is not None
    check(started.task_id is not None and len(started.task_id) == 24, "start: taskId")
    check(started.campaign_id == made.id, "start: campaignId")

    got = campaigns.get(made.id).data
    raw = raw_get(base_url, f"campaign/{made.id}")["data"]
    assert got is not None and got.campaign is not None and got.metrics is not None
    check(got.campaign.id == made.id and got.campaign.status == "completed", "get: completed")
    check(
        got.campaign.agent is not None
        and got.campaign.agent.id == AGENT
        and got.campaign.agent.name == raw["campaign"]["agent"]["name"]
        and got.campaign.agent.workflow_type == raw["campaign"]["agent"]["workflowType"],
        "get: agent nested",
    )
    check(
        got.campaign.audience is not None
        and got.campaign.audience.id == audience_id
        and got.campaign.audience.name == "Vendor check",
        "get: audience nested",
    )
    check(got.campaign.retry_attempts == raw["campaign"]["retryAttempts"], "get: retryAttempts")
    check(
        (
            got.metrics.total_participants,
            got.metrics.contacts_called,
            got.metrics.contacts_connected,
        )
        == (
            raw["metrics"]["total_participants"],
            raw["metrics"]["contacts_called"],
            raw["metrics"]["contacts_connected"],
        )
        and got.metrics.total_participants == 60,
        "get: metrics",
    )
    check(
        [e.event_action for e in got.events or []] == ["created", "started", "completed"],
        "get: events",
    )

    listed = campaigns.list(page=1, offset=10, status="completed", search="sdk").data
    assert listed is not None and listed.pagination is not None
    check([c.id for c in listed.campaigns or []] == [made.id], "list: filtered by status, name")
    item = (listed.campaigns or [None])[0]
    assert item is not None
    check(
        item.audience is not None and item.audience.id == audience_id and item.max_retries == 2,
        "list: item fields",
    )
    check(
        (listed.pagination.total, listed.pagination.page, listed.pagination.offset) == (1, 1, 10)
        and listed.pagination.has_more is False
        and listed.pagination.total_pages == 1
        and listed.total_campaign_count == 1,
        "list: pagination, totalCampaignCount",
    )

    exported = campaigns.export_campaign_results_by_audience_member(made.id)
    raw_export = raw_get(base_url, f"campaign/{made.id}/export/by-audience-member")
    check(exported.campaign == "SDK check", "export: campaign name")
    check(exported.exported_at is not None, "export: exportedAt parsed")
    check(exported.total_audience_members == 60, "export: totalAudienceMembers")
    items = exported.data or []
    check(len(items) == 60 == len(raw_export["data"]), "export: one row per member")
    for model, row in zip(items, raw_export["data"], strict=True):
        same = (
            model.audience_member_id == row["audienceMemberId"]
            and model.audience_member_data == row["audienceMemberData"]
            and model.phone_number == row["phoneNumber"]
            and model.original_call == row["originalCall"]
            and model.retry_attempts == row["retryAttempts"]
            and model.total_attempts == row["totalAttempts"]
            and model.final_status == row.get("finalStatus")
            and model.total_call_duration == row["totalCallDuration"]
            and model.total_call_cost == row["totalCallCost"]
        )
        if not same:
            raise CheckFailed(f"export: the model differs from the JSON for {row}")
    print("ok: export: every row's fields arrive through the model")
    statuses = {m.final_status for m in items}
    check(
        {"completed", "no_answer", None} <= statuses,
        f"export: statuses {sorted(map(str, statuses))}",
    )
    check(
        all(
            m.total_attempts == 0 and m.original_call is None
            for m in items
            if m.final_status is None
        ),
        "export: never-dialled members have no call",
    )
    check(
        all(1 <= (m.total_attempts or 0) <= 3 for m in items if m.final_status is not None),
        "export: attempts within maxRetries + 1",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--base-url", help="a served sandbox, e.g. http://127.0.0.1:8787/atoms/v1")
    where.add_argument("--serve-with", metavar="PYTHON", help="the project's python, to serve one")
    parser.add_argument("--seed", type=int, default=0, help="the served sandbox's campaign seed")
    args = parser.parse_args(argv)
    try:
        if args.base_url:
            run_checks(args.base_url.rstrip("/"))
        else:
            with served_sandbox(args.serve_with, args.seed) as url:
                print(f"sandbox: {url}")
                run_checks(url)
    except CheckFailed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print("all vendor SDK checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
