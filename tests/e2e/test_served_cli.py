"""The whole tool against the sandbox served on 127.0.0.1: real sockets, real HTTP."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from audience_cli.sandbox.server import running_server

pytestmark = pytest.mark.slow


def test_a_session_over_a_real_socket(cli, tmp_path):
    with running_server(tmp_path / "served.db", port=0) as base_url:
        env = {"SMALLEST_API_KEY": "sk_any_key_works"}
        base = ["--base-url", base_url.removesuffix("/atoms/v1")]
        created = cli(
            *base, "create", "Served", "--phone", "+14155552671", "--name", "Ada L", env=env
        )
        assert created.exit_code == 0, created.stderr
        audience_id = created.stdout.strip()
        assert "local sandbox" not in created.stderr

        listed = json.loads(cli(*base, "list", "--json", env=env).stdout)
        assert [(a["_id"], a["memberCount"]) for a in listed] == [(audience_id, 1)]

        added = cli(
            *base,
            "add",
            "Served",
            "--phone",
            "+14155552672",
            "--phone",
            "+14155552671",
            "--json",
            env=env,
        )
        assert added.exit_code == 0, added.stderr
        report = json.loads(added.stdout)["report"]
        assert (report["added"], report["skipped"]) == (1, 1)

        members = cli(*base, "members", audience_id, "--json", env=env)
        phones = [m["data"]["phoneNumber"] for m in json.loads(members.stdout)]
        assert phones == ["+14155552671", "+14155552672"]
        assert "page 1 of 1 · 2 members" in members.stderr

        deleted = cli(*base, "delete", "Served", "--yes", env=env)
        assert deleted.exit_code == 0, deleted.stderr
        assert json.loads(cli(*base, "list", "--json", env=env).stdout) == []


def test_served_with_a_key_refuses_other_keys(cli, tmp_path):
    from audience_cli.sandbox.app import SandboxConfig

    with running_server(tmp_path / "k.db", port=0, config=SandboxConfig(api_key="sk_right")) as url:
        wrong = cli("--base-url", url, "list", env={"SMALLEST_API_KEY": "sk_wrong"})
        assert wrong.exit_code == 4
        assert "Unauthorized" in wrong.stderr
        assert "sk_wrong" not in wrong.stderr
        right = cli("--base-url", url, "list", env={"SMALLEST_API_KEY": "sk_right"})
        assert right.exit_code == 0


SERVING = re.compile(r"Sandbox serving (http://127\.0\.0\.1:(\d+))/atoms/v1\b")


def test_sandbox_serve_command_serves_until_interrupted(tmp_path):
    env = {**os.environ, "AUDIENCE_SANDBOX_DB": str(tmp_path / "serve.db")}
    server = subprocess.Popen(
        [sys.executable, "-m", "audience_cli", "sandbox", "serve", "--port", "0"],
        env=env,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    err: list[str] = []
    lines: queue.Queue[str | None] = queue.Queue()

    def read_stderr() -> None:
        for line in server.stderr:
            err.append(line)
            lines.put(line)
        lines.put(None)  # end of file: the server exited

    reader = threading.Thread(target=read_stderr, name="serve-stderr", daemon=True)
    reader.start()
    try:
        # The port is bound (and listening) before the line saying where is printed.
        deadline = time.monotonic() + 30
        found = None
        while found is None:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"server did not say where it serves in 30 s: {''.join(err)!r}")
            assert line is not None, f"server exited early: {''.join(err)}"
            found = SERVING.search(line)
        url, port = found.group(1), int(found.group(2))
        assert 0 < port < 65536
        listed = subprocess.run(
            [sys.executable, "-m", "audience_cli", "--base-url", url, "list", "--json"],
            env={**env, "SMALLEST_API_KEY": "sk_x"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == []
        # A 404 is logged in colour on a terminal; in a log file it is plain text.
        missing = subprocess.run(
            [sys.executable, "-m", "audience_cli", "--base-url", url, "show", "0" * 24],
            env={**env, "SMALLEST_API_KEY": "sk_x"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert missing.returncode == 5
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
            raise
        finally:
            reader.join(timeout=10)
            server.stderr.close()
    assert server.returncode == 0, "".join(err)
    assert "Stopped." in "".join(err)
    logged = "".join(err)
    assert f'GET /atoms/v1/audience/{"0" * 24} HTTP/1.1" 404' in logged
    assert "\x1b" not in logged  # no colour escapes in a log that is not a terminal


def test_serve_refuses_a_non_loopback_host(cli):
    result = cli("sandbox", "serve", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "loopback only" in result.stderr


TRY = re.compile(r"^Try: (.+?)    ·    Ctrl-C to stop$", re.MULTILINE)


@pytest.mark.parametrize("api_key", [None, "sk_only'this;one"])
def test_the_banners_try_line_works_as_printed(tmp_path, api_key):
    """The line `sandbox serve` offers, pasted into a shell that has no key, lists."""
    from pathlib import Path

    env = {**os.environ, "AUDIENCE_SANDBOX_DB": str(tmp_path / "try.db")}
    env.pop("SMALLEST_API_KEY", None)
    if api_key:
        env["AUDIENCE_SANDBOX_API_KEY"] = api_key
    server = subprocess.Popen(
        [sys.executable, "-m", "audience_cli", "sandbox", "serve", "--port", "0"],
        env=env,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    err: list[str] = []

    def read_stderr() -> None:
        for line in server.stderr:
            err.append(line)
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read_stderr, name="serve-stderr", daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        found = None
        while found is None:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no Try: line in 30 s: {''.join(err)!r}")
            assert line is not None, f"server exited early: {''.join(err)}"
            found = TRY.match(line.rstrip("\n"))
        command = found.group(1)
        assert command.startswith("SMALLEST_API_KEY=")
        shell_env = {k: v for k, v in env.items() if k != "AUDIENCE_SANDBOX_API_KEY"}
        shell_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        listed = subprocess.run(
            ["sh", "-c", command + " --json"],
            env=shell_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, (command, listed.stderr)
        assert json.loads(listed.stdout) == []
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        finally:
            reader.join(timeout=10)
            server.stderr.close()
