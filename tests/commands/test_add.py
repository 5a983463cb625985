import json

from tests.conftest import seed_audience


def test_add_reports_added_and_skipped(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    result = sandbox_cli(
        "add", "Leads", "--phone", "+14155550000", "--phone", "+14155552671", "--name", "x y"
    )
    assert result.exit_code == 0, result.stderr
    assert f"Added 1 member to 'Leads' ({audience_id}); 1 already there (skipped)." in (
        result.stderr
    )
    assert store.count_members(audience_id) == 3
    assert result.stdout == ""


def test_add_json_result(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    data = json.loads(sandbox_cli("add", "Leads", "--phone", "+14155552671", "--json").stdout)
    assert data["audience"]["name"] == "Leads"
    assert (data["report"]["added"], data["report"]["skipped"]) == (1, 0)


def test_add_from_csv_with_a_bad_row_adds_the_rest_and_exits_3(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 1)
    source = tmp_path / "more.csv"
    source.write_text("Mobile;Full Name\n0151 23456789;Erika Mustermann\nxx;Bad Row\n")
    result = sandbox_cli("add", "Leads", "--csv", str(source), "--region", "DE")
    assert result.exit_code == 3, result.stderr
    phones = [m["data"]["phoneNumber"] for m in store.all_members(audience_id)]
    assert phones == ["+14155550000", "+4915123456789"]
    assert "line 3" in result.stderr


def test_add_in_chunks(sandbox_cli, store, recorder, tmp_path):
    audience_id = seed_audience(store, "Leads", 0)
    source = tmp_path / "more.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(7)))
    result = sandbox_cli(
        "add", audience_id, "--csv", str(source), "--chunk-size", "3", transport=recorder
    )
    assert result.exit_code == 0, result.stderr
    assert recorder.writes() == [("POST", f"/audience/{audience_id}/members")] * 3
    assert store.count_members(audience_id) == 7


def test_add_dry_run_sends_nothing(sandbox_cli, store, recorder):
    audience_id = seed_audience(store, "Leads", 1)
    result = sandbox_cli("add", "Leads", "--phone", "+14155552671", "--dry-run", transport=recorder)
    assert result.exit_code == 0
    assert recorder.writes() == []
    assert "would send 1 member" in result.stderr
    assert store.count_members(audience_id) == 1


def test_add_over_the_limit_is_refused_before_sending(sandbox_cli, store, recorder):
    seed_audience(store, "Leads", 3)
    result = sandbox_cli(
        "add",
        "Leads",
        "--phone",
        "+14155552671",
        "--phone",
        "+14155552672",
        "--member-limit",
        "4",
        transport=recorder,
    )
    assert result.exit_code == 2
    assert "would exceed the 4-member limit (room for 1)" in result.stderr
    assert recorder.writes() == []


def test_re_adding_numbers_already_present_fits_even_at_the_limit(sandbox_cli, store):
    """A nightly re-import of the same list must not trip the limit check."""
    audience_id = seed_audience(store, "Leads", 3)
    result = sandbox_cli(
        "add",
        "Leads",
        "--phone",
        "+14155550000",
        "--phone",
        "+14155550001",
        "--member-limit",
        "3",
    )
    assert result.exit_code == 0, result.stderr
    assert "Added 0 members" in result.stderr and "2 already there" in result.stderr
    assert store.count_members(audience_id) == 3


def test_add_to_an_unknown_audience_exits_5(sandbox_cli):
    result = sandbox_cli("add", "Nope", "--phone", "+14155552671")
    assert result.exit_code == 5


def test_add_checks_the_file_before_any_request(sandbox_cli, store, recorder, tmp_path):
    seed_audience(store, "Leads", 1)
    source = tmp_path / "more.csv"
    source.write_text("phone\n+14155552671\nnope\n")
    strict = sandbox_cli("add", "Leads", "--csv", str(source), "--strict", transport=recorder)
    assert strict.exit_code == 3
    bad_option = sandbox_cli(
        "add", "Leads", "--csv", str(source), "--region", "XX", transport=recorder
    )
    assert bad_option.exit_code == 2
    assert recorder.calls == [("GET", "/dnc")]  # the do-not-call list: read, never written


def test_a_rerun_near_the_limit_reads_the_audience_once_and_sends_nothing(
    sandbox_cli, store, recorder, tmp_path
):
    audience_id = seed_audience(store, "Leads", 250)
    source = tmp_path / "again.csv"
    rows = [f"First{i},Last{i},+1415555{i:04d}" for i in range(250)]
    rows[7] = "Changed,Last7,+14155550007"  # one member whose data differs
    source.write_text("firstName,lastName,phone\n" + "\n".join(rows) + "\n")
    result = sandbox_cli(
        "add", "Leads", "--csv", str(source), "--member-limit", "300", "--json", transport=recorder
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)["report"]
    assert (report["added"], report["skipped"], report["stale"]) == (0, 250, 1)
    assert "1 member already there has different data" in result.stderr
    assert recorder.writes() == []  # every number was there: nothing to send
    pages = recorder.calls.count(("GET", f"/audience/{audience_id}/members"))
    assert pages == 3  # 250 members in pages of 100, read once for the limit and the data
    assert store.count_members(audience_id) == 250
