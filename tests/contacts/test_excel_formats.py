"""A workbook cell's value as its cell shows it (`excel_formats.cell_text`)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audience_cli.contacts.excel_formats import cell_text


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (None, "General", ""),
        ("(415) 555-0102", "@", "(415) 555-0102"),
        (True, "General", "TRUE"),
        (False, None, "FALSE"),
        # Phone numbers stored as numbers: every digit, formatted where a code says so.
        (14155550102, "General", "14155550102"),
        (14155550102.0, "General", "14155550102"),
        (14155550102, "0", "14155550102"),
        (7911123456, "00000000000", "07911123456"),
        (4155550102, "(###) ###-####", "(415) 555-0102"),
        (5550102, "[<=9999999]###-####;(###) ###-####", "555-0102"),
        (4155550102, "[<=9999999]###-####;(###) ###-####", "(415) 555-0102"),
        (4155550102, '"+1 "000-000-0000', "+1 415-555-0102"),
        (14155550102, '"Tel: "General', "Tel: 14155550102"),
        (123456789, "000-00-0000", "123-45-6789"),
        # Other numbers.
        (0.1 + 0.2, "General", "0.3"),
        (1e20, "General", "1E+20"),
        (3.14159, "0.00", "3.14"),
        (2.5, "0", "3"),  # halves away from zero, as Excel rounds
        (-2.5, "0", "-3"),
        (1234.5, "#,##0.00", "1,234.50"),
        (12345678, "#,##0,", "12,346"),  # a trailing comma: thousands
        (-1234.5, "#,##0.00;(#,##0.00)", "(1,234.50)"),
        (-1234.5, "#,##0.00;[Red]-#,##0.00", "-1,234.50"),
        (0, '0;-0;"none"', "none"),
        (0.45, "0%", "45%"),
        (0.4567, "0.00%", "45.67%"),
        (1234567, "0.00E+00", "1.23E+06"),
        (44.5, '"$"#,##0.00', "$44.50"),
        (44.5, "[$€-407] #,##0.00", "€ 44.50"),
        (5, "0.##", "5."),
        (0.5, "#.##", ".5"),
        (0, "#", ""),
        (12.5, "# ?/?", "12.5"),  # fractions are not drawn: the number itself
        # Dates and times, as their code says; the locale's own formats as ISO 8601.
        (dt.datetime(2024, 3, 14), "mm-dd-yy", "2024-03-14"),
        (dt.datetime(2024, 3, 14, 9, 30), "m/d/yy h:mm", "2024-03-14 09:30"),
        (dt.datetime(2024, 3, 14, 9, 30, 5), "dd/mm/yyyy hh:mm:ss", "14/03/2024 09:30:05"),
        (dt.datetime(2024, 3, 14, 21, 5), "h:mm AM/PM", "9:05 PM"),
        (dt.datetime(2024, 3, 14), "d mmmm yyyy", "14 March 2024"),
        (dt.datetime(2024, 3, 14), "dddd, mmm d", "Thursday, Mar 14"),
        (dt.datetime(2024, 3, 14), "yyyy-mm-dd", "2024-03-14"),
        (dt.datetime(2024, 3, 14, 8, 0), "General", "2024-03-14 08:00:00"),
        (dt.date(2024, 3, 14), "General", "2024-03-14"),
        (dt.time(9, 5), "h:mm", "9:05"),
        (dt.timedelta(hours=30, minutes=5), "[h]:mm:ss", "30:05:00"),
    ],
)
def test_a_cell_shows_as_in_excel(value: object, number_format: str | None, shown: str) -> None:
    assert cell_text(value, number_format) == shown


FORMAT_PIECES = st.sampled_from(
    ['0', '#', '?', '.', ',', '%', 'E+', 'E-', '"x"', '\\-', '_)', '*-', ';', '[Red]',
     '[<=100]', '[$€-407]', '@', 'General', 'yyyy', 'mm', 'd', 'h', 'ss', 'AM/PM', '/', ' ']
)  # fmt: skip


@given(
    value=st.one_of(
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.datetimes(),
        st.times(),
    ),
    number_format=st.lists(FORMAT_PIECES, max_size=12).map("".join),
)
def test_any_value_with_any_format_code_shows_as_text(value: object, number_format: str) -> None:
    assert isinstance(cell_text(value, number_format), str)
