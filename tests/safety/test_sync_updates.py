"""sync and add --update never lose a member or a field: updates count as removals, a
member taken out for an update is journaled until it is back, fields only the audience
has survive, and a file with unreadable rows removes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.conftest import RecordingTransport, seed_audience


class FailingAdds(RecordingTransport):
    """The sandbox, except that every add of members after the first `ok` is a 503."""

    def __init__(self, store, ok: int = 0) -> None:
        super().__init__(store)
        self.ok = ok
        self.adds = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/members"):
            self.adds += 1
            if self.adds > self.ok:
                self.calls.append((request.method, request.url.path))
                return httpx.Response(503, json={"status": False, "message": "unavailable"})
        return super().handle_request(request)


def data_of(store, audience_id: str) -> dict[str, dict[str, str]]:
    return {m["data"]["phoneNumber"]: m["data"] for m in store.all_members(audience_id)}


def staged(path: Path, count: int, stage: str, *, notes: bool = False) -> Path:
    header = "phoneNumber,firstName,lastName,stage" + (",notes" if notes else "")
    lines = [header]
    for i in range(count):
        line = f"+1415555{i:04d},First{i},Last{i},{stage}"
        lines.append(line + ("," if notes else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_updates_count_toward_max_remove(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 300, stage="lead")
    source = staged(tmp_path / "won.csv", 300, "won")
    result = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "0")
    assert result.exit_code == 2
    assert "take out 300 of the audience's 300 members (0 to remove, 300 to replace)" in (
        result.stderr
    )
    after = data_of(store, audience_id)
    assert len(after) == 300
    assert {d["stage"] for d in after.values()} == {"lead"}


def test_the_default_max_remove_refuses_a_truncated_export(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 1000, stage="lead")
    cut = staged(tmp_path / "cut.csv", 600, "lead")
    refused = sandbox_cli("sync", "Leads", "--csv", str(cut), "--yes")
    assert refused.exit_code == 2
    assert "take out 400 of the audience's 1,000 members" in refused.stderr
    assert "--max-remove 10%,100 allowed (100)" in refused.stderr
    assert len(data_of(store, audience_id)) == 1000
    # 10% of 1,000 is 100: a night that drops 100 passes, and so does an env setting.
    ok = sandbox_cli(
        "sync", "Leads", "--csv", str(cut), "--yes", env={"AUDIENCE_MAX_REMOVE": "40%"}
    )
    assert ok.exit_code == 0, ok.stderr
    assert len(data_of(store, audience_id)) == 600


def test_adds_that_fail_leave_the_members_in_the_journal_and_the_next_run_puts_them_back(
    sandbox_cli, store, tmp_path
):
    audience_id = seed_audience(store, "Leads", 300, stage="lead", notes="VIP")
    source = staged(tmp_path / "won.csv", 300, "won")
    failing = FailingAdds(store)
    result = sandbox_cli(
        "sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%",
        transport=failing,
    )  # fmt: skip
    assert result.exit_code == 7, result.stderr
    assert "the sync stopped half way" in result.stderr
    assert "0 added, 0 removed, 300 taken out for an update of which 0 are back" in (result.stderr)
    assert "300 members taken out for an update are not back yet" in result.stderr
    assert f"audience restore --pending {audience_id}" in result.stderr
    assert len(data_of(store, audience_id)) == 0  # all 300 wait in the journal
    journal = json.loads(next((tmp_path / "state").rglob("journal/*.json")).read_text())
    assert len(journal["rows"]) == 300

    again = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%")
    assert again.exit_code == 0, again.stderr
    assert "Putting back 300 members of 'Leads'" in again.stderr
    after = data_of(store, audience_id)
    assert len(after) == 300
    for i in range(300):
        data = after[f"+1415555{i:04d}"]
        assert data == {
            "phoneNumber": f"+1415555{i:04d}", "firstName": f"First{i}",
            "lastName": f"Last{i}", "stage": "won", "notes": "VIP",
        }  # fmt: skip
    assert not list((tmp_path / "state").rglob("journal/*.json"))


def test_restore_pending_puts_the_members_back_without_a_sync(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 30, stage="lead")
    source = staged(tmp_path / "won.csv", 30, "won")
    failing = FailingAdds(store)
    stopped = sandbox_cli(
        "sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%",
        "--chunk-size", "10", transport=failing,
    )  # fmt: skip
    assert stopped.exit_code == 7
    assert len(data_of(store, audience_id)) == 20
    listed = sandbox_cli("restore", "--pending", "--dry-run")
    assert listed.exit_code == 0, listed.stderr
    assert "10 members" in listed.stderr
    assert len(data_of(store, audience_id)) == 20
    done = sandbox_cli("restore", "--pending")
    assert done.exit_code == 0, done.stderr
    assert "Put back 10 members in 'Leads'" in done.stderr
    after = data_of(store, audience_id)
    assert len(after) == 30
    assert sorted(d["stage"] for d in after.values()) == ["lead"] * 20 + ["won"] * 10
    nothing = sandbox_cli("restore", "--pending")
    assert nothing.exit_code == 0
    assert "nothing to put back" in nothing.stderr


def test_fields_only_the_audience_has_survive_an_update(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 3, stage="lead", notes="VIP")
    # No notes column at all, and a notes column whose cells are all empty: both keep VIP.
    for name, notes in (("plain.csv", False), ("empty-notes.csv", True)):
        stage = "won" if notes else "lost"
        source = staged(tmp_path / name, 3, stage, notes=notes)
        diff = sandbox_cli("diff", "Leads", "--csv", str(source), "--json")
        changes = json.loads(diff.stdout)["update"]
        assert [c["fields"] for c in changes] == [{"stage": {"from": c, "to": stage}} for c in [
            "lead" if not notes else "lost"] * 3]  # fmt: skip
        result = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes")
        assert result.exit_code == 0, result.stderr
        after = data_of(store, audience_id)
        assert {d["notes"] for d in after.values()} == {"VIP"}
        assert {d["stage"] for d in after.values()} == {stage}
        assert {d["firstName"] for d in after.values()} == {"First0", "First1", "First2"}


def test_replace_fields_drops_what_the_file_does_not_have(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 2, stage="lead", notes="VIP")
    source = staged(tmp_path / "won.csv", 2, "won")
    dry = sandbox_cli(
        "sync", "Leads", "--csv", str(source), "--replace-fields", "--dry-run", "--json"
    )
    fields = [u["fields"] for u in json.loads(dry.stdout)["sync"]["plan"]["update"]]
    assert (
        fields == [{"stage": {"from": "lead", "to": "won"}, "notes": {"from": "VIP", "to": ""}}] * 2
    )
    result = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes", "--replace-fields")
    assert result.exit_code == 0, result.stderr
    assert [sorted(d) for d in data_of(store, audience_id).values()] == [
        ["firstName", "lastName", "phoneNumber", "stage"]
    ] * 2


def test_add_update_keeps_fields_and_journals_failed_adds(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 5, stage="lead", notes="VIP")
    source = staged(tmp_path / "won.csv", 5, "won")
    stopped = sandbox_cli(
        "add", "Leads", "--csv", str(source), "--update", transport=FailingAdds(store, ok=1)
    )
    assert stopped.exit_code == 7, stopped.stderr
    assert "5 members were taken out for an update, of which 0 are back" in stopped.stderr
    assert len(data_of(store, audience_id)) == 0
    again = sandbox_cli("add", "Leads", "--phone", "+14155550999")
    assert again.exit_code == 0, again.stderr
    assert "Putting back 5 members" in again.stderr
    after = data_of(store, audience_id)
    assert len(after) == 6
    assert after["+14155550003"]["notes"] == "VIP"
    assert after["+14155550003"]["stage"] == "won"


def test_a_member_whose_number_is_an_unreadable_row_is_never_removed(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 3)
    store.add_members(
        audience_id, "phoneNumber", [{"phoneNumber": "+14155090005", "firstName": "Kept"}]
    )
    source = tmp_path / "rows.csv"
    # No --region: the national number cannot be read, so its row is rejected.
    source.write_text(
        "phoneNumber,firstName,lastName\n+14155550000,First0,Last0\n(415) 509-0005,Kept,\n"
    )
    held = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%")
    assert held.exit_code == 3, held.stderr  # rows were rejected
    assert "kept 3 members that the file does not have" in held.stderr
    assert "--remove-with-rejects" in held.stderr
    assert len(data_of(store, audience_id)) == 4

    forced = sandbox_cli(
        "sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%",
        "--remove-with-rejects",
    )  # fmt: skip
    assert forced.exit_code == 3, forced.stderr
    assert "kept 1 member whose number is a rejected row's" in forced.stderr
    assert sorted(data_of(store, audience_id)) == ["+14155090005", "+14155550000"]


def test_do_not_call_rows_still_remove_their_members(sandbox_cli, store, tmp_path):
    audience_id = seed_audience(store, "Leads", 2)
    source = tmp_path / "rows.csv"
    source.write_text("phoneNumber,dnc\n+14155550000,\n+14155550001,yes\n")
    result = sandbox_cli("sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%")
    assert result.exit_code == 3, result.stderr
    assert sorted(data_of(store, audience_id)) == ["+14155550000"]
    assert not re.search(r"kept \d+ member", result.stderr)


def test_every_add_refused_by_the_served_sandbox_loses_nothing(cli, tmp_path):
    """The issue's case, over real sockets with the sandbox's own fault injection: every
    POST answered 500/502/503; 300 members whose stage changed; --max-remove 100%."""
    from audience_cli.sandbox.faults import FaultConfig
    from audience_cli.sandbox.server import running_faulty_server, running_server
    from audience_cli.sandbox.store import SandboxStore

    db = tmp_path / "served.db"
    store = SandboxStore(db)
    audience_id = seed_audience(store, "Leads", 300, stage="lead", notes="VIP")
    source = staged(tmp_path / "won.csv", 300, "won")
    env = {"SMALLEST_API_KEY": "sk_test_faults_0123456789"}
    every_add_fails = FaultConfig(fail_rate=1.0, methods=("POST",), seed=1)
    args = ["sync", "Leads", "--csv", str(source), "--yes", "--max-remove", "100%"]
    with running_faulty_server(db, every_add_fails) as (url, stats):
        failed = cli("--base-url", url, *args, env=env)
    assert failed.exit_code == 7, failed.stderr
    assert stats.total == stats.requests == 5  # only POSTs are faulty: the add, 4 retries
    assert "0 removed, 300 taken out for an update of which 0 are back" in failed.stderr
    assert store.all_members(audience_id) == []
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with running_server(db, port=port) as same:  # the same API: the journal is its
        again = cli("--base-url", same, *args, env=env)
    assert again.exit_code == 0, again.stderr
    assert "Putting back 300 members" in again.stderr
    after = data_of(store, audience_id)
    assert len(after) == 300
    assert {(d["stage"], d["notes"]) for d in after.values()} == {("won", "VIP")}


def test_diff_says_which_members_a_file_with_rejects_would_keep(sandbox_cli, store, tmp_path):
    seed_audience(store, "Leads", 2)
    source = tmp_path / "rows.csv"
    source.write_text("phoneNumber\n+14155550000\n(415) 555-0199\n")
    result = sandbox_cli("diff", "Leads", "--csv", str(source), "--json")
    assert result.exit_code == 0, result.stderr  # nothing would change
    assert "would keep 1 member that the file does not have" in result.stderr
    assert json.loads(result.stdout)["remove"] == []
