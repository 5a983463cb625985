"""Number types from the number plan: premium-rate and shared-cost numbers rejected unless
allowed, countries and types counted in the report, and --enrich."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audience_cli.cli.hints import REPORT_WORDS, message_for
from audience_cli.contacts import (
    CsvOptions,
    ImportReport,
    collect_contacts,
    contacts_from_flags,
)
from audience_cli.errors import UsageError
from tests.conftest import make_audience

from .helpers import as_tuples, counts, from_text, rejects

# One number of each type (phonenumbers' example numbers), and how it is counted.
NUMBERS = [
    ("+44 909 879 0000", "PREMIUM_RATE"),
    ("+1 900 234 5678", "PREMIUM_RATE"),
    ("+49 180 12345", "SHARED_COST"),
    ("+33 8 84 01 23 45", "SHARED_COST"),
    ("+44 800 123 4567", "TOLL_FREE"),
    ("+1 800 234 5678", "TOLL_FREE"),
    ("+44 56 1234 5678", "VOIP"),
    ("+44 7640 123456", "PAGER"),
    ("+44 70 1234 5678", "PERSONAL_NUMBER"),
    ("+44 55 1234 5678", "UAN"),
    ("+49 177 991234567", "VOICEMAIL"),
    ("+44 7400 123456", "MOBILE"),
    ("+44 20 7946 0958", "FIXED_LINE"),
    ("+1 415 555 0132", "FIXED_LINE_OR_MOBILE"),
]


def numbers_file() -> str:
    return "Phone\n" + "".join(f"{number}\n" for number, _ in NUMBERS)


def test_premium_rate_and_shared_cost_numbers_are_rejected_by_default() -> None:
    with from_text(numbers_file()) as batch:
        assert counts(batch) == (14, 10, 4, 0)
        assert rejects(batch) == [
            (2, "+44 909 879 0000", "PREMIUM_RATE"),
            (3, "+1 900 234 5678", "PREMIUM_RATE"),
            (4, "+49 180 12345", "SHARED_COST"),
            (5, "+33 8 84 01 23 45", "SHARED_COST"),
        ]
        # Toll-free, VoIP, pager, personal, UAN (and voicemail) numbers are accepted.
        assert batch.report.types == {kind: 1 for _, kind in NUMBERS[4:]} | {"TOLL_FREE": 2}
        assert (
            "  line 2: '+44 909 879 0000' PREMIUM_RATE: "
            "a premium-rate number (--allow-type premium_rate to keep it)"
        ) in batch.report.summary_lines(REPORT_WORDS)


@pytest.mark.parametrize(
    ("allowed", "valid", "reasons"),
    [
        (["premium_rate"], 12, ["SHARED_COST", "SHARED_COST"]),
        (["shared_cost"], 12, ["PREMIUM_RATE", "PREMIUM_RATE"]),
        (["premium_rate", "shared_cost"], 14, []),
        (["Premium-Rate,SHARED_COST"], 14, []),
    ],
)
def test_allow_type_lets_them_in(allowed: list[str], valid: int, reasons: list[str]) -> None:
    with from_text(numbers_file(), allow_types=allowed) as batch:
        assert batch.report.valid == valid
        assert [r.reason for r in batch.report.rejects] == reasons


@pytest.mark.parametrize("value", ["mobile", "toll_free", "premium", "nope"])
def test_allow_type_takes_only_the_types_rejected_by_default(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        CsvOptions(allow_types=[value])
    assert message_for(caught.value) == (
        f"--allow-type {value!r}: not a type that is rejected; use premium_rate or shared_cost"
    )


def test_a_premium_rate_number_given_as_a_flag_is_a_reject() -> None:
    flags = contacts_from_flags(["+1 900 234 5678", "+1 415 555 0132"], [], None)
    with collect_contacts(csv_path=None, options=CsvOptions(), flag_contacts=flags) as batch:
        assert [c.phone for c in batch] == ["+14155550132"]
        assert rejects(batch) == [(0, "+19002345678", "PREMIUM_RATE")]
        assert batch.report.countries == {"US": 1}
    options = CsvOptions(allow_types=["premium_rate"])
    with collect_contacts(csv_path=None, options=options, flag_contacts=flags) as batch:
        assert len(batch) == 2


def test_allow_type_on_the_command_line(cli, tmp_path: Path) -> None:
    source = tmp_path / "numbers.csv"
    source.write_text(numbers_file())
    assert cli("validate", str(source)).exit_code == 3
    allowed = cli(
        "validate", str(source), "--allow-type", "premium_rate", "--allow-type", "shared_cost"
    )
    assert allowed.exit_code == 0, allowed.stderr
    bad = cli("validate", str(source), "--allow-type", "mobile")
    assert bad.exit_code == 2
    assert "--allow-type 'mobile': not a type that is rejected" in bad.stderr


# -- the report's countries and types ------------------------------------------------------


def test_the_report_counts_countries_and_types_of_the_valid_contacts() -> None:
    text = (
        "Phone,Country\n"
        "(415) 555-0132,US\n"
        "(415) 555-0133,US\n"
        "+1 415 555 0133,\n"  # a duplicate: not counted twice
        "07400 123456,GB\n"
        "020 7946 0958,GB\n"
        "+1 416 555 0142,\n"  # +1 in Canada
        "+800 1234 5678,\n"  # non-geographic: "001"
        "nope,US\n"  # rejected: not counted
    )
    with from_text(text) as batch:
        report = batch.report
        assert report.countries == {"US": 2, "GB": 2, "CA": 1, "001": 1}
        assert report.types == {
            "FIXED_LINE_OR_MOBILE": 3,
            "MOBILE": 1,
            "FIXED_LINE": 1,
            "TOLL_FREE": 1,
        }
        data = report.to_dict()
        assert data["countries"] == {"US": 2, "GB": 2, "CA": 1, "001": 1}
        assert data["types"] == {
            "FIXED_LINE_OR_MOBILE": 3,
            "MOBILE": 1,
            "FIXED_LINE": 1,
            "TOLL_FREE": 1,
        }
        assert report.summary_lines()[1] == (
            "  countries: US 2, GB 2, CA 1, 001 1 · "
            "types: FIXED_LINE_OR_MOBILE 3, MOBILE 1, FIXED_LINE 1, TOLL_FREE 1"
        )


def test_the_countries_line_names_the_most_frequent_and_counts_the_rest() -> None:
    report = ImportReport(
        source="x.csv",
        rows=28,
        valid=28,
        countries={c: n for n, c in enumerate(["US", "GB", "DE", "FR", "IN", "BR", "MX"], start=1)},
        types={"MOBILE": 28},
    )
    assert report.summary_lines()[1] == (
        "  countries: MX 7, BR 6, IN 5, FR 4, DE 3, GB 2, … and 1 more · types: MOBILE 28"
    )
    assert list(report.to_dict()["countries"]) == ["MX", "BR", "IN", "FR", "DE", "GB", "US"]
    empty = ImportReport(source="x.csv")
    assert len(empty.summary_lines()) == 1
    assert (empty.to_dict()["countries"], empty.to_dict()["types"]) == ({}, {})


# -- --enrich ------------------------------------------------------------------------------


def test_enrich_adds_country_type_time_zone_and_carrier() -> None:
    text = "Name,Phone\nLena,+49 151 23456789\nAda,(415) 555-0132\nToll,+800 1234 5678\n"
    with from_text(text, region="US", enrich=True) as batch:
        assert as_tuples(batch) == [
            (
                "+4915123456789",
                "Lena",
                "",
                {
                    "country": "DE",
                    "number_type": "mobile",
                    "timezone": "Europe/Berlin",
                    "carrier": "T-Mobile",
                },
                2,
            ),
            (  # no carrier known for a US number
                "+14155550132",
                "Ada",
                "",
                {
                    "country": "US",
                    "number_type": "fixed_line_or_mobile",
                    "timezone": "America/Los_Angeles",
                },
                3,
            ),
            ("+80012345678", "Toll", "", {"number_type": "toll_free"}, 4),  # no country
        ]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "--enrich added country, number_type, timezone, carrier"
        ]


def test_enrich_never_overwrites_a_column_the_file_has() -> None:
    text = "Phone,Country,TimeZone,carrier\n+49 151 23456789,Germany,CET,\n"
    with from_text(text, enrich=True) as batch:
        assert as_tuples(batch) == [
            (
                "+4915123456789",
                "",
                "",
                {"Country": "Germany", "TimeZone": "CET", "number_type": "mobile"},
                2,
            )
        ]
        assert batch.report.note_texts(REPORT_WORDS)[-1] == (
            "--enrich added number_type "
            "(not country, timezone, carrier: the file has such a column)"
        )


def test_enrich_for_flag_contacts() -> None:
    flags = contacts_from_flags(["+44 7400 123456 x12"], [], None)
    options = CsvOptions(enrich=True)
    with collect_contacts(csv_path=None, options=options, flag_contacts=flags) as batch:
        assert next(iter(batch)).fields == {
            "phone_extension": "12",
            "country": "GB",
            "number_type": "mobile",
            "timezone": "Europe/Guernsey;Europe/Isle_of_Man;Europe/Jersey;Europe/London",
            "carrier": "Three",
        }


def test_no_enrichment_without_the_option() -> None:
    with from_text("Phone\n+49 151 23456789\n") as batch:
        assert next(iter(batch)).fields == {}


def test_enrich_on_the_command_line(cli, tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text("Name,Phone\nLena,+49 151 23456789\n")
    clean = tmp_path / "clean.csv"
    result = cli("validate", str(source), "--enrich", "--output", str(clean))
    assert result.exit_code == 0, result.stderr
    assert clean.read_text().splitlines() == [
        "firstName,lastName,phoneNumber,country,number_type,timezone,carrier,local_window",
        "Lena,,+4915123456789,DE,mobile,Europe/Berlin,T-Mobile,08:00\u201321:00 Europe/Berlin",
    ]


def test_create_with_enrich_stores_the_data(sandbox_cli, tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text("Name,Phone\nLena,+49 151 23456789\n")
    created = sandbox_cli("create", "Enriched", "--csv", str(source), "--enrich")
    assert created.exit_code == 0, created.stderr
    members = json.loads(sandbox_cli("members", "Enriched", "--json").stdout)
    assert members[0]["data"] == {
        "firstName": "Lena",
        "lastName": "",
        "phoneNumber": "+4915123456789",
        "country": "DE",
        "number_type": "mobile",
        "timezone": "Europe/Berlin",
        "carrier": "T-Mobile",
        "local_window": "08:00\u201321:00 Europe/Berlin",
    }
    # And a premium-rate number given as a flag is refused until allowed.
    audience = make_audience(sandbox_cli, "Flags", "+14155550132")
    refused = sandbox_cli("add", audience, "--phone", "+1 900 234 5678")
    assert refused.exit_code == 3
    assert (
        "line 0: '+19002345678' PREMIUM_RATE: a premium-rate number "
        "(--allow-type premium_rate to keep it)"
    ) in refused.stderr
    allowed = sandbox_cli(
        "add", audience, "--phone", "+1 900 234 5678", "--allow-type", "premium_rate"
    )
    assert allowed.exit_code == 0, allowed.stderr
