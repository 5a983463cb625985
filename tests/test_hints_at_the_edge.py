"""The plain side states facts; the CLI adds the flags and commands that help (#19).

Each error of the plain side that used to name a flag is checked here twice: its own
message names none, and what the CLI prints still does."""

from __future__ import annotations

import io
import json
from pathlib import Path

from audience_cli.cli.hints import REPORT_WORDS, hint_for, message_for, sandbox_hint
from audience_cli.errors import (
    BadDelimiterError,
    InsecureTransportError,
    InvalidPhoneError,
    LinkRefusedError,
    NoPhoneColumnError,
    UnknownColumnError,
    UnknownColumnsError,
    UnknownRegionError,
    UnknownSheetError,
    UnknownSnapshotError,
)
from audience_cli.reasons import PLAIN_WORDS, PhoneReason, RowReason
from audience_cli.sandbox.errors import SandboxDatabaseError
from audience_cli.state.locks import LockedByOtherRun


def test_reason_texts_gain_their_flags_at_the_cli() -> None:
    assert PLAIN_WORDS.reason_text(RowReason.PREMIUM_RATE) == "a premium-rate number"
    assert REPORT_WORDS.reason_text(RowReason.PREMIUM_RATE) == (
        "a premium-rate number (--allow-type premium_rate to keep it)"
    )
    assert REPORT_WORDS.reason_text(PhoneReason.MISSING_REGION) == (
        "national number without a country: add +CC or pass --region"
    )
    assert REPORT_WORDS.reason_text("NOT_A_REASON") == ""


def test_error_messages_gain_their_flags_at_the_cli() -> None:
    cases = [
        (
            InvalidPhoneError("12345", "MISSING_REGION", "national number without a country"),
            "invalid phone number '12345': national number without a country: add +CC or pass "
            "--region (MISSING_REGION)",
        ),
        (
            LinkRefusedError("the export x is a symbolic link (to y), not written", forcible=True),
            "the export x is a symbolic link (to y), not written; --force writes through it",
        ),
        (
            UnknownColumnError("a.csv", "Fax", "phone_column", "'Name', 'Phone'"),
            "a.csv: no column 'Fax' (--phone-column); the header has: 'Name', 'Phone'",
        ),
        (
            UnknownColumnsError("a.csv", "'Revenue'", "available: 'Notes'"),
            "a.csv: unknown column(s) 'Revenue' in --columns; available: 'Notes'",
        ),
        (
            UnknownSheetError("b.xlsx", "Nope", "'Old'"),
            "b.xlsx: no sheet 'Nope' (--sheet); the workbook has 'Old'",
        ),
        (
            UnknownSnapshotError("no snapshot 'x' for this API"),
            "no snapshot 'x' for this API: `audience snapshots` lists them "
            "(a path to a .csv.gz works too)",
        ),
        (
            LockedByOtherRun("audience 'A' is being changed by another run of audience"),
            "audience 'A' is being changed by another run of audience (--wait sets how long)",
        ),
    ]
    for error, shown in cases:
        assert "--" not in error.message and "`audience" not in error.message
        assert message_for(error) == shown


def test_hints_name_the_flags_at_the_cli() -> None:
    assert hint_for(BadDelimiterError("bad delimiter 'ab': give one character")) == (
        "e.g. --delimiter ';' or --delimiter tab"
    )
    assert hint_for(NoPhoneColumnError("a.csv: no phone column in the header")) == (
        "name it with --phone-column, e.g. --phone-column 'Mobile'"
    )
    assert hint_for(UnknownRegionError("unknown region 'XX'")) == (
        "--region takes an ISO 3166 country code"
    )
    assert "--allow-insecure-http" in (hint_for(InsecureTransportError("plain http")) or "")
    database = SandboxDatabaseError("x.db: cannot use", hint="Point AUDIENCE_SANDBOX_DB at …")
    assert sandbox_hint(database) == (
        "Point AUDIENCE_SANDBOX_DB (or --db) at a new or existing sandbox file."
    )


