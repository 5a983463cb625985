"""What a nightly job meets when nobody watches: slow servers, endless pages, retried
deletes and removals, concurrent runs, hostile names and numbers. Each test checks the
exit code, the message and the final state."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import RecordingTransport, seed_audience

AID = "0123456789abcdef01234567"


def envelope(data: object) -> httpx.Response:
    return httpx.Response(200, json={"status": True, "data": data})


class Trickle(httpx.SyncByteStream):
    """A body that arrives one byte at a time, `pause` seconds apart."""

    def __init__(self, body: bytes, pause: float) -> None:
        self.body, self.pause = body, pause

    def __iter__(self) -> Iterator[bytes]:
        for i in range(len(self.body)):
            time.sleep(self.pause)
            yield self.body[i : i + 1]


def test_a_slow_body_is_bounded_by_the_timeout(cli):
    body = json.dumps({"status": True, "data": []}).encode()
    attempts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(time.monotonic())
        return httpx.Response(200, stream=Trickle(body, 0.03))

    started = time.monotonic()
    result = cli(
        "--base-url", "http://127.0.0.1:9", "--timeout", "0.1", "list",
        transport=httpx.MockTransport(handler),
        env={"SMALLEST_API_KEY": "sk_test_0123456789"},
    )  # fmt: skip
    spent = time.monotonic() - started
    assert result.exit_code == 7
    assert "GET http://127.0.0.1:9/atoms/v1/audience did not answer in time" in result.stderr
    assert "the answer took more than 0.1 s" in result.stderr
    assert "s\n" in result.stderr and " after " in result.stderr  # the time spent
    assert len(attempts) == 5  # the first try and 4 retries, each cut at its deadline
    assert spent < 5 * 0.03 * len(body)  # far less than the whole trickle would take


def test_the_timeout_comes_from_the_environment_and_is_bounded(cli):
    result = cli("--timeout", "0", "list")
    assert result.exit_code == 2
    assert "--timeout" in result.stderr
    result = cli("--sandbox", "list", env={"AUDIENCE_TIMEOUT": "nope"})
    assert result.exit_code == 2


def endless(same_page: bool) -> httpx.MockTransport:
    """A server that always says there is more: the same page again, or new ids forever."""
    counter = iter(range(10**9))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/audience"):
            return envelope([{"_id": AID, "name": "Loop", "memberCount": 2}])
        page = int(request.url.params.get("page", "1"))
        ids = ["a", "b"] if same_page else [f"{next(counter):024x}" for _ in range(2)]
        members = [{"_id": i, "data": {"phoneNumber": "+14155550100"}} for i in ids]
        return envelope({"members": members, "totalCount": 2 if same_page else 10**6,
                         "totalPages": page + 1, "hasMore": True})  # fmt: skip

    return httpx.MockTransport(handler)


def test_a_page_that_repeats_stops_members_all(cli):
    env = {"SMALLEST_API_KEY": "sk_test_0123456789"}
    result = cli("members", "Loop", "--all", "--json", transport=endless(True), env=env)
    assert result.exit_code == 7
    assert f"page 2 of audience {AID} repeats member a" in result.stderr


def test_pages_past_the_member_limit_stop_and_an_export_leaves_no_file(cli, tmp_path):
    env = {"SMALLEST_API_KEY": "sk_test_0123456789"}
    target = tmp_path / "backup.csv"
    result = cli("export", "Loop", "-o", str(target), transport=endless(False), env=env)
    assert result.exit_code == 7
    assert "past anything the 10,000-member limit allows" in result.stderr
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]  # no temporary file either


def test_more_members_than_counted_stops(cli):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/audience"):
            return envelope([{"_id": AID, "name": "Liar", "memberCount": 1}])
        page = int(request.url.params["page"])
        members = [{"_id": f"{page}{i}", "data": {}} for i in range(100)]
        return envelope({"members": members, "totalCount": 150, "totalPages": 2, "hasMore": True})

    env = {"SMALLEST_API_KEY": "sk_test_0123456789"}
    result = cli("members", "Liar", "--all", transport=httpx.MockTransport(handler), env=env)
    assert result.exit_code == 7
    assert "sent 200 members by page 2, more than the 150 it counts" in result.stderr


class DoneThenLost(RecordingTransport):
    """Writes of `method` reach the sandbox; the first answer is lost (a 502 page)."""

    def __init__(self, store, method: str) -> None:
        super().__init__(store)
        self.method = method
        self.lost = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == self.method and not self.lost:
            self.lost = True
            return httpx.Response(502, text="<html>Bad gateway</html>")
        return response


def test_a_delete_whose_answer_is_lost_and_retry_says_404_is_done(sandbox_cli, store):
    audience_id = seed_audience(store, "Old", 2)
    transport = DoneThenLost(store, "DELETE")
    result = sandbox_cli("delete", "Old", "--yes", transport=transport)
    assert result.exit_code == 0, result.stderr
    assert "Deleted audience 'Old'" in result.stderr
    assert store.get_audience(audience_id) is None
    assert [c for c in transport.calls if c[0] == "DELETE"] == [
        ("DELETE", f"/audience/{audience_id}")
    ] * 2


def test_a_removal_whose_answer_is_lost_is_counted_as_done(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 3)
    transport = DoneThenLost(store, "DELETE")
    result = sandbox_cli(
        "remove", "Leads", "--phone", "+14155550001", "--yes", "--json", transport=transport
    )
    assert result.exit_code == 0, result.stderr
    assert "Removed 1 member from 'Leads'." in result.stderr
    assert json.loads(result.stdout)["deletedCount"] == 1
    phones = [m["data"]["phoneNumber"] for m in store.all_members(audience_id)]
    assert phones == ["+14155550000", "+14155550002"]


def test_a_delete_of_an_audience_that_was_never_there_is_still_not_found(cli):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/members"):  # the snapshot
            return envelope({"members": [], "totalCount": 0, "totalPages": 0, "hasMore": False})
        if request.method == "GET":
            return envelope([{"_id": AID, "name": "Gone", "memberCount": 0}])
        return httpx.Response(404, json={"status": False, "message": "Audience not found"})

    env = {"SMALLEST_API_KEY": "sk_test_0123456789"}
    result = cli("delete", "Gone", "--yes", transport=httpx.MockTransport(handler), env=env)
    assert result.exit_code == 5  # no ambiguous attempt before it: the 404 is the truth


class OtherRunFirst(RecordingTransport):
    """Before each add of this run reaches the server, another run adds the same members."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/members"):
            members = json.loads(request.content)["members"]
            audience_id = request.url.path.split("/")[-2]
            self.inner.app.store.add_members(audience_id, "phoneNumber", members)  # type: ignore[attr-defined]
        return super().handle_request(request)


