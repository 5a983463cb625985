import csv
import io
import json

import pytest

from audience_cli.sandbox.app import SandboxConfig
from tests.conftest import RecordingTransport, seed_audience


def test_members_shows_one_page_with_a_footer(sandbox_cli, store):
    seed_audience(store, "Leads", 64)
    result = sandbox_cli("members", "Leads", "--page", "2", "--page-size", "10", tty=True)
    assert result.exit_code == 0, result.stderr
    assert result.lines[0].split()[:4] == ["ID", "PHONE", "FIRST", "NAME"]
    body = result.lines[1:]
    assert len(body) == 10
    assert "+14155550010" in body[0] and "First10" in body[0]
    assert "page 2 of 7 · 64 members · next: --page 3" in result.stderr


def test_last_page_has_no_next_hint(sandbox_cli, store):
    seed_audience(store, "Leads", 12)
    result = sandbox_cli("members", "Leads", "--page", "3", "--page-size", "5")
    assert len(result.lines) == 2
    assert "page 3 of 3 · 12 members" in result.stderr
    assert "next:" not in result.stderr


def test_members_all_streams_every_page(sandbox_cli, store):
    seed_audience(store, "Leads", 230)
    result = sandbox_cli("members", "Leads", "--all")
    assert result.exit_code == 0
    phones = [line.split("\t")[1] for line in result.lines]
    assert phones == [f"+1415555{i:04d}" for i in range(230)]
    assert "230 members" in result.stderr


def test_members_all_json_is_one_array_of_member_objects(sandbox_cli, store):
    seed_audience(store, "Leads", 7)
    data = json.loads(sandbox_cli("members", "Leads", "--all", "--json").stdout)
    assert len(data) == 7
    assert set(data[0]) == {"_id", "data"}
    assert data[0]["data"]["phoneNumber"] == "+14155550000"


def test_members_csv_has_the_api_field_names_and_protects_formulas_with_safe(
    sandbox_cli, store, tmp_path
):
    seed_audience(store, "Leads", 2, company="=HYPERLINK(1)")
    result = sandbox_cli("members", "Leads", "--format", "csv")
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames == ["_id", "phoneNumber", "firstName", "lastName", "company"]
    rows = list(reader)
    assert rows[0]["phoneNumber"] == "+14155550000"  # as stored: the default, as export
    assert rows[0]["company"] == "=HYPERLINK(1)"
    safe = sandbox_cli("members", "Leads", "-F", "csv", "--safe").stdout
    protected = list(csv.DictReader(io.StringIO(safe)))
    assert protected[0]["phoneNumber"] == "'+14155550000"
    assert protected[0]["company"] == "'=HYPERLINK(1)"
    raw = sandbox_cli("members", "Leads", "-F", "csv", "--raw").stdout  # old scripts still run
    assert raw == result.stdout
    # It reads back: create from it makes the same members.
    copy = tmp_path / "members.csv"
    copy.write_text(result.stdout)
    assert sandbox_cli("create", "Copy", "--csv", str(copy)).exit_code == 0
    (new,) = [a for a in store.list_audiences() if a["name"] == "Copy"]
    phones = sorted(m["data"]["phoneNumber"] for m in store.all_members(new["_id"]))
    assert phones == ["+14155550000", "+14155550001"]


def test_members_search_and_where(sandbox_cli, store):
    seed_audience(store, "Leads", 20)
    found = sandbox_cli("members", "Leads", "--search", "first13")
    assert [line.split("\t")[2] for line in found.lines] == ["First13"]
    assert "1 matching member" in found.stderr
    where = sandbox_cli("members", "Leads", "--where", "lastName=last7", "--json")
    assert [m["data"]["lastName"] for m in json.loads(where.stdout)] == ["Last7"]


