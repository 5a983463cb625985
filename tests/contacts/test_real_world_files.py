"""Real-world CSV shapes, read end to end: exact contacts and exact reports."""

from __future__ import annotations

from audience_cli.cli.hints import REPORT_WORDS

from .helpers import as_tuples, collect, counts, rejects


def test_excel_utf8_export_with_bom_and_crlf() -> None:
    with collect("excel_utf8_bom_crlf.csv") as batch:
        assert as_tuples(batch) == [
            ("+34612345678", "José", "García", {"Company": "Café Olé S.L.", "City": "Sevilla"}, 2),
            ("+46701234567", "Zoë", "Ångström", {"Company": "Nordljus AB", "City": "Göteborg"}, 3),
            ("+447911123456", "Ada", "Lovelace", {"City": "London"}, 4),  # "Lovelace, Ada"
            ("+819012345678", "Ōsaka", "Tarō", {"Company": "株式会社テスト", "City": "大阪"}, 5),
            ("+12125550123", "", "", {"Company": "Nobody Inc", "City": "New York"}, 6),
        ]
        assert counts(batch) == (5, 5, 0, 0)
        # The BOM is not part of the first column's name.
        assert batch.report.column_mapping == {
            "Name": "firstName+lastName",
            "Mobile Phone": "phoneNumber",
            "Company": "Company",
            "City": "City",
        }


def test_german_semicolon_cp1252_with_national_numbers() -> None:
    with collect("de_semicolon_cp1252.csv", encoding="cp1252", region="DE") as batch:
        assert as_tuples(batch) == [
            (
                "+49301234567",
                "Jürgen",
                "Müller",
                {
                    "Firma": "Bäckerei Müller GmbH",
                    "strasse": "Hauptstraße 5",
                    "Umsatz": "1.234,50 €",
                },
                2,
            ),
            ("+4915123456789", "Käthe", "Schröder", {"strasse": "Königsallee 12"}, 3),
            ("+4989123456", "Uwe", "Weiß", {"Firma": "Weiß & Söhne KG", "Umsatz": "12,00 €"}, 4),
        ]
        assert counts(batch) == (4, 3, 1, 0)
        assert rejects(batch) == [(5, "0170 12", "INVALID_NUMBER")]
        assert batch.report.rejects[0].row == {
            "Vorname": "Ärger",
            "Nachname": "Öztürk",
            "Telefon": "0170 12",
            "Firma": "",
            "Straße": "",
            "Umsatz": "",
        }
        assert batch.report.column_mapping["Straße"] == "strasse"


def test_french_semicolon_cp1252_region_is_case_insensitive() -> None:
    with collect("fr_semicolon_cp1252.csv", encoding="cp1252", region="fr") as batch:
        assert as_tuples(batch) == [
            ("+33612345678", "Hélène", "Dupré", {"societe": "Café de Flore"}, 2),
            ("+33142685300", "François", "Lefèvre", {"societe": "Œuvres & Cie"}, 3),
        ]
        # "+33 6 12 34 56 78" is the same number as "06 12 34 56 78".
        assert counts(batch) == (3, 2, 0, 1)
        assert batch.report.column_mapping == {
            "Prénom": "firstName",
            "Nom": "lastName",
            "Téléphone": "phoneNumber",
            "Société": "societe",
        }


def test_google_contacts_export() -> None:
    with collect("google_contacts.csv") as batch:
        assert as_tuples(batch) == [
            (
                "+14155550132",  # the first of "+1 415-555-0132 ::: +1 415-555-0199"
                "Ada",
                "Lovelace",
                {
                    "Name": "Ada Lovelace",
                    "group_membership": "* myContacts",
                    "e_mail_1_type": "* Home",
                    "e_mail_1_value": "ada@example.com",
                    "phone_1_type": "Mobile",
                    "organization_1_name": "Analytical Engines",
                    "other_phones": "+1 415-555-0199",  # the second number of the cell
                },
                2,
            ),
            (
                "+12025550182",
                "Grace",
                "Hopper",
                {
                    "Name": "Grace Hopper",
                    "group_membership": "* myContacts ::: Leads",
                    "phone_1_type": "Work",
                },
                3,
            ),
        ]
        assert counts(batch) == (3, 2, 1, 0)
        assert rejects(batch) == [(4, "", "EMPTY")]
        # Only columns that carried data are listed, in header order.
        assert batch.report.column_mapping == {
            "Name": "Name",
            "Given Name": "firstName",
            "Family Name": "lastName",
            "Group Membership": "group_membership",
            "E-mail 1 - Type": "e_mail_1_type",
            "E-mail 1 - Value": "e_mail_1_value",
            "Phone 1 - Type": "phone_1_type",
            "Phone 1 - Value": "phoneNumber",
            "Organization 1 - Name": "organization_1_name",
        }
        assert batch.csv_header_keys() == [
            "Name",
            "group_membership",
            "e_mail_1_type",
            "e_mail_1_value",
            "phone_1_type",
            "organization_1_name",
            "other_phones",
        ]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "1 phone cell holds several numbers: the first is used, the others kept as other_phones"
        ]


