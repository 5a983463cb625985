import json
import stat

import httpx
import pytest

from tests.conftest import seed_audience

KEY = "sk_live_0123456789abcdef3f9a"


def atoms(valid_key: str = KEY) -> httpx.MockTransport:
    """A stand-in for Atoms that knows one key."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != f"Bearer {valid_key}":
            return httpx.Response(401, json={"status": False, "message": "Invalid API key"})
        return httpx.Response(200, json={"status": True, "data": []})

    return httpx.MockTransport(handler)


def creds_file(home):
    return home / ".smallestai" / "credentials.json"


def test_login_with_token_checks_and_stores_the_key_0600(cli, isolated_env):
    result = cli("auth", "login", "--with-token", input=KEY + "\n", transport=atoms())
    assert result.exit_code == 0, result.stderr
    path = creds_file(isolated_env)
    assert json.loads(path.read_text()) == {"access_token": KEY}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KEY not in result.stdout + result.stderr
    assert "sk_…3f9a" in result.stderr


def test_login_with_a_refused_key_stores_nothing_and_exits_4(cli, isolated_env):
    result = cli("auth", "login", "--with-token", input="sk_wrong\n", transport=atoms())
    assert result.exit_code == 4
    assert "refused" in result.stderr
    assert "sk_wrong" not in result.stderr
    assert not creds_file(isolated_env).exists()


def test_login_without_terminal_or_with_token_is_a_usage_error(cli):
    result = cli("auth", "login", transport=atoms())
    assert result.exit_code == 2
    assert "--with-token" in result.stderr


def test_login_prompts_with_hidden_input_on_a_terminal(cli, isolated_env):
    result = cli("auth", "login", tty=True, input=KEY + "\n", transport=atoms())
    assert result.exit_code == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    assert json.loads(creds_file(isolated_env).read_text())["access_token"] == KEY


def test_status_shows_sources_with_the_key_redacted(cli, isolated_env):
    cli("auth", "login", "--with-token", input=KEY + "\n", transport=atoms())
    result = cli("auth", "status", transport=atoms())
    assert result.exit_code == 0, result.stderr
    assert "sk_…3f9a" in result.stdout
    assert KEY not in result.stdout
    assert "credentials file" in result.stdout
    assert "https://api.smallest.ai/atoms/v1 · from default" in result.stdout
    assert "key accepted" in result.stdout


@pytest.mark.parametrize(
    ("audiences", "shown"),
    [(0, "(0 audiences visible)"), (1, "(1 audience visible)"), (2, "(2 audiences visible)")],
)
def test_status_counts_the_audiences_in_words_that_agree(sandbox_cli, store, audiences, shown):
    for i in range(audiences):
        seed_audience(store, f"Leads {i}", 1)
    result = sandbox_cli("auth", "status")
    assert result.exit_code == 0, result.stderr
    assert f"Status:   key accepted {shown}" in result.stdout


def test_environment_beats_the_credentials_file(cli, isolated_env):
    cli("auth", "login", "--with-token", input=KEY + "\n", transport=atoms())
    env = {
        "SMALLEST_API_KEY": "sk_fromenv_9999",
        "SMALLEST_BASE_URL": "https://api.india.smallest.ai",
    }
    result = cli("auth", "status", "--offline", env=env)
    assert "sk_…9999 · from environment (SMALLEST_API_KEY)" in result.stdout
    assert "https://api.india.smallest.ai/atoms/v1 · from environment" in result.stdout


def test_flag_beats_environment_for_the_base_url(cli):
    env = {"SMALLEST_API_KEY": KEY, "SMALLEST_BASE_URL": "https://a.example"}
    result = cli("--base-url", "https://b.example/atoms/v1", "auth", "status", "--offline", env=env)
    assert "https://b.example/atoms/v1 · from --base-url" in result.stdout


def test_status_without_any_key_exits_4_naming_the_three_ways(cli):
    result = cli("auth", "status", "--offline")
    assert result.exit_code == 4
    assert "audience auth login" in result.stderr
    assert "SMALLEST_API_KEY" in result.stderr
    assert "--sandbox" in result.stderr


def test_logout_removes_the_key(cli, isolated_env):
    cli("auth", "login", "--with-token", input=KEY + "\n", transport=atoms())
    result = cli("auth", "logout")
    assert result.exit_code == 0
    assert not creds_file(isolated_env).exists()
    assert cli("list").exit_code == 4


def test_a_401_says_how_to_authenticate(cli):
    result = cli("list", transport=atoms(), env={"SMALLEST_API_KEY": "sk_bad"})
    assert result.exit_code == 4
    assert "Invalid API key" in result.stderr
    assert "audience auth login" in result.stderr


def test_plain_http_to_a_remote_host_is_refused_unless_allowed(cli):
    env = {"SMALLEST_API_KEY": KEY}
    refused = cli("--base-url", "http://api.example.com", "list", transport=atoms(), env=env)
    assert refused.exit_code == 2
    assert "plain http" in refused.stderr
    allowed = cli(
        "--allow-insecure-http",
        "--base-url",
        "http://api.example.com",
        "list",
        transport=atoms(),
        env=env,
    )
    assert allowed.exit_code == 0, allowed.stderr
    loopback = cli("--base-url", "http://127.0.0.1:9", "list", transport=atoms(), env=env)
    assert loopback.exit_code == 0


def test_debug_logs_requests_without_the_key(cli):
    result = cli("--debug", "list", transport=atoms(), env={"SMALLEST_API_KEY": KEY})
    assert result.exit_code == 0
    assert "debug: GET https://api.smallest.ai/atoms/v1/audience → 200" in result.stderr
    assert KEY not in result.stderr


def test_a_malformed_key_is_an_auth_error_that_never_shows_the_key(cli, isolated_env):
    for key in ("sk_line\nbreak_5678", "sk_ünïcode_5678", "sk_with space_5678"):
        result = cli("list", transport=atoms(), env={"SMALLEST_API_KEY": key})
        assert result.exit_code == 4, key
        assert "no API key has" in result.stderr
        assert "5678" not in result.stderr and "break_" not in result.stderr
    path = creds_file(isolated_env)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"access_token": "sk_a\nb_5678"}))
    from_file = cli("list", transport=atoms())
    assert from_file.exit_code == 4
    assert "credentials file" in from_file.stderr
    login = cli("auth", "login", "--with-token", input="sk_ünïcode\n", transport=atoms())
    assert login.exit_code == 4
    assert not path.read_text().count("ünïcode")


def test_giving_up_at_the_key_prompt_is_an_interruption(cli, isolated_env):
    result = cli("auth", "login", tty=True, input="", transport=atoms())
    assert result.exit_code == 130
    assert not creds_file(isolated_env).exists()


def test_login_stores_a_regional_base_url_given_with_it(cli, isolated_env):
    result = cli(
        "--base-url",
        "https://api.india.smallest.ai",
        "auth",
        "login",
        "--with-token",
        input=KEY + "\n",
        transport=atoms(),
    )
    assert result.exit_code == 0, result.stderr
    # Stored as a host, as the vendor's CLI reads it (it appends /atoms/v1 itself).
    assert json.loads(creds_file(isolated_env).read_text()) == {
        "access_token": KEY,
        "base_url": "https://api.india.smallest.ai",
    }
    status = cli("auth", "status", "--offline")
    assert "Base URL: https://api.india.smallest.ai/atoms/v1 · from credentials file" in (
        status.stdout
    )


def test_logout_with_only_an_environment_key_says_so(cli):
    result = cli("auth", "logout", env={"SMALLEST_API_KEY": KEY})
    assert result.exit_code == 0
    assert "nothing to do" in result.stderr
    assert "SMALLEST_API_KEY is what is in effect" in result.stderr


# --- the credentials file: written safely, read whole, checked ----------------------------

OTHERS = {
    "base_url": "https://api.smallest.ai",
    "n": 3,
    "ratio": 1.5,
    "profile": {"org": "acme", "ids": [1, 2, None]},
    "telemetry": False,
    "nothing": None,
}


def config_dir(home, mode=0o700):
    directory = home / ".smallestai"
    directory.mkdir(exist_ok=True)
    directory.chmod(mode)
    return directory


def login(cli, **kwargs):
    return cli("auth", "login", "--with-token", "--no-verify", input=KEY + "\n", **kwargs)


def test_a_link_planted_at_the_old_temporary_name_cannot_redirect_the_key(
    cli, isolated_env, tmp_path
):
    directory = config_dir(isolated_env)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (directory / "credentials.json.tmp").symlink_to(victim)
    result = login(cli)
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "precious\n"
    path = creds_file(isolated_env)
    assert json.loads(path.read_text()) == {"access_token": KEY}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_link_planted_at_the_random_temporary_name_cannot_redirect_the_key(
    cli, isolated_env, tmp_path, monkeypatch
):
    from audience_cli import files

    directory = config_dir(isolated_env)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    names = iter(["a" * 16, "b" * 16])
    monkeypatch.setattr(files, "random_token", lambda: next(names))
    (directory / f".credentials.json.{'a' * 16}.tmp").symlink_to(victim)
    result = login(cli)
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "precious\n"
    path = creds_file(isolated_env)
    assert json.loads(path.read_text()) == {"access_token": KEY}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_credentials_file_that_is_a_link_is_replaced_not_written_through(
    cli, isolated_env, tmp_path
):
    config_dir(isolated_env)
    victim = tmp_path / "shared.json"
    victim.write_text('{"access_token": "sk_theirs"}')
    path = creds_file(isolated_env)
    path.symlink_to(victim)
    result = login(cli)
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == '{"access_token": "sk_theirs"}'
    assert not path.is_symlink()
    assert json.loads(path.read_text()) == {"access_token": KEY}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        f"warning: {path} was a symbolic link to {victim}: replaced the link with a regular "
        f"file; {victim} itself is unchanged and may still hold a key.\n"
    ) in result.stderr


def test_login_refuses_a_directory_others_can_write_to(cli, isolated_env):
    directory = config_dir(isolated_env, 0o777)
    result = login(cli)
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: refusing to write credentials in {directory}: it is writable by others "
        "(mode 0777), so anyone could replace the credentials file\n"
        f"Make it private with `chmod 700 {directory}`, "
        "or set SMALLEST_CONFIG_DIR to a private directory.\n"
    )
    assert list(directory.iterdir()) == []


def test_a_directory_others_can_write_to_is_warned_about_once_on_read(cli, isolated_env):
    directory = config_dir(isolated_env)
    assert login(cli).exit_code == 0
    directory.chmod(0o777)
    warning = (
        f"warning: {directory} is writable by others (mode 0777): "
        "anyone could replace the credentials file\n"
    )
    status = cli("auth", "status", transport=atoms())  # settings asked for twice
    assert status.exit_code == 0, status.stderr
    assert status.stderr == warning
    listed = cli("list", transport=atoms())
    assert listed.exit_code == 0
    assert listed.stderr.count(warning) == 1


def test_a_directory_its_group_can_write_to_is_warned_about_but_allowed(cli, isolated_env):
    directory = config_dir(isolated_env, 0o770)
    result = login(cli)
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {directory} is writable by its group (mode 0770): members of its group "
        "could replace the credentials file\n"
        f"Key sk_…3f9a stored in {creds_file(isolated_env)} (mode 0600).\n"
    )


def test_a_credentials_file_others_can_read_is_warned_about(cli, isolated_env):
    assert login(cli).exit_code == 0
    path = creds_file(isolated_env)
    path.chmod(0o644)
    result = cli("auth", "status", "--offline")
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {path} is readable by others (mode 0644): anyone could read the API key\n"
    )
    # A key from the environment and the base URL from the flag: the file is not read.
    quiet = cli(
        "--base-url", "https://h.example", "auth", "status", "--offline",
        env={"SMALLEST_API_KEY": KEY},
    )  # fmt: skip
    assert quiet.stderr == ""


def test_fields_of_every_type_survive_login_and_logout(cli, isolated_env):
    config_dir(isolated_env)
    path = creds_file(isolated_env)
    path.write_text(json.dumps({"access_token": "sk_old_key_0000", **OTHERS}))
    result = cli("auth", "login", "--with-token", input=KEY + "\n", transport=atoms())
    assert result.exit_code == 0, result.stderr
    assert json.loads(path.read_text()) == {"access_token": KEY, **OTHERS}
    assert list(json.loads(path.read_text())) == ["access_token", *OTHERS]  # order kept
    result = cli("auth", "logout")
    assert result.exit_code == 0, result.stderr
    assert json.loads(path.read_text()) == OTHERS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_logout_refuses_to_rewrite_in_a_directory_others_can_write_to(cli, isolated_env):
    directory = config_dir(isolated_env)
    path = creds_file(isolated_env)
    path.write_text(json.dumps({"access_token": KEY, "n": 1}))
    directory.chmod(0o777)
    result = cli("auth", "logout")
    assert result.exit_code == 4
    assert "chmod 700" in result.stderr
    assert json.loads(path.read_text()) == {"access_token": KEY, "n": 1}


def test_login_replaces_an_invalid_file_keeping_a_copy(cli, isolated_env):
    config_dir(isolated_env)
    path = creds_file(isolated_env)
    path.write_text('{"access_token": "sk_old",')
    path.chmod(0o644)
    result = cli("auth", "login", "--with-token", input=KEY + "\n", transport=atoms())
    assert result.exit_code == 0, result.stderr
    backup = path.with_name("credentials.json.bak")
    assert result.stderr == (
        f"warning: {path} was not valid JSON (Expecting property name enclosed in double "
        f"quotes): replaced it; the old file is kept as {backup} (mode 0600).\n"
        f"Key sk_…3f9a checked and stored in {path} (mode 0600).\n"
    )
    assert json.loads(path.read_text()) == {"access_token": KEY}
    assert backup.read_text() == '{"access_token": "sk_old",'
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_a_refused_key_leaves_an_invalid_file_alone(cli, isolated_env):
    config_dir(isolated_env)
    path = creds_file(isolated_env)
    path.write_text("not json")
    result = cli("auth", "login", "--with-token", input="sk_wrong\n", transport=atoms())
    assert result.exit_code == 4
    assert path.read_text() == "not json"
    assert not path.with_name("credentials.json.bak").exists()


def test_logout_removes_an_invalid_file(cli, isolated_env):
    config_dir(isolated_env)
    path = creds_file(isolated_env)
    path.write_text("[1, 2]")
    result = cli("auth", "logout")
    assert result.exit_code == 0
    assert result.stderr == f"warning: {path} was not a JSON object: removed it.\n"
    assert not path.exists()
    assert not path.with_name("credentials.json.bak").exists()


def test_other_commands_report_an_invalid_file_as_exit_4(cli, isolated_env):
    config_dir(isolated_env)
    path = creds_file(isolated_env)
    path.write_text("{oops")
    for args in (("list",), ("auth", "status", "--offline")):
        result = cli(*args, transport=atoms())
        assert result.exit_code == 4, args
        assert result.stderr == (
            f"error: {path}:1:2: not valid JSON (Expecting property name enclosed in double "
            "quotes)\n"
            "Fix the file, or run `audience auth login` to replace it "
            "(the old one is kept as credentials.json.bak).\n"
        )
    assert path.read_text() == "{oops"


def test_status_never_prints_a_password_from_a_base_url(cli, isolated_env):
    config_dir(isolated_env)
    env = {"SMALLEST_API_KEY": KEY}
    expected = (
        "error: the base URL 'https://api.example.com' must not carry a user name or "
        "password\nDrop the `user:password@` part: Atoms is authenticated by the API key "
        "alone.\n"
    )
    flag = cli(
        "--base-url", "https://bob:hunter2@api.example.com", "auth", "status", "--offline",
        env=env,
    )  # fmt: skip
    from_env = cli(
        "auth", "status", "--offline",
        env={**env, "SMALLEST_BASE_URL": "https://bob:hunter2@api.example.com"},
    )  # fmt: skip
    creds_file(isolated_env).write_text(
        json.dumps({"access_token": KEY, "base_url": "https://bob:hunter2@api.example.com"})
    )
    from_file = cli("auth", "status", "--offline")
    for result in (flag, from_env, from_file):
        assert result.exit_code == 2
        assert result.stderr == expected
        assert "hunter2" not in result.stdout + result.stderr
        assert "bob" not in result.stdout + result.stderr


def test_profiles_keep_keys_and_base_urls_apart(cli, isolated_env, tmp_path):
    acme_key, other_key = "sk_acme_0123456789abcdef", "sk_default_0123456789ab"
    made = cli(
        "--base-url", "https://api.india.smallest.ai", "auth", "login", "--profile", "acme",
        "--with-token", "--no-verify", input=acme_key + "\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    acme_file = tmp_path / "config" / "profiles" / "acme.json"
    assert json.loads(acme_file.read_text()) == {
        "access_token": acme_key,
        "base_url": "https://api.india.smallest.ai",
    }
    assert oct(acme_file.stat().st_mode & 0o777) == "0o600"
    assert not creds_file(isolated_env).exists()  # the default profile is untouched
    assert (
        cli("auth", "login", "--with-token", "--no-verify", input=other_key + "\n").exit_code == 0
    )
    default = cli("auth", "status", "--offline")
    assert "Profiles: default (in effect), acme" in default.stdout
    assert "sk_…89ab" in default.stdout and "api.smallest.ai" in default.stdout
    acme = cli("--profile", "acme", "auth", "status", "--offline")
    assert "Profiles: default, acme (in effect)" in acme.stdout
    assert "sk_…cdef" in acme.stdout
    where = f"from profile acme ({acme_file})"
    assert f"Base URL: https://api.india.smallest.ai/atoms/v1 · {where}" in acme.stdout
    by_env = cli("auth", "status", "--offline", env={"AUDIENCE_PROFILE": "acme"})
    assert "acme (in effect)" in by_env.stdout
    out = cli("auth", "logout", "--profile", "acme")
    assert out.exit_code == 0 and not acme_file.exists()
    assert creds_file(isolated_env).exists()


def test_an_unknown_profile_is_a_usage_error_naming_the_known_ones(cli):
    assert cli("auth", "login", "--profile", "acme", "--with-token", "--no-verify",
               input="sk_acme_0123456789abcdef\n").exit_code == 0  # fmt: skip
    result = cli("--profile", "nope", "list")
    assert result.exit_code == 2
    assert "no profile 'nope': the profiles are default, acme" in result.stderr
    assert cli("--profile", "../etc", "list").exit_code == 2
    assert cli("auth", "logout", "--profile", "nope").exit_code == 2


# --- a chosen profile stands whole: its key and base URL, never the environment's ---------


def seen_by(calls: list[tuple[str, str]]) -> httpx.MockTransport:
    """Answers any list; remembers (host, Authorization) of each request."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append((request.url.host, request.headers.get("Authorization", "")))
        return httpx.Response(200, json={"status": True, "data": []})

    return httpx.MockTransport(handler)


