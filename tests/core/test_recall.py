"""core/recall.py: which members of a campaign's outcomes are called again, and as what rows."""

from __future__ import annotations

import csv
import io

import pytest

from audience_cli.core.outcomes import OutcomeExport, OutcomeRecord
from audience_cli.core.recall import (
    PROVENANCE,
    CampaignInput,
    CampaignStillGoingError,
    parse_provenance,
    parse_statuses,
    phone_key,
    recall_csv,
    select_records,
)
from audience_cli.errors import UsageError

CAMPAIGN = "6a75935452c6e5eceaa16edf"


def record(n: int, status: str | None, calls: int = 1, **data: str) -> OutcomeRecord:
    phone = f"+1415555{n:04d}"
    fields = {"phoneNumber": phone, "firstName": f"P{n}", **data}
    return OutcomeRecord(f"{n:024x}", phone, fields, status, calls, 30.0, 0.1)


def export(*records: OutcomeRecord, status: str | None = "completed") -> OutcomeExport:
    return OutcomeExport(CAMPAIGN, "Spring calls", status, None, len(records), list(records))


MIX = (
    record(1, "completed"),
    record(2, "no_answer", 3),
    record(3, "failed", 2),
    record(4, "cancelled"),
    record(5, "in_queue", 0),
    record(6, None, 0),
    record(7, "voicemail", 2),
    record(8, "Pending", 0),
)


def picked_numbers(want: CampaignInput, *records: OutcomeRecord) -> list[int]:
    selection = select_records(export(*records), want)
    return [int(r.phone[-4:]) for r in selection.picked]


def test_by_default_everyone_not_reached_is_called_again_but_not_the_running() -> None:
    selection = select_records(export(*MIX), CampaignInput(CAMPAIGN))
    assert [int(r.phone[-4:]) for r in selection.picked] == [2, 3, 4, 6, 7]
    assert dict(selection.left_out) == {"completed": 1, "running": 2}
    assert selection.by_status["none"] == [1, 1]
    assert selection.by_status["pending"] == [1, 0]  # "Pending" read as its key
    assert dict(selection.unknown) == {"voicemail": 1}
    document = selection.to_dict()
    assert document["records"] == 8 and document["included"] == 5
    assert document["excluded"] == {"completed": 1, "running": 2}


def test_include_running_takes_the_members_still_being_called() -> None:
    want = CampaignInput(CAMPAIGN, include_running=True)
    assert picked_numbers(want, *MIX) == [2, 3, 4, 5, 6, 7, 8]


def test_statuses_pick_only_those_and_say_why_the_others_are_left_out() -> None:
    want = CampaignInput(CAMPAIGN, statuses=parse_statuses("No Answer, none"))
    selection = select_records(export(*MIX), want)
    assert [int(r.phone[-4:]) for r in selection.picked] == [2, 6]
    assert dict(selection.left_out) == {"completed": 1, "status_not_asked": 3, "running": 2}
    assert selection.not_found == []
    typo = select_records(
        export(*MIX), CampaignInput(CAMPAIGN, statuses=parse_statuses("noanswer"))
    )
    assert typo.picked == [] and typo.not_found == ["noanswer"]
    assert typo.to_dict()["statusesNotFound"] == ["noanswer"]


def test_max_attempts_counts_an_earlier_retrys_attempts_too() -> None:
    records = (
        record(1, "no_answer", 1),
        record(2, "no_answer", 1, attempts="1"),  # called once before, once now: 2
        record(3, "failed", 2),
        record(4, "failed", 0, attempts="junk"),  # not a count: taken as none before
    )
    want = CampaignInput(CAMPAIGN, max_attempts=2)
    selection = select_records(export(*records), want)
    assert [int(r.phone[-4:]) for r in selection.picked] == [1, 4]
    assert selection.left_out["max_attempts"] == 2
    assert selection.attempts[records[1].member_id] == 2


