"""core/callability.py's memo: `screen_for`, `enricher_for` and `assess_all` keep each
answer by what `assess` reads (the number's zones, country and state, the address and
consent values), and give exactly what the plain path gives, over a mixed sample (address
columns, values that cannot be read, consent), in any order, and past the memo's bound.
`region_of` reads a number by the number plan's patterns as phonenumbers would. And
`check-hours`' listing formats a verdict once for the members who share it, giving what
each row gives on its own."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from datetime import UTC, datetime

import phonenumbers
import pytest

from audience_cli.calling.rules import load_rules
from audience_cli.cli.hours_views import hours_listing
from audience_cli.core import callability
from audience_cli.core.callability import (
    AddressColumns,
    Assessment,
    CallingRequest,
    assess,
    assess_all,
    bad_value_detail,
    enrich_fields,
    enricher_for,
    region_of,
    reject_of,
    screen_for,
)
from audience_cli.core.hours import Contact, check_hours
from audience_cli.errors import BadZoneValueError

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # a Monday: 10:00 in New York
PHONES = [
    "+12125550123", "+12125550124", "+13055550100", "+18505550100", "+18505550101",
    "+14155550100", "+19075550100", "+14165550100", "+16045550100", "+18685550123",
    "+33612345678", "+33612345679", "+447400123456", "+447700900123", "+441481256789",
    "+442079460000",
]  # fmt: skip
ZONES = ["", "America/Chicago", "Europe/Paris", "Mars/Base", " America/New_York "]
ZIPS = ["", "10001", "33101", "99999", "K1A 0B1", "abc", "73301-1234"]
STATES = ["", "TX", "FL", "Ontario", "ZZ", "ca", "OK"]
CONSENTS = ["", "yes", "no", "2026-11-01", "2020-01-01", "maybe", "2027-05-05"]
KEYS = ["phoneNumber", "Time Zone", "zip", "state", "consent"]


def sample(size: int = 600) -> list[tuple[str, dict[str, str]]]:
    """Contacts with every kind of value; some without an address column's key at all."""
    pick = random.Random(21)
    made = []
    for _ in range(size):
        phone = pick.choice(PHONES)
        fields = {
            "phoneNumber": phone,
            "Time Zone": pick.choice(ZONES),
            "zip": pick.choice(ZIPS),
            "state": pick.choice(STATES),
            "consent": pick.choice(CONSENTS),
        }
        for key in KEYS[1:]:
            if pick.random() < 0.1:
                del fields[key]
        made.append((phone, fields))
    return made


def request(**options: object) -> CallingRequest:
    made = CallingRequest(load_rules(), NOW, **options)  # type: ignore[arg-type]
    return made.with_columns(KEYS)


def plain_screen(
    req: CallingRequest, phone: str, fields: Mapping[str, str]
) -> tuple[str, str] | None:
    try:
        found = assess(
            phone,
            fields,
            req.columns,
            req.rules,
            at=req.at,
            consent_at=req.now if req.require_consent else None,
            consent_max_age=req.consent_max_age,
        )
    except BadZoneValueError as exc:
        return "BAD_TIMEZONE", bad_value_detail(exc, req.columns)
    reject = reject_of(found)
    return (str(reject[0]), reject[1]) if reject else None


REQUESTS = [
    {"at": NOW},
    {"at": NOW, "require_consent": True},
    {"at": datetime(2026, 12, 8, 3, 0, tzinfo=UTC), "require_consent": True},
    {"require_consent": True, "consent_max_age": 30},
    {"at": datetime(2026, 12, 25, 16, 0, tzinfo=UTC)},  # a holiday
]


@pytest.mark.parametrize("options", REQUESTS)
def test_the_screen_answers_as_the_plain_path(options: dict[str, object]) -> None:
    req = request(**options)
    contacts = sample()
    expected = [plain_screen(req, p, f) for p, f in contacts]
    screen = screen_for(req)
    assert [screen(p, f) for p, f in contacts] == expected
    assert [screen(p, f) for p, f in contacts] == expected  # every answer from the memo
    reasons = {e[0] for e in expected if e}
    assert {"BAD_TIMEZONE"} < reasons  # the sample has rejects of every kind asked


