"""The README's promises that code can check."""

import re
from pathlib import Path

from audience_cli.errors import EXIT_CODE_MEANINGS

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
