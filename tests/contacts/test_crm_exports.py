"""CRM exports as they come: HubSpot, Salesforce (a report with its footer), Google Contacts,
Outlook, Zoho and Pipedrive, each read with no option at all.

The fixtures follow each vendor's documented export columns (headers as the
exports write them; the rows are made up). Every test pins the counts, the
column the numbers came from and the fallbacks a row took.
"""

from __future__ import annotations

import io
import json

from audience_cli.cli.hints import REPORT_WORDS
from audience_cli.contacts import ContactBatch, CsvOptions, collect_contacts

from .helpers import DATA, as_tuples, collect, counts, rejects


def phone_columns(batch: ContactBatch) -> list[str]:
    """The columns numbers came from, as the report says: the phone column, then the
    ones rows fell back on (in that order)."""
    for note in batch.report.note_texts(REPORT_WORDS):
        if note.startswith("phone taken from: "):
            return note.removeprefix("phone taken from: ").split(" (")[0].split(", ")
    return [col for col, key in batch.report.column_mapping.items() if key == "phoneNumber"]


def test_hubspot_contacts_export() -> None:
    with collect("hubspot.csv") as batch:
        assert counts(batch) == (8, 5, 2, 1)
        assert rejects(batch) == [
            (7, "555-0100", "INVALID_NUMBER"),
            (9, "09098 790000", "PREMIUM_RATE"),
        ]
        assert [c.phone for c in batch] == [
            "+14155550132",
            "+12125550178",  # Phone Number empty: Mobile Phone Number
            "+442079460958",  # "020 7946 0958" read in its Country/Region, United Kingdom
            "+447400123457",  # "UK"
            "+31612345678",  # Netherlands
        ]
        assert phone_columns(batch) == ["Phone Number", "Mobile Phone Number"]
        assert batch.report.column_mapping["Country/Region"] == "country_region"
        alan = list(batch)[2]
        assert alan.fields["mobile_phone_number"] == "07400 123456"  # a second number: data
        assert batch.report.countries == {"US": 2, "GB": 2, "NL": 1}


def test_salesforce_report_export_with_its_footer() -> None:
    with collect("salesforce.csv") as batch:
        assert counts(batch) == (5, 5, 0, 0)  # the footer lines are not rows
        assert [(c.phone, c.first_name, c.line) for c in batch] == [
            ("+14155550132", "Ada", 2),
            ("+16465550111", "Grace", 3),  # Phone empty: Mobile; "USA"
            ("+442079460958", "Alan", 4),  # Mailing Country: United Kingdom
            ("+13105550147", "Hedy", 5),  # no country, but a +1 number
            ("+16175550123", "Margaret", 6),
        ]
        assert phone_columns(batch) == ["Phone", "Mobile"]
        report = batch.report
        assert (
            report.note_texts(REPORT_WORDS)[0]
            == "lines 8-12: a Salesforce report footer, skipped (not contacts)"
        )
        assert "do-not-call column Do Not Call: no row marked" in report.note_texts(REPORT_WORDS)
        # The do-not-call column is not data; the country column is.
        assert "Do Not Call" not in report.column_mapping
        assert report.column_mapping["Mailing Country"] == "mailing_country"
        assert next(iter(batch)).fields == {
            "Title": "CTO",
            "account_name": "Analytical Engines",
            "Email": "ada@example.com",
            "mailing_country": "US",
            "contact_owner": "Jane Doe",
        }


def test_validate_a_salesforce_export_with_a_footer_exits_0(cli) -> None:
    result = cli("validate", str(DATA / "salesforce.csv"), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)["report"]
    assert (report["rows"], report["valid"], report["invalid"]) == (5, 5, 0)
    assert report["rejects"] == []
    assert "lines 8-12: a Salesforce report footer, skipped (not contacts)" in report["notes"]


def test_a_footer_with_grand_totals_and_a_data_row_after_one_cell_lines() -> None:
    text = (
        '"Name","Phone","Country"\n'
        '"Ada","(415) 555-0132","US"\n'
        '"Note for the next row"\n'  # one cell, no footer mark: an ordinary (bad) row
        '"Bob","(415) 555-0133","US"\n'
        "\n"
        '"Grand Totals (2 records)"\n'
        '"Confidential Information - Do Not Distribute"\n'
        '"Copyright © 2000-2026 salesforce.com, inc. All rights reserved."\n'
    )
    batch = collect_contacts(csv_path="-", options=CsvOptions(), stdin=io.BytesIO(text.encode()))
    with batch:
        assert counts(batch) == (3, 2, 1, 0)
        assert rejects(batch) == [(3, "", "EMPTY")]
        assert (
            batch.report.note_texts(REPORT_WORDS)[0]
            == "lines 6-8: a Salesforce report footer, skipped (not contacts)"
        )


def test_google_contacts_export() -> None:
    with collect("google.csv") as batch:
        assert counts(batch) == (5, 4, 1, 0)
        assert rejects(batch) == [(7, "", "EMPTY")]  # a contact without a number
        assert [(c.phone, c.first_name, c.last_name) for c in batch] == [
            ("+14155550132", "Ada", "Lovelace"),  # the first of two numbers in one cell
            ("+919876543210", "Priya", "Sharma"),  # Address 1 - Country: India
            ("+49301234567", "Jürgen", "Müller"),  # Phone 2 - Value; "Deutschland"
            ("+61412345678", "Chloe", "Wilson"),  # Australia
        ]
        assert phone_columns(batch) == ["Phone 1 - Value", "Phone 2 - Value"]
        ada = next(iter(batch))
        assert ada.fields["other_phones"] == "+1 415-555-0199"
        assert ada.fields["address_1_formatted"] == "1 Infinite Loop\nCupertino, CA 95014\nUS"
        assert ada.line == 2
        assert list(batch)[1].line == 5  # Ada's address took three lines


