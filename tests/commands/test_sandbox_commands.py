from tests.conftest import seed_audience


def test_sandbox_campaign_attaches_and_then_completed_allows_delete(sandbox_cli, cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    attached = cli("sandbox", "campaign", "Leads")
    assert attached.exit_code == 0, attached.stderr
    assert len(attached.stdout.strip()) == 24
    assert sandbox_cli("delete", "Leads", "--yes").exit_code == 6
    assert cli("sandbox", "campaign", audience_id, "--status", "completed").exit_code == 0
    # Still refused: the first campaign is running.
    assert sandbox_cli("delete", "Leads", "--yes").exit_code == 6


def test_sandbox_reset_requires_yes_off_a_terminal(cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    refused = cli("sandbox", "reset")
    assert refused.exit_code == 2
    assert store.get_audience(audience_id) is not None
    done = cli("sandbox", "reset", "--yes")
    assert done.exit_code == 0
    assert store.list_audiences() == []


def test_sandbox_campaign_for_unknown_audience_exits_5(cli):
    result = cli("sandbox", "campaign", "Nope")
    assert result.exit_code == 5
    assert "no sandbox audience" in result.stderr
