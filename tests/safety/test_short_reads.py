"""A members page that comes back empty or short while the count says more is never taken
for the whole audience: every command that reads an audience whole fails with exit 7."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import RecordingTransport, seed_audience


class ShortPages(RecordingTransport):
    """The sandbox, except that members pages from `cut` on come back empty (or with one
    member), the count still saying the whole."""

    def __init__(self, store, cut: int, keep: int = 0) -> None:
        super().__init__(store)
        self.cut = cut
        self.keep = keep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        page = int(request.url.params.get("page", "1"))
        if request.method == "GET" and request.url.path.endswith("/members") and page >= self.cut:
            body = json.loads(response.read())
            body["data"]["members"] = body["data"]["members"][: self.keep]
            body["data"]["hasMore"] = False
            return httpx.Response(200, json=body)
        return response


@pytest.fixture
def audience(store) -> str:
    return seed_audience(store, "Leads", 300, stage="lead")


@pytest.mark.parametrize("keep", [0, 1])
def test_members_all_and_export_fail_instead_of_a_partial_backup(
    sandbox_cli, store, audience, tmp_path, keep
):
    short = ShortPages(store, cut=2, keep=keep)
    listed = sandbox_cli("members", "Leads", "--all", "--json", transport=short)
    assert listed.exit_code == 7
    # Pages 2 and 3 are asked for at once (the count is known): each is cut short, and
    # an empty page 2 ends the read there.
    said = "short: page 2 had 0)" if keep == 0 else "short: page 2 had 1, page 3 had 1)"
    assert f"the pages ended with {100 + 2 * keep} members" in listed.stderr
    assert said in listed.stderr
    assert "but the server counts 300" in listed.stderr
    out = tmp_path / "backup.csv"
    exported = sandbox_cli("export", "Leads", "-o", str(out), transport=short)
    assert exported.exit_code == 7
    assert not out.exists()  # no partial backup left behind


def test_sync_stops_before_it_changes_anything(sandbox_cli, store, audience, tmp_path):
    source = tmp_path / "s.csv"
    source.write_text(
        "phoneNumber,stage\n" + "".join(f"+1415555{i:04d},lead\n" for i in range(150))
    )
    result = sandbox_cli(
        "sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%",
        transport=ShortPages(store, cut=2),
    )  # fmt: skip
    assert result.exit_code == 7
    assert len(store.all_members(audience)) == 300
    assert result.stderr.count("the read is incomplete") == 1


def test_dnc_check_and_remove_dnc_do_not_miss_numbers(sandbox_cli, store, audience):
    checked = sandbox_cli("dnc", "check", "Leads", transport=ShortPages(store, cut=2))
    assert checked.exit_code == 7
    removed = sandbox_cli("remove", "Leads", "--dnc", "--yes", transport=ShortPages(store, cut=2))
    assert removed.exit_code == 7
    assert len(store.all_members(audience)) == 300


def test_exclude_audience_does_not_upload_excluded_numbers(sandbox_cli, store, audience):
    target = seed_audience(store, "Other", 0)
    result = sandbox_cli(
        "add", "Other", "--phone", "+14155550250", "--exclude-audience", "Leads",
        transport=ShortPages(store, cut=2),
    )  # fmt: skip
    assert result.exit_code == 7
    assert store.all_members(target) == []


def test_a_whole_read_still_passes(sandbox_cli, store, audience):
    listed = sandbox_cli("members", "Leads", "--all", "--json")
    assert listed.exit_code == 0
    assert len(json.loads(listed.stdout)) == 300


@pytest.mark.parametrize("counted", [0, 10**9])
def test_a_server_that_serves_one_member_a_page_forever_is_stopped(counted):
    from audience_cli.client import AtomsClient
    from audience_cli.core.members import iter_members
    from audience_cli.errors import PagingError

    asked: list[int] = []

    def endless(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        asked.append(page)
        member = {"_id": f"{page:024x}", "data": {"phoneNumber": f"+1415{page:07d}"}}
        data = {"members": [member], "totalCount": counted, "hasMore": True}
        return httpx.Response(200, json={"status": True, "data": data})

    client = AtomsClient(
        "http://api.invalid/atoms/v1", "sk_test", transport=httpx.MockTransport(endless)
    )
    with pytest.raises(PagingError, match="still has more after"):
        for _ in iter_members(client, "a" * 24, member_limit=50):
            pass
    assert max(asked) <= 52  # the cap: no audience of the limit needs more pages
