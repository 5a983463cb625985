import json

from tests.conftest import seed_audience


def test_show_by_name_lists_every_field_and_campaigns(sandbox_cli, store):
    audience_id = seed_audience(store, "Q1 Sales Leads", 4)
    store.add_campaign(audience_id, name="January Outreach", status="completed")
    result = sandbox_cli("show", "Q1 Sales Leads", tty=True)
    assert result.exit_code == 0, result.stderr
    text = result.plain
    for label in ("id", "name", "members", "phone column", "organization", "created"):
        assert any(line.split("  ")[0].strip() == label for line in result.lines), label
    assert audience_id in text
    assert "phoneNumber" in text
    assert "Campaigns" in text and "January Outreach" in text and "completed" in text


def test_show_piped_is_field_value_tsv_by_the_apis_field_names(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    result = sandbox_cli("show", audience_id)
    rows = dict(line.split("\t") for line in result.lines)
    assert rows["_id"] == audience_id
    assert rows["memberCount"] == "2"
    assert rows["phoneNumberColumnName"] == "phoneNumber"
    assert rows["campaigns"] == "0"
    assert not {"id", "members", "phone column"} & rows.keys()  # labels are for people


def test_show_csv_and_tsv_header_name_the_fields_as_fields_takes_them(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    names = sandbox_cli("show", "Leads", "--fields", "help").stdout.splitlines()
    as_csv = sandbox_cli("show", "Leads", "--format", "csv").stdout.splitlines()
    assert as_csv[0] == "field,value"
    assert [line.split(",")[0] for line in as_csv[1:]] == names
    assert as_csv[1] == f"_id,{audience_id}"
    with_header = sandbox_cli("show", "Leads", "--header", "--fields", "_id,createdAt")
    assert with_header.exit_code == 0, with_header.stderr
    lines = with_header.stdout.splitlines()
    assert lines[0] == "field\tvalue"
    assert [line.split("\t")[0] for line in lines[1:]] == ["_id", "createdAt"]
    assert "--header" in sandbox_cli("show", "--help").stdout


def test_show_json_is_the_audience_object(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 2)
    data = json.loads(sandbox_cli("show", "Leads", "--json").stdout)
    assert data["_id"] == audience_id
    assert data["memberCount"] == 2
    assert data["phoneNumberColumnName"] == "phoneNumber"


def test_unknown_name_exits_5_with_a_suggestion(sandbox_cli, store):
    seed_audience(store, "Q1 Sales Leads", 1)
    result = sandbox_cli("show", "q1 sales leads")
    assert result.exit_code == 5
    assert "no audience with id or name 'q1 sales leads'" in result.stderr
    assert "Did you mean 'Q1 Sales Leads'?" in result.stderr


def test_unknown_id_is_the_servers_404(sandbox_cli):
    result = sandbox_cli("show", "0123456789abcdef01234567")
    assert result.exit_code == 5
    assert "no audience with id 0123456789abcdef01234567 (Atoms: Audience not found)" in (
        result.stderr
    )


def test_ambiguous_name_lists_the_ids_and_exits_2(sandbox_cli, store):
    first = seed_audience(store, "Leads", 1)
    second = seed_audience(store, "Leads", 1)
    result = sandbox_cli("show", "Leads")
    assert result.exit_code == 2
    assert first in result.stderr and second in result.stderr
    assert "Traceback" not in result.stderr


def test_show_fields_picks_rows_and_json_keys(sandbox_cli, store):
    from tests.conftest import seed_audience as seed

    audience_id = seed(store, "Picked", 3)
    tsv = sandbox_cli("show", "Picked", "--fields", "_id,memberCount", "-F", "tsv")
    assert tsv.stdout == f"_id\t{audience_id}\nmemberCount\t3\n"
    document = json.loads(
        sandbox_cli("show", "Picked", "--fields", "name,memberCount", "--json").stdout
    )
    assert document == {"name": "Picked", "memberCount": 3}
    assert sandbox_cli("show", "Picked", "--fields", "help").stdout.splitlines()[:2] == [
        "_id",
        "name",
    ]
    wrong = sandbox_cli("show", "Picked", "--fields", "bogus")
    assert wrong.exit_code == 2 and "--fields: no field 'bogus'" in wrong.stderr
