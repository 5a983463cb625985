"""The pipeline's hooks: given the file's keys once, before any row; a screen that rejects
a row makes a reject with its line (each row on its own fields, before duplicates); an
enrichment adds fields under keys the contact lacks."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pytest

from audience_cli.contacts import CsvOptions, collect_contacts, contacts_from_flags
from audience_cli.contacts.pipeline import ContactEnrich, ContactScreen
from audience_cli.errors import UsageError


def run(text: str, hooks, *, enrich: bool = False, flags: Sequence[str] = ()):
    return collect_contacts(
        csv_path="-",
        stdin=io.BytesIO(text.encode()),
        options=CsvOptions(enrich=enrich),
        flag_contacts=contacts_from_flags(list(flags), [], None),
        hooks=hooks,
    )


def test_the_screen_sees_each_row_with_its_fields_before_duplicates() -> None:
    asked: list[list[str]] = []
    seen: list[tuple[str, dict[str, str]]] = []

    def hooks(keys: Sequence[str]) -> tuple[ContactScreen | None, ContactEnrich | None]:
        asked.append(list(keys))

        def screen(phone: str, fields: Mapping[str, str]) -> tuple[str, str] | None:
            seen.append((phone, dict(fields)))
            return None if fields.get("ok") == "yes" else ("NO_CONSENT", f"ok={fields.get('ok')}")

        return screen, None

    text = "phone,ok\n+14155550001,no\n+14155550001,yes\n+14155550002,yes\n+14155550002,yes\n"
    with run(text, hooks, flags=["+14155550003"]) as batch:
        assert asked == [["ok"]]  # once, with the file's keys, before the flags too
        # Line 2's number is rejected there, and taken from line 3: each row on its own.
        assert [c.phone for c in batch] == ["+14155550001", "+14155550002"]
        report = batch.report
        assert (report.rows, report.valid, report.invalid, report.duplicates) == (5, 2, 2, 1)
        assert [(r.line, r.reason, r.detail) for r in report.rejects] == [
            (0, "NO_CONSENT", "ok=None"),  # the flag number has no such field
            (2, "NO_CONSENT", "ok=no"),
        ]
    assert seen[1] == ("+14155550001", {"ok": "no"})


def test_a_hook_that_refuses_the_keys_stops_before_any_row() -> None:
    def hooks(keys: Sequence[str]) -> tuple[ContactScreen | None, ContactEnrich | None]:
        raise UsageError(f"no column 'tz': the columns are {', '.join(keys)}")

    with pytest.raises(UsageError, match="the columns are city"):
        run("phone,city\n+14155550001,Lyon\n", hooks)


def test_the_enrichment_adds_only_what_the_contact_lacks() -> None:
    def hooks(keys: Sequence[str]) -> tuple[ContactScreen | None, ContactEnrich | None]:
        return None, lambda phone, fields: {"timezone": "Zone/" + phone[-1], "local_window": "w"}

    with run("phone,local_window\n+14155550001,mine\n", hooks, enrich=True) as batch:
        [contact] = list(batch)
        assert contact.fields["timezone"] == "Zone/1"  # over the number plan's
        assert contact.fields["local_window"] == "mine"  # never over the file's
    # Without --enrich the enrichment is not asked.
    with run("phone\n+14155550001\n", hooks) as batch:
        assert next(iter(batch)).fields == {}
