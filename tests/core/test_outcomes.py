"""A campaign's outcomes read from its export (JSON and CSV), grouped and summed."""

from __future__ import annotations

import math

import httpx
import pytest

from audience_cli.client import AtomsClient
from audience_cli.core.outcomes import (
    OutcomeRecord,
    OutcomeSettings,
    parse_csv,
    read_outcomes,
    status_group,
    summarize,
)
from audience_cli.errors import (
    BadRequestError,
    ExitCode,
    ShortExportError,
    UnexpectedAnswerError,
    UsageError,
    exit_code_for,
)
from audience_cli.retry import RetryPolicy
from tests.campaign_server import CampaignServer, campaign, outcome

CID = "c" * 24
SECONDS = OutcomeSettings()


def client_of(server: CampaignServer) -> AtomsClient:
    return AtomsClient(
        "https://atoms.invalid/atoms/v1",
        "sk_test_0123456789abcdef",
        transport=server.transport(),
        retry=RetryPolicy(max_retries=0, sleep=lambda s: None),
    )


def mixed() -> list[dict]:
    return [
        outcome("m1", "+14155550101", "completed", 1, 90, 0.25, firstName="Ann"),
        outcome("m2", "+14155550102", "no_answer", 3, 0, 0.0, firstName="Bob"),
        outcome("m3", "+14155550103", "voicemail", 2, 30, 0.05, firstName="Cy"),
        outcome("m4", "+14155550104", None, 0, 0, 0.0, firstName="Di"),
        outcome("m5", "+14155550105", "in_progress", 1, 12, 0.02),
    ]


@pytest.mark.parametrize(
    ("status", "group"),
    [
        ("completed", "completed"),
        ("failed", "final"),
        ("no_answer", "final"),
        ("cancelled", "final"),
        ("No Answer", "final"),
        ("pending", "running"),
        ("in_queue", "running"),
        ("in_progress", "running"),
        ("processing", "running"),
        ("active", "running"),
        (None, "none"),
        ("", "none"),
        ("voicemail", "other"),
        ("busy", "other"),
    ],
)
def test_status_groups(status: str | None, group: str) -> None:
    assert status_group(status) == group


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_both_forms_read_the_same_records(fmt: str) -> None:
    server = CampaignServer([campaign(CID, "Spring")], exports={CID: mixed()})
    export = read_outcomes(client_of(server), campaign(CID, "Spring"), fmt)
    assert (export.campaign_id, export.name, export.total, export.fmt) == (CID, "Spring", 5, fmt)
    by_id = {r.member_id: r for r in export.records}
    assert by_id["m1"] == OutcomeRecord(
        "m1",
        "+14155550101",
        {"phoneNumber": "+14155550101", "firstName": "Ann"},
        "completed",
        1,
        90.0,
        0.25,
    )
    assert by_id["m3"].status == "voicemail" and by_id["m3"].group == "other"  # kept, not dropped
    assert by_id["m4"].status is None and by_id["m4"].group == "none"
    assert by_id["m4"].attempts == 0
    assert [r.member_id for r in export.records] == ["m1", "m2", "m3", "m4", "m5"]
    if fmt == "csv":  # a member lacking a key gets an empty cell
        assert by_id["m5"].data["firstName"] == ""
    else:
        assert export.exported_at == "2026-11-02T10:00:00.000Z"


def test_a_short_json_export_is_refused_with_both_counts_exit_7() -> None:
    server = CampaignServer([campaign(CID, "Spring")], exports={CID: mixed()}, totals={CID: 1000})
    with pytest.raises(ShortExportError) as caught:
        read_outcomes(client_of(server), campaign(CID, "Spring"), "json")
    assert caught.value.message == (
        f"the outcome export of campaign 'Spring' ({CID}) holds 5 records but counts "
        "1,000 audience members: it is incomplete, so it was not used"
    )
    assert (caught.value.read, caught.value.stated) == (5, 1000)
    assert exit_code_for(caught.value) == ExitCode.UNAVAILABLE


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_of_no_record_is_valid(fmt: str) -> None:
    server = CampaignServer([campaign(CID, "Empty")], exports={CID: []})
    export = read_outcomes(client_of(server), campaign(CID, "Empty"), fmt)
    assert (export.total, export.records) == (0, [])
    summary = summarize(export.records)
    assert summary.rows == [] and summary.total.count == 0 and summary.total.share == 0.0


def test_an_empty_csv_body_is_no_record() -> None:
    assert parse_csv(b"", SECONDS) == []
    assert parse_csv(b"\xef\xbb\xbfphoneNumber,finalStatus\r\n", SECONDS) == []