def test_concurrent_runs_report_what_their_own_requests_did(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Target", 0)
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(4000)))
    result = sandbox_cli(
        "add", "Target", "--csv", str(source), "--json", transport=OtherRunFirst(store)
    )
    assert result.exit_code == 0, result.stderr
    assert store.count_members(audience_id) == 4000
    # The other run added them all: this one added none, whatever the audience grew by.
    assert "Added 0 members to 'Target'" in result.stderr
    report = json.loads(result.stdout)["report"]
    assert (report["added"], report["skipped"]) == (0, 4000)


@pytest.mark.parametrize(
    "args",
    [
        ("members", "Leads", "--page", "100000000000000000000"),
        ("members", "Leads", "--page-size", "100000000000000000000"),
        ("add", "Leads", "--phone", "+14155552671", "--chunk-size", "10000000000"),
        ("create", "X", "--phone", "+14155552671", "--member-limit", "99999999999"),
    ],
)
def test_numbers_out_of_range_are_usage_errors(sandbox_cli, store, args):
    audience_id = seed_audience(store, "Leads", 1)
    result = sandbox_cli(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "is not in the range" in result.stderr
    assert store.count_members(audience_id) == 1
    assert len(store.list_audiences()) == 1


ESCAPES = "Evil\x1b]0;pwned\x07\x1b[2J\x9b31m"


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "jsonl"])
def test_escape_sequences_never_reach_a_terminal(sandbox_cli, store, fmt):
    seed_audience(store, ESCAPES, 1)
    on_a_terminal = sandbox_cli("list", "-F", fmt, tty=True)
    assert on_a_terminal.exit_code == 0
    text = on_a_terminal.plain
    assert "\x1b]0;" not in text and "\x1b[2J" not in text and "\x9b" not in text
    assert "\\x1b" in text or "\\u001b" in text  # shown, escaped
    piped = sandbox_cli("list", "-F", fmt)
    if fmt in ("tsv", "csv"):
        assert ESCAPES in piped.stdout  # the data as stored
    elif fmt in ("json", "jsonl"):
        names = (
            [a["name"] for a in json.loads(piped.stdout)]
            if fmt == "json"
            else [json.loads(line)["name"] for line in piped.stdout.splitlines()]
        )
        assert names == [ESCAPES]


def test_auth_login_against_a_silent_host_retries_aloud_then_gives_up(cli, isolated_env):
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    result = cli(
        "--base-url", "https://atoms.invalid", "--timeout", "1", "auth", "login", "--with-token",
        input="sk_test_0123456789abcdef\n", transport=httpx.MockTransport(handler),
    )  # fmt: skip
    assert result.exit_code == 7
    assert result.stderr.count("trying again in") == 4  # every retry is announced
    assert len(result.sleeps) == 4
    assert "GET https://atoms.invalid/atoms/v1/audience did not answer in time" in result.stderr
    assert not (isolated_env / ".smallestai" / "credentials.json").exists()


def test_the_sandbox_refuses_a_page_it_cannot_count_to(sandbox_cli, store, recorder):
    audience_id = seed_audience(store, "Leads", 1)
    client = httpx.Client(transport=recorder, base_url="http://sandbox.invalid/atoms/v1/")
    answer = client.get(
        f"audience/{audience_id}/members",
        params={"page": "100000000000000000000"},
        headers={"Authorization": "Bearer sk_x"},
    )
    assert answer.status_code == 400
    message = "page must be at most 1000000000"
    assert answer.json() == {"status": False, "errors": [message], "message": message}
    assert sandbox_cli("sandbox", "serve", "--max-page-size", "99999999999").exit_code == 2
