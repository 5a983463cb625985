"""The private parts of libraries this tool leans on, each checked: when a release
changes one, a test here fails and names what to remove or redo.

Each is kept for a reason the README's design section gives (start-up, or a switch the
library has no public way to set); nothing here is needed for the tool to be correct.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path


def source_of(module: str) -> str:
    import importlib.util

    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin).read_text(encoding="utf-8")


def test_httpx_still_imports_its_command_line_client_only_if_it_can() -> None:
    # client.py puts None in sys.modules["httpx._main"]: that is safe only while httpx
    # imports it in a try/except ImportError, and needed only while it imports it at all.
    init = source_of("httpx")
    assert re.search(r"try:\s+from \._main import main\s+except ImportError", init), (
        "httpx no longer imports httpx._main in a try/except ImportError: "
        "drop or redo the guard in audience_cli/client.py"
    )


def test_werkzeug_s_package_init_still_imports_its_server_and_test_client() -> None:
    # audience_cli/sandbox/__init__.py registers the package unexecuted to skip these.
    init = source_of("werkzeug")
    assert "from .serving import" in init and "from .test import" in init, (
        "werkzeug's __init__ no longer imports its server and test client: "
        "drop _werkzeug_without_its_package_init from audience_cli/sandbox/__init__.py"
    )


def test_the_sandbox_works_on_werkzeug_s_package_unexecuted() -> None:
    # In this process werkzeug may be imported whole already; a fresh one has the swap.
    script = (
        "import sys, httpx\n"
        "import audience_cli.sandbox\n"
        "from audience_cli.sandbox.app import SandboxApp\n"
        "from audience_cli.sandbox.store import SandboxStore\n"
        "assert 'werkzeug.serving' not in sys.modules\n"
        "app = SandboxApp(SandboxStore(sys.argv[1]))\n"
        "with httpx.Client(transport=httpx.WSGITransport(app=app)) as c:\n"
        "    r = c.get('http://s.invalid/atoms/v1/audience',\n"
        "              headers={'Authorization': 'Bearer sk_sandbox_local'})\n"
        "print(r.status_code)\n"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "s.db")
        run = subprocess.run(
            [sys.executable, "-c", script, db], capture_output=True, text=True, timeout=60
        )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "200"


def test_werkzeug_s_request_log_colour_is_still_its_module_flag() -> None:
    # `audience sandbox serve` sets werkzeug.serving._log_add_style: Werkzeug has no
    # public switch for the colour of its request log.
    import werkzeug.serving

    assert isinstance(werkzeug.serving._log_add_style, bool)
    before = werkzeug.serving._log_add_style
    try:
        werkzeug.serving._log_add_style = False
        assert werkzeug.serving._ansi_style("GET /", "bold") == "GET /"
        werkzeug.serving._log_add_style = True
        assert "\x1b[" in werkzeug.serving._ansi_style("GET /", "bold")
    finally:
        werkzeug.serving._log_add_style = before


def test_typer_still_writes_the_fish_completion_script() -> None:
    # `audience completion fish` takes Typer's own script (bash and zsh are ours).
    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name="audience", complete_var="_X_COMPLETE", shell="fish")
    assert "_X_COMPLETE" in script and "audience" in script


def test_typer_is_the_release_the_pin_allows() -> None:
    # Pinned below 0.26 (pyproject.toml, README): later releases vendor Click and import
    # pydantic at start-up. A newer Typer here means the pin was lifted: measure again.
    major, minor = (int(part) for part in version("typer").split(".")[:2])
    assert (major, minor) < (0, 26)
    import click
    import typer.core

    assert typer.core.click is click  # Typer on the Click we depend on, not a vendored one


def test_phonenumbers_zone_data_is_still_a_prefix_table_its_lookup_reads() -> None:
    # calling/zones.py keeps each number's zones by the longest prefix of
    # phonenumbers.tzdata.TIMEZONE_DATA it starts with (and its type): only true while
    # time_zones_for_number answers from that table by longest prefix.
    from phonenumbers import tzdata

    assert isinstance(tzdata.TIMEZONE_DATA, dict) and isinstance(
        tzdata.TIMEZONE_LONGEST_PREFIX, int
    )
    assert all(isinstance(v, tuple) for v in list(tzdata.TIMEZONE_DATA.values())[:100])
    assert "TIMEZONE_DATA" in source_of("phonenumbers.timezone")
    assert "for prefix_len in range(TIMEZONE_LONGEST_PREFIX, 0, -1)" in source_of(
        "phonenumbers.timezone"
    )
