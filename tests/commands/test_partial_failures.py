"""An upload that stops half way says exactly what was done and how to finish."""

import json

import httpx
import pytest

from tests.conftest import RecordingTransport, make_audience, seed_audience


@pytest.fixture
def sandbox_cli(sandbox_cli):
    """These tests count writes in order: one request at a time. The same faults with
    requests in flight are in tests/commands/test_concurrent_uploads.py."""

    def run(*args, **kwargs):
        return sandbox_cli("--concurrency", "1", *args, **kwargs)

    return run


class FailOnWrite(RecordingTransport):
    """The sandbox, except that write number `n` (1-based) fails with `failure`."""

    def __init__(self, store, n: int, failure) -> None:
        super().__init__(store)
        self.n = n
        self.failure = failure

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET" and len(self.writes()) + 1 == self.n:
            self.calls.append((request.method, request.url.path))
            if isinstance(self.failure, BaseException):
                raise self.failure
            return self.failure
        return super().handle_request(request)


REFUSED = httpx.Response(
    400, json={"status": False, "message": "Audience cannot exceed 15 members"}
)
# A refusal that the same request may not meet again (not the member limit).
OTHER_REFUSAL = httpx.Response(400, json={"status": False, "message": "Invalid member data"})


@pytest.fixture
def leads(tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(25)))
    return source


def test_create_that_fails_after_the_first_chunk_names_the_audience(sandbox_cli, store, leads):
    transport = FailOnWrite(store, 3, REFUSED)
    result = sandbox_cli(
        "create", "Leads", "--csv", str(leads), "--chunk-size", "10", transport=transport
    )
    assert result.exit_code == 6
    (audience,) = store.list_audiences()
    assert audience["memberCount"] == 20
    assert (
        f"audience 'Leads' ({audience['_id']}) was created with 20 of 25 members, "
        "then a request failed: Audience cannot exceed 15 members"
    ) in result.stderr
    assert f"audience add {audience['_id']}" in result.stderr


def test_ctrl_c_during_an_upload_says_what_was_sent(sandbox_cli, store, leads):
    transport = FailOnWrite(store, 2, KeyboardInterrupt())
    result = sandbox_cli(
        "create", "Leads", "--csv", str(leads), "--chunk-size", "10", transport=transport
    )
    assert result.exit_code == 130
    (audience,) = store.list_audiences()
    assert (
        "was created with at least 10 (at most 20) of 25 members, then it was interrupted"
        in result.stderr
    )
    assert audience["_id"] in result.stderr


def test_add_that_fails_half_way_says_how_many_were_sent(sandbox_cli, store, leads):
    audience_id = seed_audience(store, "Target", 0)
    transport = FailOnWrite(store, 2, OTHER_REFUSAL)
    result = sandbox_cli(
        "add", "Target", "--csv", str(leads), "--chunk-size", "10", transport=transport
    )
    assert result.exit_code == 6
    assert "10 of 25 members were sent (10 added), then a request failed" in result.stderr
    assert "Run the same command again" in result.stderr
    assert store.count_members(audience_id) == 10
    again = sandbox_cli("add", "Target", "--csv", str(leads), "--chunk-size", "10")
    assert again.exit_code == 0
    assert "Added 15 members" in again.stderr and "10 already there" in again.stderr


def test_add_refused_by_the_member_limit_says_the_limit_what_fits_and_what_to_do(
    sandbox_cli, store, leads
):
    audience_id = seed_audience(store, "Target", 0)
    transport = FailOnWrite(store, 2, REFUSED)  # "Audience cannot exceed 15 members"
    result = sandbox_cli(
        "add", "Target", "--csv", str(leads), "--chunk-size", "10", transport=transport
    )
    assert result.exit_code == 6
    error, hint = result.stderr.splitlines()[-2:]
    assert error == (
        "error: 10 of 25 members were sent (10 added), then Atoms refused the rest by its "
        "member limit of 15 members ('Target' has 10, room for 5 more): 15 were not sent "
        "(Atoms: Audience cannot exceed 15 members)"
    )
    assert "Run the same command again" not in result.stderr  # it would hit the same limit
    assert hint.startswith("Running the same command again hits the same limit: send at most 5")
    assert f"`audience remove {audience_id} …`" in hint
    assert f"--exclude-audience {audience_id}" in hint and "--split" in hint
    assert "Atoms' limit here is 15, below --member-limit 10,000" in hint


def test_add_refused_by_the_sandboxs_own_limit_after_a_chunk(sandbox_cli, store, leads):
    audience_id = make_audience(sandbox_cli, "Target", "+14155559999")  # not in leads
    env = {"AUDIENCE_SANDBOX_MEMBER_LIMIT": "6"}
    result = sandbox_cli(
        "--concurrency", "1", "add", "Target", "--csv", str(leads), "--chunk-size", "5", env=env
    )
    assert result.exit_code == 6
    assert (
        "5 of 25 members were sent (5 added), then Atoms refused the rest by its member "
        "limit of 6 members ('Target' has 6, room for 0 more): 20 were not sent"
    ) in result.stderr
    assert "send at most" not in result.stderr
    assert "with --member-limit 6 (or AUDIENCE_MEMBER_LIMIT) add checks the room" in result.stderr
    checked = sandbox_cli("add", "Target", "--csv", str(leads), "--member-limit", "6", env=env)
    assert checked.exit_code == 2  # refused before sending, with what to do
    assert "would exceed the 6-member limit (room for 0); nothing was sent" in checked.stderr
    assert "--exclude-audience 'Target'" in checked.stderr
    assert "raise --member-limit" in checked.stderr
    assert store.count_members(audience_id) == 6


