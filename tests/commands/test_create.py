import csv
import json

from tests.conftest import members_of, seed_audience


def test_create_prints_the_id_alone_and_a_summary_on_stderr(sandbox_cli, store):
    result = sandbox_cli(
        "create",
        "Q1 Sales Leads",
        "--phone",
        "+14155552671",
        "--name",
        "Ada Lovelace",
        "--phone",
        "+44 20 7946 0958",
        "--name",
        "Alan Mathison Turing",
        "--description",
        "from the conference",
    )
    assert result.exit_code == 0, result.stderr
    audience_id = result.stdout.strip()
    assert result.stdout == audience_id + "\n"
    assert f"Created audience 'Q1 Sales Leads' ({audience_id}) with 2 members" in result.stderr
    assert members_of(store, audience_id) == [
        {"firstName": "Ada", "lastName": "Lovelace", "phoneNumber": "+14155552671"},
        {"firstName": "Alan", "lastName": "Mathison Turing", "phoneNumber": "+442079460958"},
    ]
    assert store.get_audience(audience_id)["description"] == "from the conference"


def test_create_json_has_audience_and_report(sandbox_cli):
    result = sandbox_cli("create", "A", "--phone", "+14155552671", "--json")
    data = json.loads(result.stdout)
    assert data["audience"]["name"] == "A"
    assert len(data["audience"]["_id"]) == 24
    assert data["report"]["valid"] == 1
    assert data["report"]["added"] == 1
    assert data["report"]["skipped"] == 0


def test_an_invalid_phone_flag_is_a_usage_error_naming_it_and_nothing_is_sent(sandbox_cli, store):
    result = sandbox_cli("create", "A", "--phone", "+14155552671", "--phone", "555-12")
    assert result.exit_code == 2
    assert "555-12" in result.stderr
    assert "Traceback" not in result.stderr
    assert store.list_audiences() == []


def test_names_with_commas_quotes_and_newlines_survive_the_upload(sandbox_cli, store, tmp_path):
    source = tmp_path / "names.csv"
    source.write_text(
        'firstName,lastName,phone\n"Ann ""Nan""","Smith, Jr.",+14155552671\n'
        '"Line\nBreak",O\'Neil,+14155552672\n'
    )
    result = sandbox_cli("create", "A", "--csv", str(source))
    assert result.exit_code == 0, result.stderr
    assert members_of(store, result.stdout.strip()) == [
        {"firstName": 'Ann "Nan"', "lastName": "Smith, Jr.", "phoneNumber": "+14155552671"},
        {"firstName": "Line\nBreak", "lastName": "O'Neil", "phoneNumber": "+14155552672"},
    ]


def test_a_flag_name_is_split_into_first_and_last(sandbox_cli, store):
    result = sandbox_cli("create", "A", "--phone", "+14155552671", "--name", 'Ann "Nan" Smith')
    (member,) = members_of(store, result.stdout.strip())
    assert (member["firstName"], member["lastName"]) == ("Ann", '"Nan" Smith')


def test_create_without_contacts_is_a_usage_error(sandbox_cli):
    result = sandbox_cli("create", "A")
    assert result.exit_code == 2
    assert "no contacts given" in result.stderr


def test_more_names_than_phones_is_a_usage_error(sandbox_cli):
    result = sandbox_cli("create", "A", "--phone", "+14155552671", "--name", "A B", "--name", "C D")
    assert result.exit_code == 2


def test_create_from_csv_drops_duplicates_rejects_bad_rows_and_exits_3(
    sandbox_cli, store, tmp_path
):
    source = tmp_path / "leads.csv"
    source.write_text(
        "name,phone,company\n"
        "Ada Lovelace,(415) 555-0132,Analytical\n"
        "Grace Hopper,not a number,Navy\n"
        "Ada Again,415.555.0132,Analytical\n"
        "Alan Turing,+44 20 7946 0958,Bletchley\n"
    )
    rejects = tmp_path / "bad.csv"
    result = sandbox_cli(
        "create", "Leads", "--csv", str(source), "--region", "US", "--rejects", str(rejects)
    )
    assert result.exit_code == 3, result.stderr
    audience_id = result.stdout.strip()
    assert members_of(store, audience_id) == [
        {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "phoneNumber": "+14155550132",
            "company": "Analytical",
        },
        {
            "firstName": "Alan",
            "lastName": "Turing",
            "phoneNumber": "+442079460958",
            "company": "Bletchley",
        },
    ]
    assert "4 rows read · 2 valid · 1 rejected (NOT_A_NUMBER 1) · 1 duplicate dropped" in (
        result.stderr
    )
    (bad,) = list(csv.DictReader(rejects.open()))
    assert bad["phone"] == "not a number"
    assert bad["line"] == "3"
    assert bad["reason"] == "NOT_A_NUMBER"


def test_strict_aborts_before_any_request(sandbox_cli, store, recorder, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n+14155552671\nnope\n")
    result = sandbox_cli("create", "Leads", "--csv", str(source), "--strict", transport=recorder)
    assert result.exit_code == 3
    assert "nothing was sent" in result.stderr
    assert recorder.calls == [("GET", "/dnc")]  # the do-not-call list: read, never written
    assert store.list_audiences() == []


def test_dry_run_reports_what_would_be_sent_and_sends_nothing(sandbox_cli, recorder, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(25)))
    result = sandbox_cli(
        "create",
        "Leads",
        "--csv",
        str(source),
        "--dry-run",
        "--chunk-size",
        "10",
        "--json",
        transport=recorder,
    )
    assert result.exit_code == 0, result.stderr
    assert recorder.calls == [("GET", "/dnc")]  # the do-not-call list: read, never written
    data = json.loads(result.stdout)
    assert data["audience"] is None
    assert data["dryRun"] is True
    assert data["plan"] == {
        "audiences": [{"name": "Leads", "members": 25}],
        "chunkSize": 10,
        "requests": 3,
    }
    assert "would create 'Leads' with 25 members." in result.stderr
    assert "3 requests in all; nothing was sent" in result.stderr


