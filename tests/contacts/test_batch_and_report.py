"""The spooled batch, the de-dup set, the report and the CSV writers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audience_cli.cli.hints import REPORT_WORDS
from audience_cli.contacts import (
    Contact,
    CsvOptions,
    ImportReport,
    Reject,
    collect_contacts,
    write_clean_csv,
    write_rejects,
)
from audience_cli.contacts.dedup import PhoneKeySet
from audience_cli.contacts.spool import RejectLog
from audience_cli.errors import UsageError

from .helpers import DATA, collect


def many(n: int) -> str:
    return "phone,name,n\n" + "".join(f"+1415555{i:04d},Ada Lovelace,{i}\n" for i in range(n))


def test_batch_is_reiterable_and_iterators_are_independent(write_file: Callable[..., str]) -> None:
    path = write_file(many(3000))  # ~100 KB of spool: several read blocks
    with collect_contacts(csv_path=path, options=CsvOptions()) as batch:
        assert len(batch) == 3000
        first, second = iter(batch), iter(batch)
        assert next(first).fields == {"n": "0"}
        assert [next(second).fields["n"] for _ in range(5)] == ["0", "1", "2", "3", "4"]
        assert next(first).fields == {"n": "1"}
        assert [c.fields["n"] for c in batch] == [str(i) for i in range(3000)]
        assert [c.line for c in batch][-1] == 3001


def test_chunks(write_file: Callable[..., str]) -> None:
    path = write_file(many(10))
    with collect_contacts(csv_path=path, options=CsvOptions()) as batch:
        assert [len(chunk) for chunk in batch.chunks(4)] == [4, 4, 2]
        assert [c.phone for chunk in batch.chunks(100) for c in chunk] == [c.phone for c in batch]
        with pytest.raises(ValueError):
            next(batch.chunks(0))


def test_spool_moves_to_disk_and_back(
    write_file: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("audience_cli.contacts.spool.MEMORY_LIMIT", 1000)
    path = write_file(many(500))
    with collect_contacts(csv_path=path, options=CsvOptions()) as batch:
        assert batch._spool._lines._file._rolled  # type: ignore[attr-defined]
        assert [c.fields["n"] for c in batch] == [str(i) for i in range(500)]


def test_closed_batch() -> None:
    batch = collect("pipe_delimited.csv")
    batch.close()
    with pytest.raises(ValueError, match="closed"):
        list(batch)


def test_contacts_survive_the_spool_exactly() -> None:
    odd = {"k": 'quote " comma , newline \n tab \t', "emoji": "📞", "surrogate": "\udcff"}
    contact = Contact("+14155550132", "Zoë", "Ångström", odd)
    with collect_contacts(csv_path=None, options=CsvOptions(), flag_contacts=[contact]) as batch:
        assert list(batch) == [contact]
        assert batch.csv_header_keys() == ["k", "emoji", "surrogate"]


def test_to_member() -> None:
    contact = Contact("+14155550132", "Ada", "", {"company": "Acme", "phone": "x"}, 2)
    assert contact.to_member() == {
        "firstName": "Ada",
        "phoneNumber": "+14155550132",
        "company": "Acme",
        "phone": "x",
    }
    # A data key never overwrites the number, whatever the audience calls its column.
    assert contact.to_member("phone") == {
        "firstName": "Ada",
        "phone": "+14155550132",
        "company": "Acme",
    }
    assert list(Contact("+14155550132").to_member()) == ["phoneNumber"]
    assert hash(contact) == hash(Contact("+14155550132", "Ada", "", {}, 2))


# -- de-dup set ----------------------------------------------------------------------------


def test_phone_key_set() -> None:
    seen = PhoneKeySet(capacity=1)
    assert seen.add("+14155550132") is True
    assert seen.add("+14155550132") is False
    assert "+14155550132" in seen and "+14155550133" not in seen and "garbage" not in seen
    for i in range(10_000):
        seen.add(f"+4420794{i:05d}")
    assert len(seen) == 10_001
    assert all(f"+4420794{i:05d}" in seen for i in range(10_000))
    with pytest.raises(ValueError):
        seen.add("14155550132")


@given(st.lists(st.integers(min_value=10**6, max_value=10**15 - 1), max_size=300))
def test_phone_key_set_behaves_like_a_set(numbers: list[int]) -> None:
    seen, reference = PhoneKeySet(capacity=2), set()
    for n in numbers:
        assert seen.add(f"+{n}") is (n not in reference)
        reference.add(n)
    assert len(seen) == len(reference)


# -- report --------------------------------------------------------------------------------


def test_summary_lines_and_to_dict_for_the_readme_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parents[2])  # the repository, where the README runs it
    with collect_contacts(csv_path="examples/leads.csv", options=CsvOptions(region="US")) as batch:
        report = batch.report
        assert report.summary_lines() == [
            "examples/leads.csv: 12 rows read · 9 valid · 2 rejected "
            "(TOO_SHORT 1, NOT_A_NUMBER 1) · 1 duplicate dropped",
            "  countries: US 6, GB 1, CH 1, FR 1 · types: FIXED_LINE_OR_MOBILE 6, FIXED_LINE 2, "
            "MOBILE 1",
            "  columns: First Name → firstName, Last Name → lastName, Phone → phoneNumber, "
            "Company Name → company_name, Lead Source → lead_source",
            "  line 6: '12345' TOO_SHORT: too short",
            "  line 10: 'call me' NOT_A_NUMBER: not a phone number",
        ]
        assert report.to_dict() == {
            "rows": 12,
            "valid": 9,
            "invalid": 2,
            "duplicates": 1,
            "rejects": [
                {"line": 6, "value": "12345", "reason": "TOO_SHORT"},
                {"line": 10, "value": "call me", "reason": "NOT_A_NUMBER"},
            ],
            "columns": {
                "First Name": "firstName",
                "Last Name": "lastName",
                "Phone": "phoneNumber",
                "Email": "Email",
                "Company Name": "company_name",
                "Lead Source": "lead_source",
                "Notes": "Notes",
            },
            "countries": {"US": 6, "GB": 1, "CH": 1, "FR": 1},
            "types": {"FIXED_LINE_OR_MOBILE": 6, "FIXED_LINE": 2, "MOBILE": 1},
        }
        json.dumps(report.to_dict())


def test_report_with_upload_results_and_many_rejects() -> None:
    report = ImportReport(
        source="big.csv",
        rows=15,
        valid=1,
        invalid=12,
        duplicates=2,
        rejects=[Reject(i + 2, f"v{i}", "EMPTY" if i % 3 else "TOO_LONG", {}) for i in range(12)],
        column_mapping={"phone": "phoneNumber"},
        added=0,
        skipped=1,
    )
    lines = report.summary_lines(REPORT_WORDS)
    assert lines[0] == (
        "big.csv: 15 rows read · 1 valid · 12 rejected (EMPTY 8, TOO_LONG 4) · "
        "2 duplicates dropped · 0 added · 1 skipped (already in the audience)"
    )
    assert lines[1] == "  columns: phone → phoneNumber"
    assert lines[2] == "  line 2: 'v0' TOO_LONG: too long"
    assert len(lines) == 2 + 10 + 1
    assert lines[-1] == "  … and 2 more, see --rejects"
    data = report.to_dict()
    assert (data["added"], data["skipped"]) == (0, 1)
    assert list(data) == [
        "rows", "valid", "invalid", "duplicates", "rejects", "added", "skipped", "columns",
        "countries", "types",
    ]  # fmt: skip
    assert "added" not in ImportReport(source="x").to_dict()


def test_report_counts_add_up_for_every_fixture() -> None:
    for name, options in [
        ("junk_and_duplicates.csv", {}),
        ("quoted_multiline.csv", {}),
        ("fr_semicolon_cp1252.csv", {"encoding": "cp1252", "region": "FR"}),
        ("google_contacts.csv", {}),
    ]:
        with collect(name, **options) as batch:
            r = batch.report
            assert (
                r.rows
                == r.valid + r.invalid + r.duplicates
                == len(batch) + r.invalid + r.duplicates
            )


# -- writers -------------------------------------------------------------------------------


def test_write_rejects_keeps_the_original_columns(tmp_path: Path) -> None:
    out = tmp_path / "rejects.csv"
    with collect("de_semicolon_cp1252.csv", encoding="cp1252", region="DE") as batch:
        write_rejects(str(out), batch.report)
    assert out.read_bytes().decode("utf-8") == (
        "line,reason,Vorname,Nachname,Telefon,Firma,Straße,Umsatz\r\n"
        "5,INVALID_NUMBER,Ärger,Öztürk,0170 12,,,\r\n"
    )


def test_write_rejects_with_odd_rows_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    text = b'phone,line,notes\n+14155550132,1,x\nbad,"multi\nline",extra,more\n'
    with collect_contacts(csv_path="-", options=CsvOptions(), stdin=io.BytesIO(text)) as batch:
        write_rejects("-", batch.report)
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert rows == [
        ["rejected_line", "reason", "phone", "line", "notes", "column_4"],
        ["3", "NOT_A_NUMBER", "bad", "multi\nline", "extra", "more"],
    ]


def test_write_rejects_with_no_rejects_writes_the_header(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    with collect("pipe_delimited.csv") as batch:
        write_rejects(str(out), batch.report)
    assert out.read_bytes().decode() == "line,reason,tel,contact name,account id\r\n"


def test_write_clean_csv_reads_back_to_the_same_contacts(tmp_path: Path) -> None:
    out = tmp_path / "clean.csv"
    with collect("quoted_multiline.csv") as batch:
        write_clean_csv(str(out), batch)
        original = [c.to_member() for c in batch]
    assert out.read_text().splitlines()[0] == "firstName,lastName,phoneNumber,address,notes"
    with collect_contacts(csv_path=str(out), options=CsvOptions()) as again:
        assert [c.to_member() for c in again] == original
        assert again.report.column_mapping["phoneNumber"] == "phoneNumber"


def test_write_clean_csv_quotes_a_lone_carriage_return(capsys: pytest.CaptureFixture[str]) -> None:
    contact = Contact("+14155550132", fields={"note": "a\rb"})
    with collect_contacts(csv_path=None, options=CsvOptions(), flag_contacts=[contact]) as batch:
        write_clean_csv("-", batch)
    assert capsys.readouterr().out == (
        'firstName,lastName,phoneNumber,note\r\n,,+14155550132,"a\rb"\r\n'
    )


def test_unwritable_path(tmp_path: Path) -> None:
    with collect("pipe_delimited.csv") as batch, pytest.raises(UsageError) as caught:
        write_clean_csv(str(tmp_path / "no" / "such" / "dir.csv"), batch)
    assert caught.value.message.startswith("cannot write the clean file ")
    assert "does not exist" in caught.value.message


def test_fixture_files_are_what_they_claim() -> None:
    assert (DATA / "excel_utf8_bom_crlf.csv").read_bytes().startswith(b"\xef\xbb\xbfName,")
    assert b"\r\n" in (DATA / "excel_utf8_bom_crlf.csv").read_bytes()
    assert b"\xdf" in (DATA / "de_semicolon_cp1252.csv").read_bytes()  # ß in cp1252


# -- rejects are spooled too ---------------------------------------------------------------


def test_reject_log_is_a_sequence(
    write_file: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("audience_cli.contacts.spool.MEMORY_LIMIT", 2000)
    path = write_file("phone,name\n" + "".join(f"bad{i},Zoë {i}\n" for i in range(300)))
    with collect_contacts(csv_path=path, options=CsvOptions()) as batch:
        log = batch.report.rejects
    assert isinstance(log, RejectLog)
    assert len(log) == 300 and bool(log)
    assert log[0] == Reject(2, "bad0", "NOT_A_NUMBER", {"phone": "bad0", "name": "Zoë 0"})
    assert log[-1].line == 301
    assert [r.line for r in log[10:13]] == [12, 13, 14]
    assert [r.line for r in log[::100]] == [2, 102, 202]
    assert [r.line for r in log[-2:]] == [300, 301]
    assert log[298:][0].value == "bad298"
    assert [r.line for r in log[2::-1]] == [4, 3, 2]
    with pytest.raises(IndexError):
        log[300]
    assert log == list(log) and log != list(log)[:-1]
    assert log._lines._file._rolled  # type: ignore[attr-defined]
    # "bad0".."bad9" hold too few digits; "bad10" on could be a national number.
    assert batch.report.by_reason() == {"MISSING_REGION": 290, "NOT_A_NUMBER": 10}
    assert len(batch.report.to_dict()["rejects"]) == 300
    assert batch.report.summary_lines(REPORT_WORDS)[-1] == "  … and 290 more, see --rejects"
