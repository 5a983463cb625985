"""Global behaviour: exit codes, errors without tracebacks, --quiet, --debug, widths."""

import re

import httpx
import pytest

from audience_cli.errors import ExitCode
from tests.conftest import ANSI, seed_audience

ENV = {"SMALLEST_API_KEY": "sk_test_key_1234"}


def test_version(cli):
    from audience_cli import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"audience {__version__}\n"


def test_version_answers_before_typer_click_or_rich_are_imported():
    import subprocess
    import sys

    from audience_cli import __version__

    probe = (
        "import sys; sys.argv = ['audience', '--version']; "
        "from audience_cli.__main__ import main; main(); "
        "print(sorted(m for m in ('typer', 'click', 'rich', 'httpx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"audience {__version__}\n[]\n"


def test_every_command_has_help_with_examples(cli):
    for command in (
        "create",
        "list",
        "show",
        "members",
        "add",
        "delete",
        "remove",
        "export",
        "validate",
    ):
        result = cli(command, "--help", env={"COLUMNS": "100"})
        assert result.exit_code == 0, command
        assert "Examples" in result.stdout or "Example" in result.stdout, command
        assert "audience " + command in result.stdout, command


def test_no_key_and_no_sandbox_is_exit_4_naming_three_ways(cli):
    result = cli("list")
    assert result.exit_code == ExitCode.AUTH
    for way in ("audience auth login", "SMALLEST_API_KEY", "--sandbox"):
        assert way in result.stderr


def test_network_failure_is_retried_then_exit_7(cli, scripted):
    script = scripted(httpx.ConnectError("connection refused"), repeat_last=True)
    result = cli("list", transport=httpx.MockTransport(script), env=ENV)
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert "cannot reach https://api.smallest.ai/atoms/v1" in result.stderr
    assert len(script.requests) == 5  # 1 + 4 retries
    assert len(result.sleeps) == 4
    assert "Traceback" not in result.stderr


def test_server_errors_are_retried_then_exit_7(cli):
    def handler(request):
        return httpx.Response(
            503,
            json={"status": False, "message": "down for maintenance"},
            headers={"Retry-After": "2"},
        )

    result = cli("list", transport=httpx.MockTransport(handler), env=ENV)
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert "down for maintenance" in result.stderr
    assert result.sleeps == [2.0, 2.0, 2.0, 2.0]


def test_unexpected_errors_have_no_traceback_unless_debug(cli):
    def handler(request):
        raise RuntimeError("boom")

    transport = httpx.MockTransport(handler)
    plain = cli("list", transport=transport, env=ENV)
    assert plain.exit_code == ExitCode.UNEXPECTED
    assert "unexpected error: RuntimeError: boom" in plain.stderr
    assert "Traceback" not in plain.stderr
    assert "--debug" in plain.stderr
    debug = cli("--debug", "list", transport=transport, env=ENV)
    assert debug.exit_code == ExitCode.UNEXPECTED
    assert "Traceback" in debug.stderr


def test_quiet_silences_notes_but_not_data_or_errors(sandbox_cli, store):
    seed_audience(store, "Leads", 3)
    quiet = sandbox_cli("--quiet", "members", "Leads")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    assert len(quiet.lines) == 3
    failed = sandbox_cli("--quiet", "show", "Nope")
    assert "no audience" in failed.stderr


def test_piped_output_is_never_cut_at_80_columns(sandbox_cli, store):
    long_name = "A very long audience name " * 8
    seed_audience(store, long_name.strip(), 1)
    result = sandbox_cli("list", env={"COLUMNS": "80"})
    assert long_name.strip() in result.stdout


def test_tables_fit_the_terminal_width(sandbox_cli, store):
    seed_audience(store, "A very long audience name " * 8, 1)
    result = sandbox_cli("list", tty=True, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert max(len(line) for line in result.lines) <= 80


def test_no_color_and_dumb_terminals_get_no_colour(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    coloured = sandbox_cli("list", tty=True)
    assert "\x1b[" in coloured.stdout
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        result = sandbox_cli("list", tty=True, env=env)
        assert "\x1b[3" not in result.stdout and "\x1b[9" not in result.stdout, env


def test_sandbox_and_base_url_together_are_a_usage_error(cli):
    result = cli("--sandbox", "--base-url", "http://127.0.0.1:1", "list")
    assert result.exit_code == 2


def test_bare_host_gets_the_api_path(cli):
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(200, json={"status": True, "data": []})

    cli(
        "--base-url",
        "https://api.india.smallest.ai",
        "list",
        env=ENV,
        transport=httpx.MockTransport(handler),
    )
    cli(
        "--base-url",
        "https://atoms-api.smallest.ai/api/v1",
        "list",
        env=ENV,
        transport=httpx.MockTransport(handler),
    )
    assert seen == [
        "https://api.india.smallest.ai/atoms/v1/audience",
        "https://atoms-api.smallest.ai/api/v1/audience",
    ]


def test_audience_debug_variable_turns_on_request_logging(cli):
    def handler(request):
        return httpx.Response(200, json={"status": True, "data": []})

    result = cli("list", transport=httpx.MockTransport(handler), env={**ENV, "AUDIENCE_DEBUG": "1"})
    assert "debug: GET https://api.smallest.ai/atoms/v1/audience → 200" in result.stderr
    assert "sk_test_key_1234" not in result.stderr


def test_debug_logs_each_page_with_its_query_string(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 7)
    result = sandbox_cli("--debug", "--concurrency", "1", "members", "Leads", "--all")
    assert result.exit_code == 0, result.stderr
    page = f"debug: GET http://sandbox.invalid/atoms/v1/audience/{audience_id}/members"
    assert f"{page}?page=1&offset=100 → 200" in result.stderr
    searched = sandbox_cli("--debug", "members", "Leads", "--search", "First3")
    assert "/members/search?query=First3 → 200" in searched.stderr


def test_progress_bar_only_on_a_terminal(sandbox_cli, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(30)))
    on_tty = sandbox_cli("create", "A", "--csv", str(source), "--chunk-size", "10", tty=True)
    assert on_tty.exit_code == 0, on_tty.stderr
    assert "Uploading to 'A'" in on_tty.plain_err
    piped = sandbox_cli("create", "B", "--csv", str(source), "--chunk-size", "10")
    assert piped.exit_code == 0
    assert "Uploading" not in piped.stderr
    assert "\x1b[" not in piped.stderr


def test_a_terminal_too_narrow_for_the_table_gets_one_record_per_block(sandbox_cli, store):
    audience_id = seed_audience(store, "Q1 Sales Leads", 2, company="Analytical Engines")
    listed = sandbox_cli("list", tty=True, env={"COLUMNS": "40"})
    assert listed.exit_code == 0
    lines = [line.rstrip() for line in listed.lines]
    assert f"ID         {audience_id}" in lines
    assert "NAME       Q1 Sales Leads" in lines
    assert "CREATED    just now" in lines
    members = sandbox_cli("members", "Q1 Sales Leads", tty=True, env={"COLUMNS": "60"})
    assert "company: Analytical Engines" in members.plain
    assert len(members.lines) < 15
    assert max(len(line) for line in members.lines) <= 60


def test_retries_are_announced_on_stderr(cli, scripted):
    script = scripted(
        httpx.Response(503, json={"status": False, "message": "busy"}),
        httpx.Response(200, json={"status": True, "data": []}),
    )
    result = cli("list", transport=httpx.MockTransport(script), env=ENV)
    assert result.exit_code == 0
    assert "HTTP 503: trying again in" in result.stderr
    assert "(1 of 4)" in result.stderr
    assert len(result.sleeps) == 1


def test_base_urls_without_a_scheme_and_broken_ones(cli):
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(200, json={"status": True, "data": []})

    ok = cli(
        "--base-url", "127.0.0.1:8799", "list", env=ENV, transport=httpx.MockTransport(handler)
    )
    assert ok.exit_code == 0, ok.stderr
    assert seen == ["http://127.0.0.1:8799/atoms/v1/audience"]
    broken = cli("--base-url", "not a url", "list", env=ENV)
    assert broken.exit_code == 2
    assert "invalid base URL 'not a url'" in broken.stderr


def test_a_global_option_after_the_command_gets_a_hint(sandbox_cli):
    result = sandbox_cli("list", "--debug")
    assert result.exit_code == 2
    assert "--debug is a global option: put it before the command" in result.stderr
    assert "`audience --sandbox --debug list`" in result.stderr


def hinted_line(stderr: str) -> list[str]:
    """The command line a global-option hint gives, as words (after `audience`)."""
    import shlex

    text = " ".join(line.strip("│ ") for line in stderr.splitlines())
    line = re.search(r"put it before the command: `([^`]*)`", text)
    assert line is not None, stderr
    words = shlex.split(line.group(1))
    assert words[0] == "audience"
    return words[1:]


@pytest.mark.parametrize(
    ("args", "hinted"),
    [
        (
            ["add", "Leads", "--phone", "+14155550199", "--concurrency", "1"],
            ["--concurrency", "1", "add", "Leads", "--phone", "+14155550199"],
        ),
        (
            ["members", "Leads", "--timeout=5", "--quiet"],
            ["--timeout", "5", "--quiet", "members", "Leads"],
        ),
        (["dnc", "list", "--deadline"], ["--deadline", "SECONDS", "dnc", "list"]),
        (
            ["auth", "logout", "--profile", "work", "-q"],  # logout has its own --profile
            ["-q", "auth", "logout", "--profile", "work"],
        ),
    ],
)
def test_the_hint_for_a_late_global_option_is_the_command_line_with_its_value(
    cli, store, args, hinted
):
    seed_audience(store, "Leads", 1)
    result = cli(*args)
    assert result.exit_code == 2
    assert hinted_line(result.stderr) == hinted


def test_the_hinted_command_line_works_when_followed(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    late = sandbox_cli("add", "Leads", "--phone", "+14155550199", "--concurrency", "1")
    assert late.exit_code == 2
    words = hinted_line(late.stderr)
    assert words[:3] == ["--sandbox", "--concurrency", "1"]
    followed = sandbox_cli(*words[1:])  # sandbox_cli gives --sandbox itself
    assert followed.exit_code == 0, followed.stderr
    assert "Added 1 member" in followed.stderr


def test_the_progress_bar_shows_names_literally(sandbox_cli, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(30)))
    result = sandbox_cli(
        "create", "[/] [red]x", "--csv", str(source), "--chunk-size", "10", tty=True
    )
    assert result.exit_code == 0, result.stderr
    assert "Uploading to '[/] [red]x'" in result.plain_err


def test_audience_alone_prints_the_help_and_exits_0(cli):
    result = cli()
    assert result.exit_code == 0
    assert "Usage: audience [OPTIONS] COMMAND" in result.plain
    assert "sync" in result.plain and "diff" in result.plain


def test_help_command_is_the_same_as_dash_dash_help(cli):
    for words in (["add"], ["auth", "login"], ["sandbox", "serve"]):
        via_help = cli("help", *words)
        via_flag = cli(*words, "--help")
        assert via_help.exit_code == 0 == via_flag.exit_code
        assert via_help.stdout == via_flag.stdout
    assert cli("help").stdout == cli("--help").stdout
    unknown = cli("help", "nope")
    assert unknown.exit_code == 2
    assert "no command 'nope'" in unknown.stderr


@pytest.mark.parametrize(
    ("words", "suggestion"),
    [
        (["lst"], "Did you mean 'list'?"),
        (["dnc", "chek"], "Did you mean 'check'?"),
        (["sandbox", "dnc", "ad"], "Did you mean 'add'?"),
        (["auth", "logn"], "(Did you mean one of: 'login', 'logout'?)"),
    ],
)
def test_a_mistyped_command_gets_one_suggestion(cli, words, suggestion):
    result = cli(*words)
    assert result.exit_code == 2
    said = ANSI.sub("", result.stderr)
    assert said.count(suggestion) == 1
    assert said.count("Did you mean") == 1


@pytest.mark.parametrize(
    ("words", "suggestion"),
    [
        (["lsit"], "Did you mean `audience help list`?"),
        (["dnc", "chek"], "Did you mean `audience help dnc check`?"),
        (["sandbox", "dnc", "ad"], "Did you mean `audience help sandbox dnc add`?"),
    ],
)
def test_help_of_a_mistyped_command_suggests_the_right_one(cli, words, suggestion):
    result = cli("help", *words)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: no command {' '.join(words)!r}: see `audience help`",
        suggestion,
    ]
    assert "Traceback" not in result.stderr


def test_help_at_80_columns_never_breaks_an_example_or_a_choice(cli, click_command):
    import re

    import click

    def commands(group: click.Group, path: list[str]):
        for name, sub in group.commands.items():
            if isinstance(sub, click.Group):
                yield from commands(sub, [*path, name])
            else:
                yield [*path, name], sub

    for path, command in commands(click_command, []):
        shown = cli(*path, "--help", env={"COLUMNS": "80"}).plain
        lines = [line.strip(" │") for line in shown.splitlines()]
        examples = [
            line.strip() for line in (command.help or "").splitlines()
            if line.strip().startswith("audience ")
        ]  # fmt: skip
        for example in examples:
            assert example in lines, (path, example)  # whole, on one line
        for line in lines:  # a [a|b|c] choice list is never split across lines
            assert not re.search(r"\[[a-z|]+\|[a-z]*$", line), (path, line)


def test_the_dependency_ranges_are_the_tested_ones():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    deps = project["project"]["dependencies"]
    assert "typer>=0.25,<0.26" in deps  # 0.26+ vendors Click; 0.29 imports pydantic
    assert "click>=8.2,<9" in deps  # Typer 0.25 uses Click helpers that 9 drops


@pytest.mark.parametrize("tty", [False, True])
def test_notes_show_names_literally_on_a_terminal_or_not(sandbox_cli, tty):
    # Off a terminal a note is plain text (no rich); on one, rich must not read `:…:`
    # as an emoji code: the same words either way.
    result = sandbox_cli("create", "Deal :thumbs_up:", "--phone", "+14155552671", tty=tty)
    assert result.exit_code == 0, result.stderr
    assert "Created audience 'Deal :thumbs_up:'" in ANSI.sub("", result.stderr)


def test_tables_and_errors_show_names_literally_on_a_terminal(sandbox_cli, store):
    seed_audience(store, "Deal :thumbs_up:", 2)
    listed = sandbox_cli("list", tty=True)
    assert listed.exit_code == 0, listed.stderr
    assert "Deal :thumbs_up:" in listed.plain and "👍" not in listed.stdout
    missing = sandbox_cli("show", "Deal :fire:", tty=True)
    assert missing.exit_code != 0
    assert ":fire:" in missing.plain_err and "🔥" not in missing.stderr


def test_the_hinted_command_line_never_shows_the_key(cli):
    key = "sk_live_Zq8Xw3Vt5Rn7Pm2Kj4Hg"
    result = cli("members", key, "--debug", env={"SMALLEST_API_KEY": key})
    assert result.exit_code == 2
    assert "Zq8Xw3Vt5Rn7" not in result.stderr
    assert hinted_line(result.stderr) == ["--debug", "members", "sk_***"]
