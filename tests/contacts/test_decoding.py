"""Bytes to records: encodings, BOMs, line endings, chunk boundaries and stdin."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audience_cli.cli.hints import REPORT_WORDS
from audience_cli.contacts import ContactBatch, CsvOptions, collect_contacts
from audience_cli.errors import ExitCode, UsageError, exit_code_for

from .helpers import DATA, as_tuples, collect

ADA = ("+14155550132", "Ada", "Lovelace")


def from_bytes(data: bytes, **options: object) -> ContactBatch:
    return collect_contacts(
        csv_path="-",
        options=CsvOptions(**options),  # type: ignore[arg-type]
        stdin=io.BytesIO(data),
    )


def test_stdin_from_an_injected_binary_stream() -> None:
    data = (DATA / "excel_utf8_bom_crlf.csv").read_bytes()
    with from_bytes(data) as batch, collect("excel_utf8_bom_crlf.csv") as from_file:
        assert as_tuples(batch) == as_tuples(from_file)
        assert batch.report.source == "<stdin>"
        assert batch.report.summary_lines()[0] == "<stdin>: 5 rows read · 5 valid"


def test_stdin_defaults_to_sys_stdin_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b"phone;name\n+14155550132;Ada Lovelace\n"))
    monkeypatch.setattr(sys, "stdin", fake)
    with collect_contacts(csv_path="-", options=CsvOptions()) as batch:
        assert as_tuples(batch) == [(*ADA, {}, 2)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    text = newline.join(["phone,name,notes", '+14155550132,Ada Lovelace,"a', 'b"', "x,y,z", ""])
    with from_bytes(text.encode()) as batch:
        assert as_tuples(batch) == [(*ADA, {"notes": f"a{newline}b"}, 2)]
        assert [(r.line, r.value) for r in batch.report.rejects] == [(4, "x")]


def test_utf16_with_bom_like_excel_unicode_text() -> None:
    text = "Name\tPhone\tCity\r\nAda Lovelace\t+14155550132\tZürich\r\n"
    with from_bytes(text.encode("utf-16")) as batch:
        assert as_tuples(batch) == [(*ADA, {"City": "Zürich"}, 2)]


def test_utf16_without_bom_needs_the_encoding() -> None:
    data = "phone\n+14155550132\n".encode("utf-16-le")
    with from_bytes(data, encoding="utf-16-le") as batch:
        assert [c.phone for c in batch] == ["+14155550132"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_plain_utf16_or_utf32_without_bom_finds_the_byte_order(codec: str) -> None:
    """The hint for NUL bytes says "--encoding utf-16": that must work with no BOM."""
    data = "phone,name\n+14155550132,Ada Lovelace\n".encode(codec)
    with from_bytes(data, encoding=codec[:6]) as batch:
        assert as_tuples(batch) == [(*ADA, {}, 2)]


def test_explicit_utf8_still_drops_the_bom() -> None:
    data = b"\xef\xbb\xbfphone,name\n+14155550132,Ada Lovelace\n"
    for encoding in ("utf-8", "UTF8", "utf-8-sig"):
        with from_bytes(data, encoding=encoding) as batch:
            assert batch.report.column_mapping == {
                "phone": "phoneNumber",
                "name": "firstName+lastName",
            }


def test_latin1_and_cp1252_differ_on_the_euro_sign() -> None:
    data = "phone;note\n+14155550132;5 €\n".encode("cp1252")
    with from_bytes(data, encoding="cp1252") as batch:
        assert [dict(c.fields) for c in batch] == [{"note": "5 €"}]
    with from_bytes(data, encoding="latin-1") as batch:
        assert [dict(c.fields) for c in batch] == [{"note": "5 \x80"}]


def test_sniffer_falls_back_to_the_header_and_then_to_comma() -> None:
    # One column: nothing to sniff, comma is assumed and the row is one cell.
    with from_bytes(b"phone\n+14155550132\n") as batch:
        assert len(batch) == 1
    # The data rows disagree with each other; the header decides.
    text = "phone|name|city\n+14155550132|Ada Lovelace|Paris, Texas\n+14155550199||\n"
    with from_bytes(text.encode()) as batch:
        assert as_tuples(batch) == [
            (*ADA, {"city": "Paris, Texas"}, 2),
            ("+14155550199", "", "", {}, 3),
        ]


CHUNKED_CASES = {
    "crlf_and_multibyte": "phone,name,notes\r\n"
    + "".join(f'+1415555{i:04d},Zoë Ångström,"ü{i}\r\nß"\r\n' for i in range(100, 160)),
    "cr_only": "phone,name\r" + "".join(f"+1415555{i:04d},Ada Lovelace\r" for i in range(100, 160)),
    "bom_and_no_final_newline": "\ufeffphone,name\n+14155550132,Ada Lovelace",
}


@pytest.mark.parametrize("case", sorted(CHUNKED_CASES))
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 64])
def test_chunk_boundaries_do_not_change_the_result(case: str, chunk_size: int) -> None:
    data = CHUNKED_CASES[case].encode()
    with from_bytes(data) as expected:
        want = as_tuples(expected)
    with mock.patch("audience_cli.contacts.decoding.CHUNK_SIZE", chunk_size):
        with from_bytes(data) as batch:
            assert as_tuples(batch) == want
        with from_bytes(CHUNKED_CASES[case].encode("utf-16"), encoding="utf-16") as batch:
            assert as_tuples(batch) == want


@pytest.mark.parametrize("chunk_size", [1, 7, 1 << 16])
def test_decode_error_position_does_not_depend_on_chunks(
    chunk_size: int, write_file: Callable[..., str]
) -> None:
    path = write_file(b'phone,name\r\n+14155550132,"Ad\r\na"\r\n+14155550199,Bj\xf6rn\r\n')
    with (
        mock.patch("audience_cli.contacts.decoding.CHUNK_SIZE", chunk_size),
        pytest.raises(Exception) as caught,
    ):
        collect_contacts(csv_path=path, options=CsvOptions())
    assert (
        str(caught.value) == f"{path}: line 4, column 16: byte 0xF6 (offset 49) is not valid utf-8"
    )


# -- property: whatever csv.writer writes, the pipeline reads back, with its line numbers --

_CELL = st.text(alphabet=st.sampled_from(list('ab ,;|"\r\n\téü€Z')), max_size=8)
_PHONES = [f"+1415555{n:04d}" for n in range(100, 110)]


@settings(max_examples=150)
@given(
    rows=st.lists(st.tuples(st.sampled_from(_PHONES), _CELL, _CELL), min_size=1, max_size=12),
    lineterminator=st.sampled_from(["\n", "\r\n"]),
    quote_all=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    chunk_size=st.integers(min_value=1, max_value=40),
)
def test_round_trip_of_anything_csv_writer_writes(
    rows: list[tuple[str, str, str]],
    lineterminator: str,
    quote_all: bool,
    encoding: str,
    chunk_size: int,
) -> None:
    # csv.writer quotes a lone CR only if it is part of its line terminator.
    quoting = csv.QUOTE_ALL if quote_all or lineterminator == "\n" else csv.QUOTE_MINIMAL
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=lineterminator, quoting=quoting)
    writer.writerow(["phone", "a", "b"])
    starts, line = [], 2
    for row in rows:
        before = out.tell()
        writer.writerow(row)
        starts.append(line)
        line += len(re.findall(r"\r\n|\r|\n", out.getvalue()[before:]))

    expected, seen = [], set()
    for (phone, a, b), start in zip(rows, starts, strict=True):
        if phone not in seen:
            seen.add(phone)
            fields = {k: v.strip() for k, v in (("a", a), ("b", b)) if v.strip()}
            expected.append((phone, "", "", fields, start))

    data = out.getvalue().encode(encoding)
    with (
        mock.patch("audience_cli.contacts.decoding.CHUNK_SIZE", chunk_size),
        from_bytes(data, encoding=encoding, delimiter=",") as batch,
    ):
        assert as_tuples(batch) == expected
        assert batch.report.rows == len(rows)
        assert batch.report.duplicates == len(rows) - len(expected)


# -- Excel's "sep=" first line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("sep", "delimiter"), [(";", ";"), (",", ","), ("\t", "\t"), ("|", "|"), ("\\t", "\t")]
)
def test_excel_sep_line_sets_the_delimiter_and_is_skipped(sep: str, delimiter: str) -> None:
    d = delimiter
    city = "P" + "".join(c for c in ",;|\t" if c != d) + "X"  # the other delimiters, as text
    lines = ["sep=" + sep, f"phone{d}name{d}city", f"+14155550132{d}Ada Lovelace{d}{city}"]
    text = "\r\n".join([*lines, f"bad{d}x{d}y", ""])
    with from_bytes(b"\xef\xbb\xbf" + text.encode()) as batch:
        assert as_tuples(batch) == [(*ADA, {"city": city}, 3)]  # physical line numbers
        assert [(r.line, r.value) for r in batch.report.rejects] == [(4, "bad")]
        assert batch.report.header == ["phone", "name", "city"]


def test_an_explicit_delimiter_wins_over_the_sep_line() -> None:
    with from_bytes(b"sep=;\nphone|name\n+14155550132|Ada Lovelace\n", delimiter="|") as batch:
        assert as_tuples(batch) == [(*ADA, {}, 3)]


# -- a UTF-8 byte-order mark with another --encoding ---------------------------------------


def test_utf8_bom_with_latin1_encoding_on_utf8_text_is_refused() -> None:
    data = b"\xef\xbb\xbfFirst Name,Phone\nJos\xc3\xa9,+14155550132\n"
    with pytest.raises(UsageError) as caught:
        from_bytes(data, encoding="latin-1")
    from audience_cli.cli.hints import hint_for, message_for

    assert message_for(caught.value) == (
        "<stdin>: the file starts with a UTF-8 byte-order mark but --encoding latin-1 "
        "was given; the file is UTF-8"
    )
    assert "--encoding" not in caught.value.message  # the plain side names no flag
    assert hint_for(caught.value) == "drop --encoding (or pass --encoding utf-8)"
    assert exit_code_for(caught.value) is ExitCode.USAGE


def test_utf8_bom_with_latin1_encoding_on_ascii_text_drops_the_mark_and_warns() -> None:
    data = b"\xef\xbb\xbfFirst Name,Phone\nAda,+14155550132\n"
    with from_bytes(data, encoding="latin-1") as batch:
        assert as_tuples(batch) == [("+14155550132", "Ada", "", {}, 2)]
        assert batch.report.summary_lines(REPORT_WORDS) == [
            "<stdin>: 1 row read · 1 valid",
            "  countries: US 1 · types: FIXED_LINE_OR_MOBILE 1",
            "  the file starts with a UTF-8 byte-order mark but --encoding latin-1 was given; "
            "the file is probably UTF-8 (the mark was dropped)",
            "  columns: First Name → firstName, Phone → phoneNumber",
        ]


def test_utf8_bom_on_a_file_that_is_not_utf8_reads_it_as_asked() -> None:
    data = b"\xef\xbb\xbfVorname;Telefon\nJ\xfcrgen;+14155550132\n"  # cp1252 after the mark
    with from_bytes(data, encoding="cp1252") as batch:
        assert as_tuples(batch) == [("+14155550132", "Jürgen", "", {}, 2)]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "the file starts with a UTF-8 byte-order mark but is not UTF-8: "
            "read as cp1252 (--encoding), without the mark"
        ]