def test_csv_columns_by_alias_with_a_bom_and_quoted_fields() -> None:
    content = (
        "\ufeffMember ID,Phone Number,Final Status,Total Attempts,Call Duration,Cost,Notes\r\n"
        '  m1 ,+14155550101,No Answer,2,61.5,0.3,"said ""call back"", later\nthanks"\r\n'
        "m2,+14155550102,,,,,\r\n"
    ).encode()
    first, second = parse_csv(content, SECONDS)
    assert first == OutcomeRecord(
        "m1",
        "+14155550101",
        {"Notes": 'said "call back", later\nthanks'},
        "No Answer",
        2,
        61.5,
        0.3,
    )
    assert first.group == "final"
    assert (second.status, second.attempts, second.duration_s, second.cost) == (None, 0, 0.0, 0.0)


def test_csv_columns_named_by_the_setting_come_first() -> None:
    settings = OutcomeSettings.from_env({"AUDIENCE_OUTCOME_COLUMNS": "status=Call Outcome"})
    content = b"phone,status,call_outcome\n+14155550101,queued,completed\n"
    [record] = parse_csv(content, settings)
    assert record.status == "completed" and record.data == {"status": "queued"}


def test_the_duration_unit_is_a_setting() -> None:
    settings = OutcomeSettings.from_env({"AUDIENCE_CALL_DURATION_UNIT": "ms"})
    [record] = parse_csv(b"phoneNumber,totalCallDuration\n+14155550101,90000\n", settings)
    assert record.duration_s == 90.0
    with pytest.raises(UsageError, match="AUDIENCE_CALL_DURATION_UNIT='min': s"):
        OutcomeSettings.from_env({"AUDIENCE_CALL_DURATION_UNIT": "min"})
    with pytest.raises(UsageError, match="not ROLE=COLUMN; the roles are member_id, phone"):
        OutcomeSettings.from_env({"AUDIENCE_OUTCOME_COLUMNS": "colour=Blue"})


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"name,status\nAnn,completed\n", "no phone number column among 'name', 'status'"),
        (b"phone,attempts\n+14155550101,two\n", "row 2, column 'attempts': 'two' is not a number"),
        (b"phone,attempts\n+14155550101,1.5\n", "'1.5' is not a whole number"),
        (b"phone,cost\n+14155550101,-1\n", "'-1' is not a number of 0 or more"),
        (b"phone\n+14155550101,extra\n", "row 2 has 2 cells, the header 1"),
        (b"phone\n\xff\n", "not UTF-8"),
    ],
)
def test_a_csv_this_tool_cannot_read_says_why(content: bytes, why: str) -> None:
    with pytest.raises(UnexpectedAnswerError, match="CSV export is not what this tool reads") as c:
        parse_csv(content, SECONDS)
    assert why in c.value.message
    assert exit_code_for(c.value) == ExitCode.UNAVAILABLE


def test_json_member_data_values_become_text() -> None:
    record = outcome("m1", "+14155550101", "completed", vip=True, score=3, tags=["a"], note=None)
    server = CampaignServer([campaign(CID, "S")], exports={CID: [record]})
    [read] = read_outcomes(client_of(server), campaign(CID, "S"), "json").records
    assert read.data == {
        "phoneNumber": "+14155550101",
        "vip": "true",
        "score": "3",
        "tags": '["a"]',
        "note": "",
    }


def test_summary_maths() -> None:
    server = CampaignServer([campaign(CID, "Spring")], exports={CID: mixed()})
    records = read_outcomes(client_of(server), campaign(CID, "Spring"), "json").records
    more = [*records, OutcomeRecord("m6", "+1", {}, "no_answer", 2, 30.0, 0.5)]
    summary = summarize(more)
    shown = [(r.status, r.group, r.count) for r in summary.rows]
    assert shown == [
        ("completed", "completed", 1),
        ("no_answer", "final", 2),
        ("in_progress", "running", 1),
        ("voicemail", "other", 1),
        (None, "none", 1),
    ]
    assert math.isclose(sum(r.share for r in summary.rows), 1.0)
    no_answer = summary.rows[1]
    assert math.isclose(no_answer.share, 2 / 6)
    assert math.isclose(no_answer.minutes, 0.5) and math.isclose(no_answer.cost, 0.5)
    total = summary.total
    assert total.count == 6 and total.share == 1.0
    assert math.isclose(total.minutes, (90 + 30 + 12 + 30) / 60)
    assert math.isclose(total.cost, 0.25 + 0.05 + 0.02 + 0.5)


def test_a_bad_answer_for_the_csv_is_a_server_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": False, "errors": ["export failed"]})

    client = AtomsClient(
        "https://atoms.invalid/atoms/v1",
        "sk_test_0123456789abcdef",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_retries=0, sleep=lambda s: None),
    )
    with pytest.raises(BadRequestError, match="export failed"):
        read_outcomes(client, campaign(CID, "S"), "csv")
