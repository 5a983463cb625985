"""core/sync.py and core/updates.py driven directly: the plan (adds, removals, updates,
merged rows), the removal guard, and carrying a plan out through a journal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.members import Present, read_audience
from audience_cli.core.sync import (
    RemovalLimit,
    Source,
    check_removals,
    merged_row,
    plan_sync,
    screen_removals,
    send_sync,
)
from audience_cli.core.updates import ReplaceStopped, add_back, replace_members
from audience_cli.errors import PartialUploadError, TooManyRemovalsError
from audience_cli.retry import RetryPolicy
from audience_cli.sandbox.store import SandboxStore
from tests.conftest import RecordingTransport
from tests.core.conftest import BASE_URL


class NoJournal:
    """A journal in memory (the state folder's is on disk): `core.updates.UpdateJournal`."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, str]] = {}

    def record(
        self, audience: Mapping[str, Any], phone_column: str, rows: Sequence[Mapping[str, str]]
    ) -> None:
        for row in rows:
            self.rows[row[phone_column]] = dict(row)

    def settle(self, phones: Sequence[str]) -> None:
        for phone in phones:
            self.rows.pop(phone, None)

    def pending(self) -> list[dict[str, str]]:
        return list(self.rows.values())


AUDIENCE = {"_id": "a" * 24, "name": "Leads", "phoneNumberColumnName": "phoneNumber"}


def present(**members: dict[str, str]) -> dict[str, Present]:
    return {phone: Present(f"{i:024x}", data) for i, (phone, data) in enumerate(members.items())}


def source(*rows: dict[str, str], keys: list[str]) -> Source:
    return Source(list(rows), keys, "test")


def test_a_plan_adds_removes_updates_and_leaves_the_rest():
    have = present(
        **{
            "+1": {"phoneNumber": "+1", "stage": "lead"},
            "+2": {"phoneNumber": "+2", "stage": "won"},
            "+3": {"phoneNumber": "+3", "stage": "lead"},
        }
    )
    want = source(
        {"phoneNumber": "+1", "stage": "won"},
        {"phoneNumber": "+2", "stage": "won"},
        {"phoneNumber": "+4", "stage": "lead"},
        keys=["stage"],
    )
    plan = plan_sync(AUDIENCE, have, want)
    assert [r["phoneNumber"] for r in plan.add] == ["+4"]
    assert [p for p, _ in plan.remove] == ["+3"]
    assert [(u.phone, u.fields) for u in plan.update] == [("+1", {"stage": ("lead", "won")})]
    assert plan.unchanged == 1
    assert plan.counts() == {"added": 1, "removed": 1, "updated": 1, "unchanged": 1}


def test_an_update_keeps_what_the_source_has_no_value_for():
    have = present(**{"+1": {"phoneNumber": "+1", "stage": "lead", "notes": "VIP", "x": ""}})
    want = source({"phoneNumber": "+1", "stage": "won", "notes": ""}, keys=["stage", "notes"])
    (update,) = plan_sync(AUDIENCE, have, want).update
    assert update.fields == {"stage": ("lead", "won")}  # an empty cell changes nothing
    assert update.row == {"phoneNumber": "+1", "stage": "won", "notes": "VIP"}
    # Nothing but empty cells differs: no update at all, so a second run is quiet.
    again = source({"phoneNumber": "+1", "stage": "lead", "notes": ""}, keys=["stage", "notes"])
    assert plan_sync(AUDIENCE, have, again).equal


def test_replace_fields_makes_the_member_the_source_row_alone():
    have = present(**{"+1": {"phoneNumber": "+1", "stage": "lead", "notes": "VIP"}})
    want = source({"phoneNumber": "+1", "stage": "lead"}, keys=["stage"])
    (update,) = plan_sync(AUDIENCE, have, want, replace_fields=True).update
    assert update.fields == {"notes": ("VIP", "")}
    assert update.row == {"phoneNumber": "+1", "stage": "lead"}


def test_merged_row_lays_non_empty_values_over_the_old_data():
    assert merged_row({"a": "1", "b": "2", "n": 5}, {"b": "", "c": "3"}) == {
        "a": "1", "b": "2", "n": "5", "c": "3",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("parts", "size", "allowed"),
    [(((10, True),), 1000, 100), (((100, False),), 5, 100), (((10, True), (100, False)), 3, 100),
     (((10, True), (100, False)), 5000, 500), (((0, False),), 10, 0)],
)  # fmt: skip
def test_the_removal_limit_is_the_larger_of_its_parts(parts, size, allowed):
    assert RemovalLimit(parts).of(size) == allowed


def test_updates_count_toward_the_removal_limit():
    have = present(**{f"+{i}": {"phoneNumber": f"+{i}", "s": "a"} for i in range(10)})
    want = source(*({"phoneNumber": f"+{i}", "s": "b"} for i in range(10)), keys=["s"])
    plan = plan_sync(AUDIENCE, have, want)
    with pytest.raises(TooManyRemovalsError, match=r"take out 10 .* \(0 to remove, 10 to replace"):
        check_removals(plan, 10, RemovalLimit(((9, False),), "--max-remove 9"))
    check_removals(plan, 10, RemovalLimit(((10, False),), "--max-remove 10"))


def test_rejected_rows_keep_their_members_and_hold_the_other_removals():
    class Reject:
        def __init__(self, value: str, reason: str) -> None:
            self.value, self.reason = value, reason

    have = present(**{"+14155090005": {}, "+14155550000": {}, "+14155550001": {}})
    plan = plan_sync(AUDIENCE, have, source({"phoneNumber": "+14155550000"}, keys=[]))
    unread = screen_removals(plan, [Reject("(415) 509-0005", "MISSING_REGION")],
                             remove_with_rejects=True)  # fmt: skip
    assert unread == 1
    assert [p for p, _ in plan.remove] == ["+14155550001"]
    assert [p for p, _ in plan.kept] == ["+14155090005"]
    held = plan_sync(AUDIENCE, have, source({"phoneNumber": "+14155550000"}, keys=[]))
    screen_removals(held, [Reject("(415) 509-0005", "MISSING_REGION")], remove_with_rejects=False)
    assert held.remove == []
    suppressed = plan_sync(AUDIENCE, have, source({"phoneNumber": "+14155550000"}, keys=[]))
    assert screen_removals(suppressed, [Reject("+14155090005", "DO_NOT_CALL")],
                           remove_with_rejects=False) == 0  # fmt: skip
    assert len(suppressed.remove) == 2  # the scrub still removes


class AddsFail(RecordingTransport):
    """The sandbox, except that adds after the first `ok` answer 503."""

    def __init__(self, store: SandboxStore, ok: int) -> None:
        super().__init__(store)
        self.ok = ok

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/members"):
            self.ok -= 1
            if self.ok < 0:
                return httpx.Response(503, json={"status": False, "message": "down"})
        return super().handle_request(request)


def seeded(store: SandboxStore, n: int) -> dict:
    return store.create_audience(
        name="Leads", description="", phone_column="phoneNumber", identifier_column=None,
        members=[{"phoneNumber": f"+1415555{i:04d}", "stage": "lead", "notes": "VIP"}
                 for i in range(n)],
    )  # fmt: skip


def client_on(transport: httpx.BaseTransport) -> AtomsClient:
    return AtomsClient(
        BASE_URL, "sk_core_tests", transport=transport,
        retry=RetryPolicy(max_retries=1, sleep=lambda _: None),
    )  # fmt: skip


def test_replace_members_journals_each_chunk_until_it_is_back(store: SandboxStore):
    audience = seeded(store, 25)
    journal = NoJournal()
    client = client_on(AddsFail(store, ok=1))  # the first chunk's add, then 503s
    rows = [(m["_id"], {**m["data"], "stage": "won"}) for m in store.all_members(audience["_id"])]
    with pytest.raises(ReplaceStopped) as stopped:
        replace_members(client, audience, rows, 10, journal)
    assert (stopped.value.done.removed, stopped.value.done.added_back) == (20, 10)
    assert stopped.value.pending == 10  # the second chunk: removed, not back
    assert len(store.all_members(audience["_id"])) == 15
    healthy = client_on(RecordingTransport(store))
    back = add_back(healthy, audience, journal, chunk_size=7)
    assert (back.added, back.present) == (10, 0)
    assert journal.pending() == []
    data = [m["data"] for m in store.all_members(audience["_id"])]
    assert len(data) == 25
    assert sorted(d["stage"] for d in data) == ["lead"] * 5 + ["won"] * 20
    assert {d["notes"] for d in data} == {"VIP"}


def test_send_sync_says_what_was_really_done_when_it_stops(store: SandboxStore):
    audience = seeded(store, 5)
    have = read_audience(client_on(RecordingTransport(store)), audience)
    want = source(*({"phoneNumber": f"+1415555{i:04d}", "stage": "won"} for i in range(5)),
                  keys=["stage"])  # fmt: skip
    plan = plan_sync(audience, have, want)
    journal = NoJournal()
    with pytest.raises(PartialUploadError) as stopped:
        send_sync(client_on(AddsFail(store, ok=0)), plan, chunk_size=10, journal=journal)
    assert "0 added, 0 removed, 5 taken out for an update of which 0 are back" in str(stopped.value)
    assert stopped.value.pending == 5
    assert len(journal.pending()) == 5


def test_a_plan_counts_its_work_and_requests_and_sends_removals_first_near_the_limit():
    have = present(**{f"+1415555{i:04d}": {"phoneNumber": f"+1415555{i:04d}"} for i in range(3)})
    rows = [{"phoneNumber": f"+1415555{i:04d}"} for i in range(1, 6)]
    plan = plan_sync(AUDIENCE, have, source(*rows, keys=["phoneNumber"]))
    assert (len(plan.add), len(plan.remove), plan.work) == (3, 1, 4)
    assert (plan.requests(chunk_size=2), plan.requests(chunk_size=500)) == (3, 2)
    assert plan.removals_first(present=3, member_limit=6) is False  # 3 + 3 adds fit
    assert plan.removals_first(present=3, member_limit=5) is True


@pytest.mark.parametrize("update", [False, True])
def test_an_add_counts_members_already_there_with_other_data_or_replaces_them(
    client: AtomsClient, store: SandboxStore, update: bool
) -> None:
    """The decision after an add (`settle_already_there`): stale, or updated with --update
    (after a snapshot of every member)."""
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.sync import settle_already_there
    from audience_cli.core.upload import UploadSettings, plan_add
    from tests.core.conftest import audience_of, batch_of

    audience = resolve_audience(client, audience_of(store, "Leads", "+14155550001"))
    snapshots: list[list[dict[str, str]]] = []
    with batch_of(["+14155550001", "+14155550002"], ["Ada Lovelace", "Alan Turing"]) as batch:
        plan = plan_add(client, audience, batch, UploadSettings())
        done = settle_already_there(
            client,
            batch,
            plan,
            update=update,
            journal=NoJournal(),
            snapshot=lambda rows: snapshots.append([dict(r) for r in rows]),
        )
        report = batch.report
    if update:
        assert (done.stale, done.updated, report.updated, report.stale) == (0, 1, 1, None)
        assert snapshots == [[{"phoneNumber": "+14155550001"}]]
        (member,) = read_audience(client, audience).values()
        assert member.data["firstName"] == "Ada"
    else:
        assert (done.stale, done.updated, report.stale, report.updated) == (1, 0, 1, None)
        assert snapshots == []


@pytest.mark.parametrize(("remove_with_rejects", "removed"), [(False, 0), (True, 1)])
def test_a_plan_from_a_batch_with_an_unreadable_row_keeps_the_members_it_lacks(
    remove_with_rejects: bool, removed: int
) -> None:
    from audience_cli.core.sync import plan_from_batch
    from tests.contacts.helpers import from_text as batch_from_csv

    have = present(**{p: {"phoneNumber": p} for p in ("+14155550001", "+14155550002")})
    with batch_from_csv("phoneNumber\n+14155550001\nnot a number\n") as batch:
        plan, unread = plan_from_batch(
            AUDIENCE, have, batch, remove_with_rejects=remove_with_rejects
        )
    assert unread == 1
    assert (len(plan.add), len(plan.remove), len(plan.kept)) == (0, removed, 1 - removed)


def test_the_first_sync_of_a_name_adds_every_contact_of_the_batch() -> None:
    from audience_cli.core.sync import plan_first_sync
    from tests.contacts.helpers import from_text as batch_from_csv

    with batch_from_csv("phoneNumber,firstName\n+14155550001,Ada\n+14155550002,\n") as batch:
        plan = plan_first_sync(batch, "Nightly")
    assert plan.audience == {"name": "Nightly"}
    assert [m["phoneNumber"] for m in plan.add] == ["+14155550001", "+14155550002"]
    assert (plan.remove, plan.update, plan.unchanged) == ([], [], 0)
