"""core.audiences: resolving an id or a name, and deleting."""

from __future__ import annotations

import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.audiences import delete_audience, plan_delete, resolve_audience
from audience_cli.errors import (
    AmbiguousNameError,
    AudienceNotFoundError,
    CampaignInUseError,
    ExitCode,
    UsageError,
)
from audience_cli.sandbox.store import SandboxStore
from tests.core.conftest import audience_of


def test_resolves_by_id_and_by_exact_name_with_member_counts(
    client: AtomsClient, store: SandboxStore
) -> None:
    leads = audience_of(store, "Leads", "+14155550100", "+14155550101")
    audience_of(store, "Other")
    assert resolve_audience(client, leads)["name"] == "Leads"
    by_name = resolve_audience(client, "  Leads ")
    assert (by_name["_id"], by_name["memberCount"]) == (leads, 2)


def test_a_name_shared_by_two_audiences_is_ambiguous(
    client: AtomsClient, store: SandboxStore
) -> None:
    first, second = audience_of(store, "Twin"), audience_of(store, "Twin")
    with pytest.raises(AmbiguousNameError) as caught:
        resolve_audience(client, "Twin")
    assert sorted(caught.value.ids) == sorted([first, second])
    assert caught.value.exit_code == ExitCode.USAGE


def test_an_unknown_name_suggests_close_ones(client: AtomsClient, store: SandboxStore) -> None:
    audience_of(store, "Q1 Sales Leads")
    with pytest.raises(AudienceNotFoundError) as caught:
        resolve_audience(client, "q1 sales leads")
    assert caught.value.suggestions == ["Q1 Sales Leads"]
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert caught.value.hint is None  # hints are the CLI's (hints.py)


def test_an_unknown_id_is_asked_of_the_server(client: AtomsClient) -> None:
    with pytest.raises(AudienceNotFoundError) as caught:
        resolve_audience(client, "0123456789abcdef01234567")
    assert "(Atoms: Audience not found)" in caught.value.message


def test_an_empty_reference_is_a_usage_error(client: AtomsClient) -> None:
    with pytest.raises(UsageError):
        resolve_audience(client, "   ")


def test_plan_then_delete(client: AtomsClient, store: SandboxStore) -> None:
    audience_id = audience_of(store, "Leads", "+14155550100")
    plan = plan_delete(client, "Leads")
    assert (plan.deleted, plan.dry_run, plan.blocking) == (False, True, [])
    assert store.get_audience(audience_id) is not None  # a plan changes nothing
    done = delete_audience(client, plan)
    assert (done.deleted, done.dry_run) == (True, False)
    assert done.to_json()["audience"] == {"_id": audience_id, "name": "Leads", "memberCount": 1}
    assert store.get_audience(audience_id) is None


def test_a_running_campaign_blocks_the_delete(client: AtomsClient, store: SandboxStore) -> None:
    audience_id = audience_of(store, "Leads", "+14155550100")
    store.add_campaign(audience_id, name="Spring", status="running")
    plan = plan_delete(client, audience_id)
    assert [c["name"] for c in plan.blocking] == ["Spring"]
    with pytest.raises(CampaignInUseError) as caught:
        delete_audience(client, plan)
    assert "('Spring')" in caught.value.message
    assert caught.value.exit_code == ExitCode.REFUSED
    assert store.get_audience(audience_id) is not None