def test_the_sample_has_every_kind_of_answer() -> None:
    req = request(at=NOW, require_consent=True)
    reasons = {e[0] if e else None for p, f in sample() for e in [plain_screen(req, p, f)]}
    assert {None, "BAD_TIMEZONE", "NO_CONSENT", "OUTSIDE_HOURS", "UNKNOWN_TIMEZONE"} <= reasons


def test_the_screen_answers_as_the_plain_path_past_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(callability, "MEMO_LIMIT", 3)
    req = request(at=NOW, require_consent=True)
    contacts = sample(200)
    screen = screen_for(req)
    assert [screen(p, f) for p, f in contacts] == [plain_screen(req, p, f) for p, f in contacts]


def test_the_enricher_answers_as_the_plain_path() -> None:
    req = request(enrich=True)
    number_only = AddressColumns()
    enrich = enricher_for(req)
    for phone, fields in sample() * 2:
        try:
            found = assess(phone, fields, req.columns, req.rules)
        except BadZoneValueError:
            found = assess(phone, fields, number_only, req.rules)
        given = enrich(phone, fields)
        assert given == enrich_fields(found, req.rules)
        given["timezone"] = "changed"  # a copy each time: the memo's answer is not touched
    assert enrich(*sample(1)[0]) != {"timezone": "changed"}


def test_assess_all_answers_as_the_plain_path() -> None:
    req = request(consent_max_age=30)
    contacts = sample() * 2
    got = list(assess_all(contacts, req, NOW))
    assert [(p, f) for p, f, _ in got] == contacts
    kinds = set()
    for (phone, fields, found), _ in zip(got, contacts, strict=True):
        try:
            plain: Assessment | BadZoneValueError = assess(
                phone,
                fields,
                req.columns,
                req.rules,
                at=NOW,
                consent_at=NOW,
                consent_max_age=30,
            )
        except BadZoneValueError as exc:
            plain = exc
        if isinstance(plain, BadZoneValueError):
            assert isinstance(found, BadZoneValueError)
            assert (found.kind, found.value) == (plain.kind, plain.value)
        else:
            assert found == plain
        kinds.add(type(found))
    assert kinds == {Assessment, BadZoneValueError}


def test_region_of_is_the_region_phonenumbers_picks() -> None:
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None and example.country_code != 1:
                numbers.append(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                )
    numbers += ["+441481256789", "+441534456789", "+447624123456", "+77112227231"]
    assert len(numbers) > 300
    for e164 in numbers:
        expected = phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or None
        assert region_of(e164) == expected, e164
    assert {region_of(n) for n in numbers[-4:]} == {"GG", "JE", "IM", "KZ"}


def test_the_listing_formats_each_row_as_it_would_alone() -> None:
    req = CallingRequest(load_rules(), NOW, consent_max_age=30)
    contacts = [Contact(p, f"N{i}", f, i) for i, (p, f) in enumerate(sample())]
    report = check_hours("test", contacts, req, NOW)
    statuses = {r.status for r in report.rows}
    assert {"inside", "outside", "unknown", "bad_value"} <= statuses
    listing = hours_listing(report, report.rows, table=False)
    assert listing.document["members"] == [r.to_json() for r in report.rows]
    for row, flat in zip(report.rows, listing.rows, strict=True):
        assert flat["local_time"] == row.local_text()
        assert flat["zones"] == " ".join(row.zones)
        assert flat["next_start"] == (row.to_json()["next_start"] or "")
        assert (flat["phone"], flat["status"], flat["consent"]) == (
            row.contact.phone,
            row.status,
            row.consent,
        )
    summary_only = hours_listing(report, report.rows, table=False, members_json=False)
    assert summary_only.document == {"summary": report.summary()}
    assert summary_only.rows == listing.rows


def test_consent_is_read_per_member() -> None:
    req = CallingRequest(load_rules(), NOW, consent_max_age=30)
    values = ["yes", "2026-11-20", "2020-01-01", "", "no"] * 3
    contacts = [
        Contact("+12125550123", "", {"phoneNumber": "+12125550123", "consent": v}) for v in values
    ]
    report = check_hours("test", contacts, req, NOW)
    expected = list(itertools.chain.from_iterable([["yes", "yes", "no", "no", "no"]] * 3))
    assert [r.consent for r in report.rows] == expected
