"""The README's promises that code can check."""

import re
from pathlib import Path

import pytest

from audience_cli.cli.app import EXIT_CODE_MEANINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_lists_every_exit_code_with_its_meaning():
    rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README, flags=re.MULTILINE))
    assert {int(k) for k in rows} == {int(c) for c in EXIT_CODE_MEANINGS}
    for code, meaning in EXIT_CODE_MEANINGS.items():
        assert rows[str(int(code))].replace("`", "") == meaning


def test_readme_has_exactly_the_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("## A tour", 1)[0]
    blocks = re.findall(r"```sh\n(.+?)\n```", setup, flags=re.DOTALL)
    assert len(blocks) == 2
    assert "examples/demo.sh" in blocks[0]
    assert "pytest" in blocks[1]


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "pip install" in ci and "'.[test]'" in ci
    assert "-m pytest" in ci


@pytest.mark.slow
def test_the_completion_install_lines_work_on_a_fresh_home(tmp_path):
    """The bash and fish lines of *Shell completion*, run as written in an empty HOME."""
    import os
    import subprocess
    import sys

    section = README.split("### Shell completion", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.+?)\n```", section, flags=re.DOTALL)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if "zsh" not in line]
    home = tmp_path / "fresh-home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        ["sh", "-ec", "\n".join(lines)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    bash = home / ".local/share/bash-completion/completions/audience"
    fish = home / ".config/fish/completions/audience.fish"
    assert "complete" in bash.read_text() and "complete" in fish.read_text()
