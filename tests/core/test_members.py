"""core.members: pages, every page, searches, numbers to member ids, removal, export rows."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.audiences import resolve_audience
from audience_cli.core.members import (
    export_rows,
    iter_members,
    page_of_members,
    plan_removal,
    remove_members,
    resolve_with_first_page,
    search_members,
)
from audience_cli.errors import AudienceNotFoundError, NothingRemovedError, PagingError
from audience_cli.sandbox.app import SandboxConfig
from audience_cli.sandbox.store import SandboxStore
from tests.conftest import RecordingTransport
from tests.core.conftest import numbers
from tests.in_flight import Gate


def seed(store: SandboxStore, count: int, **extra: str) -> str:
    members = [
        {"firstName": f"First{i}", "lastName": f"Last{i}", "phoneNumber": p, **extra}
        for i, p in enumerate(numbers(count))
    ]
    made = store.create_audience(
        name="Leads",
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=members,
    )
    return str(made["_id"])


def test_a_page_knows_its_place(client: AtomsClient, store: SandboxStore) -> None:
    audience_id = seed(store, 45)
    page = page_of_members(client, audience_id, page=2, page_size=20)
    assert [m["data"]["phoneNumber"] for m in page.members] == numbers(20, 20)
    assert (page.total, page.pages, page.has_more, page.past_the_end) == (45, 3, True, False)
    assert page.server_page_size is None
    beyond = page_of_members(client, audience_id, page=9, page_size=20)
    assert (beyond.members, beyond.past_the_end) == ([], True)


def test_a_server_with_a_smaller_largest_page_is_noticed(
    make_client: Callable[..., tuple[AtomsClient, RecordingTransport]], store: SandboxStore
) -> None:
    client, _ = make_client(max_page_size=10)
    page = page_of_members(client, seed(store, 45), page=1, page_size=20)
    assert len(page.members) == 10
    assert page.server_page_size == 10


def test_every_page_in_order_without_an_extra_request(
    make_client: Callable[..., tuple[AtomsClient, RecordingTransport]], store: SandboxStore
) -> None:
    client, transport = make_client()
    audience_id = seed(store, 250)
    got = [m["data"]["phoneNumber"] for m in iter_members(client, audience_id, page_size=50)]
    assert got == numbers(250)
    assert len(transport.calls) == 5  # 5 full pages; the last says there is no more


def test_search_by_text_and_by_field(client: AtomsClient, store: SandboxStore) -> None:
    audience_id = seed(store, 12)
    found = search_members(client, audience_id, query="First11")
    assert (found.total, [m["data"]["lastName"] for m in found.members]) == (1, ["Last11"])
    by_field = search_members(client, audience_id, filters={"lastName": "Last1"})
    assert by_field.total == 3  # Last1, Last10, Last11


def test_numbers_become_member_ids_and_are_removed(
    client: AtomsClient, store: SandboxStore
) -> None:
    audience_id = seed(store, 5)
    audience = resolve_audience(client, audience_id)
    wanted = [numbers(5)[1], numbers(5)[3], "+14155559999"]
    removal = plan_removal(client, audience, numbers=wanted, member_ids=[])
    assert sorted(removal.member_ids.values()) == sorted(wanted[:2])
    assert removal.not_found == ["+14155559999"]
    assert store.count_members(audience_id) == 5  # planning removes nothing
    done = remove_members(client, removal)
    assert (done.deleted, done.dry_run, done.unknown_ids) == (2, False, 0)
    left = [m["data"]["phoneNumber"] for m in iter_members(client, audience_id)]
    assert left == [numbers(5)[i] for i in (0, 2, 4)]


@pytest.mark.parametrize(("wanted", "searches"), [(20, 20), (21, 0)])
def test_a_removal_searches_a_few_numbers_and_reads_the_audience_for_many(
    make_client: Callable[..., tuple[AtomsClient, RecordingTransport]],
    store: SandboxStore,
    wanted: int,
    searches: int,
) -> None:
    """The plan decides (`SEARCHED_AT_MOST`): one search per number, or one read."""
    client, transport = make_client()
    audience = resolve_audience(client, seed(store, 30))
    transport.calls.clear()
    removal = plan_removal(client, audience, numbers=numbers(wanted), member_ids=[])
    assert len(removal.member_ids) == wanted
    searched = [path for _, path in transport.calls if path.endswith("/search")]
    assert len(searched) == searches


def test_nothing_to_remove_is_an_error_before_any_write(
    client: AtomsClient, store: SandboxStore
) -> None:
    audience = resolve_audience(client, seed(store, 2))
    removal = plan_removal(client, audience, numbers=["+14155559999"], member_ids=[])
    with pytest.raises(NothingRemovedError):
        removal.require_some()
    unknown = plan_removal(client, audience, numbers=[], member_ids=["0" * 24])
    with pytest.raises(NothingRemovedError):
        remove_members(client, unknown)
    assert store.count_members(str(audience["_id"])) == 2


def test_export_rows_hold_every_member_and_its_data_keys(
    client: AtomsClient, store: SandboxStore
) -> None:
    audience = resolve_audience(client, seed(store, 3, city="Paris"))
    rows = export_rows(client, audience)
    assert rows.phone_column == "phoneNumber"
    assert rows.extra_keys == ["city"]
    assert [r["phoneNumber"] for r in rows.rows] == numbers(3)
    assert rows.rows[0] == {
        "firstName": "First0",
        "lastName": "Last0",
        "phoneNumber": numbers(1)[0],
        "city": "Paris",
    }


def after_page_one(request: httpx.Request) -> bool:
    return request.url.params.get("page") != "1"


class Flaky(RecordingTransport):
    """The sandbox, with some member pages answered 503 first (seeded), and a `Gate`:
    with `together`, the requests `held` says wait until that many are in flight at
    once (then all go freely); `most` is the most that ever were."""

    def __init__(
        self,
        store: SandboxStore,
        *,
        fail_every: int = 0,
        together: int = 0,
        held: Callable[[httpx.Request], bool] = lambda _: True,
        config: SandboxConfig | None = None,
    ) -> None:
        super().__init__(store, config)
        self.gate = Gate(together)
        self.seen = 0
        self.fail_every = fail_every
        self.held = held if together else lambda _: False

    @property
    def most(self) -> int:
        return self.gate.most

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.gate.lock:
            self.seen += 1
            fail = self.fail_every and self.seen % self.fail_every == 0
        with self.gate.inside(held=self.held(request)):
            if fail:
                return httpx.Response(503, json={"status": False, "message": "busy"})
            return super().handle_request(request)


def client_on(transport: httpx.BaseTransport, concurrency: int) -> AtomsClient:
    from audience_cli.retry import RetryPolicy

    return AtomsClient(
        "http://sandbox.invalid/atoms/v1",
        "sk_core_tests",
        transport=transport,
        retry=RetryPolicy(max_retries=3, sleep=lambda _: None),
        concurrency=concurrency,
    )


def test_pages_read_at_once_give_exactly_the_members_in_order(store: SandboxStore) -> None:
    audience_id = seed(store, 0)
    store.add_members(
        audience_id, "phoneNumber", [{"phoneNumber": f"+1212555{i:04d}"} for i in range(2345)]
    )
    one_by_one = [
        m["_id"] for m in iter_members(client_on(Flaky(store), 1), audience_id, page_size=50)
    ]
    transport = Flaky(store, together=8, held=after_page_one)  # page 1 is read alone
    at_once = [m["_id"] for m in iter_members(client_on(transport, 8), audience_id, page_size=50)]
    assert at_once == one_by_one and len(at_once) == 2345
    assert len(transport.calls) == 47  # ceil(2345 / 50): no page twice, none extra
    assert transport.most == 8  # in flight at once, never more than asked


def test_pages_read_at_once_under_faults_lose_and_repeat_nothing(store: SandboxStore) -> None:
    audience_id = seed(store, 0)
    store.add_members(
        audience_id, "phoneNumber", [{"phoneNumber": f"+1212555{i:04d}"} for i in range(1000)]
    )
    transport = Flaky(store, fail_every=4)  # every 4th request is a 503, then retried
    got = [
        m["data"]["phoneNumber"]
        for m in iter_members(client_on(transport, 6), audience_id, page_size=40)
    ]
    assert got == [f"+1212555{i:04d}" for i in range(1000)]
    assert transport.seen > 25 and len(transport.calls) == 25  # 25 pages, after retries


def test_a_repeated_page_is_caught_when_read_at_once(store: SandboxStore) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        members = [{"_id": f"m{i}", "data": {}} for i in range(10)]  # every page the same
        data = {"members": members, "totalCount": 50, "totalPages": 5, "hasMore": True}
        return httpx.Response(200, json={"status": True, "data": data})

    with pytest.raises(PagingError, match="page 2 of audience A repeats member m0"):
        list(iter_members(client_on(httpx.MockTransport(handler), 4), "A", page_size=10))


def test_an_id_is_looked_up_together_with_its_first_page(store: SandboxStore) -> None:
    audience_id = seed(store, 250)
    transport = Flaky(store, together=2)
    client = client_on(transport, 8)
    audience, first = resolve_with_first_page(client, audience_id)
    assert audience["_id"] == audience_id and first is not None
    assert transport.most == 2  # the lookup and page 1 were in flight at once
    pages: list[tuple[int, int]] = []
    got = [m["_id"] for m in iter_members(client, audience_id, first=first, on_page=_keep(pages))]
    assert got == [m["_id"] for m in iter_members(client_on(Flaky(store), 1), audience_id)]
    page_one = ("GET", f"/audience/{audience_id}/members")
    assert transport.calls.count(page_one) == 3  # pages 1, 2 and 3 of 100: page 1 once
    assert pages == [(100, 250), (100, 250), (50, 250)]  # what a progress bar hears


def _keep(pages: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda members, total: pages.append((members, total))


def test_a_name_or_one_reader_looks_up_first_then_reads(store: SandboxStore) -> None:
    audience_id = seed(store, 5)
    by_name = Flaky(store)
    audience, first = resolve_with_first_page(client_on(by_name, 8), " Leads ")
    assert audience["_id"] == audience_id and first is None
    assert by_name.calls == [("GET", "/audience")]
    one_at_a_time = Flaky(store)
    _, first = resolve_with_first_page(client_on(one_at_a_time, 1), audience_id)
    assert first is None and one_at_a_time.calls == [("GET", "/audience")]


def test_an_unknown_id_read_early_is_still_not_found(store: SandboxStore) -> None:
    seed(store, 5)
    transport = Flaky(store)
    with pytest.raises(AudienceNotFoundError):
        resolve_with_first_page(client_on(transport, 8), "0" * 24)
    assert store.list_audiences()[0]["memberCount"] == 5


def test_a_name_that_looks_like_an_id_drops_the_early_page(store: SandboxStore) -> None:
    hexname = "a" * 24
    store.create_audience(
        name=hexname,
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=[{"phoneNumber": p} for p in numbers(3)],
    )
    audience, first = resolve_with_first_page(client_on(Flaky(store), 8), hexname)
    assert audience["name"] == hexname and audience["_id"] != hexname
    assert first is None  # page 1 was of an id that is not this audience's
    assert len(list(iter_members(client_on(Flaky(store), 8), str(audience["_id"])))) == 3


@pytest.mark.parametrize(
    ("count", "expected"),
    [(250, 250), (250, 120), (120, 500), (250, 1)],
    ids=["exact", "grew", "shrank", "one page"],
)
def test_a_known_member_count_asks_for_every_page_at_once(
    store: SandboxStore, count: int, expected: int
) -> None:
    audience_id = seed(store, count)
    one_by_one = [m["_id"] for m in iter_members(client_on(Flaky(store), 1), audience_id)]
    together = {250: 5, 120: 3, 500: 8, 1: 0}[expected]  # the first pages asked at once
    transport = Flaky(store, together=together)
    client = client_on(transport, 8)
    got = [m["_id"] for m in iter_members(client, audience_id, page_size=50, expected=expected)]
    assert got == one_by_one and len(got) == count
    pages = len(transport.calls)
    if expected == 250:  # pages 1 to 5 together: none before the others, none twice
        assert (pages, transport.most) == (5, 5)
    elif expected == 120:  # 3 pages together, then one at a time up to the 5th
        assert pages == 5 and transport.most == 3
    elif expected == 500:  # 10 pages asked for, 8 at once; those past the end came back empty
        assert pages <= 10 and transport.most == 8
    else:  # one page expected: page 1 first, then the rest as it says
        assert pages == 5


@pytest.mark.parametrize("workers", [1, 8])
@pytest.mark.parametrize("expected", [None, 250])
def test_a_server_whose_largest_page_is_smaller_is_followed_at_its_size(
    store: SandboxStore, workers: int, expected: int | None
) -> None:
    # Asked for pages of 100, the server sends 40: its pages count in 40s. Counted in the
    # size asked for, 7 pages would pass the cap that a 250-member limit allows (4).
    audience_id = seed(store, 250)
    transport = Flaky(store, config=SandboxConfig(max_page_size=40))
    client = client_on(transport, workers)
    got = [
        m["data"]["phoneNumber"]
        for m in iter_members(
            client, audience_id, page_size=100, member_limit=250, expected=expected
        )
    ]
    assert got == numbers(250)
    assert len(transport.calls) == 7  # ceil(250 / 40): each page once


def test_the_clients_page_size_is_the_default(store: SandboxStore) -> None:
    audience_id = seed(store, 250)
    transport = Flaky(store, config=SandboxConfig(max_page_size=500))
    client = client_on(transport, 8)
    client.page_size = 125
    assert len(list(iter_members(client, audience_id))) == 250
    assert len(transport.calls) == 2
