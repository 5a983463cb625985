import csv

from tests.conftest import seed_audience


def test_export_writes_a_reimportable_csv(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 3, company="Acme, Inc.")
    target = tmp_path / "backup.csv"
    result = sandbox_cli("export", "Leads", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert "Exported 3 members of 'Leads'" in result.stderr
    rows = list(csv.DictReader(target.open(newline="")))
    # The columns of `members --format csv`: the member's id, the number, the names, data.
    assert list(rows[0]) == ["_id", "phoneNumber", "firstName", "lastName", "company"]
    member_ids = [m["_id"] for m in list(store.all_members(store.list_audiences()[0]["_id"]))]
    assert rows[0] == {
        "_id": member_ids[0],
        "phoneNumber": "+14155550000",
        "firstName": "First0",
        "lastName": "Last0",
        "company": "Acme, Inc.",
    }
    assert len(rows) == 3


def test_export_to_stdout_and_safe_mode(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    (member,) = list(store.all_members(store.list_audiences()[0]["_id"]))
    plain = sandbox_cli("export", "Leads", "-o", "-")
    assert plain.stdout.splitlines()[1] == f"{member['_id']},+14155550000,First0,Last0"
    safe = sandbox_cli("export", "Leads", "-o", "-", "--safe")
    assert safe.stdout.splitlines()[1] == f"{member['_id']},'+14155550000,First0,Last0"


def test_export_into_a_missing_folder_is_a_usage_error(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 1)
    result = sandbox_cli("export", "Leads", "-o", str(tmp_path / "nope" / "x.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_export_refuses_a_symlink_unless_forced_and_keeps_the_files_mode(
    sandbox_cli, store, tmp_path, recorder
):
    seed_audience(store, "Leads", 2)
    tmp_path.chmod(0o755)  # a folder only its owner writes to, whatever the umask
    real = tmp_path / "real.csv"
    real.write_text("old backup\n")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    refused = sandbox_cli("export", "Leads", "-o", str(link), transport=recorder)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: the export {link} is a symbolic link (to {real}), not written; "
        "--force writes through it\n"
    )
    assert recorder.calls == []  # said before a single request
    assert real.read_text() == "old backup\n"
    forced = sandbox_cli("export", "Leads", "-o", str(link), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert link.is_symlink()
    assert real.read_text().startswith("_id,phoneNumber,firstName,lastName")
    assert (real.stat().st_mode & 0o777) == 0o640


def test_export_never_follows_a_link_in_a_shared_folder(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 2)
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (shared / "backup.csv").symlink_to(victim)
    result = sandbox_cli("export", "Leads", "-o", str(shared / "backup.csv"), "--force")
    assert result.exit_code == 2
    assert "never followed, even with --force" in result.stderr
    assert victim.read_text() == "precious\n"


def test_export_help_says_what_force_does(sandbox_cli):
    help_text = sandbox_cli("export", "--help").stdout
    assert "--force" in help_text and "symbolic link at the output path" in help_text


def test_export_writes_into_a_fifo_instead_of_replacing_it(sandbox_cli, store, tmp_path):
    import os
    import threading

    seed_audience(store, "Leads", 2)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    result = sandbox_cli("export", "Leads", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert fifo.is_fifo()
    assert received and received[0].count("\n") == 3


def test_export_to_a_directory_is_a_usage_error(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 1)
    result = sandbox_cli("export", "Leads", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "it is a directory" in result.stderr


def test_a_failed_write_leaves_no_half_file(cli, tmp_path, monkeypatch):
    import audience_cli.files as files

    source = tmp_path / "in.csv"
    source.write_text("phone\n+14155552671\n")
    target = tmp_path / "clean.csv"
    target.write_text("previous\n")

    real_fdopen = files.os.fdopen

    class Full:
        def __init__(self, stream):
            self.stream = stream

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

        def write(self, text):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
    result = cli("validate", str(source), "-o", str(target))
    assert result.exit_code == 1
    assert "cannot write the clean file" in result.stderr
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_shows_a_bar_on_a_terminal_and_reads_page_one_once(
    sandbox_cli, store, recorder, tmp_path
):
    audience_id = seed_audience(store, "Leads", 250)
    out = tmp_path / "leads.csv"
    result = sandbox_cli("export", audience_id, "-o", str(out), tty=True, transport=recorder)
    assert result.exit_code == 0, result.stderr
    assert "Exporting 'Leads'" in result.plain_err and "250/250" in result.plain_err
    assert len(out.read_text().splitlines()) == 251
    assert recorder.calls.count(("GET", f"/audience/{audience_id}/members")) == 3