def test_quoted_fields_with_commas_quotes_and_newlines_keep_physical_line_numbers() -> None:
    with collect("quoted_multiline.csv") as batch:
        assert as_tuples(batch) == [
            (
                "+14155550132",
                "Ada",
                "Lovelace",
                {
                    "address": "12 St James's Square\nLondon SW1Y 4JH\nUnited Kingdom",
                    "notes": 'said "call after 5", maybe',
                },
                2,
            ),
            (
                "+442079460958",
                "Alan",
                "Turing",
                {"address": "Bletchley Park\nMilton Keynes", "notes": "two\nlines"},
                6,
            ),
        ]
        # Record 1 spans lines 2-4 and record 3 lines 6-8: the rejects are on lines 5 and 9.
        assert rejects(batch) == [(5, "12345", "MISSING_REGION"), (9, "n/a", "NOT_A_NUMBER")]
        assert counts(batch) == (4, 2, 2, 0)


def test_junk_and_duplicates() -> None:
    with collect("junk_and_duplicates.csv") as batch:
        assert as_tuples(batch) == [
            ("+14155550132", "Ada", "Lovelace", {}, 2),
            ("+447911123456", "Alan", "Turing", {}, 14),
        ]
        assert rejects(batch) == [
            (3, "", "EMPTY"),
            (4, "not a number", "NOT_A_NUMBER"),
            (5, "+1 415 55", "TOO_SHORT"),
            (6, "+1 415 555 0100 1234 5678", "TOO_LONG"),
            (7, "+999 1234 5678", "INVALID_COUNTRY_CODE"),
            (8, "07911 123456", "MISSING_REGION"),
            (9, "+1 099 555 0100", "INVALID_NUMBER"),
            (11, "(415) 555-0132", "MISSING_REGION"),
        ]
        # Line 10 and line 15 (",,") are blank rows: not counted. "+14155550132" and
        # "0014155550132" repeat line 2.
        assert counts(batch) == (12, 2, 8, 2)
        assert batch.report.by_reason() == {
            "MISSING_REGION": 2,
            "EMPTY": 1,
            "NOT_A_NUMBER": 1,
            "TOO_SHORT": 1,
            "TOO_LONG": 1,
            "INVALID_COUNTRY_CODE": 1,
            "INVALID_NUMBER": 1,
        }


def test_junk_with_a_region_reads_national_numbers_in_that_region() -> None:
    with collect("junk_and_duplicates.csv", region="US") as batch:
        # "(415) 555-0132" is now Ada's number again: a duplicate, not a reject; the
        # British national number is read as a (too long) US one.
        assert counts(batch) == (12, 2, 7, 3)
        assert rejects(batch)[5:] == [
            (8, "07911 123456", "TOO_LONG"),
            (9, "+1 099 555 0100", "INVALID_NUMBER"),
        ]


def test_tab_delimited() -> None:
    with collect("tab_delimited.tsv") as batch:
        assert as_tuples(batch) == [
            (
                "+14155550132",
                "Ada",
                "Lovelace",
                {"notes_with_comma": "likes commas, and semicolons; yes"},
                2,
            ),
            ("+442079460958", "Alan", "Turing", {}, 3),
        ]


def test_pipe_delimited_with_a_contact_name_column() -> None:
    with collect("pipe_delimited.csv") as batch:
        assert as_tuples(batch) == [
            ("+14155550132", "Ada", "Lovelace", {"account_id": "A-1"}, 2),
            ("+33612345678", "Hedy", "Lamarr", {"account_id": "A-2"}, 3),
        ]
        assert batch.report.column_mapping == {
            "tel": "phoneNumber",
            "contact name": "firstName+lastName",
            "account id": "account_id",
        }


def test_header_only_is_an_empty_import() -> None:
    with collect("header_only.csv") as batch:
        assert len(batch) == 0
        assert list(batch) == []
        assert counts(batch) == (0, 0, 0, 0)
        assert batch.report.column_mapping == {
            "firstName": "firstName",
            "lastName": "lastName",
            "phoneNumber": "phoneNumber",
        }
        assert batch.report.summary_lines() == [f"{batch.report.source}: 0 rows read · 0 valid"]