def test_large_lists_go_in_chunks_create_then_add(sandbox_cli, store, recorder, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(25)))
    result = sandbox_cli(
        "create", "Leads", "--csv", str(source), "--chunk-size", "10", transport=recorder
    )
    assert result.exit_code == 0, result.stderr
    audience_id = result.stdout.strip()
    assert recorder.writes() == [
        ("POST", "/audience"),
        ("POST", f"/audience/{audience_id}/members"),
        ("POST", f"/audience/{audience_id}/members"),
    ]
    assert store.count_members(audience_id) == 25


def test_over_the_member_limit_without_split_is_refused_before_sending(
    sandbox_cli, recorder, tmp_path
):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(25)))
    result = sandbox_cli(
        "create", "Leads", "--csv", str(source), "--member-limit", "10", transport=recorder
    )
    assert result.exit_code == 2
    assert "25 contacts exceed the 10-member limit" in result.stderr
    assert "--split" in result.stderr
    assert recorder.calls == [("GET", "/dnc")]  # the do-not-call list: read, never written


def test_split_creates_numbered_audiences_each_within_the_limit(sandbox_cli, store, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(25)))
    result = sandbox_cli(
        "create",
        "Leads",
        "--csv",
        str(source),
        "--member-limit",
        "10",
        "--split",
        "--chunk-size",
        "4",
    )
    assert result.exit_code == 0, result.stderr
    ids = result.stdout.split()
    assert len(ids) == 3
    listed = {a["_id"]: a for a in store.list_audiences()}
    assert [listed[i]["name"] for i in ids] == ["Leads (1/3)", "Leads (2/3)", "Leads (3/3)"]
    assert [listed[i]["memberCount"] for i in ids] == [9, 8, 8]
    every = [m["phoneNumber"] for i in ids for m in members_of(store, i)]
    # Each part holds its own share of the file; adds in flight may store them in any order.
    parts = [sorted(m["phoneNumber"] for m in members_of(store, i)) for i in ids]
    shares = ((0, 9), (9, 17), (17, 25))
    assert parts == [[f"+1415555{i:04d}" for i in range(start, end)] for start, end in shares]
    assert len(every) == len(set(every)) == 25


def test_csv_from_stdin(sandbox_cli, store):
    result = sandbox_cli("create", "Piped", "--csv", "-", input="phone\n+14155552671\n")
    assert result.exit_code == 0, result.stderr
    assert members_of(store, result.stdout.strip())[0]["phoneNumber"] == "+14155552671"


def test_a_missing_csv_file_is_a_one_line_usage_error(sandbox_cli, tmp_path):
    result = sandbox_cli("create", "A", "--csv", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_taken_name_is_refused_before_anything_is_sent(sandbox_cli, store, recorder):
    first = seed_audience(store, "Twice", 1)
    again = sandbox_cli("create", "Twice", "--phone", "+14155552671", transport=recorder)
    assert again.exit_code == 2
    assert (
        f"error: an audience with that name already exists: 'Twice' ({first}); nothing was sent"
        in again.stderr
    )
    assert f"audience add {first} --csv FILE" in again.stderr
    assert f"audience sync {first} --csv FILE" in again.stderr
    assert "--allow-duplicate-name" in again.stderr
    assert recorder.writes() == []
    assert [a["_id"] for a in store.list_audiences()] == [first]
    assert store.count_members(first) == 1


def test_a_taken_name_is_allowed_when_asked_but_then_ambiguous(sandbox_cli, store):
    first = seed_audience(store, "Twice", 1)
    again = sandbox_cli("create", "Twice", "--phone", "+14155552671", "--allow-duplicate-name")
    assert again.exit_code == 0
    assert f"an audience named 'Twice' already exists ({first})" in again.stderr
    assert len(store.list_audiences()) == 2
    assert sandbox_cli("show", "Twice").exit_code == 2


def test_create_with_an_identifier_column(sandbox_cli, store, tmp_path):
    source = tmp_path / "crm.csv"
    source.write_text("Phone,CRM Id\n+14155550100,A-1\n+14155550101,A-2\n")
    result = sandbox_cli("create", "Leads", "--csv", str(source), "--identifier-column", "crm_id")
    assert result.exit_code == 0, result.stderr
    (audience,) = store.list_audiences()
    assert audience["identifierColumnName"] == "crm_id"
    shown = sandbox_cli("show", "Leads", "--json")
    assert json.loads(shown.stdout)["identifierColumnName"] == "crm_id"
    wrong = sandbox_cli("create", "Other", "--csv", str(source), "--identifier-column", "nope")
    assert wrong.exit_code == 2
    assert (
        "the identifier column 'nope' is not a field of these contacts; their fields are: "
        "firstName, lastName, phoneNumber, crm_id"
    ) in wrong.stderr
    assert len(store.list_audiences()) == 1
