import json

from tests.conftest import seed_audience


def test_delete_with_yes_removes_it(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 3)
    result = sandbox_cli("delete", "Leads", "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"Deleted audience 'Leads' ({audience_id}) and its 3 members" in result.stderr
    assert store.get_audience(audience_id) is None


def test_delete_without_terminal_and_without_yes_exits_2_at_once(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    result = sandbox_cli("delete", "Leads")
    assert result.exit_code == 2
    assert "--yes is required" in result.stderr
    assert store.get_audience(audience_id) is not None


def test_delete_on_a_terminal_asks_to_type_the_name(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    wrong = sandbox_cli("delete", "Leads", tty=True, input="leads\n")
    assert wrong.exit_code == 2
    assert "not confirmed" in wrong.stderr
    assert store.get_audience(audience_id) is not None
    right = sandbox_cli("delete", "Leads", tty=True, input="Leads\n")
    assert right.exit_code == 0, right.stderr
    assert store.get_audience(audience_id) is None


def test_no_input_variable_disables_the_prompt(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    result = sandbox_cli("delete", "Leads", tty=True, env={"AUDIENCE_NO_INPUT": "1"})
    assert result.exit_code == 2
    assert "--yes is required" in result.stderr


def test_delete_refused_while_a_campaign_runs(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    store.add_campaign(audience_id, name="January Outreach", status="running")
    result = sandbox_cli("delete", "Leads", "--yes")
    assert result.exit_code == 6
    assert "'January Outreach'" in result.stderr
    assert f"can't delete audience, campaign with this audience {audience_id} exists" in (
        result.stderr
    )
    assert "audience sandbox campaign add AUDIENCE --name NAME --status completed" in result.stderr
    assert store.get_audience(audience_id) is not None


def test_against_atoms_the_refusal_points_to_the_dashboard():
    from audience_cli.cli.hints import hint_for
    from audience_cli.errors import CampaignInUseError

    refusal = CampaignInUseError("Atoms refused")
    assert "Complete or delete the campaign in the Atoms dashboard" in (hint_for(refusal) or "")
    assert "audience sandbox campaign" in (hint_for(refusal, sandbox=True) or "")


def test_delete_dry_run_changes_nothing(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    result = sandbox_cli("delete", "Leads", "--dry-run", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "deleted": False,
        "dryRun": True,
        "audience": {"_id": audience_id, "name": "Leads", "memberCount": 2},
    }
    assert "Would delete" in result.stderr
    assert store.get_audience(audience_id) is not None


def test_no_input_set_to_zero_still_allows_prompts(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    result = sandbox_cli(
        "delete", "Leads", tty=True, input="Leads\n", env={"AUDIENCE_NO_INPUT": "0"}
    )
    assert result.exit_code == 0, result.stderr
    assert store.get_audience(audience_id) is None