def test_split_that_fails_on_a_later_audience_lists_those_created(sandbox_cli, store, leads):
    transport = FailOnWrite(store, 2, REFUSED)
    result = sandbox_cli(
        "create",
        "Leads",
        "--csv",
        str(leads),
        "--member-limit",
        "10",
        "--split",
        transport=transport,
    )
    assert result.exit_code == 6
    (first,) = store.list_audiences()
    assert first["name"] == "Leads (1/3)"
    assert (
        f"created 'Leads (1/3)' ({first['_id']}), then creating 'Leads (2/3)' failed: Audience"
        in (result.stderr)
    )


def test_a_create_that_times_out_and_made_nothing_is_tried_again_after_a_check(sandbox_cli):
    calls = []

    def handler(request):
        calls.append(request.method)
        if request.method == "GET":
            return httpx.Response(200, json={"status": True, "data": []})
        raise httpx.ReadTimeout("timed out", request=request)

    result = sandbox_cli(
        "create",
        "Leads",
        "--phone",
        "+14155552671",
        "--no-dnc",
        transport=httpx.MockTransport(handler),
    )
    assert result.exit_code == 7
    # Each create is followed by a look at the list, and repeated only when nothing was made.
    assert calls == ["GET", "POST", "GET", "POST", "GET", "POST", "GET"]
    assert "did not answer in time" in result.stderr
    assert "(checked: no audience named 'Leads' was created)" in result.stderr


class StoredThenLost(RecordingTransport):
    """The create reaches the sandbox and is stored; then its answer is lost as `how`."""

    def __init__(self, store, how: str) -> None:
        super().__init__(store)
        self.how = how
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if (request.method, request.url.path) != ("POST", "/atoms/v1/audience") or self.lost:
            return response
        self.lost += 1
        if self.how == "reset":
            raise httpx.ReadError("connection reset by peer", request=request)
        if self.how == "502":
            return httpx.Response(502, text="<html>Bad gateway</html>", request=request)
        if self.how == "invalid json":
            return httpx.Response(200, text='{"status": true, "data": {"_id"', request=request)
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


@pytest.mark.parametrize("how", ["502", "reset", "invalid json", "truncated"])
def test_a_create_whose_answer_is_lost_is_finished_not_made_twice(sandbox_cli, store, how):
    source_rows = "phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(3000))
    transport = StoredThenLost(store, how)
    result = sandbox_cli(
        "create", "Leads", "--csv", "-", "--json", input=source_rows, transport=transport
    )
    assert result.exit_code == 0, result.stderr
    (audience,) = store.list_audiences()  # exactly one audience
    assert audience["memberCount"] == 3000
    phones = {m["data"]["phoneNumber"] for m in store.all_members(audience["_id"])}
    assert phones == {f"+1415555{i:04d}" for i in range(3000)}
    assert "but the audience had been created: it was finished with adds" in result.stderr
    data = json.loads(result.stdout)
    assert data["audience"]["_id"] == audience["_id"]
    assert (data["report"]["added"], data["report"]["skipped"]) == (3000, 0)
    # The same command again is refused (the name is taken), never a second audience.
    again = sandbox_cli("create", "Leads", "--csv", "-", input=source_rows)
    assert again.exit_code == 2
    assert len(store.list_audiences()) == 1


def test_a_split_part_that_fails_advises_a_clean_rerun(sandbox_cli, store, leads):
    transport = FailOnWrite(store, 4, REFUSED)  # the second part's first add
    result = sandbox_cli(
        "create",
        "Leads",
        "--csv",
        str(leads),
        "--member-limit",
        "10",
        "--split",
        "--chunk-size",
        "5",
        transport=transport,
    )
    assert result.exit_code == 6
    assert "one part of a --split import" in result.stderr
    assert "audience add" not in result.stderr
    assert len(store.list_audiences()) == 2
    for audience in store.list_audiences():  # every part made so far is named
        assert audience["_id"] in result.stderr


def test_ctrl_c_during_the_create_request_says_it_may_exist(sandbox_cli, store):
    transport = FailOnWrite(store, 1, KeyboardInterrupt())
    result = sandbox_cli("create", "Leads", "--phone", "+14155552671", transport=transport)
    assert result.exit_code == 130
    assert "interrupted while creating 'Leads'" in result.stderr
    assert "check `audience list`" in result.stderr


class StoredThenTimedOut(RecordingTransport):
    """Write number `n` reaches the sandbox, but its answer is lost to a timeout."""

    def __init__(self, store, n: int) -> None:
        super().__init__(store)
        self.n = n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method != "GET" and len(self.writes()) == self.n:
            raise httpx.ReadTimeout("timed out", request=request)
        return response


def test_counts_come_from_the_server_when_a_retried_add_was_already_stored(
    sandbox_cli, store, leads
):
    transport = StoredThenTimedOut(store, 2)
    result = sandbox_cli(
        "create", "Leads", "--csv", str(leads), "--chunk-size", "10", "--json", transport=transport
    )
    assert result.exit_code == 0, result.stderr
    assert "trying again" in result.stderr
    data = json.loads(result.stdout)
    assert data["audience"]["memberCount"] == 25
    assert (data["report"]["added"], data["report"]["skipped"]) == (25, 0)


def test_add_counts_come_from_the_server_too(sandbox_cli, store, leads):
    seed_audience(store, "Target", 2)
    transport = StoredThenTimedOut(store, 1)
    result = sandbox_cli(
        "add", "Target", "--csv", str(leads), "--chunk-size", "10", transport=transport
    )
    assert result.exit_code == 0, result.stderr
    # Two numbers were there before; the retried first chunk is not counted as skipped.
    assert "Added 23 members to 'Target'" in result.stderr
    assert "2 already there" in result.stderr
