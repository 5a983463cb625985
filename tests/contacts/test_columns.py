"""Finding the phone and name columns, naming the data keys, explicit column options."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from audience_cli.cli.hints import REPORT_WORDS, message_for
from audience_cli.contacts import CsvOptions, collect_contacts
from audience_cli.contacts.columns import api_key, simple_name
from audience_cli.contacts.model import split_name
from audience_cli.errors import UsageError

from .helpers import as_tuples, collect, counts, from_text


@pytest.mark.parametrize(
    ("header", "phone_column"),
    [
        ("phoneNumber,name", "phoneNumber"),
        ("Name,PHONE-NUMBER", "PHONE-NUMBER"),
        ("name, phone_number ", "phone_number"),
        ("Name,Mobile,Phone", "Phone"),  # "phone" is preferred to "mobile"
        ("Name,Mobile Number", "Mobile Number"),
        ("Name,Cell", "Cell"),
        ("Name,Tel.", "Tel."),
        ("Name,Telephone", "Telephone"),
        ("Name,Contact Number", "Contact Number"),
        ("Name,WhatsApp", "WhatsApp"),
        ("Name,Number", "Number"),
        ("Name,Téléphone", "Téléphone"),
        ("Name,Phone 1 - Type,Phone 1 - Value,Phone 2 - Value", "Phone 1 - Value"),
        ("Name,Phone 2", "Phone 2"),
    ],
)
def test_phone_column_found_by_name(header: str, phone_column: str) -> None:
    cells = header.split(",")
    row = ",".join("+14155550132" if c.strip() == phone_column else "x" for c in cells)
    with from_text(f"{header}\n{row}\n") as batch:
        assert [c.phone for c in batch] == ["+14155550132"]
        assert batch.report.column_mapping[phone_column] == "phoneNumber"


@pytest.mark.parametrize(
    ("header", "row", "names"),
    [
        ("firstName,lastName,phone", "Ada,Lovelace,+14155550132", ("Ada", "Lovelace")),
        ("First Name,Last Name,phone", "Ada,Lovelace,+14155550132", ("Ada", "Lovelace")),
        ("Given Name,Family Name,phone", "Ada,Lovelace,+14155550132", ("Ada", "Lovelace")),
        ("Surname,Forename,phone", "Lovelace,Ada,+14155550132", ("Ada", "Lovelace")),
        ("Full Name,phone", "Ada King Lovelace,+14155550132", ("Ada", "King Lovelace")),
        ("Contact Name,phone", "  Ada   Lovelace ,+14155550132", ("Ada", "Lovelace")),
        ("name,phone", '"Lovelace, Ada",+14155550132', ("Ada", "Lovelace")),
        ("name,phone", "Cher,+14155550132", ("Cher", "")),
        ("first name,phone", "Ada,+14155550132", ("Ada", "")),  # no last-name column
    ],
)
def test_name_columns(header: str, row: str, names: tuple[str, str]) -> None:
    with from_text(f"{header}\n{row}\n") as batch:
        [contact] = list(batch)
        assert (contact.first_name, contact.last_name) == names
        assert contact.fields == {}


def test_explicit_columns_by_name_or_simple_name() -> None:
    text = "Who,Surname,Primary,Backup\nAda,Lovelace,+14155550132,+14155550199\n"
    options = {"phone_column": "backup", "first_name_column": "WHO", "last_name_column": "Surname"}
    with from_text(text, **options) as batch:
        assert as_tuples(batch) == [
            ("+14155550199", "Ada", "Lovelace", {"Primary": "+14155550132"}, 2)
        ]
        assert batch.report.column_mapping == {
            "Who": "firstName",
            "Surname": "lastName",
            "Primary": "Primary",
            "Backup": "phoneNumber",
        }


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        ({"phone_column": "Fax"}, "--phone-column"),
        ({"first_name_column": "Vorname"}, "--first-name-column"),
        ({"last_name_column": "Nachname"}, "--last-name-column"),
    ],
)
def test_unknown_explicit_column(options: dict[str, str], flag: str) -> None:
    with pytest.raises(UsageError) as caught:
        from_text("Name,Phone\nAda,+14155550132\n", **options)
    [wanted] = options.values()
    assert message_for(caught.value) == (
        f"<stdin>: no column {wanted!r} ({flag}); the header has: 'Name', 'Phone'"
    )


def test_columns_filter_by_original_name_or_key() -> None:
    text = "Phone,Name,Company Name,E-mail,Notes\n+14155550132,Ada Lovelace,Acme,a@x.io,hi\n"
    with from_text(text, columns=["company_name", "E-mail", "Phone"]) as batch:
        assert as_tuples(batch) == [
            ("+14155550132", "Ada", "Lovelace", {"company_name": "Acme", "e_mail": "a@x.io"}, 2)
        ]
    with from_text(text, columns=[]) as batch:
        assert [dict(c.fields) for c in batch] == [{}]


def test_columns_filter_with_unknown_names_lists_the_available_columns() -> None:
    text = "Phone,Name,Company Name,Notes\n+14155550132,Ada,Acme,hi\n"
    with pytest.raises(UsageError) as caught:
        from_text(text, columns=["Company Name", "Revenue", "city"])
    assert message_for(caught.value) == (
        "<stdin>: unknown column(s) 'Revenue', 'city' in --columns; "
        "available: 'Company Name', 'Notes'"
    )


def test_data_keys_are_unique_and_never_the_member_keys() -> None:
    text = (
        "Phone,Notes,notes,NOTES,,Tag,Tag,firstName,Phone Number,***,Straße\n"
        "+14155550132,a,b,c,d,e,f,g,h,i,j\n"
    )
    with from_text(text, phone_column="Phone", first_name_column="Tag") as batch:
        [contact] = list(batch)
        assert contact.first_name == "e"
        assert contact.fields == {
            "Notes": "a",
            "notes_2": "b",
            "NOTES_3": "c",
            "column_5": "d",
            "Tag_2": "f",
            "firstName_2": "g",
            "phone_number": "h",
            "column_10": "i",
            "strasse": "j",
        }
        # Renamed and generated keys are in the mapping under the column as written.
        assert batch.report.column_mapping == {
            "Phone": "phoneNumber",
            "Notes": "Notes",
            "notes": "notes_2",
            "NOTES": "NOTES_3",
            "(column 5, no name)": "column_5",
            "Tag": "firstName",
            "Tag (column 7)": "Tag_2",
            "firstName": "firstName_2",
            "Phone Number": "phone_number",
            "***": "column_10",
            "Straße": "strasse",
        }


def test_empty_values_are_left_out_and_values_are_trimmed() -> None:
    with from_text("phone,city,zip\n+14155550132,  Paris , \n") as batch:
        assert [dict(c.fields) for c in batch] == [{"city": "Paris"}]
        assert batch.csv_header_keys() == ["city"]
        # "zip" is empty in every row: not a data key, not in the mapping.
        assert batch.report.column_mapping == {"phone": "phoneNumber", "city": "city"}


def test_short_and_long_rows() -> None:
    text = "phone,name,city\n+14155550132\n+14155550199,Ada,Paris,extra\nbad,Bob,Rome,x,y\n"
    with from_text(text) as batch:
        assert as_tuples(batch) == [
            ("+14155550132", "", "", {}, 2),
            ("+14155550199", "Ada", "", {"city": "Paris", "column_4": "extra"}, 3),
        ]
        assert batch.report.rejects[0].row == {
            "phone": "bad",
            "name": "Bob",
            "city": "Rome",
            "column_4": "x",
            "column_5": "y",
        }


def test_a_bare_list_of_numbers_has_no_header(write_file: Callable[..., str]) -> None:
    path = write_file("+14155550132\n+1 415 555 0199\n12\n+14155550132\n")
    with collect_contacts(csv_path=path, options=CsvOptions()) as batch:
        assert [(c.phone, c.line) for c in batch] == [("+14155550132", 1), ("+14155550199", 2)]
        assert counts(batch) == (4, 2, 1, 1)
        assert batch.report.rejects[0].row == {"phoneNumber": "12"}


def test_single_column_header_that_is_not_a_number_still_needs_a_phone_column() -> None:
    with pytest.raises(UsageError, match="no phone column in the header \\('contacts'\\)"):
        from_text("contacts\n+14155550132\n")


def test_explicit_delimiter_overrides_sniffing() -> None:
    text = "phone;name,with comma\n+14155550132;Ada,Lovelace\n"
    with from_text(text, delimiter=";") as batch:
        assert as_tuples(batch) == [
            ("+14155550132", "", "", {"name_with_comma": "Ada,Lovelace"}, 2)
        ]
    with from_text(text.replace(";", "\t"), delimiter="tab") as batch:
        assert len(batch) == 1


def test_fixture_with_explicit_columns_and_filter() -> None:
    with collect(
        "google_contacts.csv",
        phone_column="phone 1 - value",
        first_name_column="Name",
        columns=["E-mail 1 - Value", "organization_1_name"],
    ) as batch:
        assert as_tuples(batch) == [
            (
                "+14155550132",
                "Ada Lovelace",
                "Lovelace",
                {"e_mail_1_value": "ada@example.com", "organization_1_name": "Analytical Engines"},
                2,
            ),
            ("+12025550182", "Grace Hopper", "Hopper", {}, 3),
        ]
        # --columns leaves out the cell's other number unless "other_phones" is named.
        assert batch.report.note_texts(REPORT_WORDS) == [
            "1 phone cell holds several numbers: the first is used, "
            "the others not kept (--columns without other_phones)"
        ]
        assert batch.report.column_mapping == {
            "Name": "firstName",
            "Family Name": "lastName",
            "E-mail 1 - Value": "e_mail_1_value",
            "Phone 1 - Value": "phoneNumber",
            "Organization 1 - Name": "organization_1_name",
        }


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Company Name", "company_name"),
        ("E-mail 1 - Value", "e_mail_1_value"),
        ("leadScore", "leadScore"),
        ("crm_id", "crm_id"),
        ("Straße", "strasse"),
        ("Œuvre", "oeuvre"),
        ("  Notes (internal) ", "notes_internal"),
        ("株式会社", ""),
        ("", ""),
    ],
)
def test_api_key(name: str, key: str) -> None:
    assert api_key(name) == key


def test_simple_name() -> None:
    assert simple_name(" Phone-Number ") == simple_name("phone_number") == "phonenumber"
    assert simple_name("Prénom") == "prenom"


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Ada Lovelace", ("Ada", "Lovelace")),
        ("  Ada   King  Lovelace ", ("Ada", "King Lovelace")),
        ("Lovelace, Ada", ("Ada", "Lovelace")),
        ("Cher", ("Cher", "")),
        ("", ("", "")),
        ("Smith, Jr., John", ("Smith,", "Jr., John")),
    ],
)
def test_split_name(full: str, expected: tuple[str, str]) -> None:
    assert split_name(full) == expected


# -- cells beyond the header ---------------------------------------------------------------


def test_cells_beyond_the_header_are_kept_under_the_keys_the_rejects_file_uses() -> None:
    text = "phone,name\n+14155550101,A,extra1,extra2\nbad,B,x,y\n+14155550102,C,,\n"
    with from_text(text) as batch:
        assert as_tuples(batch) == [
            ("+14155550101", "A", "", {"column_3": "extra1", "column_4": "extra2"}, 2),
            ("+14155550102", "C", "", {}, 4),  # trailing empty cells: nothing to keep
        ]
        assert batch.report.rejects[0].row == {
            "phone": "bad",
            "name": "B",
            "column_3": "x",
            "column_4": "y",
        }
        assert batch.report.column_mapping == {
            "phone": "phoneNumber",
            "name": "firstName+lastName",
            "(column 3, beyond the header)": "column_3",
            "(column 4, beyond the header)": "column_4",
        }
        assert batch.report.summary_lines() == [
            "<stdin>: 3 rows read · 2 valid · 1 rejected (NOT_A_NUMBER 1)",
            "  countries: US 2 · types: FIXED_LINE_OR_MOBILE 2",
            "  1 row has more cells than the header (first: line 2): "
            "extra cells kept as column_3, column_4",
            "  columns: phone → phoneNumber, name → firstName+lastName, "
            "(column 3, beyond the header) → column_3, (column 4, beyond the header) → column_4",
            "  line 3: 'bad' NOT_A_NUMBER: not a phone number",
        ]
        assert batch.csv_header_keys() == ["column_3", "column_4"]


def test_a_cell_beyond_the_header_never_takes_a_header_column_key() -> None:
    with from_text("phone,column_3\n+14155550101,a,b\nbad,c,d\n") as batch:
        assert as_tuples(batch) == [
            ("+14155550101", "", "", {"column_3": "a", "column_3_2": "b"}, 2)
        ]
        assert batch.report.rejects[0].row == {"phone": "bad", "column_3": "c", "column_3_2": "d"}


def test_cells_beyond_the_header_with_a_columns_filter_are_dropped_but_reported() -> None:
    text = "phone,company\n+14155550101,Acme,extra\n"
    with from_text(text, columns=["company"]) as batch:
        assert as_tuples(batch) == [("+14155550101", "", "", {"company": "Acme"}, 2)]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "1 row has more cells than the header (first: line 2): "
            "the extra cells are not kept (--columns)"
        ]


# -- header names: whitespace, duplicates, empty names -----------------------------------------


def test_header_names_are_stripped_before_matching() -> None:
    header = '" First Name ",\tLast Name\t,\u00a0Phone\u200b, Company '
    text = f"{header}\n Ada ,Lovelace,+14155550101,Acme\n"
    with from_text(text) as batch:
        assert as_tuples(batch) == [("+14155550101", "Ada", "Lovelace", {"Company": "Acme"}, 2)]
        assert batch.report.column_mapping == {
            "First Name": "firstName",
            "Last Name": "lastName",
            "Phone": "phoneNumber",
            "Company": "Company",
        }
        assert batch.report.header == ["First Name", "Last Name", "Phone", "Company"]


def test_renamed_duplicates_and_unnamed_columns_are_in_the_report() -> None:
    text = "Phone,Tag,Tag,First Name,,First Name \n+14155550101,a,b,Ada,e,f\n"
    with from_text(text) as batch:
        assert as_tuples(batch) == [
            (
                "+14155550101",
                "Ada",
                "",
                {"Tag": "a", "Tag_2": "b", "column_5": "e", "first_name_2": "f"},
                2,
            )
        ]
        assert batch.report.column_mapping == {
            "Phone": "phoneNumber",
            "Tag": "Tag",
            "Tag (column 3)": "Tag_2",
            "First Name": "firstName",
            "(column 5, no name)": "column_5",
            "First Name (column 6)": "first_name_2",
        }
        assert batch.report.summary_lines() == [
            "<stdin>: 1 row read · 1 valid",
            "  countries: US 1 · types: FIXED_LINE_OR_MOBILE 1",
            "  columns: Phone → phoneNumber, Tag (column 3) → Tag_2, First Name → firstName, "
            "(column 5, no name) → column_5, First Name (column 6) → first_name_2",
        ]


# -- several phone columns -----------------------------------------------------------------


def test_an_empty_phone_column_falls_back_to_the_next_phone_column() -> None:
    text = "Name,Mobile,Work Phone\nAda,,+14155550101\nBob,+14155550102,+14155550103\nCy,,\n"
    with from_text(text) as batch:
        assert as_tuples(batch) == [
            ("+14155550101", "Ada", "", {}, 2),
            ("+14155550102", "Bob", "", {"work_phone": "+14155550103"}, 3),
        ]
        assert [(r.line, r.value, r.reason) for r in batch.report.rejects] == [(4, "", "EMPTY")]
        assert batch.report.summary_lines() == [
            "<stdin>: 3 rows read · 2 valid · 1 rejected (EMPTY 1)",
            "  countries: US 2 · types: FIXED_LINE_OR_MOBILE 2",
            "  phone taken from: Mobile, Work Phone (when Mobile is empty)",
            "  columns: Name → firstName+lastName, Mobile → phoneNumber, Work Phone → work_phone",
            "  line 4: '' EMPTY: no phone number",
        ]
        assert batch.report.to_dict(REPORT_WORDS)["notes"] == [
            "phone taken from: Mobile, Work Phone (when Mobile is empty)"
        ]


def test_phone_columns_are_tried_in_order_of_preference() -> None:
    # Preference: Mobile, then Home Phone, then Work Phone (whatever the header order).
    text = (
        "Name,Work Phone,Home Phone,Mobile\n"
        "Ada,+14155550101,+14155550102,\n"
        "Bob,+14155550103,,\n"
        "Cy,+14155550104,,+14155550105\n"
    )
    with from_text(text) as batch:
        assert as_tuples(batch) == [
            ("+14155550102", "Ada", "", {"work_phone": "+14155550101"}, 2),
            ("+14155550103", "Bob", "", {}, 3),
            ("+14155550105", "Cy", "", {"work_phone": "+14155550104"}, 4),
        ]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "phone taken from: Mobile, Home Phone, Work Phone (each when the ones before are empty)"
        ]
        # Home Phone only ever gave the number: it maps to it.
        assert batch.report.column_mapping == {
            "Name": "firstName+lastName",
            "Work Phone": "work_phone",
            "Home Phone": "phoneNumber",
            "Mobile": "phoneNumber",
        }


def test_no_fallback_with_an_explicit_phone_column_or_to_a_vague_number_column() -> None:
    with from_text("Mobile,Work Phone\n,+14155550101\n", phone_column="Mobile") as batch:
        assert len(batch) == 0
        assert batch.report.rejects[0].reason == "EMPTY"
        assert batch.report.note_texts(REPORT_WORDS) == []
    with from_text("Phone,Number\n,+14155550101\n") as batch:  # "Number" may be anything
        assert len(batch) == 0
        assert batch.report.rejects[0].reason == "EMPTY"


# -- what a phone cell holds besides the number --------------------------------------------


def test_float_exports_extensions_and_several_numbers_in_a_cell() -> None:
    text = (
        "phone,name\n"
        "14155550101.0,Ada\n"
        "1.4155550102E+10,Bob\n"
        "+1 415 555 0103 x123,Cy\n"
        "(415) 555-0104 ext. 12,Di\n"
        "+1 415 555 0105 ::: +1 415 555 0106 ::: 0107,Ed\n"
        "1.41556E+10,Flo\n"
    )
    with from_text(text, region="US") as batch:
        assert as_tuples(batch) == [
            ("+14155550101", "Ada", "", {}, 2),
            ("+14155550102", "Bob", "", {}, 3),
            ("+14155550103", "Cy", "", {"phone_extension": "123"}, 4),
            ("+14155550104", "Di", "", {"phone_extension": "12"}, 5),
            ("+14155550105", "Ed", "", {"other_phones": "+1 415 555 0106, 0107"}, 6),
        ]
        # A spreadsheet's rounded display has lost digits: rejected, not guessed.
        assert [(r.line, r.value, r.reason) for r in batch.report.rejects] == [
            (7, "1.41556E+10", "ROUNDED_BY_SPREADSHEET")
        ]
        assert batch.report.note_texts(REPORT_WORDS) == [
            "2 numbers have an extension: kept as phone_extension",
            "1 phone cell holds several numbers: "
            "the first is used, the others kept as other_phones",
        ]


def test_extension_key_does_not_overwrite_a_column_of_that_name() -> None:
    text = "Phone,Phone Extension\n+1 415 555 0101 x9,77\n"
    with from_text(text) as batch:
        assert as_tuples(batch) == [
            ("+14155550101", "", "", {"phone_extension": "77", "phone_extension_2": "9"}, 2)
        ]


def test_columns_filter_can_keep_the_extension() -> None:
    text = "Phone,Company,Notes\n+1 415 555 0101 x9,Acme,hi\n"
    with from_text(text, columns=["Company", "phone_extension"]) as batch:
        assert as_tuples(batch) == [
            ("+14155550101", "", "", {"Company": "Acme", "phone_extension": "9"}, 2)
        ]
