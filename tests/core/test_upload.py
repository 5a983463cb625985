"""core.upload: planning and sending creates and adds, progress through a callback."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import httpx
import pytest

import audience_cli.core.upload as upload
from audience_cli.client import AtomsClient
from audience_cli.core.audiences import resolve_audience
from audience_cli.core.members import iter_members
from audience_cli.core.upload import (
    Existing,
    UploadSettings,
    create_checked,
    plan_add,
    plan_create,
    send_add,
    send_create,
    split_sizes,
)
from audience_cli.errors import (
    CreateUncertainError,
    CsvTooLargeError,
    ExitCode,
    MemberLimitError,
    NameTakenError,
    NoRoomError,
    PartialUploadError,
    RowsRejectedError,
)
from audience_cli.model import MAX_CSV_BYTES, members_csv
from audience_cli.retry import RetryPolicy
from audience_cli.sandbox.app import SandboxApp
from audience_cli.sandbox.store import SandboxStore
from tests.conftest import RecordingTransport
from tests.contacts.helpers import from_text
from tests.core.conftest import BASE_URL, batch_of, numbers

Make = Callable[..., tuple[AtomsClient, RecordingTransport]]


def phones_in(client: AtomsClient, audience_id: str) -> list[str]:
    return [m["data"]["phoneNumber"] for m in iter_members(client, audience_id)]


def test_split_sizes_are_even_and_within_the_limit() -> None:
    assert split_sizes(25_000, 10_000) == [8334, 8333, 8333]
    assert split_sizes(10, 10) == [10]
    assert split_sizes(0, 10) == [0]


def test_a_create_carries_every_member_that_fits_in_one_request(make_client: Make) -> None:
    _, transport = make_client()
    with batch_of(numbers(2500)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(chunk_size=1000), split=False)
    assert [(s.name, s.size, s.first) for s in plan.segments] == [("Leads", 2500, 2500)]
    assert plan.requests == 1
    assert transport.calls == []


def test_a_create_plan_counts_its_requests_and_sends_nothing(make_client: Make) -> None:
    _, transport = make_client()
    settings = UploadSettings(chunk_size=1000, create_size=1000)  # --chunk-size given
    with batch_of(numbers(2500)) as batch:
        plan = plan_create(batch, "Leads", settings, split=False)
    assert [(s.name, s.size, s.first) for s in plan.segments] == [("Leads", 2500, 1000)]
    assert plan.requests == 3
    assert plan.to_json() == {
        "audiences": [{"name": "Leads", "members": 2500}],
        "chunkSize": 1000,
        "requests": 3,
    }
    assert transport.calls == []


def test_over_the_limit_without_split_is_refused(make_client: Make) -> None:
    with batch_of(numbers(25)) as batch, pytest.raises(MemberLimitError) as caught:
        plan_create(batch, "Leads", UploadSettings(member_limit=10), split=False)
    assert (caught.value.total, caught.value.limit, caught.value.parts) == (25, 10, 3)


def test_strict_refuses_any_rejected_row() -> None:
    text = "phone\n+14155550100\nnot a number\n"
    with from_text(text) as batch, pytest.raises(RowsRejectedError) as caught:
        plan_create(batch, "Leads", UploadSettings(strict=True), split=False)
    assert caught.value.strict
    assert caught.value.exit_code == ExitCode.ROWS_REJECTED


def test_nothing_valid_is_refused() -> None:
    with from_text("phone\nnope\n") as batch, pytest.raises(RowsRejectedError):
        plan_create(batch, "Leads", UploadSettings(), split=False)


def test_create_sends_every_member_and_reports_progress(
    make_client: Make, store: SandboxStore
) -> None:
    client, transport = make_client()
    sent: list[int] = []
    with batch_of(numbers(25)) as batch:
        settings = UploadSettings(chunk_size=10, create_size=10)
        plan = plan_create(batch, "Leads", settings, split=False)
        result = send_create(client, batch, plan, progress=sent.append)
    (made,) = result.created
    assert (made.added, made.skipped, made.audience["memberCount"]) == (25, 0, 25)
    assert sent == [10, 10, 5]
    assert phones_in(client, made.audience["_id"]) == numbers(25)
    assert (
        transport.writes()
        == [("POST", "/audience")] + [("POST", f"/audience/{made.audience['_id']}/members")] * 2
    )


def test_the_create_csv_is_built_once(make_client: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = make_client()
    built: list[int] = []

    def counting(members: list[dict[str, str]], phone_column: str = "phoneNumber") -> bytes:
        built.append(len(members))
        return members_csv(members, phone_column)

    monkeypatch.setattr(upload, "members_csv", counting)
    with batch_of(numbers(2500)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(chunk_size=1000), split=False)
        send_create(client, batch, plan)
    assert built == [2500]


def test_a_split_create_makes_even_parts(make_client: Make, store: SandboxStore) -> None:
    client, _ = make_client()
    with batch_of(numbers(25)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(member_limit=10), split=True)
        result = send_create(client, batch, plan)
    assert [(c.audience["name"], c.added) for c in result.created] == [
        ("Leads (1/3)", 9),
        ("Leads (2/3)", 8),
        ("Leads (3/3)", 8),
    ]
    every = [p for c in result.created for p in phones_in(client, c.audience["_id"])]
    assert every == numbers(25)


def test_the_first_request_is_cut_to_the_5_mb_limit(make_client: Make) -> None:
    client, transport = make_client()
    note = "x" * 7000
    text = "phone,notes\n" + "".join(f"{p},{note}\n" for p in numbers(1000))
    with from_text(text) as batch:
        plan = plan_create(batch, "Wide", UploadSettings(), split=False)
        first = plan.segments[0]
        assert plan.requests == 2  # the create, then one add of the rest
        # As many rows as fit: one more (7,015 bytes) would cross the limit.
        assert len(first.body) <= MAX_CSV_BYTES < len(first.body) + 7015
        assert first.body.count(b"\r\n") == first.first + 1
        result = send_create(client, batch, plan)
    assert result.created[0].audience["memberCount"] == 1000
    assert len(transport.writes()) == 2


@pytest.mark.slow  # a 5.4 MB file
def test_one_member_larger_than_the_limit_is_refused_before_any_request(make_client: Make) -> None:
    _, transport = make_client()
    # A CSV field holds at most 128 KiB: 45 columns of 120,000 characters make 5.4 MB.
    columns = [f"note{i}" for i in range(45)]
    text = "phone," + ",".join(columns) + "\n+14155550100" + f",{'x' * 120_000}" * 45 + "\n"
    with from_text(text) as batch, pytest.raises(CsvTooLargeError):
        plan_create(batch, "Huge", UploadSettings(), split=False)
    assert transport.calls == []


class FailingWrite(httpx.BaseTransport):
    """The sandbox, except that write number `n` raises or answers `failure`.

    `failure` None: the write is carried out, then its answer is lost (a read timeout).
    """

    def __init__(self, store: SandboxStore, n: int, failure: object) -> None:
        self.inner = httpx.WSGITransport(app=SandboxApp(store))
        self.n, self.failure, self.writes, self.creates = n, failure, 0, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            self.writes += 1
            self.creates += request.url.path.endswith("/audience")
            if self.writes == self.n:
                if self.failure is None:
                    self.inner.handle_request(request).read()
                    raise httpx.ReadTimeout("timed out", request=request)
                if isinstance(self.failure, BaseException):
                    raise self.failure
                assert isinstance(self.failure, httpx.Response)
                return self.failure
        return self.inner.handle_request(request)


def client_over(transport: httpx.BaseTransport) -> AtomsClient:
    return AtomsClient(
        BASE_URL, "sk_core", transport=transport, retry=RetryPolicy(0, sleep=lambda _: None)
    )


REFUSED = httpx.Response(400, json={"status": False, "message": "Audience cannot exceed 15"})


def test_an_add_that_fails_after_the_create_says_what_was_made(store: SandboxStore) -> None:
    client = client_over(FailingWrite(store, 3, REFUSED))
    with batch_of(numbers(25)) as batch:
        settings = UploadSettings(chunk_size=10, create_size=10)
        plan = plan_create(batch, "Leads", settings, split=False)
        with pytest.raises(PartialUploadError) as caught:
            send_create(client, batch, plan)
    (audience,) = store.list_audiences()
    error = caught.value
    assert (error.audience_id, error.created, error.split_made) == (audience["_id"], True, None)
    assert error.exit_code == ExitCode.REFUSED
    assert "was created with 20 of 25 members, then a request failed" in error.message
    assert audience["memberCount"] == 20


def test_a_create_whose_answer_times_out_is_found_and_finished(store: SandboxStore) -> None:
    # The first create is stored, then its answer is lost: the audience is found by its
    # name among those not there before, and filled by adds; no second create is sent.
    transport = FailingWrite(store, 1, None)
    client = client_over(transport)
    with batch_of(numbers(25)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(chunk_size=10), split=False)
        result = send_create(client, batch, plan)
    (audience,) = store.list_audiences()
    (made,) = result.created
    assert made.audience["_id"] == audience["_id"]
    assert made.recovered is not None and "did not answer in time" in made.recovered
    assert (made.added, made.skipped, audience["memberCount"]) == (25, 0, 25)
    assert transport.creates == 1


def test_a_create_is_repeated_only_when_the_check_finds_nothing(store: SandboxStore) -> None:
    transport = FailingWrite(store, 1, httpx.ReadTimeout("timed out"))  # never reaches the app
    client = client_over(transport)
    with batch_of(numbers(3)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(), split=False)
        result = send_create(client, batch, plan)
    assert result.created[0].recovered is None  # the second create answered
    assert transport.creates == 2
    assert len(store.list_audiences()) == 1


def test_a_create_the_list_cannot_confirm_says_it_may_exist(store: SandboxStore) -> None:
    class Broken(FailingWrite):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and self.writes:
                return httpx.Response(503, json={"status": False, "message": "down"})
            return super().handle_request(request)

    client = client_over(Broken(store, 1, httpx.ReadTimeout("timed out")))
    with batch_of(numbers(3)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(), split=False)
        with pytest.raises(CreateUncertainError) as caught:
            send_create(client, batch, plan, existing=Existing(set(), []))
    assert caught.value.name == "Leads"
    assert "could not be read to check" in caught.value.message


def test_ctrl_c_during_an_add_gives_honest_bounds(store: SandboxStore) -> None:
    audience = store.create_audience(
        name="T", description="", phone_column="phoneNumber", identifier_column=None, members=[]
    )
    client = client_over(FailingWrite(store, 2, KeyboardInterrupt()))
    with batch_of(numbers(25)) as batch:
        plan = plan_add(client, resolve_audience(client, "T"), batch, UploadSettings(chunk_size=10))
        with pytest.raises(PartialUploadError) as caught:
            send_add(client, batch, plan)
    assert caught.value.exit_code == ExitCode.INTERRUPTED
    assert "at least 10 (at most 20) of 25 members were sent" in caught.value.message
    assert store.count_members(audience["_id"]) == 10


def test_add_skips_what_is_there_and_counts_from_the_server(
    client: AtomsClient, store: SandboxStore
) -> None:
    made = store.create_audience(
        name="T",
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=[{"phoneNumber": p} for p in numbers(5)],
    )
    progress: list[int] = []
    with batch_of(numbers(8)) as batch:
        plan = plan_add(client, resolve_audience(client, "T"), batch, UploadSettings(chunk_size=3))
        assert (plan.members, plan.requests) == (8, 3)
        result = send_add(client, batch, plan, progress=progress.append)
    assert (result.sent, result.added, result.skipped) == (8, 3, 5)
    assert progress == [3, 3, 2]
    assert store.count_members(made["_id"]) == 8


def test_add_near_the_limit_counts_only_new_numbers(
    client: AtomsClient, store: SandboxStore
) -> None:
    store.create_audience(
        name="T",
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=[{"phoneNumber": p} for p in numbers(8)],
    )
    settings = UploadSettings(member_limit=10)
    audience = resolve_audience(client, "T")
    with batch_of(numbers(10)) as batch:  # 8 there + 2 new: exactly the limit
        plan_add(client, audience, batch, settings)
    with batch_of(numbers(11)) as batch, pytest.raises(NoRoomError) as caught:
        plan_add(client, audience, batch, settings)
    assert "has 8 members; adding 3 new would exceed the 10-member limit (room for 2)" in (
        caught.value.message
    )


def test_the_upload_csv_has_the_members_layout() -> None:
    body = members_csv([{"phoneNumber": "+1", "city": "Paris, FR"}, {"firstName": 'A "B"'}])
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert rows == [
        ["firstName", "lastName", "phoneNumber", "city"],
        ["", "", "+1", "Paris, FR"],
        ['A "B"', "", "", ""],
    ]


def test_create_checked_refuses_a_taken_name_before_sending(make_client: Make) -> None:
    client, transport = make_client()
    with batch_of(numbers(3)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(chunk_size=10), split=False)
        create_checked(client, batch, plan)
        with pytest.raises(NameTakenError):
            create_checked(client, batch, plan)
    assert transport.writes() == [("POST", "/audience")]


def test_create_checked_hands_over_taken_names_and_counts_into_the_report(
    make_client: Make,
) -> None:
    client, _ = make_client()
    taken: list[str] = []
    with batch_of(numbers(3)) as first:
        plan = plan_create(first, "Leads", UploadSettings(chunk_size=10), split=False)
        create_checked(client, first, plan)
    with batch_of(numbers(3)) as batch:
        plan = plan_create(batch, "Leads", UploadSettings(chunk_size=10), split=False)
        result = create_checked(
            client,
            batch,
            plan,
            allow_duplicate=True,
            on_taken=lambda found: taken.extend(str(a.get("name")) for a in found),
        )
        assert (batch.report.added, batch.report.skipped) == (3, 0)
    assert taken == ["Leads"]
    assert result.added == 3
