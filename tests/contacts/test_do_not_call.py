"""The file's own do-not-call signal: a column like "Do Not Call" or "Opted Out" whose
value is true rejects the row (DO_NOT_CALL), and every row with that number."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from audience_cli.cli.hints import REPORT_WORDS
from audience_cli.contacts import CsvOptions, collect_contacts, contacts_from_flags

from .helpers import as_tuples, counts, from_text, rejects


@pytest.mark.parametrize(
    "column",
    [
        "Do Not Call", "DoNotCall", "DNC", "Do not call", "do_not_call", "DO-NOT-CALL",
        "Opted Out", "HasOptedOutOfCalls", "Opt Out", "Opt-Out", "Unsubscribed", " dnc ",
    ],
)  # fmt: skip
def test_a_do_not_call_column_by_any_of_its_names(column: str) -> None:
    text = f"Name,Phone,{column},City\nAda,+14155550101,0,Paris\nBob,+14155550102,1,Rome\n"
    with from_text(text) as batch:
        assert as_tuples(batch) == [("+14155550101", "Ada", "", {"City": "Paris"}, 2)]
        assert counts(batch) == (2, 1, 1, 0)
        assert rejects(batch) == [(3, "+14155550102", "DO_NOT_CALL")]
        reject = batch.report.rejects[0]
        assert reject.detail == f"marked do-not-call in the file ({column.strip()})"
        # The column is not member data, but the rejected row keeps it as read.
        assert column.strip() not in batch.report.column_mapping
        assert reject.row == {
            "Name": "Bob",
            "Phone": "+14155550102",
            column.strip(): "1",
            "City": "Rome",
        }


@pytest.mark.parametrize(
    ("value", "marked"),
    [
        ("1", True), ("true", True), ("TRUE", True), ("True", True), ("yes", True),
        ("Yes", True), ("Y", True), ("y", True), ("x", True), ("X", True), (" yes ", True),
        ("0", False), ("false", False), ("FALSE", False), ("no", False), ("n", False),
        ("", False), ("maybe", False), ("2", False), ("-", False),
    ],
)  # fmt: skip
def test_which_values_mark_a_row(value: str, marked: bool) -> None:
    with from_text(f"Phone,DNC\n+14155550101,{value}\n") as batch:
        assert counts(batch) == ((1, 0, 1, 0) if marked else (1, 1, 0, 0))


@pytest.mark.parametrize(
    "column", ["Email Opt Out", "Unsubscribed from all email", "HasOptedOutOfEmail", "Opt In"]
)
def test_columns_about_email_or_opting_in_are_data(column: str) -> None:
    with from_text(f"Phone,{column}\n+14155550101,true\n") as batch:
        assert counts(batch) == (1, 1, 0, 0)
        assert len(next(iter(batch)).fields) == 1  # kept as data


def test_the_report_line_names_the_column() -> None:
    text = "Phone,Do Not Call\n+14155550101,\n(415) 555-0102,Yes\n"
    with from_text(text, region="US") as batch:
        lines = batch.report.summary_lines()
        assert (
            "  line 3: '(415) 555-0102' DO_NOT_CALL: marked do-not-call in the file (Do Not Call)"
        ) in lines
        assert "  do-not-call column Do Not Call: 1 row marked, rejected" in lines
        assert batch.report.to_dict()["rejects"] == [
            {
                "line": 3,
                "value": "(415) 555-0102",
                "reason": "DO_NOT_CALL",
                "detail": "marked do-not-call in the file (Do Not Call)",
            }
        ]


def test_several_do_not_call_columns_any_true_rejects() -> None:
    text = "Phone,DNC,Opted Out\n+14155550101,0,no\n+14155550102,,yes\n+14155550103,1,no\n"
    with from_text(text) as batch:
        assert counts(batch) == (3, 1, 2, 0)
        assert [r.detail for r in batch.report.rejects] == [
            "marked do-not-call in the file (Opted Out)",
            "marked do-not-call in the file (DNC)",
        ]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "do-not-call columns DNC, Opted Out: 2 rows marked, rejected"
        ]


def test_a_marked_number_is_not_called_from_a_later_row() -> None:
    text = (
        "Phone,DNC\n"
        "(415) 555-0101,yes\n"  # marked
        "+1 415 555 0101,\n"  # the same number, unmarked: still not called
        "+14155550102,\n"
    )
    with from_text(text, region="US") as batch:
        assert [c.phone for c in batch] == ["+14155550102"]
        assert counts(batch) == (3, 1, 2, 0)
        assert [(r.line, r.reason, r.detail) for r in batch.report.rejects] == [
            (2, "DO_NOT_CALL", "marked do-not-call in the file (DNC)"),
            (3, "DO_NOT_CALL", "marked do-not-call on another row of the file"),
        ]


def test_a_marked_number_already_taken_from_an_earlier_row_is_taken_out() -> None:
    text = (
        "Name,Phone,DNC\n"
        "Ada,+14155550101,\n"  # taken first...
        "Bob,+14155550102,\n"
        "Ada again,+14155550101,\n"  # a duplicate of Ada
        "Ada (opted out),(415) 555-0101,x\n"  # ...then marked: Ada comes out again
        "Cy,+442079460958,\n"
    )
    with from_text(text, region="US") as batch:
        assert [(c.phone, c.first_name) for c in batch] == [
            ("+14155550102", "Bob"),
            ("+442079460958", "Cy"),
        ]
        report = batch.report
        assert counts(batch) == (5, 2, 2, 1)
        assert report.rows == report.valid + report.invalid + report.duplicates
        assert [(r.line, r.value, r.reason, r.detail) for r in report.rejects] == [
            (5, "(415) 555-0101", "DO_NOT_CALL", "marked do-not-call in the file (DNC)"),
            (2, "+14155550101", "DO_NOT_CALL", "marked do-not-call on a later row of the file"),
        ]
        assert report.countries == {"US": 1, "GB": 1}
        assert report.types == {"FIXED_LINE_OR_MOBILE": 1, "FIXED_LINE": 1}


def test_a_marked_row_with_an_invalid_number_is_still_do_not_call() -> None:
    with from_text("Phone,DNC\nnot a number,1\n") as batch:
        assert rejects(batch) == [(2, "not a number", "DO_NOT_CALL")]


def test_numbers_being_taken_out_keep_their_marked_rows() -> None:
    """For remove, a marked row is exactly what should go: no screening."""
    text = "Phone,Do Not Call\n+14155550101,1\n+19005550123,1\n"
    with from_text(text, screen=False) as batch:
        assert [c.phone for c in batch] == ["+14155550101", "+19005550123"]  # premium too
        assert batch.report.note_texts(REPORT_WORDS) == [
            "do-not-call column Do Not Call: not applied to numbers taken out"
        ]


def test_the_suppression_hook_still_applies_after_the_files_own_marks() -> None:
    seen: list[str] = []

    def suppress(phone: str) -> str | None:
        seen.append(phone)
        return "EXCLUDED" if phone.endswith("3") else None

    text = "Phone,DNC\n+14155550101,1\n+14155550102,0\n+14155550103,0\n"
    flags = contacts_from_flags(["+14155550104"], [], None)
    with collect_contacts(
        csv_path="-",
        options=CsvOptions(),
        flag_contacts=flags,
        stdin=io.BytesIO(text.encode()),
        suppress=suppress,
    ) as batch:
        assert [c.phone for c in batch] == ["+14155550104", "+14155550102"]
        assert [(r.line, r.reason) for r in batch.report.rejects] == [
            (2, "DO_NOT_CALL"),
            (4, "EXCLUDED"),
        ]
        assert seen == ["+14155550104", "+14155550102", "+14155550103"]  # not the marked row


def test_validate_reports_do_not_call_rows_and_exits_3(cli, tmp_path: Path) -> None:
    source = tmp_path / "crm.csv"
    source.write_text("Name,Phone,DoNotCall\nAda,+14155550101,false\nBob,+14155550102,true\n")
    result = cli("validate", str(source), "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)["report"]
    assert (report["valid"], report["invalid"]) == (1, 1)
    assert report["rejects"] == [
        {
            "line": 3,
            "value": "+14155550102",
            "reason": "DO_NOT_CALL",
            "detail": "marked do-not-call in the file (DoNotCall)",
        }
    ]
    assert "DoNotCall" not in report["columns"]
