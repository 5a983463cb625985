"""Imports never overwrite their input, and always leave a script something to read."""

import json

import pytest

from tests.conftest import seed_audience


@pytest.fixture
def leads(tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n+14155552671\nnope\n")
    return source


@pytest.mark.parametrize("command", [["add", "Leads"], ["create", "New"]])
def test_rejects_cannot_overwrite_the_input(sandbox_cli, store, leads, command):
    seed_audience(store, "Leads", 1)
    before = leads.read_text()
    result = sandbox_cli(*command, "--csv", str(leads), "--rejects", str(leads), "--dry-run")
    assert result.exit_code == 2
    assert "that is the file being imported" in result.stderr
    assert leads.read_text() == before


def test_validate_output_cannot_overwrite_the_input_even_through_a_link(cli, leads, tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(leads)
    before = leads.read_text()
    result = cli("validate", str(leads), "--output", str(link))
    assert result.exit_code == 2
    assert leads.read_text() == before


def test_rejects_and_output_must_differ(cli, leads, tmp_path):
    out = tmp_path / "out.csv"
    assert cli("validate", str(leads), "-o", str(out), "--rejects", str(out)).exit_code == 2
    assert cli("validate", str(leads), "-o", "-", "--rejects", "-").exit_code == 2
    assert cli("validate", str(leads), "-o", "-", "--json").exit_code == 2


def test_rejects_to_stdout_is_refused_where_stdout_carries_the_result(sandbox_cli, leads):
    result = sandbox_cli("create", "New", "--csv", str(leads), "--rejects", "-")
    assert result.exit_code == 2
    assert "would mix with this command's output" in result.stderr


def test_a_header_only_file_adds_nothing_and_exits_0(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 1)
    empty = tmp_path / "tonight.csv"
    empty.write_text("phone\n\n")
    result = sandbox_cli("add", "Leads", "--csv", str(empty))
    assert result.exit_code == 0, result.stderr
    assert "Nothing to add" in result.stderr
    assert store.count_members(audience_id) == 1


def test_strict_refusal_still_prints_the_json_report(sandbox_cli, leads):
    result = sandbox_cli("create", "New", "--csv", str(leads), "--strict", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["audience"] is None
    assert data["report"]["rejects"] == [{"line": 3, "value": "nope", "reason": "NOT_A_NUMBER"}]


def test_dry_run_counts_requests_across_split_audiences(sandbox_cli, tmp_path):
    source = tmp_path / "ten.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(10)))
    result = sandbox_cli(
        "create", "S", "--csv", str(source), "--member-limit", "5", "--split", "--dry-run", "--json"
    )
    plan = json.loads(result.stdout)["plan"]
    assert plan["audiences"] == [
        {"name": "S (1/2)", "members": 5},
        {"name": "S (2/2)", "members": 5},
    ]
    assert plan["requests"] == 2


def test_dry_run_counts_the_extra_request_the_5mb_limit_needs(sandbox_cli, recorder, tmp_path):
    source = tmp_path / "wide.csv"
    note = "x" * 7000
    source.write_text("phone,notes\n" + "".join(f"+1415555{i:04d},{note}\n" for i in range(1000)))
    planned = sandbox_cli("create", "Wide", "--csv", str(source), "--dry-run", "--json")
    assert json.loads(planned.stdout)["plan"]["requests"] == 2
    done = sandbox_cli("create", "Wide", "--csv", str(source), transport=recorder)
    assert done.exit_code == 0, done.stderr
    assert len(recorder.writes()) == 2


def test_quiet_does_not_hide_what_a_dry_run_would_do(sandbox_cli, store, leads):
    seed_audience(store, "Leads", 1)
    created = sandbox_cli("--quiet", "create", "New", "--csv", str(leads), "--dry-run")
    assert "Dry run: would create 'New' with 1 member." in created.stderr
    deleted = sandbox_cli("--quiet", "delete", "Leads", "--dry-run")
    assert "Would delete audience 'Leads'" in deleted.stderr


@pytest.mark.parametrize("flag", ["--output", "--rejects"])
def test_validate_refuses_an_output_link_unless_forced(cli, leads, tmp_path, flag):
    tmp_path.chmod(0o755)  # a folder only its owner writes to, whatever the umask
    real = tmp_path / "kept.csv"
    real.write_text("kept\n")
    link = tmp_path / "out.csv"
    link.symlink_to(real)
    refused = cli("validate", str(leads), flag, str(link))
    assert refused.exit_code == 2
    what = "rejects file" if flag == "--rejects" else "clean file"
    assert refused.stderr == (
        f"error: the {what} {link} is a symbolic link (to {real}), not written; "
        "--force writes through it\n"
    )
    assert real.read_text() == "kept\n"
    forced = cli("validate", str(leads), flag, str(link), "--force")
    assert forced.exit_code == 3, forced.stderr
    assert link.is_symlink() and real.read_text() != "kept\n"


def test_an_import_whose_rejects_path_is_a_link_sends_nothing(sandbox_cli, store, leads, tmp_path):
    audience_id = seed_audience(store, "Leads", 1)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "rejects.csv"
    link.symlink_to(victim)
    result = sandbox_cli("add", "Leads", "--csv", str(leads), "--rejects", str(link))
    assert result.exit_code == 2
    assert "--force writes through it" in result.stderr
    assert store.count_members(audience_id) == 1
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("command", ["validate", "add", "create", "sync", "diff", "remove"])
def test_every_command_with_rejects_takes_force(cli, command):
    help_text = cli(command, "--help").stdout
    assert "--force" in help_text and "symbolic link at an output path" in help_text
