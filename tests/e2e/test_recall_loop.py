"""The retry loop on the sandbox served on 127.0.0.1: an audience of 1,000, a campaign,
the members not reached made a new audience, synced again (no change), a second
campaign on it, and `--max-attempts` dropping those already called twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from audience_cli.core.outcomes import RUNNING_STATUSES
from audience_cli.sandbox.app import SandboxConfig
from audience_cli.sandbox.server import running_server
from audience_cli.sandbox.store import SandboxStore

pytestmark = pytest.mark.slow

KEY = "sk_any_key_works"
ENV = {"SMALLEST_API_KEY": KEY}
AGENT = "a1" * 12
ON_DNC = [f"+1415555{n:04d}" for n in range(0, 1000, 37)]  # 28 numbers


def api(base_url: str, method: str, path: str, **kw: Any) -> Any:
    answer = httpx.request(
        method, base_url + path, headers={"Authorization": f"Bearer {KEY}"}, timeout=30, **kw
    )
    assert answer.status_code < 300, answer.text
    return answer.json()


def run_campaign(base_url: str, audience_id: str, name: str) -> tuple[str, list[dict]]:
    """Create and start a campaign over HTTP; its id and its export's records."""
    made = api(base_url, "POST", "/campaign", json={"name": name, "audienceId": audience_id,
                                                    "agentId": AGENT})  # fmt: skip
    campaign_id = made["data"]["_id"]
    api(base_url, "POST", f"/campaign/{campaign_id}/start")
    export = api(base_url, "GET", f"/campaign/{campaign_id}/export/by-audience-member")
    assert export["totalAudienceMembers"] == len(export["data"])
    return campaign_id, export["data"]


def members_of(cli, base: list[str], audience: str) -> dict[str, dict[str, str]]:
    listed = cli(*base, "members", audience, "--all", "--json", env=ENV)
    assert listed.exit_code == 0, listed.stderr
    return {
        m["data"]["phoneNumber"]: {**m["data"], "_id": m["_id"]} for m in json.loads(listed.stdout)
    }


def not_reached(records: list[dict], prior: dict[str, dict[str, str]] | None = None,
                max_attempts: int | None = None) -> dict[str, dict]:  # fmt: skip
    """The records a retry audience must hold: not completed, not running, not on the
    do-not-call list (and under max_attempts in all, counting an earlier retry's)."""
    wanted = {}
    for r in records:
        status = r.get("finalStatus")
        if status == "completed" or status in RUNNING_STATUSES or r["phoneNumber"] in ON_DNC:
            continue
        before = int((prior or {}).get(r["phoneNumber"], {}).get("attempts", 0))
        if max_attempts is not None and before + r["totalAttempts"] >= max_attempts:
            continue
        wanted[r["phoneNumber"]] = {**r, "inAll": before + r["totalAttempts"]}
    return wanted


def test_campaign_outcomes_to_retry_audiences_and_back(cli, tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "phone,first_name,city\n"
        + "".join(f"+1415555{n:04d},P{n},City{n % 7}\n" for n in range(1000))
    )
    with running_server(db, port=0, config=SandboxConfig(campaign_seed=7)) as base_url:
        base = ["--base-url", base_url.removesuffix("/atoms/v1")]
        created = cli(*base, "create", "Leads", "--csv", str(leads), env=ENV)
        assert created.exit_code == 0, created.stderr
        store = SandboxStore(db)
        for number in ON_DNC:
            store.add_dnc(number)

        first, records = run_campaign(base_url, created.stdout.strip(), "Spring calls")
        statuses = {r.get("finalStatus") for r in records}
        assert {"completed", "no_answer", None, "voicemail"} <= statuses
        assert statuses & RUNNING_STATUSES  # the mix has members still running
        wanted = not_reached(records)

        retry = cli(*base, "create", "retry1", "--from-campaign", "Spring calls", "--json",
                    env=ENV)  # fmt: skip
        assert retry.exit_code == 3, retry.stderr  # rows rejected (do-not-call), as any import
        report = json.loads(retry.stdout)["report"]
        picked = report["campaign"]
        assert picked["records"] == 1000
        assert picked["excluded"]["completed"] == sum(
            r.get("finalStatus") == "completed" for r in records
        )
        assert picked["excluded"]["running"] == sum(
            r.get("finalStatus") in RUNNING_STATUSES for r in records
        )
        dnc_rejects = [r for r in report["rejects"] if r["reason"] == "DO_NOT_CALL"]
        assert len(dnc_rejects) == picked["picked"] - len(wanted) > 0
        assert picked["excluded"]["DO_NOT_CALL"] == len(dnc_rejects)
        assert picked["included"] == len(wanted)
        assert "DO_NOT_CALL" in retry.stderr

        retry1 = members_of(cli, base, "retry1")
        assert set(retry1) == set(wanted)
        for phone, member in retry1.items():
            record = wanted[phone]
            assert member["firstName"] == record["audienceMemberData"]["firstName"]
            assert member["city"] == record["audienceMemberData"]["city"]
            assert member["source_campaign"] == first
            assert member["attempts"] == str(record["totalAttempts"])
            assert member["last_status"] == (record.get("finalStatus") or "none")

        again = cli(*base, "sync", "retry1", "--from-campaign", first, "--yes", "--json",
                    env=ENV)  # fmt: skip
        assert again.exit_code == 3, again.stderr
        assert json.loads(again.stdout)["sync"] == {
            "added": 0, "removed": 0, "updated": 0, "unchanged": len(wanted),
        }  # fmt: skip
        assert members_of(cli, base, "retry1") == retry1  # the same members, the same ids

        retry1_id = json.loads(cli(*base, "show", "retry1", "--json", env=ENV).stdout)["_id"]
        second, records2 = run_campaign(base_url, retry1_id, "Retry 1")
        wanted2 = not_reached(records2, prior=retry1, max_attempts=2)
        assert 0 < len(wanted2) < len(not_reached(records2, prior=retry1))
        retry2 = cli(*base, "create", "retry2", "--from-campaign", second, "--max-attempts",
                     "2", "--json", env=ENV)  # fmt: skip
        assert retry2.exit_code == 0, retry2.stderr
        assert json.loads(retry2.stdout)["report"]["campaign"]["excluded"]["max_attempts"] > 0
        retry2_members = members_of(cli, base, "retry2")
        assert set(retry2_members) == set(wanted2)
        for phone, member in retry2_members.items():
            assert member["attempts"] == str(wanted2[phone]["inAll"])
            assert member["source_campaign"] == second
