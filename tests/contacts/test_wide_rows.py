"""Wide files: reading, mapping and checking a row costs in proportion to its cells.

The work is counted, not timed: `python_steps` counts the lines of the tool's own
code that a call runs (sys.settrace line events), which grow with its loops and not
with the machine; `benchmarks/bench_wide.py` times it. The column cap is in
test_bad_input.py.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import audience_cli
from audience_cli.contacts import CsvOptions, collect_contacts, write_clean_csv, write_rejects
from audience_cli.contacts.columns import (
    ColumnPlan,
    email_like,
    simple_name,
    strip_name,
    unique_names,
)

PACKAGE = str(Path(audience_cli.__file__).parent)


def python_steps(call: Callable[[], object]) -> int:
    """The lines of audience_cli's code that `call()` runs."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        call()
    finally:
        sys.settrace(previous)
    return count


def wide_file(shape: str, columns: int) -> tuple[str, dict[str, Any]]:
    """(file text, CsvOptions keywords) of a file `columns` wide, a valid and a bad row."""
    values = [f"v{i}" for i in range(1, columns)]
    if shape == "beyond the header":
        rows = ["phone", ",".join(["+14155550100", *values]), ",".join(["nope", *values])]
        return "\n".join(rows) + "\n", {}
    names = {
        "distinct names": [f"Field {i}" for i in range(1, columns)],
        "one name repeated": ["x"] * (columns - 1),
        "no names": [""] * (columns - 1),
        "--columns naming them all": [f"c{i}" for i in range(1, columns)],
    }[shape]
    rows = [",".join(["phone", *names]), ",".join(["+14155550100", *values])]
    rows.append(",".join(["nope", *values]))
    options = {"columns": names} if shape.startswith("--columns") else {}
    return "\n".join(rows) + "\n", options


@pytest.mark.parametrize(
    "shape",
    [
        "distinct names",
        "one name repeated",
        "no names",
        "beyond the header",
        "--columns naming them all",
    ],
)
def test_reading_twice_the_columns_is_twice_the_work(shape: str, tmp_path: Path) -> None:
    """validate's whole path (read, map, check, write the clean CSV and the rejects) on
    files of n and 2n columns: the work doubles, it does not quadruple."""

    def validate(columns: int) -> int:
        text, options = wide_file(shape, columns)
        source = tmp_path / f"{columns}.csv"
        source.write_text(text)

        def run() -> None:
            with collect_contacts(
                csv_path=str(source), options=CsvOptions(**options), keep="csv"
            ) as batch:
                assert (batch.report.valid, batch.report.invalid) == (1, 1)
                batch.report.summary_lines()
                write_clean_csv(str(tmp_path / "clean.csv"), batch)
                write_rejects(str(tmp_path / "rejects.csv"), batch.report)

        return python_steps(run)

    narrow, wide = validate(400), validate(800)
    assert wide < 2.5 * narrow, (narrow, wide)


class CountedName(str):
    """A column name that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        CountedName.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_labelling_every_column_compares_each_name_a_few_times() -> None:
    """The report's column labels: "name (column n)" only for a name met before, found
    without comparing each name with all those before it."""
    header = [CountedName(f"Field {i}") for i in range(2000)] + [CountedName("Field 7")]
    extras = [(i, f"k{i}") for i in range(1, len(header))]
    plan = ColumnPlan(names=list(header), phone=0, extras=extras, header=header)
    CountedName.compared = 0
    labels = list(plan.mapping())
    assert labels[7] == "Field 7" and labels[-1] == "Field 7 (column 2001)"
    assert CountedName.compared < 5 * len(header)


def test_repeated_names_are_numbered_as_before() -> None:
    assert unique_names(["x", "x", "x_2", "", "x", "", "x_3"]) == [
        "x",
        "x_2",
        "x_2_2",
        "column_4",
        "x_3",
        "column_6",
        "x_3_2",
    ]


# What these functions replaced: regular expressions that backtrack on a long cell
# (a run of spaces inside a name, a long run of dots after an "@"), quadratic.
OLD_STRIP = re.compile(
    "^[ \t\r\n\v\f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]+"
    "|[ \t\r\n\v\f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]+$"
)
OLD_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
AROUND = " \t\r\n\v\f\u00a0\u1680\u2000\u200b\u200f\u2028\u202f\u205f\u2060\u3000\ufeff\u2010\u2030"


@given(st.text(alphabet=AROUND + "ab.", max_size=40))
def test_strip_name_strips_what_the_expression_did(name: str) -> None:
    assert strip_name(name) == OLD_STRIP.sub("", name)


@given(st.text(alphabet="a@. \t\u00a0\u2003", max_size=30))
def test_email_like_is_the_expression(cell: str) -> None:
    assert email_like(cell) == bool(OLD_EMAIL.fullmatch(cell))


@given(st.text(max_size=30))
def test_simple_name_keeps_ascii_letters_and_digits(name: str) -> None:
    from audience_cli.contacts.columns import _ascii

    assert simple_name(name) == "".join(ch for ch in _ascii(name) if ch.isalnum())


def test_long_cells_of_spaces_and_dots_in_a_header(tmp_path: Path) -> None:
    """A header of cells as long as a CSV cell may be (128 KB), of the shapes the old
    expressions were slow on, is read."""
    long = 120_000
    header = ["phone", "a" + " " * long + "b", "x@" + "." * long + " y", " " * long + "Name"]
    source = tmp_path / "long.csv"
    source.write_text(",".join(header) + "\n+14155550100,1,2,Ada\n")
    with collect_contacts(csv_path=str(source), options=CsvOptions()) as batch:
        [contact] = list(batch)
    assert contact.first_name == "Ada"
    assert set(contact.fields) == {"a_b", "x_y"}


def test_records_longer_than_a_read_come_back_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    from audience_cli.contacts.spool import JsonLines

    monkeypatch.setattr("audience_cli.contacts.spool.READ_SIZE", 7)
    lines = JsonLines()
    records = [["short"], ["x" * 500, {"k": "é" * 40}], [], ["y" * 3, "\n"]]
    for record in records:
        lines.add(record)
    assert list(lines) == records == list(lines)
    lines.close()


def test_a_header_longer_than_the_sniffed_sample_is_sniffed(tmp_path: Path) -> None:
    from audience_cli.contacts.csv_reader import SNIFF_CHARS

    names = [f"Customer field {i:05d}" for i in range(SNIFF_CHARS // 16)]  # 20 characters
    source = tmp_path / "wide.csv"
    source.write_text(";".join(["Phone", *names]) + "\n+14155550100;" + ";" * len(names) + "\n")
    with collect_contacts(csv_path=str(source), options=CsvOptions()) as batch:
        assert len(batch.report.header) == len(names) + 1
        assert [contact.phone for contact in batch] == ["+14155550100"]