def test_the_attempts_field_is_read_under_its_own_name() -> None:
    records = (record(1, "no_answer", 1, tries="5"),)
    named = CampaignInput(CAMPAIGN, max_attempts=3, provenance=("c", "tries", "s"))
    assert picked_numbers(named, *records) == []
    assert picked_numbers(CampaignInput(CAMPAIGN, max_attempts=3), *records) == [1]


@pytest.mark.parametrize("status", ["running", "processing", "scheduled", "paused", "draft"])
def test_a_campaign_still_going_is_refused_unless_running_members_are_wanted(
    status: str,
) -> None:
    with pytest.raises(CampaignStillGoingError, match=f"is {status}"):
        select_records(export(*MIX, status=status), CampaignInput(CAMPAIGN))
    want = CampaignInput(CAMPAIGN, include_running=True)
    assert len(select_records(export(*MIX, status=status), want).picked) == 7


def test_an_empty_export_picks_nobody() -> None:
    selection = select_records(export(), CampaignInput(CAMPAIGN))
    assert selection.picked == [] and not selection.left_out
    content, _ = recall_csv(selection, CampaignInput(CAMPAIGN))
    assert content.decode().splitlines() == ["phoneNumber,source_campaign,attempts,last_status"]


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_rows_keep_the_members_fields_and_gain_provenance() -> None:
    records = (
        record(2, "no_answer", 3, notes='VIP, "gold"'),
        record(6, None, 0, attempts="2", city="Paris"),
    )
    want = CampaignInput(CAMPAIGN)
    content, phone = recall_csv(select_records(export(*records), want), want)
    assert phone == "phoneNumber"
    rows = rows_of(content)
    assert rows[0] == {
        "phoneNumber": "+14155550002",
        "firstName": "P2",
        "notes": 'VIP, "gold"',
        "city": "",
        "source_campaign": CAMPAIGN,
        "attempts": "3",
        "last_status": "no_answer",
    }
    assert rows[1]["attempts"] == "2"  # the earlier retry's 2, plus 0 now
    assert rows[1]["last_status"] == "none"
    assert rows[1]["city"] == "Paris"


def test_rows_without_provenance_and_with_other_names() -> None:
    records = (record(2, "failed", 1),)
    bare = CampaignInput(CAMPAIGN, provenance=None)
    assert set(rows_of(recall_csv(select_records(export(*records), bare), bare)[0])[0]) == {
        "phoneNumber",
        "firstName",
    }
    named = CampaignInput(CAMPAIGN, provenance=parse_provenance("from, tries ,status"))
    row = rows_of(recall_csv(select_records(export(*records), named), named)[0])[0]
    assert (row["from"], row["tries"], row["status"]) == (CAMPAIGN, "1", "failed")


def test_the_phone_column_is_the_field_that_holds_the_number() -> None:
    mobile = OutcomeRecord(
        "a" * 24, "+14155550009", {"mobile": "(415) 555-0009"}, "failed", 1, 0, 0
    )
    assert phone_key([mobile]) == "mobile"
    bare = OutcomeRecord("b" * 24, "+14155550010", {"name": "Ada"}, "failed", 1, 0, 0)
    assert phone_key([bare]) == "phoneNumber"
    want = CampaignInput(CAMPAIGN, provenance=None)
    content, phone = recall_csv(select_records(export(mobile), want), want)
    assert phone == "mobile"
    assert rows_of(content) == [{"mobile": "+14155550009"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("completed", "never called again"),
        ("no_answer,completed", "never called again"),
        (" , ", "no status given"),
    ],
)
def test_statuses_that_cannot_be_asked_for(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_statuses(text)


@pytest.mark.parametrize("text", ["a,b", "a,b,c,d", "a,a,b", "a,,b"])
def test_provenance_names_are_three_different_names(text: str) -> None:
    with pytest.raises(UsageError, match="three different field names"):
        parse_provenance(text)


def test_the_default_provenance_names() -> None:
    assert PROVENANCE == ("source_campaign", "attempts", "last_status")
