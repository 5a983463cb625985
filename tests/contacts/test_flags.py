"""--phone/--name flags, alone and together with a file."""

from __future__ import annotations

import io

import pytest

from audience_cli.cli.hints import message_for
from audience_cli.contacts import Contact, CsvOptions, collect_contacts, contacts_from_flags
from audience_cli.errors import UsageError

from .helpers import DATA, as_tuples, counts, rejects


def test_names_pair_with_phones_by_position() -> None:
    contacts = contacts_from_flags(
        ["+1 415 555 0132", "(415) 555-0199", "+44 20 7946 0958"],
        ["Ada Lovelace", "Grace Brewster Hopper"],
        "us",
    )
    assert contacts == [
        Contact("+14155550132", "Ada", "Lovelace"),
        Contact("+14155550199", "Grace", "Brewster Hopper"),
        Contact("+442079460958"),
    ]
    assert all(c.line is None and c.fields == {} for c in contacts)


def test_an_extension_in_a_flag_number_is_kept_as_data() -> None:
    contacts = contacts_from_flags(["+1 415 555 0132 ext. 12", "+1 415 555 0199"], ["Ada"], None)
    assert contacts == [
        Contact("+14155550132", "Ada", "", {"phone_extension": "12"}),
        Contact("+14155550199"),
    ]
    assert [dict(c.fields) for c in contacts] == [{"phone_extension": "12"}, {}]
    flags = contacts_from_flags(["+1 415 555 0132 x7"], ["Ada"], None)
    with collect_contacts(csv_path=None, options=CsvOptions(), flag_contacts=flags) as batch:
        assert as_tuples(batch) == [("+14155550132", "Ada", "", {"phone_extension": "7"}, None)]


def test_no_flags() -> None:
    assert contacts_from_flags([], [], None) == []


def test_more_names_than_phones() -> None:
    with pytest.raises(UsageError) as caught:
        contacts_from_flags(["+14155550132"], ["Ada", "Grace"], None)
    assert "--" not in caught.value.message  # the plain side names no flag; the CLI does:
    assert message_for(caught.value) == (
        "2 names for 1 phone number: each --name belongs to the --phone at the same position"
    )


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12345", "invalid phone number '12345': national number without a country: "
         "add +CC or pass --region (MISSING_REGION)"),
        ("+1 415 55", "invalid phone number '+1 415 55': too short (TOO_SHORT)"),
        ("", "invalid phone number '': no phone number (EMPTY)"),
        ("hello", "invalid phone number 'hello': not a phone number (NOT_A_NUMBER)"),
    ],
)  # fmt: skip
def test_an_invalid_flag_number_is_a_usage_error(phone: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        contacts_from_flags(["+14155550132", phone], [], None)
    assert message_for(caught.value) == message


def test_unknown_region() -> None:
    # The region is checked once, where the options are made.
    with pytest.raises(UsageError, match="unknown region 'Narnia'"):
        CsvOptions(region="Narnia")


def test_uk_is_accepted_for_gb() -> None:
    options = CsvOptions(region="uk")
    assert options.region == "GB"
    assert contacts_from_flags(["020 7946 0958"], [], options.region) == [Contact("+442079460958")]


def test_flag_contacts_come_first_and_duplicates_across_sources_are_dropped() -> None:
    flags = contacts_from_flags(
        ["+1 415 555 0132", "+33 6 12 34 56 78", "+33612345678"], ["Ada"], None
    )
    with collect_contacts(csv_path=None, options=CsvOptions(), flag_contacts=flags) as batch:
        assert as_tuples(batch) == [
            ("+14155550132", "Ada", "", {}, None),
            ("+33612345678", "", "", {}, None),
        ]
        assert counts(batch) == (3, 2, 0, 1)
        assert batch.report.source == "<given numbers>"
        assert batch.report.column_mapping == {}

    with collect_contacts(
        csv_path="-",
        options=CsvOptions(),
        flag_contacts=flags,
        stdin=io.BytesIO(
            b"phone,name\n+14155550132,Ada Lovelace\n+442079460958,Alan Turing\nx,y\n"
        ),
    ) as batch:
        assert as_tuples(batch) == [
            ("+14155550132", "Ada", "", {}, None),
            ("+33612345678", "", "", {}, None),
            ("+442079460958", "Alan", "Turing", {}, 3),
        ]
        # 3 flag contacts + 3 file rows = 3 valid + 1 rejected + 2 repeats.
        assert counts(batch) == (6, 3, 1, 2)
        assert rejects(batch) == [(4, "x", "NOT_A_NUMBER")]
        assert batch.report.source == "<stdin>"


def test_flag_numbers_are_normalised_once_with_the_region() -> None:
    flags = contacts_from_flags(["030 1234567"], ["Jürgen"], CsvOptions(region="de").region)
    with collect_contacts(
        csv_path=None, options=CsvOptions(region="DE"), flag_contacts=flags
    ) as batch:
        assert as_tuples(batch) == [("+49301234567", "Jürgen", "", {}, None)]
    with pytest.raises(UsageError, match="invalid phone number 'nope'"):
        contacts_from_flags(["nope"], [], None)


def test_flags_with_a_fixture_file() -> None:
    flags = contacts_from_flags(["+1 212 555 0123"], ["Somebody Else"], None)
    with collect_contacts(
        csv_path=str(DATA / "excel_utf8_bom_crlf.csv"),
        options=CsvOptions(),
        flag_contacts=flags,
    ) as batch:
        assert [(c.phone, c.first_name, c.line) for c in batch][:2] == [
            ("+12125550123", "Somebody", None),
            ("+34612345678", "José", 2),
        ]
        # The file's last row (line 6) repeats the flag number.
        assert counts(batch) == (6, 5, 0, 1)
