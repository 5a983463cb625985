"""Consent values and columns: yes, no, dates and their age; unknown text is no."""

from __future__ import annotations

import pytest

from audience_cli.calling.consent import find_consent_column, has_consent, is_consent_column
from tests.calling.conftest import utc

NOW = utc(2026, 12, 7, 15, 0)


@pytest.mark.parametrize(
    "value", ["yes", "Y", "TRUE", "1", "x", "✓", "✔", "Opted In", "opted-in", "opt_in", " yes "]
)
def test_truthy_values(value: str) -> None:
    assert has_consent(value, NOW, None)
    assert has_consent(value, NOW, 30)  # a yes without a date has no age


@pytest.mark.parametrize(
    "value", ["", "  ", "no", "N", "false", "0", "opted out", "Opt-Out", "revoked", "none"]
)
def test_falsy_values(value: str) -> None:
    assert not has_consent(value, NOW, None)


@pytest.mark.parametrize("value", ["maybe", "ask later", "2026-13-45", "07/12/2026", "🙂", "\x00"])
def test_unknown_text_is_no_consent_and_never_a_crash(value: str) -> None:
    assert not has_consent(value, NOW, None)


def test_an_opt_in_date_and_its_age() -> None:
    assert has_consent("2026-01-15", NOW, None)
    assert has_consent("2026-01-15T10:00:00Z", NOW, 365)
    assert has_consent("2026/11/07", NOW, 30)
    assert has_consent("2026-11-07", NOW, 30)  # exactly 30 days
    assert not has_consent("2026-11-06", NOW, 30)  # 31 days: too old
    assert not has_consent("2020-01-01", NOW, 365)
    assert has_consent("2026-12-08", NOW, 30)  # tomorrow: a time zone away
    assert not has_consent("2027-06-01", NOW, None)  # in the future: not a record


def test_consent_columns_are_matched_like_the_phone_column() -> None:
    for name in ("Consent", "opt_in", "OptIn", "TCPA Consent", "express-consent", "Opt-In Date"):
        assert is_consent_column(name), name
    assert not is_consent_column("phone")
    assert find_consent_column(["Name", "Phone", "TCPA_consent", "consent"]) == "TCPA_consent"
    assert find_consent_column(["Name", "Phone"]) is None
