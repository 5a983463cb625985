"""Numbers in the right country: a country column decides each row's region for national
numbers (--region for rows without one), and a number read in the wrong region says
where it is valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audience_cli.cli.hints import REPORT_WORDS, message_for
from audience_cli.errors import UsageError

from .helpers import as_tuples, from_text, rejects


@pytest.mark.parametrize(
    "column",
    [
        "Country", "country", "Mailing Country", "Country/Region", "Phone Country",
        "Country Code", "Billing Country", "Shipping Country", "Other Country",
        "Home Country/Region", "Business Country/Region", "Address 1 - Country",
        "Country of Postal address", "Person - Country of Postal address", "COUNTRY_NAME",
    ],
)  # fmt: skip
def test_a_country_column_by_any_of_its_names(column: str) -> None:
    text = f"Phone,{column}\n020 7946 0958,GB\n(415) 555-0132,US\n"
    with from_text(text, region="DE") as batch:
        assert [c.phone for c in batch] == ["+442079460958", "+14155550132"]
        assert batch.report.countries == {"GB": 1, "US": 1}


@pytest.mark.parametrize(
    ("number", "country", "expected"),
    [
        ("(415) 555-0132", "US", "+14155550132"),
        ("(415) 555-0132", "usa", "+14155550132"),
        ("(415) 555-0132", "United States", "+14155550132"),
        ("(415) 555-0132", "United States of America", "+14155550132"),
        ("(415) 555-0132", "+1", "+14155550132"),
        ("(415) 555-0132", "1", "+14155550132"),
        ("(415) 555-0132", "001", "+14155550132"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("020 7946 0958", "UK", "+442079460958"),
        ("020 7946 0958", "GBR", "+442079460958"),
        ("020 7946 0958", "United Kingdom", "+442079460958"),
        ("020 7946 0958", "+44", "+442079460958"),
        ("020 7946 0958", "44", "+442079460958"),
        ("098765 43210", "IN", "+919876543210"),
        ("098765 43210", "IND", "+919876543210"),
        ("098765 43210", "India", "+919876543210"),
        ("98765 43210", "+91", "+919876543210"),
        ("030 1234567", "DE", "+49301234567"),
        ("030 1234567", "DEU", "+49301234567"),
        ("030 1234567", "Germany", "+49301234567"),
        ("06 12 34 56 78", "FRA", "+33612345678"),
        ("06 12 34 56 78", "France", "+33612345678"),
    ],
)
def test_each_row_is_read_in_its_own_country(number: str, country: str, expected: str) -> None:
    with from_text(f"Phone,Country\n{number},{country}\n", region="BR") as batch:
        assert [c.phone for c in batch] == [expected]


def test_rows_without_a_country_fall_back_to_region() -> None:
    text = "Phone,Country\n(415) 555-0132,\n030 1234567,DE\n(415) 555-0133,n/a\n"
    with from_text(text, region="US") as batch:
        assert [c.phone for c in batch] == ["+14155550132", "+49301234567", "+14155550133"]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "national numbers read in each row's country (Country: 1 row); "
            "the others in --region US"
        ]
    with from_text(text) as batch:  # no --region: only the row with a country is read
        assert [c.phone for c in batch] == ["+49301234567"]
        assert [r.reason for r in batch.report.rejects] == ["MISSING_REGION", "MISSING_REGION"]
        assert batch.report.note_texts(REPORT_WORDS)[0].endswith(
            "the others need their +country code"
        )


def test_a_number_with_its_own_country_code_keeps_it() -> None:
    text = "Phone,Country\n+44 20 7946 0958,US\n0049 30 1234567,US\n"
    with from_text(text) as batch:
        assert [c.phone for c in batch] == ["+442079460958", "+49301234567"]
        assert batch.report.countries == {"GB": 1, "DE": 1}


def test_a_country_that_is_not_known_rejects_a_national_number() -> None:
    text = (
        "Name,Phone,Country\n"
        "Ada,(415) 555-0132,US\n"
        "Bob,757-555-0143,Narnia\n"  # a national number: its country is needed
        "Cy,+44 20 7946 0958,Narnia\n"  # its own country code: the country is not needed
        "Di,,Atlantis\n"
    )
    with from_text(text, region="US") as batch:
        assert [c.phone for c in batch] == ["+14155550132", "+442079460958"]
        assert rejects(batch) == [(3, "757-555-0143", "UNKNOWN_COUNTRY"), (5, "", "EMPTY")]
        assert batch.report.rejects[0].detail == "country 'Narnia' is not known"
        lines = batch.report.summary_lines()
        assert "  line 3: '757-555-0143' UNKNOWN_COUNTRY: country 'Narnia' is not known" in lines
        assert batch.report.to_dict()["rejects"][0] == {
            "line": 3,
            "value": "757-555-0143",
            "reason": "UNKNOWN_COUNTRY",
            "detail": "country 'Narnia' is not known",
        }


def test_the_country_column_stays_member_data() -> None:
    with from_text("Name,Phone,Mailing Country\nAda,020 7946 0958,United Kingdom\n") as batch:
        assert as_tuples(batch) == [
            ("+442079460958", "Ada", "", {"mailing_country": "United Kingdom"}, 2)
        ]
        assert batch.report.column_mapping["Mailing Country"] == "mailing_country"


def test_the_first_country_column_with_a_value_decides() -> None:
    text = "Phone,Mailing Country,Other Country\n020 7946 0958,,GB\n030 1234567,DE,GB\n"
    with from_text(text) as batch:
        assert [c.phone for c in batch] == ["+442079460958", "+49301234567"]


def test_the_country_column_is_read_even_when_columns_leaves_it_out() -> None:
    text = "Phone,Country,City\n020 7946 0958,GB,London\n"
    with from_text(text, columns=["City"]) as batch:
        assert as_tuples(batch) == [("+442079460958", "", "", {"City": "London"}, 2)]


def test_country_column_option_names_the_column() -> None:
    text = "Phone,Nation,Country\n020 7946 0958,GB,US\n"
    with from_text(text, country_column="nation") as batch:
        assert [c.phone for c in batch] == ["+442079460958"]
        assert batch.report.note_texts(REPORT_WORDS)[0].startswith(
            "national numbers read in each row's country (Nation:"
        )
    with pytest.raises(UsageError) as caught:
        from_text(text, country_column="Land")
    assert "no column 'Land' (--country-column)" in message_for(caught.value)


def test_country_column_option_on_the_command_line(cli, tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text("Name,Phone,Nation\nAda,020 7946 0958,United Kingdom\nBob,030 1234567,DE\n")
    result = cli("validate", str(source), "--country-column", "Nation", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)["report"]
    assert report["countries"] == {"GB": 1, "DE": 1}
    missing = cli("validate", str(source), "--country-column", "Country")
    assert missing.exit_code == 2
    assert "no column 'Country' (--country-column)" in missing.stderr


# -- a number read in the wrong region -----------------------------------------------------


def test_a_national_number_of_another_country_says_where_it_is_valid() -> None:
    text = "Name,Phone\nAda,(415) 555-0132\nAlan,07400 123456\n"
    with from_text(text, region="US") as batch:
        assert rejects(batch) == [(3, "07400 123456", "TOO_LONG")]  # the reason is unchanged
        detail = "too long — valid as a GB number: check --region or add a country column"
        assert "--" not in batch.report.rejects[0].detail  # the plain side names no flag:
        assert REPORT_WORDS.detail_text(batch.report.rejects[0].detail) == detail
        lines = batch.report.summary_lines(REPORT_WORDS)
        assert f"  line 3: '07400 123456' TOO_LONG: {detail}" in lines
        assert batch.report.to_dict(REPORT_WORDS)["rejects"][0]["detail"] == detail


def test_the_hint_prefers_a_region_the_file_already_has() -> None:
    # "098765 43210" is valid in India and Germany (and not in the US).
    text = "Phone\n+91 98765 43211\n098765 43210\n"
    with from_text(text, region="US") as batch:
        assert REPORT_WORDS.detail_text(batch.report.rejects[0].detail) == (
            "too long — valid as an IN number: check --region or add a country column"
        )


def test_the_hint_with_a_country_column_says_to_fill_it_in() -> None:
    text = "Phone,Country\n07400 123456,\n07400 123457,GB\n"
    with from_text(text, region="US") as batch:
        assert [c.phone for c in batch] == ["+447400123457"]
        assert REPORT_WORDS.detail_text(batch.report.rejects[0].detail) == (
            "too long — valid as a GB number: check --region or fill in the Country column"
        )


def test_no_hint_for_a_rows_own_country_or_a_number_valid_nowhere() -> None:
    text = "Phone,Country\n07400 123456,US\n12,\n555-0100,\n"
    with from_text(text, region="US") as batch:
        assert [(r.reason, r.detail) for r in batch.report.rejects] == [
            ("TOO_LONG", ""),  # the row said US: no guess at another country
            ("TOO_SHORT", ""),
            ("INVALID_NUMBER", ""),
        ]


def test_a_number_a_spreadsheet_rounded_is_said_so() -> None:
    text = "Phone\n4.47912E+11\n4.47400123456E+11\n"
    with from_text(text, region="GB") as batch:
        assert [c.phone for c in batch] == ["+447400123456"]  # all digits there: read
        assert rejects(batch) == [(2, "4.47912E+11", "ROUNDED_BY_SPREADSHEET")]
        assert (
            "  line 2: '4.47912E+11' ROUNDED_BY_SPREADSHEET: the spreadsheet rounded this number "
            "(scientific notation lost its last digits): format the column as text and export again"
        ) in batch.report.summary_lines()


def test_wrong_region_hint_on_the_command_line(cli, tmp_path: Path) -> None:
    source = tmp_path / "uk.csv"
    source.write_text("Name,Phone\nAlan,07400 123456\n")
    result = cli("validate", str(source), "--region", "US")
    assert result.exit_code == 3
    assert (
        "line 2: '07400 123456' TOO_LONG: too long — valid as a GB number: "
        "check --region or add a country column"
    ) in result.stderr
    assert cli("validate", str(source), "--region", "GB").exit_code == 0
