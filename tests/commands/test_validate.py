import csv
import json


def write_leads(tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text(
        "Name,Phone,Company Name\n"
        "Ada Lovelace,(415) 555-0132,Analytical\n"
        "Grace Hopper,12,Navy\n"
        "Ada Again,415.555.0132,Analytical\n"
    )
    return source


def test_validate_works_offline_without_a_key(cli, tmp_path):
    source = write_leads(tmp_path)
    clean = tmp_path / "clean.csv"
    result = cli("validate", str(source), "--region", "US", "--output", str(clean))
    assert result.exit_code == 3
    assert "3 rows read · 1 valid · 1 rejected (TOO_SHORT 1) · 1 duplicate dropped" in (
        result.stderr
    )
    rows = list(csv.DictReader(clean.open()))
    assert rows == [
        {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "phoneNumber": "+14155550132",
            "company_name": "Analytical",
        }
    ]


def test_validate_json_report(cli, tmp_path):
    result = cli("validate", str(write_leads(tmp_path)), "--region", "US", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"report"}
    report = data["report"]
    assert (report["rows"], report["valid"], report["invalid"], report["duplicates"]) == (
        3,
        1,
        1,
        1,
    )
    assert report["rejects"] == [{"line": 3, "value": "12", "reason": "TOO_SHORT"}]
    assert "added" not in report and "skipped" not in report


def test_validate_clean_file_exits_0(cli, tmp_path):
    source = tmp_path / "ok.csv"
    source.write_text("phone\n+14155552671\n")
    assert cli("validate", str(source)).exit_code == 0


def test_validate_a_binary_file_is_a_usage_error(cli, tmp_path):
    source = tmp_path / "photo.csv"
    source.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = cli("validate", str(source))
    assert result.exit_code == 2
    assert "photo.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_missing_phone_column(cli, tmp_path):
    source = tmp_path / "nophone.csv"
    source.write_text("name,email\nAda,ada@example.com\n")
    result = cli("validate", str(source))
    assert result.exit_code == 2
    assert "nophone.csv" in result.stderr
    assert "--phone-column" in result.stderr


def test_validate_output_to_stdout_and_json_conflict(cli, tmp_path):
    result = cli("validate", str(write_leads(tmp_path)), "-o", "-", "--json")
    assert result.exit_code == 2


def test_counts_over_a_thousand_have_separators_everywhere(cli, sandbox_cli, tmp_path):
    source = tmp_path / "big.csv"
    source.write_text("phone\n" + "".join(f"+1212555{i:04d}\n" for i in range(1200)) + "nope\n")
    checked = cli("validate", str(source), "--no-dnc")
    assert "1,201 rows read · 1,200 valid · 1 rejected" in checked.stderr
    made = sandbox_cli("create", "Big", "--csv", str(source))
    assert "Created audience 'Big'" in made.stderr and "with 1,200 members." in made.stderr
    members = sandbox_cli("members", "Big", "--all")
    assert members.stderr.rstrip().endswith("1,200 members")


def test_a_number_longer_than_e164_allows_is_a_reject_not_a_crash(cli, tmp_path):
    # phonenumbers takes this 16-digit German number; E.164 (and the API) allow 15.
    source = tmp_path / "long.csv"
    source.write_text("phone\n+4948081234567890\n+14155550100\n")
    result = cli("validate", str(source), "--no-dnc", "--json")
    assert result.exit_code == 3, result.stderr
    assert "unexpected error" not in result.stderr
    report = json.loads(result.stdout)["report"]
    assert (report["valid"], report["invalid"]) == (1, 1)
    assert report["rejects"][0]["reason"] == "TOO_LONG"
    assert report["rejects"][0]["line"] == 2


def test_a_file_wider_than_the_column_cap_is_one_line_and_exit_2(cli, tmp_path):
    source = tmp_path / "wide.csv"
    source.write_text("phone," + ",".join(f"c{i}" for i in range(12_000)) + "\n+14155552671\n")
    result = cli("validate", str(source), "--region", "US")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {source}: line 1: 12,001 columns, more than the 10,000 a row may have\n"
    )
    assert "AUDIENCE_MAX_COLUMNS" in result.stderr
    assert "Traceback" not in result.stderr
    raised = cli("validate", str(source), "--region", "US", env={"AUDIENCE_MAX_COLUMNS": "12001"})
    assert raised.exit_code == 0, raised.stderr


def test_validate_takes_the_file_as_csv_like_every_other_command(cli, tmp_path):
    source = str(write_leads(tmp_path))
    by_argument = cli("validate", source, "--region", "US", "--no-dnc", "--json")
    by_option = cli("validate", "--csv", source, "--region", "US", "--no-dnc", "--json")
    assert by_option.exit_code == by_argument.exit_code == 3
    assert by_option.stdout == by_argument.stdout
    assert by_option.stderr == by_argument.stderr
    piped = cli("validate", "--csv", "-", "--no-dnc", input="phone\n+14155552671\n")
    assert piped.exit_code == 0, piped.stderr
    assert "<stdin>: 1 row read · 1 valid" in piped.stderr
    same = cli("validate", source, "--csv", source, "--region", "US", "--no-dnc")
    assert same.exit_code == 3


def test_validate_needs_one_file_named_once(cli, tmp_path):
    source = str(write_leads(tmp_path))
    none = cli("validate", "--no-dnc")
    assert none.exit_code == 2
    assert none.stderr == (
        "error: no file to check\n"
        "Name it: audience validate leads.csv (or --csv leads.csv; - reads stdin).\n"
    )
    two = cli("validate", source, "--csv", "other.csv", "--no-dnc")
    assert two.exit_code == 2
    assert two.stderr == (
        f"error: two files given ({source} and --csv other.csv): validate checks one, "
        "named as FILE or with --csv\n"
    )
