"""The doctor's checks one by one (core/doctor.py): plain functions of plain values, a
client on a MockTransport where the API is read, clocks injected."""

from __future__ import annotations

import os
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from audience_cli.client import AtomsClient, Probe
from audience_cli.core import doctor
from audience_cli.core.doctor import Answered, Check, Target
from audience_cli.errors import ApiConnectionError
from audience_cli.retry import RetryPolicy

URL = "https://api.example.test/atoms/v1"
KEY = "sk_live_0123456789abcdef"


def target(**changes: object) -> Target:
    values: dict[str, object] = {
        "api_key": KEY,
        "key_source": "environment (SMALLEST_API_KEY)",
        "base_url": URL,
        "url_source": "default",
    }
    values.update(changes)
    return Target(**values)  # type: ignore[arg-type]


def answered(date: str | None, wall_time: float) -> Answered:
    return Answered(Probe(200, 0.1, date, [], None), wall_time)


def test_a_key_that_does_not_look_like_a_smallest_key_only_warns():
    check = doctor.check_key(target(api_key="0123456789abcdef0123"))
    assert check.status == "warn"
    assert check.detail.startswith("…0123 from environment (SMALLEST_API_KEY): it does not look")
    assert doctor.check_key(target()).status == "ok"
    assert KEY not in doctor.check_key(target()).detail


def test_no_key_fails_with_the_login_action():
    check = doctor.check_key(target(api_key=None, key_source="none"))
    assert (check.status, check.action) == ("fail", doctor.ACTION_LOGIN)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://api.smallest.ai/atoms/v1", "ok"),
        ("http://127.0.0.1:8080/atoms/v1", "ok"),
        ("http://localhost/atoms/v1", "ok"),
        ("http://10.0.0.5/atoms/v1", "warn"),
    ],
)
def test_tls_unless_loopback(url, status):
    assert doctor.check_base_url(target(base_url=url)).status == status


def test_a_proxy_in_use_is_shown_without_its_password():
    env = {"HTTPS_PROXY": "http://bob:secret@proxy.example:3128"}
    check = doctor.check_proxy(target(), env)
    assert check == Check("proxy", "ok", "http://proxy.example:3128 (from the environment)")


def test_a_remote_proxy_for_plain_http_is_not_used_and_warns():
    env = {"http_proxy": "http://proxy.example:3128"}
    check = doctor.check_proxy(target(base_url="http://10.0.0.5/atoms/v1"), env)
    assert check.status == "warn"


def test_the_clock_offset_is_read_from_the_date_header():
    now = 1_800_000_000.0
    ok = doctor.check_clock([answered(formatdate(now + 5, usegmt=True), now)])
    assert ok == Check("clock", "ok", "within 5 s of the server's (its Date header)")
    skewed = doctor.check_clock([answered(formatdate(now + 120, usegmt=True), now)])
    assert skewed.status == "warn"
    assert skewed.detail.startswith("this machine's clock is -120 s off the server's")
    assert doctor.check_clock([answered(None, now)]).status == "warn"
    assert doctor.check_clock([answered("yesterday", now)]).status == "warn"


def test_the_median_of_the_answers_is_the_latency():
    probes = [Answered(Probe(200, s, None, [], None), 0) for s in (0.3, 0.1, 5.0)]
    assert doctor.check_reachable(probes).detail == "answered in 300 ms (median of 3)"
    slow = [Answered(Probe(200, 3.0, None, [], None), 0)] * 3
    assert doctor.check_reachable(slow).status == "warn"


def test_a_host_that_does_not_answer_is_probed_once():
    sent: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = AtomsClient(URL, KEY, transport=httpx.MockTransport(refuse))
    latency, audiences = doctor.probe_api(client, wall_clock=lambda: 0.0)
    assert len(sent) == 1 and audiences is None
    error = latency[0].probe.error
    assert isinstance(error, ApiConnectionError)
    check = doctor.check_reachable(latency)
    assert check.status == "fail"
    assert check.detail == f"cannot reach {URL} ([Errno 111] Connection refused)"


def test_a_probe_is_never_tried_again_and_never_raises():
    sent: list[str] = []

    def unavailable(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return httpx.Response(503, json={"status": False, "message": "busy"})

    client = AtomsClient(
        URL, KEY, transport=httpx.MockTransport(unavailable), retry=RetryPolicy(max_retries=4)
    )
    probe = client.probe("audience")
    assert sent == ["GET"]
    assert probe.status == 503 and probe.data is None
    assert probe.error is not None and probe.error.status_code == 503


def test_a_probe_redacts_a_key_echoed_by_the_server():
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"status": False, "message": f"bad key {KEY}"})

    probe = AtomsClient(URL, KEY, transport=httpx.MockTransport(echo)).probe("audience")
    assert probe.error is not None and KEY not in probe.error.message


def test_a_state_folder_others_can_write_fails(tmp_path: Path):
    root = tmp_path / "state"
    root.mkdir()
    os.chmod(root, 0o777)
    check = doctor.check_state_folder({"AUDIENCE_STATE_DIR": str(root)}, URL)
    assert check.status == "fail"
    assert "mode 0777" in check.detail


def test_a_missing_state_folder_is_not_made(tmp_path: Path):
    root = tmp_path / "state"
    env = {"AUDIENCE_STATE_DIR": str(root)}
    assert doctor.check_state_folder(env, URL).status == "ok"
    assert doctor.check_journal(env, URL).status == "ok"
    assert not root.exists()


def test_a_credentials_file_readable_by_its_group_warns(tmp_path: Path):
    tmp_path.chmod(0o700)
    path = tmp_path / "credentials.json"
    path.write_text("{}")
    path.chmod(0o640)
    assert doctor.check_credentials_file(path).status == "warn"
    path.chmod(0o600)
    assert doctor.check_credentials_file(path).status == "ok"


def test_the_summary_counts_each_status():
    checks = [Check("a", "ok", ""), Check("b", "warn", ""), Check("c", "ok", "")]
    assert doctor.summary(checks) == {"ok": 2, "warn": 1, "fail": 0}


def spec_read(status: int | None, body: object) -> Answered:
    return Answered(Probe(status, 0.1, None, None, None, body), 0)


def test_the_spec_check_counts_only_answers_the_spec_gives_a_body_for():
    ok_dnc = {"status": True, "data": {"entries": [], "pagination": {"page": 1}}}
    refused = {"status": False, "errors": ["Unauthorized"], "message": "Unauthorized"}
    check = doctor.check_spec(
        [
            ("GET /dnc", spec_read(200, ok_dnc)),
            ("GET /dnc", spec_read(None, None)),  # no answer
            ("GET /dnc", spec_read(429, {"anything": 1})),  # a status the spec does not list
            ("GET /dnc", spec_read(502, None)),  # a proxy's page
            ("GET /audience", spec_read(401, refused)),
        ]
    )
    assert check == Check("answer shapes", "ok", "matched the spec (2 answers)")
    assert doctor.check_spec([("GET /dnc", spec_read(None, None))]) is None


def test_the_spec_check_names_the_first_mismatch_and_warns():
    body = {"status": True, "data": [{"_id": "a", "memberCount": 3}, {"name": 7}]}
    check = doctor.check_spec([("GET /audience", spec_read(200, body))])
    assert check is not None
    assert (check.status, check.detail) == (
        "warn",
        "GET /audience: data[1].name: 7 is not of type 'string'",
    )
    assert check.fix.startswith("The API answered outside its published spec")
