import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import seed_audience


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_for_each_shell(cli, shell):
    result = cli("completion", shell)
    assert result.exit_code == 0
    assert "_AUDIENCE_COMPLETE" in result.stdout
    assert "audience" in result.stdout


def test_unknown_shell_is_a_usage_error(cli):
    assert cli("completion", "tcsh").exit_code == 2


def complete(words: str, env_extra: dict[str, str]) -> list[str]:
    """Ask the real program for bash completions of `words`."""
    env = {**os.environ, **env_extra, "_AUDIENCE_COMPLETE": "complete_bash"}
    env["COMP_WORDS"] = words
    env["COMP_CWORD"] = str(len(words.split(" ")) - 1)
    result = subprocess.run(
        [sys.executable, "-m", "audience_cli"], env=env, capture_output=True, text=True, timeout=30
    )
    return [line for line in result.stdout.splitlines() if line]


def test_audience_arguments_complete_from_the_cache_written_by_list(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Quarterly", 1)
    seed_audience(store, "Other", 1)
    assert sandbox_cli("list").exit_code == 0  # writes the cache
    env = {"AUDIENCE_CACHE_DIR": str(tmp_path / "cache")}
    assert complete("audience --sandbox show Qu", env) == ["Quarterly"]
    assert complete(f"audience --sandbox members {audience_id[:6]}", env) == [audience_id]


def test_completion_ignores_a_stale_cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "audiences.json").write_text(
        json.dumps(
            {"written": time.time() - 3 * 86400, "audiences": [{"id": "a" * 24, "name": "Old"}]}
        )
    )
    assert complete("audience show O", {"AUDIENCE_CACHE_DIR": str(cache)}) == []


def test_the_program_completes_plain_names_that_start_with_what_was_typed(
    sandbox_cli, store, tmp_path
):
    seed_audience(store, "Big (1/2)", 1)
    seed_audience(store, "O'Brien VIP", 1)
    assert sandbox_cli("list").exit_code == 0
    env = {"AUDIENCE_CACHE_DIR": str(tmp_path / "cache")}
    # Plain: the bash script quotes them as the word is quoted (see the next test).
    assert complete("audience --sandbox show Bi", env) == ["Big (1/2)"]
    assert complete("audience --sandbox show O", env) == ["O'Brien VIP"]


def in_bash(typed: str, env: dict[str, str]) -> str:
    """What an interactive bash shows after `typed` and a Tab, with our completion loaded."""
    import pexpect

    script = Path(__file__).resolve().parents[2] / "completions" / "audience.bash"
    child = pexpect.spawn(
        "bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8", timeout=20
    )
    try:
        child.expect_exact("$ ")
        child.sendline(f"source {script}")
        child.expect_exact("$ ")
        child.send(typed + "\t")
        time.sleep(1.0)  # the completion runs the program
        child.sendline(" # END")
        child.expect("# END")
        return child.before.replace("\x07", "").splitlines()[-1]
    finally:
        child.close(force=True)


@pytest.mark.slow
def test_completion_in_a_real_interactive_bash(sandbox_cli, store, tmp_path):
    seed_audience(store, "hubspot import", 1)
    assert sandbox_cli("list").exit_code == 0
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "audience"
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m audience_cli "$@"\n')
    tool.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PS1": "$ ",
        "TERM": "dumb",
        "AUDIENCE_SANDBOX": "1",
        "AUDIENCE_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    assert in_bash("audience show hub", env).startswith("audience show hubspot\\ import ")
    assert in_bash('audience show "hub', env).startswith('audience show "hubspot import"')
    assert in_bash("audience show 'hub", env).startswith("audience show 'hubspot import'")
    assert in_bash("audience show hubspot\\ i", env).startswith("audience show hubspot\\ import ")


@pytest.mark.parametrize(
    "content",
    [
        '{"written": "x", "audiences": []}',
        '[{"id": 1}]',
        '{"written": 1e18, "audiences": [1]}',
        "{",
    ],
)
def test_a_damaged_cache_completes_nothing_and_never_crashes(tmp_path, content):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "audiences.json").write_text(content)
    env = {"AUDIENCE_CACHE_DIR": str(cache)}
    result = subprocess.run(
        [sys.executable, "-m", "audience_cli"],
        env={
            **os.environ,
            **env,
            "_AUDIENCE_COMPLETE": "complete_bash",
            "COMP_WORDS": "audience show O",
            "COMP_CWORD": "2",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.stdout.strip() == ""
    assert "Traceback" not in result.stderr


def test_create_and_delete_keep_the_completion_cache_current(sandbox_cli, store, tmp_path):
    seed_audience(store, "Old", 1)
    assert sandbox_cli("list").exit_code == 0
    env = {"AUDIENCE_CACHE_DIR": str(tmp_path / "cache")}
    made = sandbox_cli("create", "Newcomer", "--phone", "+14155552671")
    assert made.exit_code == 0
    assert complete("audience --sandbox show New", env) == ["Newcomer"]  # no `list` needed
    assert sandbox_cli("delete", "Newcomer", "--yes").exit_code == 0
    assert complete("audience --sandbox show New", env) == []
    assert complete("audience --sandbox show Ol", env) == ["Old"]
    first_night = tmp_path / "n.csv"
    first_night.write_text("phone\n+14155550100\n")
    assert sandbox_cli("sync", "Synced", "--csv", str(first_night), "--create").exit_code == 0
    assert complete("audience --sandbox show Syn", env) == ["Synced"]


def test_the_cache_is_never_written_through_a_planted_link(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 1)
    cache = tmp_path / "cache"
    cache.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (cache / "audiences-sandbox.json").symlink_to(victim)
    (cache / "audiences-sandbox.tmp").symlink_to(victim)  # the temporary name it once had
    result = sandbox_cli("list", env={"AUDIENCE_CACHE_DIR": str(cache)})
    assert result.exit_code == 0, result.stderr  # a convenience: never a reason to fail
    assert victim.read_text() == "precious\n"
