"""A small soak (benchmarks/soak.py) in the suite: imports through the real program
against a served sandbox injecting every kind of fault; nothing lost, nothing doubled,
no audience made twice, no exit 0 with members missing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SOAK = Path(__file__).resolve().parent.parent / "benchmarks" / "soak.py"


def load_soak():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("soak", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_small_soak_with_a_quarter_of_requests_faulty_loses_and_doubles_nothing() -> None:
    soak = load_soak()
    result = soak.soak(imports=6, rows=300, rate=0.25, seed=11, quiet=True)
    assert sum(result["faults"].values()) > 0, "the soak injected no fault"
    assert result["members_lost"] == 0
    assert result["members_extra"] == 0
    assert result["members_doubled"] == 0
    assert result["audiences_doubled"] == 0
    assert result["audiences_found"] == result["audiences_expected"] == 6
    assert result["exit_0_with_members_missing"] == 0
    assert result["finished"] == 6
    assert result["members_found"] == result["members_expected"] == 6 * 300
    assert soak.healthy(result)


def test_the_soak_notices_a_lost_member() -> None:
    # The verdict can fail: the same figures with one member missing are not healthy.
    soak = load_soak()
    good = {
        "members_lost": 0, "members_extra": 0, "members_doubled": 0, "audiences_doubled": 0,
        "audiences_found": 2, "audiences_expected": 2, "exit_0_with_members_missing": 0,
        "finished": 2, "imports": 2,
    }  # fmt: skip
    assert soak.healthy(good)
    assert not soak.healthy({**good, "members_lost": 1})
    assert not soak.healthy({**good, "audiences_found": 3})
    assert not soak.healthy({**good, "exit_0_with_members_missing": 1})


SYNC_SOAK = SOAK.with_name("soak_sync.py")


def load_sync_soak():  # type: ignore[no-untyped-def]
    load_soak()  # soak_sync imports it by name
    spec = importlib.util.spec_from_file_location("soak_sync", SYNC_SOAK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("soak_sync", module)
    spec.loader.exec_module(module)
    return module


def test_nightly_syncs_killed_and_faulted_lose_no_member_and_no_field() -> None:
    soak = load_sync_soak()
    result = soak.soak(audiences=1, nights=3, members=300, rate=0.25, kill=1.0, seed=4, quiet=True)
    assert sum(result["faults"].values()) > 0, "the soak injected no fault"
    assert result["killed"] == 3  # every night's first run
    assert result["members_lost"] == 0
    assert result["members_extra"] == 0
    assert result["members_doubled"] == 0
    assert result["fields_wrong"] == 0
    assert result["exit_0_lies"] == 0
    assert result["finished"] == result["syncs"] == 3
    assert soak.healthy(result)


def test_the_sync_soak_notices_a_lost_field() -> None:
    soak = load_sync_soak()
    good = {
        "members_lost": 0, "members_extra": 0, "members_doubled": 0, "fields_wrong": 0,
        "exit_0_lies": 0, "finished": 2, "syncs": 2,
    }  # fmt: skip
    assert soak.healthy(good)
    assert not soak.healthy({**good, "fields_wrong": 1})
    assert not soak.healthy({**good, "exit_0_lies": 1})
    rows = {"+14155550000": {"firstName": "A", "lastName": "B", "stage": "won"}}
    state = [{"phoneNumber": "+14155550000", "firstName": "A", "lastName": "B", "stage": "won"}]
    assert soak._compare(state, rows, owned={"+14155550000"})["fields"] == 1  # owner lost
    assert soak._compare(state, rows, owned=set())["fields"] == 0
