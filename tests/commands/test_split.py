"""`audience split AUDIENCE|FILE --by timezone`: one audience per calling-window group,
nothing lost and nothing twice, each group's start safe for all its members; --dry-run
changes nothing; a taken name is refused before anything is made."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import phones_in

# New York, Florida, the FL panhandle (850: Chicago and New York), Texas, Chicago,
# Denver, Phoenix, San Francisco, Honolulu, Anchorage, Kentucky (270: split), and
# +1 868 numbers phonenumbers has no zone for.
AREA_CODES = ("212", "305", "850", "214", "312", "303", "602", "415", "808", "907", "270", "868")
AT = "2026-12-07 10:00 America/New_York"


def seed_us(store, name: str = "Leads", count: int = 10_000) -> tuple[str, list[str]]:
    members = [
        {
            "firstName": f"F{i}",
            "phoneNumber": f"+1{AREA_CODES[i % len(AREA_CODES)]}555{i:04d}",
            "plan": "gold" if i % 2 else "silver",
        }
        for i in range(count)
    ]
    audience = store.create_audience(
        name=name, description="", phone_column="phoneNumber", identifier_column=None,
        members=members,
    )  # fmt: skip
    return audience["_id"], [m["phoneNumber"] for m in members]


def audience_names(store) -> set[str]:
    return {a["name"] for a in store.list_audiences()}


@pytest.fixture
def leads(store) -> tuple[str, list[str]]:
    return seed_us(store)


def test_dry_run_plans_every_member_once_and_changes_nothing(sandbox_cli, store, leads) -> None:
    before = audience_names(store)
    result = sandbox_cli("split", "Leads", "--by", "timezone", "--at", AT, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["dry_run"] is True and plan["members"] == 10_000
    groups = plan["groups"]
    assert sum(g["members"] for g in groups) == 10_000
    unknown = [g for g in groups if g["group"] == "unknown"]
    assert len(unknown) == 1 and unknown[0]["scheduledAt"] is None
    assert unknown[0]["members"] == sum(1 for i in range(10_000) if i % 12 == 11)
    assert unknown[0]["name"] == "Leads unknown zone"
    assert all(g["scheduledAt"] for g in groups if g["group"] != "unknown")
    assert all(g["id"] is None for g in groups)
    assert audience_names(store) == before


def test_split_creates_the_groups_nothing_lost_nothing_twice(sandbox_cli, store, leads) -> None:
    source_id, phones = leads
    result = sandbox_cli("split", "Leads", "--by", "timezone", "--at", AT, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    groups = json.loads(result.stdout)["groups"]
    seen: Counter[str] = Counter()
    for group in groups:
        members = phones_in(store, group["id"])
        assert len(members) == group["members"]
        seen.update(members)
    assert sum(seen.values()) == 10_000
    assert set(seen) == set(phones) and max(seen.values()) == 1
    assert sorted(phones_in(store, source_id)) == sorted(phones)  # the source is untouched
    # Each member keeps its fields.
    first = store.all_members(groups[0]["id"])
    data = next(iter(first))["data"]
    assert {"firstName", "phoneNumber", "plan"} <= set(data)


def test_each_start_is_safe_for_every_member_of_its_group(sandbox_cli, store, leads) -> None:
    result = sandbox_cli("split", "Leads", "--by", "timezone", "--at", AT, "--yes", "--json")
    groups = json.loads(result.stdout)["groups"]
    windows = {g["window"] for g in groups}
    assert "08:00\u201320:00 America/New_York" in windows  # Florida
    assert "08:00\u201321:00 America/New_York" in windows  # New York
    assert "08:00\u201321:00 Pacific/Honolulu" in windows
    for group in groups:
        if group["group"] == "unknown":
            continue
        start = group["scheduledAt"]
        assert start.startswith("2026-12-08T"), group  # the next day
        check = sandbox_cli("check-hours", group["id"], "--at", start, "--json")
        assert check.exit_code == 0, (group, check.stdout[:400])
        # A minute before, someone in the group is outside: it is the earliest safe start.
        earlier = datetime.fromisoformat(start) - timedelta(minutes=1)
        late = sandbox_cli("check-hours", group["id"], "--at", earlier.isoformat())
        assert late.exit_code == 9, group


def test_table_and_template(sandbox_cli, store, leads) -> None:
    result = sandbox_cli(
        "split", "Leads", "--by", "timezone", "--at", AT, "--dry-run", "-F", "csv",
        "--name-template", "{name} #{n} {zone}",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["group", "name", "members", "window", "scheduledAt", "id"]
    assert rows[0]["name"].startswith("Leads #1 America/")
    assert rows[-1]["name"] == f"Leads #{len(rows)} unknown"
    assert sum(int(r["members"]) for r in rows) == 10_000
    assert "would be created" in result.stderr


def test_a_taken_name_is_refused_before_anything_is_made(sandbox_cli, store, leads) -> None:
    store.create_audience(
        name="Leads unknown zone", description="", phone_column="phoneNumber",
        identifier_column=None, members=[],
    )  # fmt: skip
    before = audience_names(store)
    count = len(store.list_audiences())
    result = sandbox_cli("split", "Leads", "--by", "timezone", "--at", AT, "--yes")
    assert result.exit_code == 2
    assert "Leads unknown zone" in result.stderr and "nothing was sent" in result.stderr
    assert audience_names(store) == before and len(store.list_audiences()) == count
    dry = sandbox_cli("split", "Leads", "--by", "timezone", "--at", AT, "--dry-run")
    assert dry.exit_code == 2  # the plan says so too


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--by", "area"], "--by"),
        (["--by", "timezone", "--name-template", "{name} {nope}"], "--name-template"),
        (["--by", "timezone", "--name-template", "{name}"], "gives two groups the name"),
        (["--by", "timezone", "--at", "soon"], "--at"),
    ],
)
def test_mistakes_change_nothing(sandbox_cli, store, leads, args: list[str], said: str) -> None:
    count = len(store.list_audiences())
    result = sandbox_cli("split", "Leads", *args, "--yes")
    assert result.exit_code == 2 and said in result.stderr
    assert "Traceback" not in result.stderr
    assert len(store.list_audiences()) == count


def test_split_a_file(sandbox_cli, store, tmp_path: Path) -> None:
    path = tmp_path / "spring.csv"
    path.write_text(
        "phone,name,zip\n+12125550100,Ann,\n+12125550101,Bob,60601\n+13105550102,Cy,\n",
        encoding="utf-8",
    )
    result = sandbox_cli("split", str(path), "--by", "timezone", "--at", AT, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    groups = json.loads(result.stdout)["groups"]
    assert [g["members"] for g in groups] == [1, 1, 1]
    assert groups[0]["name"] == "spring 08:00\u201321:00 America/New_York"
    assert groups[0]["scheduledAt"] == "2026-12-08T13:00:00Z"
    # Bob's number is New York's but his ZIP is Chicago's: the window in both zones.
    assert groups[1]["scheduledAt"] == "2026-12-08T14:00:00Z"
    assert phones_in(store, groups[2]["id"]) == ["+13105550102"]
    assert "3 members in 3 audiences created." in result.stderr
    one = tmp_path / "one.csv"
    one.write_text("phone\n+12125550100\n", encoding="utf-8")
    single = sandbox_cli("split", str(one), "--by", "timezone", "--at", AT, "--dry-run")
    assert "1 member in 1 audience would be created." in single.stderr
    # Offline, a dry run of a file needs no key.
    offline = sandbox_cli("split", str(path), "--by", "timezone", "--at", AT, "--dry-run")
    assert offline.exit_code == 0


def test_a_group_over_the_member_limit_is_refused_first(sandbox_cli, store, leads) -> None:
    count = len(store.list_audiences())
    env = {"AUDIENCE_MEMBER_LIMIT": "500"}  # New York's group alone holds 834
    result = sandbox_cli("split", "Leads", "--by", "timezone", "--at", AT, "--yes", env=env)
    assert result.exit_code == 2 and "member limit" in result.stderr
    assert len(store.list_audiences()) == count
