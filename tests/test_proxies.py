"""The API key never travels in clear text to a host that is not this machine, proxies
included: an http:// API on loopback is never reached through the environment's proxy,
any other http:// API only through a proxy on loopback; https:// uses it as before."""

from __future__ import annotations

import pytest

from audience_cli.config import choose_proxy
from audience_cli.sandbox.server import running_server
from tests.conftest import seed_audience
from tests.loopback import dripping_server

KEY = "sk_test_Zq8Xw3Vt5Rn7Pm2Kj4Hg"
BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@pytest.mark.slow
@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_a_loopback_api_is_never_reached_through_a_proxy(cli, store, tmp_path, variable) -> None:
    seed_audience(store, "Leads", 2)
    with (
        dripping_server(at_once=BAD_GATEWAY) as proxy,
        running_server(tmp_path / "sandbox.db") as base_url,
    ):
        result = cli(
            "--base-url", base_url, "--timeout", "5", "list",
            env={"SMALLEST_API_KEY": KEY, variable: proxy.url},
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Leads" in result.stdout
    assert proxy.connections == 0  # today: the proxy gets the request, key and all
    assert not any(KEY.encode() in request for request in proxy.received)
    assert "proxy" not in result.stderr


@pytest.mark.parametrize(
    ("base_url", "env", "expected"),
    [
        # https: the environment's proxy, as httpx would use it (the key travels in TLS).
        ("https://api.smallest.ai/atoms/v1", {"HTTPS_PROXY": "http://proxy.corp:3128"},
         ("http://proxy.corp:3128", None)),
        ("https://api.smallest.ai/atoms/v1", {"https_proxy": "proxy.corp:3128",
                                              "HTTPS_PROXY": "http://other:1"},
         ("http://proxy.corp:3128", None)),
        ("https://api.smallest.ai/atoms/v1", {"ALL_PROXY": "socks5://proxy.corp:1080"},
         ("socks5://proxy.corp:1080", None)),
        ("https://api.smallest.ai/atoms/v1", {"HTTP_PROXY": "http://proxy.corp:3128"},
         (None, None)),
        ("https://api.smallest.ai/atoms/v1",
         {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": ".smallest.ai"}, (None, None)),
        ("https://api.smallest.ai/atoms/v1",
         {"HTTPS_PROXY": "http://proxy.corp:3128", "no_proxy": "example.com, smallest.ai"},
         (None, None)),
        ("https://api.smallest.ai/atoms/v1",
         {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "*"}, (None, None)),
        ("https://api.smallest.ai/atoms/v1",
         {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "notsmallest.ai"},
         ("http://proxy.corp:3128", None)),
        # http to this machine: never through a proxy.
        ("http://127.0.0.1:8787/atoms/v1", {"HTTP_PROXY": "http://proxy.corp:3128"},
         (None, None)),
        ("http://localhost:8787/atoms/v1", {"ALL_PROXY": "http://127.0.0.1:3128"}, (None, None)),
        ("http://[::1]:8787/atoms/v1", {"http_proxy": "http://proxy.corp:3128"}, (None, None)),
        # http elsewhere (--allow-insecure-http): only through a proxy on this machine.
        ("http://10.0.0.5/atoms/v1", {"HTTP_PROXY": "http://127.0.0.1:3128"},
         ("http://127.0.0.1:3128", None)),
        ("http://10.0.0.5/atoms/v1", {"HTTP_PROXY": "http://bob:pw@proxy.corp:3128"},
         (None, "http://proxy.corp:3128")),
        ("http://10.0.0.5/atoms/v1", {"ALL_PROXY": "socks5://proxy.corp:1080"},
         (None, "socks5://proxy.corp:1080")),
        ("http://10.0.0.5/atoms/v1", {}, (None, None)),
    ],
)  # fmt: skip
def test_choose_proxy(base_url: str, env: dict[str, str], expected: tuple) -> None:
    assert choose_proxy(base_url, env) == expected


@pytest.mark.parametrize(
    ("base_url", "proxy", "warned"),
    [
        ("http://10.0.0.5", None, "the proxy http://proxy.corp:3128 from the environment is "
         "not used for http://10.0.0.5/atoms/v1: over plain http it would read the API key"),
        ("https://api.smallest.ai", "http://bob:pw@proxy.corp:3128", None),
        ("http://127.0.0.1:8787", None, None),
    ],
)  # fmt: skip
def test_the_client_is_given_the_proxy_chosen(cli, monkeypatch, base_url, proxy, warned) -> None:
    import httpx

    import audience_cli.client

    given: list[str | None] = []

    def transport(url: str, proxy: str | None = None) -> httpx.BaseTransport:
        given.append(proxy)
        return httpx.MockTransport(
            lambda request: httpx.Response(200, json={"status": True, "data": []})
        )

    monkeypatch.setattr(audience_cli.client, "network_transport", transport)
    result = cli(
        "--base-url", base_url, "--allow-insecure-http", "list",
        env={"SMALLEST_API_KEY": KEY, "HTTP_PROXY": "http://bob:pw@proxy.corp:3128",
             "HTTPS_PROXY": "http://bob:pw@proxy.corp:3128"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert given == [proxy]
    assert result.stderr == (f"warning: {warned}\n" if warned else "")


def test_no_proxy_is_chosen_or_warned_about_for_the_embedded_sandbox(cli) -> None:
    result = cli("--sandbox", "--quiet", "list", env={"HTTP_PROXY": "http://proxy.corp:3128"})
    assert (result.exit_code, result.stderr) == (0, "")
