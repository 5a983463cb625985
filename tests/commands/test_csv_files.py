"""Every CSV the tool writes reads back: one dialect (CRLF, a lone CR quoted), the members
CSV and `export` alike, and an import that skips the fields the server sets (`_id`).
TSV keeps a cell's tabs, newlines and backslashes, escaped."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from tests.conftest import members_of, seed_audience

# Cells that a careless writer splits or loses: a comma, a quote, CRLF, a lone CR, a lone
# LF, a tab and a backslash.
AWKWARD = {
    "company": 'Acme, "Inc."',
    "notes": "two\r\nlines",
    "lone": "lone\rcr",
    "lf": "line\nfeed",
    "tab": "tab\there",
    "path": "C:\\leads\\new",
}


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def awkward(store) -> str:
    return seed_audience(store, "A", 3, **AWKWARD)


@pytest.mark.parametrize("how", ["members", "export"])
def test_a_members_csv_reads_back_into_an_equal_audience(
    sandbox_cli, store, awkward, tmp_path, how
):
    target = tmp_path / "m.csv"
    if how == "members":
        written = sandbox_cli("--quiet", "members", "A", "--all", "--format", "csv")
        assert written.exit_code == 0, written.stderr
        target.write_bytes(written.raw_stdout)
    else:
        written = sandbox_cli("export", "A", "-o", str(target))
        assert written.exit_code == 0, written.stderr

    created = sandbox_cli("create", "Copy", "--csv", str(target), "--json")
    assert created.exit_code == 0, created.stderr
    report = json.loads(created.stdout)["report"]
    assert report["rows"] == report["valid"] == 3
    assert "not imported: _id (set by Atoms for each member, not contact data)" in report["notes"]
    assert "not imported: _id" in sandbox_cli("create", "Copy 2", "--csv", str(target)).stderr
    copy = json.loads(created.stdout)["audience"]["_id"]
    assert members_of(store, copy) == members_of(store, awkward)  # no `_id` among the data

    diff = sandbox_cli("diff", "A", "Copy")
    assert diff.exit_code == 0, diff.stdout + diff.stderr
    assert diff.stdout == ""
    assert "0 to add, 0 to remove, 0 to update, 3 unchanged" in diff.stderr


def test_export_writes_the_columns_of_the_members_csv_in_the_same_order(
    sandbox_cli, store, awkward
):
    listed = sandbox_cli("--quiet", "members", "A", "--all", "--format", "csv")
    exported = sandbox_cli("export", "A", "-o", "-")
    assert exported.raw_stdout == listed.raw_stdout
    header = read_csv(exported.raw_stdout.decode())[0]
    assert header == ["_id", "phoneNumber", "firstName", "lastName", *AWKWARD]


def test_a_server_owned_column_is_not_imported_unless_picked(sandbox_cli, store, tmp_path):
    source = tmp_path / "members.csv"
    source.write_text(
        "_id,phoneNumber,firstName,createdAt,audienceId,notes\n"
        "0123456789abcdef01234567,+14155550100,Ada,2026-01-01,fedcba9876543210fedcba98,vip\n"
    )
    created = sandbox_cli("create", "Copy", "--csv", str(source), "--columns", "_id,notes")
    assert created.exit_code == 0, created.stderr
    assert "not imported: _id, createdAt, audienceId" in created.stderr
    (member,) = store.all_members(created.stdout.strip())
    assert member["data"] == {
        "phoneNumber": "+14155550100",
        "firstName": "Ada",
        "lastName": "",
        "notes": "vip",
    }
    # A column named on purpose is read: here the name is in `createdAt`.
    named = sandbox_cli("create", "Named", "--csv", str(source), "--first-name-column", "createdAt")
    assert named.exit_code == 0, named.stderr
    assert "not imported: _id, audienceId" in named.stderr
    (member,) = store.all_members(named.stdout.strip())
    assert member["data"]["firstName"] == "2026-01-01"


# --- one dialect everywhere ---------------------------------------------------------------


def test_a_lone_cr_in_a_cell_is_quoted_in_every_csv_the_tool_writes(
    sandbox_cli, cli, store, tmp_path
):
    audience_id = seed_audience(store, "Lone\rCR", 2, lone="lone\rcr")
    outputs = {
        "members": sandbox_cli("members", audience_id, "--format", "csv").raw_stdout.decode(),
        "members --all": sandbox_cli(
            "members", audience_id, "--all", "--format", "csv"
        ).raw_stdout.decode(),
        "list": sandbox_cli("list", "--format", "csv").raw_stdout.decode(),
        "show": sandbox_cli("show", audience_id, "--format", "csv").raw_stdout.decode(),
        "export": sandbox_cli("export", audience_id, "-o", "-").raw_stdout.decode(),
    }
    source = tmp_path / "in.csv"
    source.write_bytes(b'phone,notes\r\n+14155550100,"lone\rcr"\r\nnope,"lone\rcr"\r\n')
    clean, rejects = tmp_path / "clean.csv", tmp_path / "rejects.csv"
    validated = cli(
        "validate", str(source), "--no-dnc", "-o", str(clean), "--rejects", str(rejects)
    )
    assert validated.exit_code == 3, validated.stderr
    outputs["validate --output"] = clean.read_bytes().decode()
    outputs["--rejects"] = rejects.read_bytes().decode()
    removed = sandbox_cli("remove", audience_id, "--phone", "+14155550000", "--yes")
    assert removed.exit_code == 0, removed.stderr
    (snapshot,) = (tmp_path / "state").rglob("*.csv.gz")
    outputs["snapshot"] = gzip.decompress(snapshot.read_bytes()).decode()
    for what, text in outputs.items():
        cell = "Lone\rCR" if what in ("list", "show") else "lone\rcr"
        rows = read_csv(text)
        assert text.endswith("\r\n"), (what, text)  # RFC 4180's line end, as every file has
        assert len({len(row) for row in rows}) == 1, (what, text)  # no row split in two
        assert any(cell in row for row in rows), (what, text)


def test_the_create_upload_is_written_in_the_same_dialect():
    from audience_cli.model import members_csv

    body = members_csv([{"phoneNumber": "+14155550100", "notes": "lone\rcr"}]).decode()
    assert body == 'firstName,lastName,phoneNumber,notes\r\n,,+14155550100,"lone\rcr"\r\n'


# --- TSV ----------------------------------------------------------------------------------


def test_tsv_escapes_tabs_newlines_and_backslashes_instead_of_losing_them(
    sandbox_cli, store, awkward
):
    result = sandbox_cli("members", "A", "--format", "tsv", "--header")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[-1] == "" and len(lines) == 1 + 3 + 1  # a header, a line per member
    rows = [line.split("\t") for line in lines[:-1]]
    assert rows[0] == ["_id", "phoneNumber", "firstName", "lastName", *AWKWARD]
    assert all(len(row) == len(rows[0]) for row in rows)
    assert rows[1][4:] == [
        'Acme, "Inc."',
        "two\\r\\nlines",
        "lone\\rcr",
        "line\\nfeed",
        "tab\\there",
        "C:\\\\leads\\\\new",
    ]
    # Unescaped, each cell is the data as stored.
    unescape = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}

    def decoded(cell: str) -> str:
        import re

        return re.sub(r"\\[\\tnr]", lambda m: unescape[m.group()], cell)

    assert dict(zip(rows[0][4:], map(decoded, rows[1][4:]), strict=True)) == AWKWARD
