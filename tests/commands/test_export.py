import csv

from tests.conftest import seed_audience


def test_export_writes_a_reimportable_csv(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 3, company="Acme, Inc.")
    target = tmp_path / "backup.csv"
    result = sandbox_cli("export", "Leads", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert "Exported 3 members of 'Leads'" in result.stderr
    rows = list(csv.DictReader(target.open()))
    assert list(rows[0]) == ["firstName", "lastName", "phoneNumber", "company"]
    assert rows[0] == {
        "firstName": "First0",
        "lastName": "Last0",
        "phoneNumber": "+14155550000",
        "company": "Acme, Inc.",
    }
    assert len(rows) == 3


def test_export_to_stdout_and_safe_mode(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    plain = sandbox_cli("export", "Leads", "-o", "-")
    assert plain.stdout.splitlines()[1] == "First0,Last0,+14155550000"
    safe = sandbox_cli("export", "Leads", "-o", "-", "--safe")
    assert safe.stdout.splitlines()[1] == "First0,Last0,'+14155550000"


def test_export_into_a_missing_folder_is_a_usage_error(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 1)
    result = sandbox_cli("export", "Leads", "-o", str(tmp_path / "nope" / "x.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