def test_bad_where_is_a_usage_error(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    result = sandbox_cli("members", "Leads", "--where", "firstName")
    assert result.exit_code == 2
    assert "expected FIELD=VALUE" in result.stderr


def test_page_zero_is_refused_by_the_cli(sandbox_cli, store):
    seed_audience(store, "Leads", 1)
    result = sandbox_cli("members", "Leads", "--page", "0")
    assert result.exit_code == 2


def test_terminal_table_folds_data_fields_into_one_column(sandbox_cli, store):
    seed_audience(store, "Leads", 1, company="Acme", city="Paris")
    result = sandbox_cli("members", "Leads", tty=True, env={"COLUMNS": "100"})
    assert result.lines[0].split() == ["ID", "PHONE", "FIRST", "NAME", "LAST", "NAME", "DATA"]
    assert "company: Acme · city: Paris" in result.plain
    piped = sandbox_cli("members", "Leads")
    assert piped.lines[0].split("\t")[-2:] == ["Acme", "Paris"]


def test_a_page_size_above_the_servers_maximum_is_said(sandbox_cli, store):
    seed_audience(store, "Leads", 250)
    result = sandbox_cli("members", "Leads", "--page-size", "500")
    assert len(result.lines) == 100
    assert "the server sent 100 members per page, not 500" in result.stderr
    assert "page 1 of 3 · 250 members · next: --page 2" in result.stderr


def test_the_same_where_field_twice_is_refused(sandbox_cli, store):
    seed_audience(store, "Leads", 3)
    result = sandbox_cli("members", "Leads", "--where", "firstName=a", "--where", "firstName=b")
    assert result.exit_code == 2
    assert "--where firstName given twice" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--all", "--page", "2"), "--all and --page cannot be combined"),
        (("--search", "x", "--page", "2"), "--search and --page cannot be combined"),
        (("--where", "a=b", "--page", "2"), "--where and --page cannot be combined"),
        (("--search", "x", "--all"), "--all and --search cannot be combined"),
        (("--search", "x", "--where", "a=b"), "--search and --where cannot be combined"),
    ],
)
def test_conflicting_flags_are_an_error_naming_both(sandbox_cli, store, args, message):
    seed_audience(store, "Leads", 3)
    result = sandbox_cli("members", "Leads", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_page_one_given_explicitly_still_conflicts_but_the_default_does_not(sandbox_cli, store):
    seed_audience(store, "Leads", 3)
    assert sandbox_cli("members", "Leads", "--all").exit_code == 0
    assert sandbox_cli("members", "Leads", "--all", "--page", "1").exit_code == 2


@pytest.mark.parametrize("typed", ["(415) 555-0002", "415.555.0002", "+1 415 555 0002"])
def test_a_phone_like_search_is_normalised_first(sandbox_cli, store, typed):
    seed_audience(store, "Leads", 5)
    result = sandbox_cli("members", "Leads", "--search", typed, "--region", "US", "--json")
    assert result.exit_code == 0, result.stderr
    assert [m["data"]["phoneNumber"] for m in json.loads(result.stdout)] == ["+14155550002"]
    assert "1 matching member" in result.stderr


def test_a_where_field_the_audience_lacks_says_which_fields_there_are(sandbox_cli, store):
    seed_audience(store, "Leads", 3, city="Paris")
    result = sandbox_cli("members", "Leads", "--where", "nosuch=1")
    assert result.exit_code == 0
    assert "0 matching members" in result.stderr
    assert (
        "no member has the field 'nosuch'; the fields are: firstName, lastName, phoneNumber, city"
        in result.stderr
    )


def test_concurrency_changes_nothing_but_the_speed(sandbox_cli, store):
    seed_audience(store, "Leads", 777)
    one = sandbox_cli("--concurrency", "1", "members", "Leads", "--all", "--json")
    many = sandbox_cli("--concurrency", "8", "members", "Leads", "--all", "--json")
    assert one.exit_code == 0 == many.exit_code
    assert json.loads(one.stdout) == json.loads(many.stdout)
    assert len(json.loads(many.stdout)) == 777
    assert sandbox_cli("--concurrency", "0", "list").exit_code == 2


def test_members_all_by_id_asks_for_page_one_once(sandbox_cli, store, recorder):
    audience_id = seed_audience(store, "Leads", 250)
    result = sandbox_cli(
        "--concurrency", "4", "members", audience_id, "--all", "--json", transport=recorder
    )
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 250
    assert sorted(recorder.calls) == sorted(
        [("GET", "/audience")] + [("GET", f"/audience/{audience_id}/members")] * 3
    )


def test_members_all_shows_a_bar_on_a_terminal_then_the_table(sandbox_cli, store):
    seed_audience(store, "Leads", 230)
    result = sandbox_cli("members", "Leads", "--all", tty=True)
    assert result.exit_code == 0, result.stderr
    assert "Reading 'Leads'" in result.plain_err and "230/230" in result.plain_err
    assert len(result.lines) == 231  # the header and every member
    quiet = sandbox_cli("--quiet", "members", "Leads", "--all", tty=True)
    assert "Reading" not in quiet.plain_err and len(quiet.lines) == 231


def test_members_all_streaming_json_to_a_terminal_has_no_bar(sandbox_cli, store):
    seed_audience(store, "Leads", 230)
    result = sandbox_cli("members", "Leads", "--all", "--json", tty=True)
    assert result.exit_code == 0, result.stderr
    assert "Reading" not in result.plain_err
    assert len(json.loads(result.plain)) == 230


def test_audience_page_size_sets_the_pages_of_a_full_read(sandbox_cli, store):
    audience_id = seed_audience(store, "Leads", 250)
    wide = RecordingTransport(store, SandboxConfig(max_page_size=500))
    env = {"AUDIENCE_PAGE_SIZE": "125"}
    result = sandbox_cli("members", audience_id, "--all", "--json", transport=wide, env=env)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 250
    assert wide.calls.count(("GET", f"/audience/{audience_id}/members")) == 2  # 125 a page
    for bad in ("0", "lots", "10001"):
        refused = sandbox_cli("members", "Leads", "--all", env={"AUDIENCE_PAGE_SIZE": bad})
        assert refused.exit_code == 2
        assert f"AUDIENCE_PAGE_SIZE={bad!r}: give the members a page, 1 to 10,000" in (
            refused.stderr
        )
        assert "Traceback" not in refused.stderr


class QueryRecorder(RecordingTransport):
    """The sandbox, remembering the `query` of every search."""

    def __init__(self, store) -> None:
        super().__init__(store)
        self.queries: list[str] = []

    def handle_request(self, request):
        if request.url.path.endswith("/members/search"):
            self.queries.append(request.url.params.get("query", ""))
        return super().handle_request(request)


@pytest.mark.parametrize(
    ("typed", "region", "sent", "note"),
    [
        # Part of a number: its digits, found inside the stored +442079460958.
        ("4420794", None, "4420794", "searched for the digits 4420794, anywhere in a field"),
        ("4420794", "US", "4420794", "'4420794' is not a whole phone number"),
        # A national number without --region: its digits, which a stored number contains.
        ("(415) 555-0102", None, "4155550102", "'(415) 555-0102' has no country code"),
        ("555-0102", None, "5550102", "searched for the digits 5550102"),
        ("555-0102", "US", "5550102", "'555-0102' is not a whole phone number"),
        ("20 7946", None, "207946", "searched for the digits 207946"),
        # Whole numbers in E.164, and the note says how they were read.
        ("(415) 555-0102", "US", "+14155550102", "searched for +14155550102 (read from"),
        ("+44 20 7946 0958", None, "+442079460958", "searched for +442079460958"),
    ],
)
def test_a_phone_like_search_is_never_a_reason_code(sandbox_cli, store, typed, region, sent, note):
    audience_id = store.create_audience(
        name="Leads",
        description="",
        phone_column="phoneNumber",
        identifier_column=None,
        members=[
            {"phoneNumber": "+14155550102", "firstName": "Ada"},
            {"phoneNumber": "+442079460958", "firstName": "Alan"},
        ],
    )["_id"]
    recorder = QueryRecorder(store)
    args = ["members", audience_id, "--search", typed, "--json"]
    if region:
        args += ["--region", region]
    result = sandbox_cli(*args, transport=recorder)
    assert result.exit_code == 0, result.stderr
    assert recorder.queries == [sent]
    assert note in result.stderr
    assert len(json.loads(result.stdout)) == 1
    assert "MISSING_REGION" not in result.stderr and "INVALID_NUMBER" not in result.stderr


@pytest.mark.parametrize("typed", ["hopper", "0102", "Ada 555"])
def test_text_and_short_digits_are_searched_as_typed_without_a_note(sandbox_cli, store, typed):
    audience_id = seed_audience(store, "Leads", 3)
    recorder = QueryRecorder(store)
    result = sandbox_cli("members", audience_id, "--search", typed, transport=recorder)
    assert result.exit_code == 0, result.stderr
    assert recorder.queries == [typed]
    assert "searched for" not in result.stderr
