import json
import stat

import httpx

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
    assert "https://api.smallest.ai/atoms/v1  (from default)" in result.stdout
    assert "key accepted" in result.stdout


def test_environment_beats_the_credentials_file(cli, isolated_env):
    cli("auth", "login", "--with-token", input=KEY + "\n", transport=atoms())
    env = {
        "SMALLEST_API_KEY": "sk_fromenv_9999",
        "SMALLEST_BASE_URL": "https://api.india.smallest.ai",
    }
    result = cli("auth", "status", "--offline", env=env)
    assert "sk_…9999  (from environment (SMALLEST_API_KEY))" in result.stdout
    assert "https://api.india.smallest.ai/atoms/v1  (from environment" in result.stdout


def test_flag_beats_environment_for_the_base_url(cli):
    env = {"SMALLEST_API_KEY": KEY, "SMALLEST_BASE_URL": "https://a.example"}
    result = cli("--base-url", "https://b.example/atoms/v1", "auth", "status", "--offline", env=env)
    assert "https://b.example/atoms/v1  (from --base-url)" in result.stdout


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


def test_login_does_not_store_a_base_url_given_for_that_run(cli, isolated_env):
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
    assert json.loads(creds_file(isolated_env).read_text()) == {"access_token": KEY}


def test_logout_with_only_an_environment_key_says_so(cli):
    result = cli("auth", "logout", env={"SMALLEST_API_KEY": KEY})
    assert result.exit_code == 0
    assert "nothing to do" in result.stderr
    assert "SMALLEST_API_KEY is what is in effect" in result.stderr
