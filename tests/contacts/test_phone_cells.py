"""Several numbers in one phone cell, however they are joined, and labels after a number."""

from __future__ import annotations

import csv
import io

import pytest

from audience_cli.cli.hints import REPORT_WORDS
from audience_cli.contacts import ContactBatch, CsvOptions, collect_contacts
from audience_cli.contacts.phone_cells import split_phone_cell

from .helpers import as_tuples


def from_rows(*cells: str, **options: object) -> ContactBatch:
    """A file with a `phone` column holding `cells`, one row each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phone"])
    writer.writerows([cell] for cell in cells)
    data = io.BytesIO(out.getvalue().encode())
    return collect_contacts(csv_path="-", options=CsvOptions(**options), stdin=data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cell",
    [
        "(415) 555-0102, (415) 555-0103",
        "(415) 555-0102; (415) 555-0103",
        "(415) 555-0102 / (415) 555-0103",
        "(415) 555-0102/(415) 555-0103",
        "(415) 555-0102 or (415) 555-0103",
        "(415) 555-0102 OR (415) 555-0103",
        "(415) 555-0102 | (415) 555-0103",
        "(415) 555-0102\n(415) 555-0103",
        "(415) 555-0102 (mobile), (415) 555-0103",
    ],
)
def test_several_numbers_in_a_cell_are_split_like_googles(cell: str) -> None:
    with from_rows(cell, region="US") as batch:
        assert as_tuples(batch) == [("+14155550102", "", "", {"other_phones": "(415) 555-0103"}, 2)]
        assert list(batch.report.rejects) == []
        assert batch.report.note_texts(REPORT_WORDS) == [
            "1 phone cell holds several numbers: the first is used, the others kept as other_phones"
        ]


def test_a_label_after_a_number_is_left_out() -> None:
    cells = ("+1-415-555-0114 (mobile)", "+1 415 555 0115 [Work]", "+1 415 555 0116 (home office)")
    with from_rows(*cells) as batch:
        assert [c.phone for c in batch] == ["+14155550114", "+14155550115", "+14155550116"]
        assert [dict(c.fields) for c in batch] == [{}, {}, {}]
        assert batch.report.invalid == 0
    two = "+1 415 555 0102 (mobile), +1 415 555 0103 (home)"
    with from_rows(two) as batch:  # the other numbers are kept as written
        assert as_tuples(batch) == [
            ("+14155550102", "", "", {"other_phones": "+1 415 555 0103 (home)"}, 2)
        ]


@pytest.mark.parametrize(
    ("cell", "region", "e164"),
    [
        ("0415/555 0102", "DE", "+494155550102"),  # German style: area code / number
        ("0415 / 555 0102", "DE", "+494155550102"),
        ("+49 (0) 4151/5550102", None, "+4941515550102"),  # each side has 7 digits
        ("415 555 0102", "US", "+14155550102"),
        ("415/555-0102", "US", "+14155550102"),
        ("+1 415 555 0102, ext. 12", None, "+14155550102"),
    ],
)
def test_one_number_written_with_slashes_or_spaces_is_not_split(
    cell: str, region: str | None, e164: str
) -> None:
    assert split_phone_cell(cell, region) == (cell, "")
    with from_rows(cell, region=region) as batch:
        assert [(c.phone, dict(c.fields).get("other_phones")) for c in batch] == [(e164, None)]


def test_a_part_that_is_still_bad_gets_its_own_reason() -> None:
    cells = (
        "(415) 555-0102, (415) 555-0103",  # no region: the first number needs one
        "+1 415 555 010, +1 415 555 0103",  # the first number is one digit short
        "+1 415 555 01022 / +1 415 555 0103",
    )
    with from_rows(*cells) as batch:
        assert [(r.line, r.value, r.reason) for r in batch.report.rejects] == [
            (2, cells[0], "MISSING_REGION"),
            (3, cells[1], "TOO_SHORT"),
            (4, cells[2], "TOO_LONG"),
        ]
    # Not split where a part is no number: the cell is read whole, as before.
    assert split_phone_cell("call me, (415) 555-0103", "US") == ("call me, (415) 555-0103", "")


def test_a_label_alone_is_not_a_number() -> None:
    assert split_phone_cell("(mobile)", None) == ("(mobile)", "")
    with from_rows("(mobile)") as batch:
        assert [r.reason for r in batch.report.rejects] == ["NOT_A_NUMBER"]


def test_validate_splits_a_cell_of_two_numbers(cli, tmp_path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(
        'Name,Phone\nAda,"(415) 555-0102, (415) 555-0103"\nBob,+1-415-555-0114 (mobile)\n'
    )
    result = cli("validate", str(source), "--region", "US", "--no-dnc", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "firstName,lastName,phoneNumber,other_phones",
        "Ada,,+14155550102,(415) 555-0103",
        "Bob,,+14155550114,",
    ]
