"""create/add/sync --from-campaign: a campaign's members not reached, as a new audience.

Run on the embedded sandbox's store (campaigns run by the sandbox's own simulation), and
through a transport that spoils the export where a fault is needed. Each fault test
asserts what exists afterwards, not only the exit code."""

from __future__ import annotations

import json

import httpx
import pytest

from audience_cli.core.outcomes import RUNNING_STATUSES
from audience_cli.sandbox.campaign_run import run_campaign
from tests.conftest import RecordingTransport, members_of, seed_audience

AGENT = "a1" * 12
KEY = "sk_test_from_campaign_key"
BASE = "https://atoms.invalid"
ENV = {"SMALLEST_API_KEY": KEY}


def campaign_on(store, audience_id: str, name: str = "Spring", *, finish: str = "completed"):
    """A campaign run on the audience; its id and its results."""
    made = store.create_campaign(audience_id, name=name, agent_id=AGENT)
    results = run_campaign(store, made["_id"], seed=3, finish=finish)
    return made["_id"], results


def audiences(store) -> list[str]:
    return sorted(a["name"] for a in store.list_audiences())


def not_reached(results) -> set[str]:
    return {
        r.phone
        for r in results
        if r.final_status != "completed" and r.final_status not in RUNNING_STATUSES
    }


def test_dry_run_prints_the_pick_by_status_and_changes_nothing(sandbox_cli, store) -> None:
    leads = seed_audience(store, "Leads", 200)
    campaign_id, results = campaign_on(store, leads)
    result = sandbox_cli("create", "Retry", "--from-campaign", campaign_id, "--dry-run")
    assert result.exit_code == 0, result.stderr
    wanted = not_reached(results)
    assert f"200 members read · {len(wanted)} to call again" in result.stderr
    assert "taken by status: no_answer" in result.stderr
    assert "completed 0 of" in result.stderr
    assert audiences(store) == ["Leads"]


def test_a_running_campaign_is_refused_unless_running_members_are_wanted(
    sandbox_cli, store
) -> None:
    leads = seed_audience(store, "Leads", 100)
    _, results = campaign_on(store, leads, finish="running")
    refused = sandbox_cli("create", "Retry", "--from-campaign", "Spring")
    assert refused.exit_code == 2
    assert "is running: its members may still be called" in refused.stderr
    assert "--include-running" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert audiences(store) == ["Leads"]

    taken = sandbox_cli("create", "Retry", "--from-campaign", "Spring", "--include-running")
    assert taken.exit_code == 0, taken.stderr
    running = {r.phone for r in results if r.final_status in RUNNING_STATUSES}
    assert running
    made = {m["phoneNumber"] for m in members_of(store, taken.stdout.strip())}
    assert made == {r.phone for r in results if r.final_status != "completed"}


def test_a_member_gone_from_the_audience_since_the_run_is_still_called_again(
    sandbox_cli, store
) -> None:
    leads = seed_audience(store, "Leads", 60, city="Lyon")
    campaign_id, results = campaign_on(store, leads)
    gone = next(r for r in results if r.final_status == "no_answer")
    assert store.remove_members(leads, [gone.member_id]) == 1
    made = sandbox_cli("create", "Retry", "--from-campaign", campaign_id)
    assert made.exit_code == 0, made.stderr
    members = {m["phoneNumber"]: m for m in members_of(store, made.stdout.strip())}
    assert set(members) == not_reached(results)
    assert members[gone.phone]["city"] == "Lyon"  # its fields, from the export
    assert members[gone.phone]["last_status"] == "no_answer"


def test_an_export_of_no_record_creates_nothing_and_adds_nothing(sandbox_cli, store) -> None:
    empty = seed_audience(store, "Empty", 0)
    campaign_id, results = campaign_on(store, empty)
    assert results == []
    created = sandbox_cli("create", "Retry", "--from-campaign", campaign_id)
    assert created.exit_code == 2
    assert "0 members read · 0 to call again" in created.stderr
    assert "no valid contacts" in created.stderr
    assert audiences(store) == ["Empty"]
    leads = seed_audience(store, "Leads", 3)
    added = sandbox_cli("add", "Leads", "--from-campaign", campaign_id)
    assert added.exit_code == 0, added.stderr
    assert len(members_of(store, leads)) == 3


class StatedTotal(httpx.BaseTransport):
    """The sandbox, but its export states more members than it holds (an export cut short)."""

    def __init__(self, store, extra: int) -> None:
        self.inner = RecordingTransport(store)
        self.extra = extra

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.inner.handle_request(request)
        if request.url.path.endswith("/export/by-audience-member"):
            body = json.loads(answer.read())
            body["totalAudienceMembers"] += self.extra
            return httpx.Response(200, json=body)
        return answer