def test_a_bad_delimiter_still_shows_its_hint(cli, tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("phone\n+14155550100\n")
    result = cli("validate", str(leads), "--delimiter", "ab")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: bad delimiter 'ab': give one character\ne.g. --delimiter ';' or --delimiter tab\n"
    )


def test_report_notes_name_settings_plainly_and_flags_at_the_cli() -> None:
    from audience_cli.contacts import CsvOptions, collect_contacts

    text = b"\xef\xbb\xbfPhone,Name\n+14155550132,Ada,extra\n"
    options = CsvOptions(encoding="latin-1", columns=["Phone"], enrich=True)
    batch = collect_contacts(csv_path="-", options=options, stdin=io.BytesIO(text))
    with batch:
        plain, cli = batch.report.note_texts(), batch.report.note_texts(REPORT_WORDS)
        data = batch.report.to_dict(REPORT_WORDS)
    extra = "1 row has more cells than the header (first: line 2): the extra cells are not kept"
    enrich = "added country, number_type, timezone, carrier"
    bom = "the file starts with a UTF-8 byte-order mark but {}encoding latin-1 was given; "
    bom += "the file is probably UTF-8 (the mark was dropped)"
    assert plain == [bom.format(""), f"{extra} (columns)", f"enrich {enrich}"]
    assert cli == [bom.format("--"), f"{extra} (--columns)", f"--enrich {enrich}"]
    assert data["notes"] == cli


def test_json_report_notes_name_the_flags(cli, tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("Phone\n+14155550132\n")
    result = cli("validate", str(leads), "--enrich", "--no-dnc", "--json")
    assert json.loads(result.stdout)["report"]["notes"] == [
        "--enrich added country, number_type, timezone, carrier, local_window"
    ]


def test_decoding_errors_name_the_encoding_flag_at_the_cli(cli, tmp_path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("phone,name\n+14155550132,Jos\xe9\n".encode("latin-1"))
    bad = cli("validate", str(latin), "--no-dnc")
    assert bad.exit_code == 2
    assert "is not valid utf-8" in bad.stderr
    assert "pass the file's encoding, e.g. --encoding cp1252" in bad.stderr
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfphone,name\n+14155550132,Jos\xc3\xa9\n")
    refused = cli("validate", str(bom), "--encoding", "latin-1", "--no-dnc")
    assert refused.exit_code == 2
    assert "byte-order mark but --encoding latin-1 was given" in refused.stderr
    assert "drop --encoding (or pass --encoding utf-8)" in refused.stderr
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"phone\x00,name\n")
    binary = cli("validate", str(nul), "--no-dnc")
    assert binary.exit_code == 2
    assert "for UTF-16 text pass --encoding utf-16" in binary.stderr


def test_pipeline_errors_and_details_name_the_flags_at_the_cli(cli, sandbox_cli, tmp_path) -> None:
    unpaired = sandbox_cli(
        "create", "New", "--phone", "+14155550132", "--name", "Ada", "--name", "Grace"
    )
    assert unpaired.exit_code == 2
    assert (
        "2 names for 1 phone number: each --name belongs to the --phone at the same position"
    ) in unpaired.stderr
    text = tmp_path / "t.csv"
    text.write_text("phone\n+14155550102\n")
    sheet = cli("validate", str(text), "--sheet", "Data", "--no-dnc")
    assert sheet.exit_code == 2
    assert "--sheet 'Data' names a sheet of an .xlsx workbook, and this is a text file" in (
        sheet.stderr
    )
    assert "drop --sheet for a CSV file" in sheet.stderr
    uk = tmp_path / "uk.csv"
    uk.write_text("Name,Phone\nAlan,07400 123456\n")
    wrong = cli("validate", str(uk), "--region", "US", "--no-dnc", "--json")
    assert wrong.exit_code == 3
    detail = "too long — valid as a GB number: check --region or add a country column"
    assert json.loads(wrong.stdout)["report"]["rejects"][0]["detail"] == detail
    assert detail in wrong.stderr
