"""The real program on a real pseudo-terminal, and on pipes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pexpect
import pytest

from tests.conftest import seed_audience

pytestmark = pytest.mark.slow


def spawn_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "AUDIENCE_NO_INPUT")}
    env.update({"COLUMNS": "120", "LINES": "40", "TERM": "xterm", **extra})
    return env


def on_pty(*args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    """`python -m audience_cli ARGS…` on a real pseudo-terminal."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "audience_cli", *args],
        env=env or spawn_env(),
        encoding="utf-8",
        timeout=30,
    )


def test_delete_prompts_on_a_pty_and_deletes_after_the_name_is_typed(store):
    audience_id = seed_audience(store, "Q1 Leads", 2)
    child = on_pty("--sandbox", "delete", "Q1 Leads")
    child.expect("This will delete audience 'Q1 Leads'")
    child.expect("Type 'Q1 Leads' to confirm")
    child.sendline("Q1 Leads")
    child.expect("Deleted audience 'Q1 Leads'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert store.get_audience(audience_id) is None


def test_delete_on_a_pty_with_the_wrong_name_keeps_the_audience(store):
    audience_id = seed_audience(store, "Q1 Leads", 2)
    child = on_pty("--sandbox", "delete", "Q1 Leads")
    child.expect("to confirm")
    child.sendline("yes")
    child.expect("not confirmed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert store.get_audience(audience_id) is not None


def test_delete_without_a_terminal_and_without_yes_exits_2_at_once(store):
    audience_id = seed_audience(store, "Q1 Leads", 2)
    result = subprocess.run(
        [sys.executable, "-m", "audience_cli", "--sandbox", "delete", "Q1 Leads"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=spawn_env(),
        timeout=60,
    )
    assert result.returncode == 2
    assert "--yes is required" in result.stderr
    assert store.get_audience(audience_id) is not None


def test_list_is_a_table_on_a_pty_and_tsv_on_a_pipe(store):
    audience_id = seed_audience(store, "Q1 Leads", 2)
    child = on_pty("--sandbox", "list", env=spawn_env(NO_COLOR="1"))
    child.expect(pexpect.EOF)
    screen = child.before.replace("\r\n", "\n")
    child.close()
    assert child.exitstatus == 0
    assert "ID" in screen and "NAME" in screen and "MEMBERS" in screen
    assert "just now" in screen
    assert "\x1b[3" not in screen  # NO_COLOR: no colour codes

    piped = subprocess.run(
        [sys.executable, "-m", "audience_cli", "--sandbox", "list"],
        capture_output=True,
        text=True,
        env=spawn_env(),
        timeout=60,
    )
    cells = piped.stdout.strip().split("\t")
    assert cells[:4] == [audience_id, "Q1 Leads", "2", "0"]
    assert "\x1b[" not in piped.stdout


def test_ctrl_c_at_the_prompt_exits_130(store):
    seed_audience(store, "Q1 Leads", 1)
    child = on_pty("--sandbox", "delete", "Q1 Leads")
    child.expect("to confirm")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before


def test_a_reader_that_stops_early_is_not_an_error(store):
    seed_audience(store, "Big", 3000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "audience_cli", "--sandbox", "members", "Big", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=spawn_env(),
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    _, err = proc.communicate(timeout=60)
    assert first.split(b"\t")[1] == b"+14155550000"
    assert proc.returncode == 0
    assert b"Broken pipe" not in err and b"Traceback" not in err


@pytest.mark.skipif(
    not os.path.exists("/dev/full") or not stat.S_ISCHR(os.stat("/dev/full").st_mode),
    reason="needs the /dev/full device",
)
def test_a_full_disk_on_stdout_is_one_line_not_a_traceback(store):
    seed_audience(store, "Big", 50)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "audience_cli", "--sandbox", "-q", "members", "Big", "--all"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=spawn_env(),
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == "error: No space left on device"
