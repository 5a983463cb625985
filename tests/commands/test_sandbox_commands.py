from tests.conftest import seed_audience


def test_sandbox_campaign_attaches_and_then_completed_allows_delete(sandbox_cli, cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    attached = cli("sandbox", "campaign", "add", "Leads")
    assert attached.exit_code == 0, attached.stderr
    assert len(attached.stdout.strip()) == 24
    assert sandbox_cli("delete", "Leads", "--yes").exit_code == 6
    assert cli("sandbox", "campaign", "add", audience_id, "--status", "completed").exit_code == 0
    # The same campaign is completed (not a second one attached): the delete goes through.
    assert sandbox_cli("delete", "Leads", "--yes").exit_code == 0


def test_sandbox_reset_requires_yes_off_a_terminal(cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    refused = cli("sandbox", "reset")
    assert refused.exit_code == 2
    assert store.get_audience(audience_id) is not None
    done = cli("sandbox", "reset", "--yes")
    assert done.exit_code == 0
    assert store.list_audiences() == []


def test_sandbox_campaign_for_unknown_audience_exits_5(cli):
    result = cli("sandbox", "campaign", "add", "Nope")
    assert result.exit_code == 5
    assert "no sandbox audience" in result.stderr


def test_embedded_sandbox_limits_are_settings(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 3)
    env = {"AUDIENCE_SANDBOX_MEMBER_LIMIT": "3"}
    result = sandbox_cli("add", "Leads", "--phone", "+14155552671", "--member-limit", "99", env=env)
    assert result.exit_code == 6
    assert "Audience cannot exceed 3 members" in result.stderr
    assert store.count_members(audience_id) == 3
    paged = sandbox_cli(
        "members", "Leads", "--page-size", "50", env={"AUDIENCE_SANDBOX_MAX_PAGE_SIZE": "2"}
    )
    assert len(paged.lines) == 2
    assert "page 1 of 2 · 3 members" in paged.stderr
    bad = sandbox_cli("list", env={"AUDIENCE_SANDBOX_MEMBER_LIMIT": "lots"})
    assert bad.exit_code == 2
    assert "AUDIENCE_SANDBOX_MEMBER_LIMIT='lots'" in bad.stderr


def test_serve_on_a_busy_port_is_a_usage_error(cli):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("sandbox", "serve", "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "pick --port" in result.stderr


def test_a_sandbox_db_that_is_not_a_database_is_a_usage_error(sandbox_cli, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite " * 100)
    for path in (tmp_path, junk):
        result = sandbox_cli("list", env={"AUDIENCE_SANDBOX_DB": str(path)})
        assert result.exit_code == 2, path
        assert "cannot use this file as the sandbox database" in result.stderr
        assert "Traceback" not in result.stderr


def test_reset_hint_does_not_offer_a_dry_run_it_lacks(cli):
    result = cli("sandbox", "reset")
    assert result.exit_code == 2
    assert "--dry-run" not in result.stderr


def test_a_campaign_in_the_way_is_completed_not_doubled(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    first = sandbox_cli("sandbox", "campaign", "add", "Leads")
    assert first.exit_code == 0
    campaign_id = first.stdout.strip()
    refused = sandbox_cli("delete", "Leads", "--yes")
    assert refused.exit_code == 6
    assert "audience sandbox campaign add AUDIENCE --name NAME --status completed" in refused.stderr
    done = sandbox_cli("sandbox", "campaign", "add", "Leads", "--status", "completed")
    assert done.exit_code == 0
    assert done.stdout.strip() == campaign_id  # the same campaign, not a second one
    assert "is now completed (was running)" in done.stderr
    assert [c["status"] for c in store.campaigns_of(audience_id)] == ["completed"]
    assert sandbox_cli("delete", "Leads", "--yes").exit_code == 0


def test_a_campaign_changed_by_id(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 1)
    one = sandbox_cli("sandbox", "campaign", "add", "Leads", "--name", "A").stdout.strip()
    sandbox_cli("sandbox", "campaign", "add", "Leads", "--name", "B")
    paused = sandbox_cli("sandbox", "campaign", "add", "Leads", "--id", one, "--status", "paused")
    assert paused.exit_code == 0
    statuses = {c["name"]: c["status"] for c in store.campaigns_of(audience_id)}
    assert statuses == {"A": "paused", "B": "running"}
    wrong = sandbox_cli("sandbox", "campaign", "add", "Leads", "--id", "0" * 24)
    assert wrong.exit_code == 5
    assert "has no campaign 000000000000000000000000" in wrong.stderr


def test_sandbox_campaign_run_prints_the_id_and_a_summary(cli, store):
    audience_id = seed_audience(store, "Leads", 50)
    result = cli("sandbox", "campaign", "run", "Leads", "--name", "Spring", "--seed", "4")
    assert result.exit_code == 0, result.stderr
    campaign_id = result.stdout.strip()
    assert len(campaign_id) == 24
    campaign = store.get_campaign(campaign_id)
    assert (campaign["name"], campaign["status"]) == ("Spring", "completed")
    assert campaign["audience"]["_id"] == audience_id
    results = store.campaign_results(campaign_id)
    assert len(results) == 50
    completed = sum(r.final_status == "completed" for r in results)
    assert f"ran on 'Leads': {completed} completed, " in result.stderr
    # The same seed on the same audience: the same outcomes.
    again = cli("sandbox", "campaign", "run", audience_id, "--seed", "4").stdout.strip()
    assert [r.final_status for r in store.campaign_results(again)] == [
        r.final_status for r in results
    ]


def test_sandbox_campaign_run_still_running_blocks_delete(sandbox_cli, cli, store):
    seed_audience(store, "Leads", 3)
    result = cli("sandbox", "campaign", "run", "Leads", "--still-running", "--max-retries", "0")
    assert result.exit_code == 0, result.stderr
    campaign = store.get_campaign(result.stdout.strip())
    assert (campaign["status"], campaign["maxRetries"]) == ("running", 0)
    assert all(r.attempts <= 1 for r in store.campaign_results(campaign["_id"]))
    assert sandbox_cli("delete", "Leads", "--yes").exit_code == 6


def test_sandbox_campaign_run_refuses_unknown_audiences_and_bad_retries(cli, store):
    unknown = cli("sandbox", "campaign", "run", "Nope")
    assert unknown.exit_code == 5
    assert "no sandbox audience with id or name 'Nope'" in unknown.stderr
    seed_audience(store, "Leads", 1)
    too_many = cli("sandbox", "campaign", "run", "Leads", "--max-retries", "11")
    assert too_many.exit_code == 2
    assert "Traceback" not in too_many.stderr
    assert store.count_campaigns() == 0


def test_sandbox_campaign_run_takes_its_seed_from_the_environment(cli, store):
    seed_audience(store, "Leads", 30)
    by_flag = cli("sandbox", "campaign", "run", "Leads", "--seed", "8").stdout.strip()
    by_env = cli(
        "sandbox", "campaign", "run", "Leads", env={"AUDIENCE_SANDBOX_CAMPAIGN_SEED": "8"}
    ).stdout.strip()
    unseeded = cli("sandbox", "campaign", "run", "Leads").stdout.strip()

    def outcomes(campaign_id: str) -> list[tuple[str | None, int]]:
        return [(r.final_status, r.attempts) for r in store.campaign_results(campaign_id)]

    assert outcomes(by_flag) == outcomes(by_env) != outcomes(unseeded)
