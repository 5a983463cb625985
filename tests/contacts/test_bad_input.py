"""Files and options that cannot be read: one-line UsageErrors (exit 2), never a traceback."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from audience_cli.cli.hints import hint_for, message_for
from audience_cli.contacts import CsvOptions, collect_contacts
from audience_cli.errors import ExitCode, UsageError, exit_code_for

from .helpers import DATA, collect


def usage_error(call: Callable[[], object]) -> UsageError:
    with pytest.raises(UsageError) as caught:
        call()
    error = caught.value
    assert exit_code_for(error) is ExitCode.USAGE
    assert "\n" not in error.message
    return error


def test_binary_file() -> None:
    error = usage_error(lambda: collect("logo.png"))
    assert error.message == f"{DATA / 'logo.png'}: not a text file (it contains NUL bytes)"


def test_nul_bytes_after_the_first_chunk(write_file: Callable[..., str]) -> None:
    path = write_file(b"phone\n" + b"+14155550132\n" * 20_000 + b"\x00\x01\x02")
    assert (
        "not a text file"
        in usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions())).message
    )


@pytest.mark.parametrize(
    ("head", "what", "hint"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an Excel 97-2003 workbook (.xls)",
            "save it as an .xlsx workbook or as CSV (UTF-8) first",
        ),
        (b"\x1f\x8b\x08\x00", "a gzip archive", "export or save it as CSV (UTF-8) first"),
    ],
)
def test_workbooks_and_archives_are_named(
    write_file: Callable[..., str], head: bytes, what: str, hint: str
) -> None:
    path = write_file(head + b"rest of the file", "leads.xls")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == f"{path}: this is {what}, not a CSV file"
    assert error.hint == hint


def test_empty_file() -> None:
    error = usage_error(lambda: collect("empty.csv"))
    assert error.message == f"{DATA / 'empty.csv'}: the file is empty"


@pytest.mark.parametrize("content", [b"\n\n\r\n", b"\xef\xbb\xbf", b" , ,\n,,\n"])
def test_blank_file_counts_as_empty(write_file: Callable[..., str], content: bytes) -> None:
    path = write_file(content)
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == f"{path}: the file is empty"


def test_missing_phone_column_lists_the_header_and_suggests_the_option() -> None:
    error = usage_error(lambda: collect("no_phone_column.csv"))
    assert error.message == (
        f"{DATA / 'no_phone_column.csv'}: no phone column in the header "
        "('Name', 'Email', 'Company')"
    )
    assert "--phone-column" in (hint_for(error) or "")


def test_missing_phone_column_with_a_long_header_is_still_one_short_line(
    write_file: Callable[..., str],
) -> None:
    path = write_file(",".join(f"col{i}" for i in range(40)) + "\n" + "x," * 39 + "x\n")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message.endswith("'col11', … and 28 more)")


def test_decode_error_names_file_line_column_and_byte() -> None:
    error = usage_error(lambda: collect("de_semicolon_cp1252.csv"))
    # Line 1 is "Vorname;Nachname;Telefon;Firma;Straße;Umsatz": ß is byte 0xDF in cp1252.
    assert error.message == (
        f"{DATA / 'de_semicolon_cp1252.csv'}: line 1, column 36: "
        "byte 0xDF (offset 35) is not valid utf-8"
    )
    from audience_cli.cli.hints import hint_for

    assert error.hint is None  # the plain side states the fact; the CLI adds the flag:
    assert "--encoding cp1252" in (hint_for(error) or "")


def test_decode_error_deep_in_a_file_after_multiline_records(
    write_file: Callable[..., str],
) -> None:
    rows = 'phone,notes\n+14155550132,"one\ntwo"\n' + "+14155550133,ok\n" * 5000
    path = write_file(rows.encode() + b"+14155550134,caf\xe9\n")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    # header (1) + a two-line record (2-3) + 5000 lines (4-5003): the bad row is line 5004.
    offset = len(rows.encode()) + len("+14155550134,caf")
    assert error.message == (
        f"{path}: line 5004, column 17: byte 0xE9 (offset {offset}) is not valid utf-8"
    )


def test_decode_error_of_the_last_line_without_newline(write_file: Callable[..., str]) -> None:
    path = write_file(b"phone,name\r\n+14155550132,\xff")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == f"{path}: line 2, column 14: byte 0xFF (offset 25) is not valid utf-8"


def test_missing_file_and_directory(tmp_path: object) -> None:
    missing = f"{tmp_path}/nope.csv"
    error = usage_error(lambda: collect_contacts(csv_path=missing, options=CsvOptions()))
    assert error.message == f"{missing}: no such file"
    error = usage_error(lambda: collect_contacts(csv_path=str(tmp_path), options=CsvOptions()))
    assert error.message == f"{tmp_path}: is a directory, not a CSV file"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"encoding": "klingon"}, "unknown encoding 'klingon'"),
        ({"encoding": "rot13"}, "'rot13' is not a text encoding"),
        ({"delimiter": "ab"}, "bad delimiter 'ab': give one character"),
        ({"delimiter": '"'}, "bad delimiter '\"': give one character"),
        (
            {"region": "XX"},
            "unknown region 'XX': use an ISO 3166 alpha-2 code such as US, GB, DE",
        ),
    ],
)
def test_bad_options(options: dict[str, str], message: str) -> None:
    # Region and delimiter are checked when the options are made; the encoding when read.
    error = usage_error(
        lambda: collect_contacts(
            csv_path="-", options=CsvOptions(**options), stdin=io.BytesIO(b"phone\n+14155550132\n")
        )
    )
    assert error.message == message


def test_unterminated_quote_that_swallows_the_file(write_file: Callable[..., str]) -> None:
    path = write_file('phone,notes\n+14155550132,"never closed\n' + "x" * 200_000 + "\n")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message.startswith(f"{path}: line 2: cannot read CSV: field larger than")
    assert error.hint == "check for a quote that is opened but never closed"


def test_one_huge_line_is_not_a_csv(
    write_file: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("audience_cli.contacts.decoding.MAX_LINE_BYTES", 1 << 20)
    path = write_file("phone\n+14155550132\n" + "9" * (3 << 20))
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == f"{path}: line 3 is longer than 1 MB: this is not a CSV file"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [False, True])
def test_unterminated_quote_in_a_small_file(
    write_file: Callable[..., str], newline: str, final_newline: bool
) -> None:
    text = newline.join(["Name,Phone", '"unterminated,+14155550101', "Bob,+14155550102"])
    path = write_file(text + newline if final_newline else text)
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == (
        f"{path}: line 2: a quote opened on this line is never closed "
        "(the field runs to the end of the file)"
    )
    assert error.hint == 'close the quote, or write a quote that is part of the text as two ("")'


def test_unterminated_quote_names_the_line_it_opened_on() -> None:
    # Line 3's record has a closed two-line field, then opens a quote on line 4.
    text = b'phone,a,b\n+14155550101,x,y\n+14155550102,"one\ntwo","never\nclosed\n'
    error = usage_error(
        lambda: collect_contacts(csv_path="-", options=CsvOptions(), stdin=io.BytesIO(text))
    )
    assert error.message.startswith("<stdin>: line 4: a quote opened on this line is never closed")


def test_a_quote_closed_on_the_last_line_without_a_newline_is_fine() -> None:
    text = b'phone,notes\n+14155550101,"one\ntwo"'
    with collect_contacts(csv_path="-", options=CsvOptions(), stdin=io.BytesIO(text)) as batch:
        assert [(c.phone, dict(c.fields)) for c in batch] == [
            ("+14155550101", {"notes": "one\ntwo"})
        ]


def test_missing_phone_column_with_long_names_cuts_each_name(
    write_file: Callable[..., str],
) -> None:
    names = [f"{i:02d}" + "x" * 98 for i in range(30)]
    path = write_file(",".join(names) + "\n" + ",".join("y" * 30) + "\n")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    shown = ", ".join(repr(f"{i:02d}" + "x" * 37 + "…") for i in range(12))
    assert error.message == f"{path}: no phone column in the header ({shown}, … and 18 more)"
    assert len(error.message) - len(path) < 600


def test_a_header_that_is_one_huge_cell_is_cut(write_file: Callable[..., str]) -> None:
    # An unknown delimiter: the 2 KB header is one name.
    path = write_file("a^" * 1000 + "\nb^" * 3 + "\n")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == f"{path}: no phone column in the header ('{'a^' * 19}a…')"


@pytest.mark.parametrize(
    ("content", "listed", "example"),
    [
        ("Ada,+1415555010\nBob,+14155550102\n", "'Ada', '+1415555010'", "'name,phone'"),
        (
            "ada@example.com;Ada Lovelace;0170 1234567;7\nbob@example.com;Bob;0170 7654321;8\n",
            "'ada@example.com', 'Ada Lovelace', '0170 1234567', '7'",
            "'email;name;phone;column4'",
        ),
    ],
)
def test_a_file_without_a_header_row_is_told_to_add_one(
    write_file: Callable[..., str], content: str, listed: str, example: str
) -> None:
    path = write_file(content)
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == (
        f"{path}: the file seems to have no header row: its first line is data ({listed})"
    )
    assert error.hint == f"add a first line naming the columns, e.g. {example}"


def test_a_file_without_a_header_row_and_a_phone_column_option(
    write_file: Callable[..., str],
) -> None:
    path = write_file("Ada,+14155550101\n")
    error = usage_error(
        lambda: collect_contacts(csv_path=path, options=CsvOptions(phone_column="Phone"))
    )
    assert message_for(error) == (
        f"{path}: no column 'Phone' (--phone-column); the header has: 'Ada', '+14155550101'"
    )
    assert error.hint == "add a first line naming the columns, e.g. 'name,phone'"


def test_a_header_wider_than_the_column_cap(write_file: Callable[..., str]) -> None:
    path = write_file(",".join(["phone", *(f"c{i}" for i in range(10))]) + "\n+14155550132\n")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions(max_columns=10)))
    assert error.message == f"{path}: line 1: 11 columns, more than the 10 a row may have"
    assert error.hint is not None and "AUDIENCE_MAX_COLUMNS" in error.hint


def test_a_row_wider_than_the_column_cap_names_its_line(write_file: Callable[..., str]) -> None:
    # sep= (line 1), the header (2), a record over lines 3-4, then the wide row on line 5.
    wide = ";".join(["+14155550133", *("x" * 10)])
    path = write_file(f'sep=;\nphone;notes\n+14155550132;"two\nlines"\n{wide}\n')
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions(max_columns=10)))
    assert error.message == f"{path}: line 5: 11 columns, more than the 10 a row may have"


def test_the_column_cap_is_10000_by_default_and_a_setting(
    write_file: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def wide(columns: int) -> str:
        return write_file(",".join(["phone", *(f"c{i}" for i in range(1, columns))]) + "\n")

    with collect_contacts(csv_path=wide(10_000), options=CsvOptions()) as batch:
        assert len(batch.report.header) == 10_000
    path = wide(10_001)
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert error.message == f"{path}: line 1: 10,001 columns, more than the 10,000 a row may have"
    monkeypatch.setenv("AUDIENCE_MAX_COLUMNS", "20000")
    with collect_contacts(csv_path=path, options=CsvOptions()) as batch:
        assert len(batch.report.header) == 10_001
    monkeypatch.setenv("AUDIENCE_MAX_COLUMNS", "many")
    error = usage_error(lambda: collect_contacts(csv_path=path, options=CsvOptions()))
    assert (
        error.message
        == "AUDIENCE_MAX_COLUMNS='many': give the columns a row may have, 1 to 10,000,000"
    )


def test_one_huge_utf16_line_is_not_a_csv(
    write_file: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("audience_cli.contacts.decoding.MAX_LINE_BYTES", 1 << 20)
    path = write_file(("phone\n+14155550132\n" + "9" * (3 << 20)).encode("utf-16"))
    error = usage_error(
        lambda: collect_contacts(csv_path=path, options=CsvOptions(encoding="utf-16"))
    )
    assert error.message == f"{path}: line 3 is longer than 1 MB: this is not a CSV file"