ACME_KEY = "sk_acme_0123456789abcdef"
ENV_KEY = "sk_fromenv_5555aaaa9999"


def acme_profile(cli, base_url: str = "https://api.india.smallest.ai") -> None:
    made = cli(
        "--base-url", base_url, "auth", "login", "--profile", "acme", "--with-token",
        "--no-verify", input=ACME_KEY + "\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr


def test_a_chosen_profile_uses_its_own_key_and_base_url_over_the_environment(cli):
    acme_profile(cli)
    env = {"SMALLEST_API_KEY": ENV_KEY, "SMALLEST_BASE_URL": "https://env.example"}
    for how, extra_env in ((["--profile", "acme"], {}), ([], {"AUDIENCE_PROFILE": "acme"})):
        calls: list[tuple[str, str]] = []
        result = cli(*how, "list", transport=seen_by(calls), env={**env, **extra_env})
        assert result.exit_code == 0, result.stderr
        assert calls == [("api.india.smallest.ai", f"Bearer {ACME_KEY}")]
        assert result.stderr == (
            "SMALLEST_API_KEY and SMALLEST_BASE_URL are set but not used: "
            "profile 'acme' uses its own key and base URL\n"
        )
        assert ENV_KEY not in result.stderr and ACME_KEY not in result.stderr
    # --quiet silences the note; --base-url still goes over the profile's base URL.
    calls = []
    quiet = cli(
        "--quiet", "--profile", "acme", "--base-url", "https://flag.example", "list",
        transport=seen_by(calls), env=env,
    )  # fmt: skip
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert calls == [("flag.example", f"Bearer {ACME_KEY}")]
    # Without a profile the environment wins, as before.
    calls = []
    assert cli("list", transport=seen_by(calls), env=env).exit_code == 0
    assert calls == [("env.example", f"Bearer {ENV_KEY}")]


def test_a_profile_without_a_key_is_not_mixed_with_the_environments_key(cli, tmp_path):
    folder = tmp_path / "config" / "profiles"
    folder.mkdir(parents=True, mode=0o700)
    (folder / "acme.json").write_text(json.dumps({"base_url": "https://api.india.smallest.ai"}))
    (folder / "acme.json").chmod(0o600)
    calls: list[tuple[str, str]] = []
    result = cli(
        "--profile", "acme", "list", transport=seen_by(calls), env={"SMALLEST_API_KEY": ENV_KEY}
    )
    assert result.exit_code == 4
    assert calls == []
    assert result.stderr == (
        f"error: profile 'acme' has no API key ({folder / 'acme.json'}), and a profile never "
        "takes the key of SMALLEST_API_KEY: the key and the base URL would come from two "
        "places\n"
        "Store its key with `audience auth login --profile acme`, or leave the profile out "
        "(no --profile, no AUDIENCE_PROFILE) to use SMALLEST_API_KEY.\n"
    )
    status = cli("--profile", "acme", "auth", "status", env={"SMALLEST_API_KEY": ENV_KEY})
    assert status.exit_code == 4 and "has no API key" in status.stderr
    assert "5555aaaa" not in status.stdout + status.stderr


def test_status_says_where_each_value_of_a_profile_comes_from(cli, tmp_path):
    acme_profile(cli)
    acme_file = tmp_path / "config" / "profiles" / "acme.json"
    env = {"SMALLEST_API_KEY": ENV_KEY, "SMALLEST_BASE_URL": "https://env.example"}
    result = cli("--profile", "acme", "auth", "status", transport=seen_by([]), env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Profiles: default, acme (in effect)\n"
        f"API key:  sk_…cdef · from profile acme ({acme_file}) "
        "(SMALLEST_API_KEY is set but not used)\n"
        f"Base URL: https://api.india.smallest.ai/atoms/v1 · from profile acme ({acme_file}) "
        "(SMALLEST_BASE_URL is set but not used)\n"
        "Status:   key accepted (0 audiences visible)\n"
    )
    flag = cli(
        "--profile", "acme", "--base-url", "https://flag.example", "auth", "status",
        "--offline", env=env,
    )  # fmt: skip
    assert "Base URL: https://flag.example/atoms/v1 · from --base-url\n" in flag.stdout
    plain = cli("auth", "status", "--offline", env=env)
    assert "API key:  sk_…9999 · from environment (SMALLEST_API_KEY)\n" in plain.stdout
    assert "not used" not in plain.stdout + plain.stderr


def test_login_to_a_profile_does_not_say_the_environment_wins(cli):
    result = cli(
        "auth", "login", "--profile", "acme", "--with-token", "--no-verify",
        input=ACME_KEY + "\n", env={"SMALLEST_API_KEY": ENV_KEY},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "precedence" not in result.stderr
    default = cli(
        "auth", "login", "--with-token", "--no-verify", input=ACME_KEY + "\n",
        env={"SMALLEST_API_KEY": ENV_KEY},
    )  # fmt: skip
    assert "SMALLEST_API_KEY is set and takes precedence over the stored key" in default.stderr


# --- a key typed on the command line is never echoed --------------------------------------

HINT = (
    "Paste the key at the hidden prompt of `audience auth login`, or pipe it in: "
    "`audience auth login --with-token < key.txt`.\n"
)


def test_login_refuses_a_key_given_as_an_argument_without_showing_it(cli, isolated_env):
    for args in ([KEY], ["--with-token", KEY], [KEY, "--no-verify"], ["--", KEY]):
        result = cli("auth", "login", *args, input=KEY + "\n", transport=atoms())
        assert result.exit_code == 2, args
        assert result.stderr == (
            "error: auth login takes no arguments (one given, not shown): a key is never read "
            "from the command line, where other users can see it\n" + HINT
        )
        assert "3f9a" not in result.stdout + result.stderr
    two = cli("auth", "login", "sk_one", "sk_two", transport=atoms())
    assert "(2 given, not shown)" in two.stderr and "sk_one" not in two.stderr
    assert not creds_file(isolated_env).exists()


def test_login_names_an_unknown_option_but_never_its_value(cli):
    result = cli("auth", "login", f"--token={KEY}", transport=atoms())
    assert result.exit_code == 2
    assert "No such option '--token'. Did you mean '--with-token'?" in result.stderr
    assert "3f9a" not in result.stderr
    global_option = cli("auth", "login", "--sandbox", transport=atoms())
    assert global_option.exit_code == 2
    assert "--sandbox is a global option: put it before the command" in global_option.stderr
    key_as_option = cli("auth", "login", f"--{KEY}", transport=atoms())
    assert key_as_option.exit_code == 2
    assert "3f9a" not in key_as_option.stderr


def test_a_key_given_as_a_profile_name_is_refused_unseen(cli, tmp_path):
    for args in (
        ["auth", "login", "--profile", KEY, "--with-token"],
        ["--profile", KEY, "list"],
        ["auth", "logout", "--profile", KEY],
    ):
        result = cli(*args, input=KEY + "\n", transport=atoms())
        assert result.exit_code == 2, args
        assert result.stderr.startswith(
            "error: that profile name looks like an API key: it is not shown, and not used\n"
        )
        assert "3f9a" not in result.stdout + result.stderr
    assert not (tmp_path / "config" / "profiles").exists()


def test_a_profile_named_like_a_short_word_after_sk_is_fine(cli, tmp_path):
    result = cli(
        "auth", "login", "--profile", "sk-prod-2024", "--with-token", "--no-verify",
        input=KEY + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "config" / "profiles" / "sk-prod-2024.json").exists()


def test_login_to_a_profile_checks_the_key_where_the_profile_sends_it(cli):
    calls: list[tuple[str, str]] = []
    result = cli(
        "auth", "login", "--profile", "acme", "--with-token", input=ACME_KEY + "\n",
        transport=seen_by(calls), env={"SMALLEST_BASE_URL": "https://env.example"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert calls == [("api.smallest.ai", f"Bearer {ACME_KEY}")]
    calls.clear()
    assert cli("--profile", "acme", "list", transport=seen_by(calls)).exit_code == 0
    assert calls == [("api.smallest.ai", f"Bearer {ACME_KEY}")]
