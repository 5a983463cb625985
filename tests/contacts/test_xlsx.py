"""Excel workbooks (.xlsx) read as directly as CSV files: one sheet, cells as they show."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest

from audience_cli.cli.hints import REPORT_WORDS, hint_for, message_for
from audience_cli.contacts import CsvOptions, collect_contacts, write_rejects
from audience_cli.errors import ExitCode, UsageError, exit_code_for
from tests.workbooks import write_workbook

from .helpers import as_tuples, counts

HEADER = ["First Name", "Last Name", "Phone", "Signed Up", "Score"]


def collect(path: Path, **options: object):
    return collect_contacts(csv_path=str(path), options=CsvOptions(**options))  # type: ignore[arg-type]


def usage_error(path: Path, **options: object) -> UsageError:
    with pytest.raises(UsageError) as caught:
        collect(path, **options).close()
    error = caught.value
    assert exit_code_for(error) is ExitCode.USAGE
    assert "\n" not in error.message
    return error


def test_a_workbook_is_read_like_a_csv_file(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "leads.xlsx",
        [
            HEADER,
            ["Ada", "Lovelace", 14155550102, dt.datetime(2024, 3, 14), 0.5],
            ["Grace", "Hopper", "(415) 555-0103", dt.datetime(2024, 1, 2, 9, 30), 12],
            ["Alan", "Turing", 14155550104.0, None, 1234.5],
        ],
        formats={"D2": "dd/mm/yyyy", "E2": "0%", "D3": "m/d/yy h:mm", "E4": "#,##0.00"},
    )
    with collect(path, region="US") as batch:
        assert as_tuples(batch) == [
            ("+14155550102", "Ada", "Lovelace", {"signed_up": "14/03/2024", "Score": "50%"}, 2),
            (
                "+14155550103",
                "Grace",
                "Hopper",
                {"signed_up": "2024-01-02 09:30", "Score": "12"},
                3,
            ),
            ("+14155550104", "Alan", "Turing", {"Score": "1,234.50"}, 4),
        ]
        report = batch.report
        assert report.header == HEADER
        assert report.column_mapping == {
            "First Name": "firstName",
            "Last Name": "lastName",
            "Phone": "phoneNumber",
            "Signed Up": "signed_up",
            "Score": "Score",
        }
        assert report.note_texts(REPORT_WORDS) == []


def test_a_phone_stored_as_a_number_keeps_its_digits_and_its_format(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "numbers.xlsx",
        [
            ["Phone", "Country"],
            [14155550102, "US"],  # General: every digit, never 1.4155550102E10
            [7911123456, "GB"],  # "00000000000": the leading zero the cell shows
            [4155550103, "US"],  # "(###) ###-####"
            [5550104, "US"],  # Excel's phone format, the 7-digit branch: a short number
            [2079460958, "GB"],
        ],
        formats={
            "A3": "00000000000",
            "A4": "(###) ###-####",
            "A5": "[<=9999999]###-####;(###) ###-####",
            "A6": "00000000000",
        },
    )
    with collect(path) as batch:
        assert [c.phone for c in batch] == [
            "+14155550102",
            "+447911123456",
            "+14155550103",
            "+442079460958",
        ]
        assert [(r.value, r.reason) for r in batch.report.rejects] == [
            ("555-0104", "INVALID_NUMBER")
        ]


def test_rows_are_named_by_sheet_and_row_in_the_report_and_the_rejects(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "leads.xlsx",
        [
            ["Name", "Phone"],
            ["Ada", "+14155550102"],
            [],  # an empty row in the middle: skipped, the numbering goes on
            ["Linus", 12345],
            ["Barbara", "call me"],
        ],
        title="Q1 Leads",
    )
    with collect(path, region="US") as batch:
        report = batch.report
        assert counts(batch) == (3, 1, 2, 0)
        assert [(report.place(r.line), r.value, r.reason) for r in report.rejects] == [
            ("'Q1 Leads'!4", "12345", "TOO_SHORT"),
            ("'Q1 Leads'!5", "call me", "NOT_A_NUMBER"),
        ]
        assert report.summary_lines()[-2:] == [
            "  'Q1 Leads'!4: '12345' TOO_SHORT: too short",
            "  'Q1 Leads'!5: 'call me' NOT_A_NUMBER: not a phone number",
        ]
        assert [r["line"] for r in report.to_dict()["rejects"]] == ["'Q1 Leads'!4", "'Q1 Leads'!5"]
        out = tmp_path / "rejects.csv"
        write_rejects(str(out), report)
        assert list(csv.reader(out.open(newline=""))) == [
            ["line", "reason", "Name", "Phone"],
            ["'Q1 Leads'!4", "TOO_SHORT", "Linus", "12345"],
            ["'Q1 Leads'!5", "NOT_A_NUMBER", "Barbara", "call me"],
        ]


def test_sheet1_is_named_bare(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "a.xlsx", [["Phone"], ["+14155550102"], ["12"]])
    with collect(path, region="US") as batch:
        assert batch.report.summary_lines()[-1] == "  Sheet1!3: '12' TOO_SHORT: too short"


def test_empty_rows_and_columns_at_the_end_are_ignored(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["Phone", "Name", None, None])
    ws.append(["+14155550102", "Ada", None, ""])
    ws.append(["+14155550103", "Bob"])
    for row in range(4, 400):  # formatted but empty, as sheets often end
        ws.cell(row=row, column=1).number_format = "@"
        ws.cell(row=row, column=6).value = ""
    ws.cell(row=400, column=8).value = "   "
    book.save(tmp_path / "tail.xlsx")
    with collect(tmp_path / "tail.xlsx") as batch:
        assert counts(batch) == (2, 2, 0, 0)
        assert batch.report.header == ["Phone", "Name"]
        assert [c.first_name for c in batch] == ["Ada", "Bob"]


def test_the_first_sheet_is_read_unless_sheet_names_another(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "book.xlsx",
        [["Phone"], ["+14155550102"]],
        title="Leads",
        sheets={"Archive": [["Mobile"], ["+14155550103"], ["+14155550104"]], "Notes": []},
    )
    with collect(path) as batch:
        assert [c.phone for c in batch] == ["+14155550102"]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "read sheet 'Leads', the first; --sheet NAME reads another ('Archive', 'Notes')"
        ]
    for name in ("Archive", "archive"):  # Excel's sheet names are unique in any case
        with collect(path, sheet=name) as batch:
            assert [c.phone for c in batch] == ["+14155550103", "+14155550104"]
            assert batch.report.note_texts(REPORT_WORDS) == []
            assert batch.report.sheet == "Archive"


def test_an_unknown_sheet_is_an_error_naming_the_sheets(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "b.xlsx", [["Phone"]], title="Leads", sheets={"Q1 2024": []})
    error = usage_error(path, sheet="Leeds")
    assert (
        message_for(error)
        == f"{path}: no sheet 'Leeds' (--sheet); the workbook has 'Leads', 'Q1 2024'"
    )


def test_an_empty_sheet_and_sheet_with_a_csv_file_are_errors(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "e.xlsx", [], sheets={"Data": [["Phone"], ["+14155550102"]]})
    error = usage_error(path)
    assert error.message == f"{path}: sheet Sheet1 is empty"
    assert error.hint is None  # the plain side states the fact; the CLI adds the flag:
    assert hint_for(error) == "give a sheet with a header row (--sheet NAME picks another)"
    text = tmp_path / "t.csv"
    text.write_text("phone\n+14155550102\n")
    error = usage_error(text, sheet="Data")
    assert "--" not in error.message
    assert message_for(error) == (
        f"{text}: --sheet 'Data' names a sheet of an .xlsx workbook, and this is a text file"
    )
    assert hint_for(error) == "drop --sheet for a CSV file"


def test_text_file_options_are_noted_as_not_used(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "o.xlsx", [["Phone"], ["+14155550102"]])
    with collect(path, encoding="cp1252", delimiter=";") as batch:
        assert batch.report.note_texts(REPORT_WORDS) == [
            "--encoding and --delimiter not used: a workbook is not a text file"
        ]


def test_a_workbook_on_stdin_is_read_too(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "s.xlsx", [["Phone"], ["+14155550102"], ["12"]])
    stream = io.BytesIO(path.read_bytes())
    with collect_contacts(csv_path="-", options=CsvOptions(), stdin=stream) as batch:
        assert [c.phone for c in batch] == ["+14155550102"]
        assert batch.report.source == "<stdin>"
        assert batch.report.where(batch.report.rejects[0].line) == "Sheet1!3"


def test_a_row_wider_than_allowed_names_its_row(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "w.xlsx", [["Phone", "A"], ["+14155550102", *"bcdef"]])
    error = usage_error(path, max_columns=4)
    assert error.message == f"{path}: Sheet1!2: 6 columns, more than the 4 a row may have"


# --- files that are not workbooks, or not whole ones ---------------------------------------


def test_a_damaged_workbook_is_a_one_line_error(tmp_path: Path) -> None:
    good = write_workbook(tmp_path / "good.xlsx", [["Phone"], ["+14155550102"]])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    error = usage_error(cut)
    assert error.message.startswith(f"{cut}: a damaged .xlsx workbook or ZIP archive (")
    assert error.hint == (
        "open it in Excel and save it again as .xlsx, or export it as CSV (UTF-8)"
    )
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + b"\x00rest of the file" * 10)
    assert usage_error(garbage).message.startswith(f"{garbage}: a damaged .xlsx workbook")


def test_a_workbook_with_a_broken_part_is_a_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "<<<not xml")
    assert usage_error(broken).message.startswith(f"{broken}: a damaged .xlsx workbook (")
    good = write_workbook(tmp_path / "good.xlsx", [["Phone"], ["+14155550102"]])
    sheet_broken = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(sheet_broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the sheet's XML cut short
            dst.writestr(item, data)
    error = usage_error(sheet_broken)
    assert error.message.startswith(
        f"{sheet_broken}: a damaged .xlsx workbook: sheet Sheet1 cannot be read ("
    )


@pytest.mark.parametrize(
    ("members", "what"),
    [
        ({"hello.txt": "hi"}, "a ZIP archive"),
        (
            {"mimetype": "application/vnd.oasis", "content.xml": "<x/>"},
            "an OpenDocument file (.ods, .odt)",
        ),
        ({"[Content_Types].xml": "<x/>", "word/document.xml": "<x/>"}, "a Word document (.docx)"),
    ],
)
def test_other_zip_archives_are_named(tmp_path: Path, members: dict[str, str], what: str) -> None:
    path = tmp_path / "file.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    error = usage_error(path)
    assert error.message == f"{path}: this is {what}, not an Excel workbook (.xlsx) or a CSV file"


def test_a_binary_file_named_xlsx_is_not_called_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    error = usage_error(path)
    assert error.message == f"{path}: not an Excel workbook: the file is damaged or of another kind"


def test_the_json_report_names_rows_by_sheet(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "j.xlsx", [["Phone"], ["12"]])
    with collect(path, region="US") as batch:
        document = json.loads(json.dumps(batch.report.to_dict()))
        assert document["rejects"] == [{"line": "Sheet1!2", "value": "12", "reason": "TOO_SHORT"}]
