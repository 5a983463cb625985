import json

from tests.conftest import phones_in, seed_audience


def test_remove_by_phone_looks_the_number_up(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 3)
    result = sandbox_cli("remove", "Leads", "--phone", "(415) 555-0001", "--region", "US", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "Removed 1 member from 'Leads'" in result.stderr
    assert phones_in(store, audience_id) == ["+14155550000", "+14155550002"]


def test_remove_by_member_id_with_json_result(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    member = store.all_members(audience_id)[0]["_id"]
    result = sandbox_cli("remove", "Leads", "--member-id", member, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["deletedCount"] == 1
    assert data["memberIds"] == [member]
    assert phones_in(store, audience_id) == ["+14155550001"]


def test_remove_needs_yes_off_a_terminal(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    result = sandbox_cli("remove", "Leads", "--phone", "+14155550000")
    assert result.exit_code == 2
    assert "--yes is required" in result.stderr
    assert len(phones_in(store, audience_id)) == 2


def test_remove_confirms_on_a_terminal(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    result = sandbox_cli("remove", "Leads", "--phone", "+14155550000", tty=True, input="Leads\n")
    assert result.exit_code == 0, result.stderr
    assert phones_in(store, audience_id) == ["+14155550001"]


def test_remove_dry_run_changes_nothing(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    result = sandbox_cli("remove", "Leads", "--phone", "+14155550000", "--dry-run")
    assert result.exit_code == 0
    assert "Would remove 1 member from 'Leads'" in result.stderr
    assert len(phones_in(store, audience_id)) == 2


def test_numbers_not_in_the_audience_are_named(sandbox_cli, store):
    seed_audience(store, "Leads", 2)
    partly = sandbox_cli(
        "remove", "Leads", "--phone", "+14155550000", "--phone", "+14155559999", "--yes"
    )
    assert partly.exit_code == 0
    assert "+14155559999 is not in 'Leads'" in partly.stderr
    none = sandbox_cli("remove", "Leads", "--phone", "+14155559999", "--yes")
    assert none.exit_code == 5


def test_an_invalid_number_is_a_usage_error(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    result = sandbox_cli("remove", "Leads", "--phone", "12", "--yes")
    assert result.exit_code == 2
    assert "'12'" in result.stderr


def test_member_ids_are_checked_and_unknown_ones_exit_5(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    malformed = sandbox_cli("remove", "Leads", "--member-id", "xyz", "--yes")
    assert malformed.exit_code == 2
    assert "not a member id" in malformed.stderr
    unknown = sandbox_cli("remove", "Leads", "--member-id", "deadbeefdeadbeefdeadbeef", "--yes")
    assert unknown.exit_code == 5
    assert "nothing was removed" in unknown.stderr
    member = store.all_members(audience_id)[0]["_id"]
    partly = sandbox_cli(
        "remove", "Leads", "--member-id", member, "--member-id", "deadbeefdeadbeefdeadbeef", "--yes"
    )
    assert partly.exit_code == 0
    assert "1 of the given member ids was not in the audience" in partly.stderr