def test_an_export_cut_short_exits_7_and_creates_nothing(cli, store) -> None:
    leads = seed_audience(store, "Leads", 50)
    campaign_id, _ = campaign_on(store, leads)
    transport = StatedTotal(store, extra=5)
    result = cli("--base-url", BASE, "create", "Retry", "--from-campaign", campaign_id,
                 transport=transport, env=ENV)  # fmt: skip
    assert result.exit_code == 7
    assert "holds 50 records but counts 55 audience members" in result.stderr
    assert transport.inner.writes() == []
    assert audiences(store) == ["Leads"]
    synced = cli("--base-url", BASE, "sync", "Leads", "--from-campaign", campaign_id, "--yes",
                 transport=StatedTotal(store, extra=1), env=ENV)  # fmt: skip
    assert synced.exit_code == 7
    assert len(members_of(store, leads)) == 50  # a part is never taken for the whole


def test_add_takes_those_not_there_and_skips_the_others(sandbox_cli, store) -> None:
    leads = seed_audience(store, "Leads", 80)
    campaign_id, results = campaign_on(store, leads)
    retry = seed_audience(store, "Retry", 10)  # +1415555000..9 already there
    added = sandbox_cli("add", "Retry", "--from-campaign", campaign_id, "--json")
    assert added.exit_code == 0, added.stderr
    report = json.loads(added.stdout)["report"]
    wanted = not_reached(results)
    already = {f"+1415555{i:04d}" for i in range(10)} & wanted
    assert (report["added"], report["skipped"]) == (len(wanted - already), len(already))
    assert report["campaign"]["included"] == len(wanted)
    assert {m["phoneNumber"] for m in members_of(store, retry)} == wanted | {
        f"+1415555{i:04d}" for i in range(10)
    }


def test_provenance_names_and_none(sandbox_cli, store) -> None:
    leads = seed_audience(store, "Leads", 40)
    campaign_id, _ = campaign_on(store, leads)
    named = sandbox_cli("create", "Named", "--from-campaign", campaign_id,
                        "--provenance", "from_campaign,calls,outcome")  # fmt: skip
    assert named.exit_code == 0, named.stderr
    first = members_of(store, named.stdout.strip())[0]
    assert {"from_campaign", "calls", "outcome"} <= set(first)
    assert "source_campaign" not in first
    bare = sandbox_cli("create", "Bare", "--from-campaign", campaign_id, "--no-provenance")
    assert bare.exit_code == 0, bare.stderr
    assert set(members_of(store, bare.stdout.strip())[0]) == {
        "firstName", "lastName", "phoneNumber",
    }  # fmt: skip


def test_status_and_max_attempts_narrow_the_pick(sandbox_cli, store) -> None:
    leads = seed_audience(store, "Leads", 300)
    campaign_id, results = campaign_on(store, leads)
    made = sandbox_cli("create", "NoAnswer", "--from-campaign", campaign_id,
                       "--status", "no_answer,none", "--max-attempts", "3")  # fmt: skip
    assert made.exit_code == 0, made.stderr
    wanted = {r.phone for r in results if r.final_status in ("no_answer", None) and r.attempts < 3}
    assert {m["phoneNumber"] for m in members_of(store, made.stdout.strip())} == wanted
    typo = sandbox_cli("create", "Typo", "--from-campaign", campaign_id, "--status", "noanswer")
    assert typo.exit_code == 2
    assert "no member has the status noanswer (--status): the export's are " in typo.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from-campaign", "Spring", "--phone", "+14155550100"), "takes the place of --csv"),
        (("--status", "no_answer", "--phone", "+14155550100"), "goes with --from-campaign"),
        (("--max-attempts", "2", "--phone", "+14155550100"), "goes with --from-campaign"),
        (("--from-campaign", "Spring", "--status", "completed"), "never called again"),
        (("--from-campaign", "Spring", "--provenance", "a,b"), "three different field names"),
        (("--from-campaign", "Spring", "--provenance", "a,b,c", "--no-provenance"), "leaves out"),
        (("--from-campaign", "  "), "is empty"),
        (("--from-campaign", "No such campaign"), "No such campaign"),
    ],
)
def test_mistakes_are_one_line_and_create_nothing(sandbox_cli, store, args, message) -> None:
    leads = seed_audience(store, "Leads", 5)
    campaign_on(store, leads)
    result = sandbox_cli("create", "Retry", *args)
    assert result.exit_code in (2, 5), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert audiences(store) == ["Leads"]


def test_two_campaigns_of_one_name_are_listed_not_guessed(sandbox_cli, store) -> None:
    leads = seed_audience(store, "Leads", 5)
    first, _ = campaign_on(store, leads)
    second, _ = campaign_on(store, leads)
    result = sandbox_cli("create", "Retry", "--from-campaign", "Spring")
    assert result.exit_code == 2
    assert first in result.stderr and second in result.stderr
    assert audiences(store) == ["Leads"]
