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


def test_the_first_word_completes_to_command_names_and_global_options():
    from audience_cli.cli.command_table import COMMANDS

    assert complete("audience ", {}) == list(COMMANDS)  # nothing typed: not the help
    assert complete("audience sh", {}) == ["show"]
    assert complete("audience --sa", {}) == ["--sandbox"]
    assert complete("audience --sandbox sy", {}) == ["sync"]
    assert complete("audience help ", {}) == list(COMMANDS)
    assert complete("audience help sandbox d", {}) == ["dnc"]
    assert complete("audience help auth ", {}) == ["login", "status", "logout"]


def zsh_answer(words: str, env_extra: dict[str, str]) -> list[tuple[str, str, str]]:
    """What the program answers the zsh script: (type, value, description) a candidate."""
    env = {**os.environ, **env_extra, "_AUDIENCE_COMPLETE": "complete_zsh"}
    env["COMP_WORDS"] = words
    env["COMP_CWORD"] = str(len(words.split(" ")) - 1)
    result = subprocess.run(
        [sys.executable, "-m", "audience_cli"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    return [(lines[i], lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]


def test_zsh_gets_names_as_they_are_and_one_line_descriptions(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "O'Brien: VIP", 1)
    assert sandbox_cli("list").exit_code == 0
    env = {"AUDIENCE_CACHE_DIR": str(tmp_path / "cache")}
    # A colon separates value and description for zsh's _describe: escaped in the value.
    assert zsh_answer("audience --sandbox show O", env) == [
        ("plain", "O'Brien\\: VIP", audience_id)
    ]
    (remove,) = zsh_answer("audience help rem", {})
    assert remove[:2] == ("plain", "remove")
    assert remove[2].startswith("Remove members from an audience: by number")
    assert zsh_answer("audience completion z", {}) == [("plain", "zsh", "_")]


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


ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = {
    "bash": ROOT / "completions" / "audience.bash",
    "zsh": ROOT / "completions" / "_audience",
}
# Shown where the shell has a prompt: written so that the line that sets it does not show it.
PROMPT = "READY> "
SET_PROMPT = "PS1='READ''Y> '"
# What a completion that failed prints on the terminal (the program's stderr).
FAILURES = ("Traceback", "Usage:", "unexpected error", "Error")


def shell_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """`audience` on the PATH of an interactive shell, running this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / "audience"
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m audience_cli "$@"\n')
    tool.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "TERM": "dumb",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def interactive(shell: str, env: dict[str, str]):
    """An interactive bash or zsh with the completion script loaded, at its prompt."""
    import pexpect

    if shell == "bash":
        child = pexpect.spawn(
            "bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8", timeout=30
        )
        load = f"source {SCRIPTS['bash']}"
    else:
        child = pexpect.spawn(
            "zsh", ["-f", "-i"], env=env, encoding="utf-8", timeout=30, dimensions=(60, 200)
        )
        load = f"autoload -Uz compinit && compinit -u -D && source {SCRIPTS['zsh']}"
    child.sendline(f"{SET_PROMPT}; {load}")
    child.expect_exact(PROMPT)
    return child


def in_bash(typed: str, env: dict[str, str]) -> str:
    """The line an interactive bash shows after `typed` and a Tab, with our completion loaded.

    No wait is needed: readline runs the completion before it reads the keys after the Tab."""
    child = interactive("bash", env)
    try:
        child.send(typed + "\t")
        child.sendline(" # END")
        child.expect("# END")
        return child.before.replace("\x07", "").splitlines()[-1]
    finally:
        child.close(force=True)


@pytest.mark.slow
def test_completion_in_a_real_interactive_bash(sandbox_cli, store, tmp_path):
    seed_audience(store, "hubspot import", 1)
    assert sandbox_cli("list").exit_code == 0
    env = shell_env(tmp_path, AUDIENCE_SANDBOX="1", AUDIENCE_CACHE_DIR=str(tmp_path / "cache"))
    assert in_bash("audience show hub", env).startswith("audience show hubspot\\ import ")
    assert in_bash('audience show "hub', env).startswith('audience show "hubspot import"')
    assert in_bash("audience show 'hub", env).startswith("audience show 'hubspot import'")
    assert in_bash("audience show hubspot\\ i", env).startswith("audience show hubspot\\ import ")


def completes(shell: str, env: dict[str, str], typed: str, tabs: str, shown: str) -> str:
    """Type `typed` and `tabs` at the prompt of a real `shell`, wait until `shown` is on the
    screen, and return everything the terminal showed; fails if it never shows."""
    import io

    child = interactive(shell, env)
    screen = io.StringIO()
    child.logfile_read = screen
    try:
        child.send(typed + tabs)
        child.expect_exact(shown)
        child.send("\x03")  # Ctrl-C: drop the line
        child.expect_exact(PROMPT)
        return screen.getvalue()
    finally:
        child.close(force=True)


# (typed, what the shell shows once it has completed it): command names at the first word,
# after a global option and in a group; options by their start.
WORD_COMPLETIONS = [
    ("audience sh", "audience show "),
    ("audience --sa", "audience --sandbox "),
    ("audience --sandbox sy", "audience --sandbox sync "),
    ("audience dnc ch", "audience dnc check "),
    ("audience members Leads --sea", "audience members Leads --search "),
    ("audience help rem", "audience help remove "),
]


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_the_first_word_and_options_complete_in_a_real_shell(tmp_path, shell):
    import shutil

    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    env = shell_env(tmp_path)
    for typed, shown in WORD_COMPLETIONS:
        screen = completes(shell, env, typed, "\t", shown)
        assert not [f for f in FAILURES if f in screen], (typed, screen)
    # Nothing typed yet: every command is offered (bash lists them on a second Tab).
    every = completes(shell, env, "audience ", "\t\t" if shell == "bash" else "\t", "validate")
    assert not [f for f in FAILURES if f in every], every
    for name in ("create", "list", "members", "sync", "snapshots", "dnc", "auth", "sandbox"):
        assert name in every


# A name with a quote, and one with double quotes and two spaces: each goes in exactly,
# quoted as the word being completed is quoted.
NAME_COMPLETIONS = [
    ("audience show O", "audience show O\\'Brien\\ VIP "),
    ('audience show "O', 'audience show "O\'Brien VIP"'),
    ("audience show 'B", "audience show 'Big \"quoted\"  two'"),
]


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_audience_names_complete_exactly_in_a_real_shell(sandbox_cli, store, tmp_path, shell):
    import shutil

    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    seed_audience(store, "O'Brien VIP", 1)
    seed_audience(store, 'Big "quoted"  two', 1)
    assert sandbox_cli("list").exit_code == 0
    env = shell_env(tmp_path, AUDIENCE_SANDBOX="1", AUDIENCE_CACHE_DIR=str(tmp_path / "cache"))
    for typed, shown in NAME_COMPLETIONS:
        screen = completes(shell, env, typed, "\t", shown)
        assert not [f for f in FAILURES if f in screen], (typed, screen)


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