def test_outlook_export() -> None:
    with collect("outlook.csv") as batch:
        assert counts(batch) == (4, 3, 1, 0)
        assert rejects(batch) == [(5, "", "EMPTY")]  # a fax number is not a phone to call
        assert [(c.phone, c.first_name) for c in batch] == [
            ("+14155550132", "Ada"),  # Mobile Phone
            ("+442079460958", "Alan"),  # Business Phone, in Business Country/Region
            ("+13105550147", "Hedy"),  # Business Phone 2, in Home Country/Region
        ]
        assert phone_columns(batch) == ["Mobile Phone", "Business Phone", "Business Phone 2"]
        ada = next(iter(batch))
        assert ada.fields["business_phone"] == "(415) 555-0100"
        assert ada.fields["business_fax"] == "(415) 555-0101"


def test_zoho_contacts_export() -> None:
    with collect("zoho.csv") as batch:
        assert counts(batch) == (5, 4, 1, 0)
        assert rejects(batch) == [(5, "0871 123 4567", "PREMIUM_RATE")]
        assert [(c.phone, c.first_name) for c in batch] == [
            ("+919876543210", "Ravi"),  # Phone empty: Mobile; "Email Opt Out" is about e-mail
            ("+390612345678", "Sofia"),  # Italy: the leading zero stays
            ("+49301234567", "Anna"),
            ("+34612345678", "Maria"),  # Other Phone
        ]
        assert phone_columns(batch) == ["Phone", "Mobile", "Other Phone"]
        assert next(iter(batch)).fields["email_opt_out"] == "true"
        assert list(batch)[2].fields["asst_phone"] == "030 7654321"  # the assistant's: data
    with collect("zoho.csv", allow_types=["premium_rate"]) as batch:
        assert counts(batch) == (5, 5, 0, 0)


def test_pipedrive_deals_export_with_person_fields() -> None:
    with collect("pipedrive.csv") as batch:
        assert counts(batch) == (6, 4, 1, 1)  # Marc twice (two deals): one contact
        assert rejects(batch) == [(6, "", "EMPTY")]
        assert [(c.phone, c.first_name, c.last_name) for c in batch] == [
            ("+4915123456789", "Lena", "Berg"),  # Person - Phone - Mobile
            ("+33142685300", "Marc", "Dubois"),  # Person - Phone - Work, in France
            ("+31612345678", "Pieter", "de Vries"),
            ("+14155550132", "Olivia", "Chen"),
        ]
        assert phone_columns(batch) == ["Person - Phone - Work", "Person - Phone - Mobile"]
        marc = list(batch)[1]
        assert marc.fields["person_phone_mobile"] == "06 12 34 56 78"
        assert marc.fields["organization_name"] == "Dubois & Fils"


def test_pipedrive_people_export_without_the_person_prefix() -> None:
    text = (
        "Name,First name,Last name,Organization,Email - Work,Phone - Work,Phone - Home,"
        "Phone - Mobile,Phone - Other,Country of Postal address\n"
        "Lena Berg,Lena,Berg,Berg Studio,lena@example.de,,,0151 23456789,,Germany\n"
        "Marc Dubois,Marc,Dubois,Dubois & Fils,,01 42 68 53 00,,,,France\n"
    )
    batch = collect_contacts(csv_path="-", options=CsvOptions(), stdin=io.BytesIO(text.encode()))
    with batch:
        assert as_tuples(batch) == [
            (
                "+4915123456789",
                "Lena",
                "Berg",
                {
                    "Name": "Lena Berg",  # first and last name columns win: this is data
                    "Organization": "Berg Studio",
                    "email_work": "lena@example.de",
                    "country_of_postal_address": "Germany",
                },
                2,
            ),
            (
                "+33142685300",
                "Marc",
                "Dubois",
                {
                    "Name": "Marc Dubois",
                    "Organization": "Dubois & Fils",
                    "country_of_postal_address": "France",
                },
                3,
            ),
        ]
        assert phone_columns(batch) == ["Phone - Work", "Phone - Mobile"]
        assert batch.report.column_mapping["Phone - Work"] == "phoneNumber"


def test_many_one_cell_lines_are_rows_not_a_footer() -> None:
    lines = "".join(f"note {i}\n" for i in range(15))
    text = f"Name,Phone\nAda,+14155550132\n{lines}Bob,+14155550133\n"
    batch = collect_contacts(csv_path="-", options=CsvOptions(), stdin=io.BytesIO(text.encode()))
    with batch:
        assert counts(batch) == (17, 2, 15, 0)
        assert [r.line for r in batch.report.rejects] == list(range(3, 18))  # in order
        assert [c.line for c in batch] == [2, 18]
        assert not any("footer" in note for note in batch.report.note_texts(REPORT_WORDS))


def test_a_footer_after_a_one_column_file() -> None:
    text = (
        "Phone\n+14155550132\n+14155550133\n\n"
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
        '"Generated By:  Jane Doe  3/4/2026 10:12 AM"\n"Acme Corporation"\n'
    )
    batch = collect_contacts(csv_path="-", options=CsvOptions(), stdin=io.BytesIO(text.encode()))
    with batch:
        assert counts(batch) == (2, 2, 0, 0)
        assert (
            batch.report.note_texts(REPORT_WORDS)[0]
            == "lines 5-7: a Salesforce report footer, skipped (not contacts)"
        )
