"""Every reject reason in one place, its values as users' reject files hold them."""

from __future__ import annotations

from audience_cli.reasons import REASON_TEXT, ROW_REASON_TEXT, PhoneReason, RowReason


def test_the_values_are_those_of_the_rejects_files() -> None:
    assert [r.value for r in PhoneReason] == [
        "EMPTY", "NOT_A_NUMBER", "INVALID_COUNTRY_CODE", "MISSING_REGION", "TOO_SHORT",
        "TOO_LONG", "INVALID_NUMBER", "ROUNDED_BY_SPREADSHEET",
    ]  # fmt: skip
    assert [r.value for r in RowReason] == [
        "DO_NOT_CALL", "EXCLUDED", "UNKNOWN_COUNTRY", "PREMIUM_RATE", "SHARED_COST",
        "OUTSIDE_HOURS", "HOLIDAY", "UNKNOWN_TIMEZONE", "NO_CONSENT", "BAD_TIMEZONE",
    ]  # fmt: skip


def test_every_reason_has_its_text() -> None:
    assert set(REASON_TEXT) == set(PhoneReason)
    assert set(ROW_REASON_TEXT) == set(RowReason)


def test_the_do_not_call_list_and_the_pipeline_share_one_reason() -> None:
    from audience_cli.core import dnc
    from audience_cli.phone import PREMIUM_RATE, SHARED_COST

    assert dnc.DO_NOT_CALL is RowReason.DO_NOT_CALL
    assert dnc.EXCLUDED is RowReason.EXCLUDED
    assert (PREMIUM_RATE, SHARED_COST) == (RowReason.PREMIUM_RATE, RowReason.SHARED_COST)


def test_the_do_not_call_read_error_is_a_typed_error() -> None:
    from audience_cli.errors import ApiConnectionError, DncReadError, ExitCode

    error = DncReadError(ApiConnectionError("refused"), during_import=True)
    assert error.exit_code == ExitCode.UNAVAILABLE
    assert error.message == "cannot read the organisation's do-not-call list: refused"
