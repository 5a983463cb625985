"""Contacts from a CSV file or stdin and from --phone/--name flags, checked and de-duplicated.

`collect_contacts` reads every row lazily, normalises each number, drops
repeats and spools the valid contacts, so a caller can look at the report
(counts, strict mode, limits) before streaming the contacts out in chunks.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from audience_cli.contacts.batch import ContactBatch
from audience_cli.contacts.columns import ColumnPlan, plan_columns
from audience_cli.contacts.csv_reader import parse_delimiter, read_records
from audience_cli.contacts.decoding import TextLines
from audience_cli.contacts.dedup import PhoneKeySet
from audience_cli.contacts.model import PHONE_KEY, Contact, CsvOptions, Reject, split_name
from audience_cli.contacts.report import ImportReport
from audience_cli.contacts.spool import ContactSpool, RejectLog
from audience_cli.errors import UsageError
from audience_cli.phone import REASON_TEXT, PhoneReason, normalize_region, phone_or_reason

STDIN = "-"
STDIN_NAME = "<stdin>"
FLAGS_NAME = "--phone"
# Google Contacts puts several numbers in one cell: "+1 415 555 0100 ::: +1 415 555 0199".
_MULTI_VALUE = ":::"


def contacts_from_flags(phones: list[str], names: list[str], region: str | None) -> list[Contact]:
    """Contacts from repeated --phone and --name options, paired by position.

    Strict: an invalid number is a `UsageError` naming it and the reason.
    """
    if len(names) > len(phones):
        raise UsageError(
            f"{len(names)} names for {len(phones)} phone numbers: "
            "each --name belongs to the --phone at the same position"
        )
    region_code = _region(region)
    contacts: list[Contact] = []
    for position, value in enumerate(phones):
        result = phone_or_reason(value, region_code)
        if isinstance(result, PhoneReason):
            raise _invalid_phone(value, result)
        first, last = split_name(names[position]) if position < len(names) else ("", "")
        contacts.append(Contact(result, first, last))
    return contacts


def collect_contacts(
    *,
    csv_path: str | None,
    options: CsvOptions,
    flag_contacts: Sequence[Contact] = (),
    stdin: BinaryIO | None = None,
) -> ContactBatch:
    """Check every input row and spool the valid, unique contacts.

    Flag contacts come first, then the file's rows (`csv_path` "-" is stdin:
    `stdin`, or `sys.stdin.buffer`). Bad files and bad options raise
    `UsageError`; bad numbers become rejects in the report.
    """
    region = _region(options.region)
    delimiter = parse_delimiter(options.delimiter) if options.delimiter else None
    source = FLAGS_NAME if csv_path is None else (STDIN_NAME if csv_path == STDIN else csv_path)
    collector = _Collector(ImportReport(source=source))
    try:
        for contact in flag_contacts:
            collector.add_flag_contact(contact, region)
        if csv_path == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            collector.add_file(stream, source, options, region, delimiter)
        elif csv_path is not None:
            with _open(csv_path) as stream:
                collector.add_file(stream, source, options, region, delimiter)
    except BaseException:
        collector.spool.close()
        collector.rejects.close()
        raise
    return collector.finish()


class _Collector:
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.rejects = RejectLog()
        report.rejects = self.rejects
        self.spool = ContactSpool()
        self.seen = PhoneKeySet()
        self.plan: ColumnPlan | None = None

    def finish(self) -> ContactBatch:
        if self.plan is not None:
            self.report.column_mapping = self.plan.mapping(self.spool.keys())
        self.spool.flush()
        return ContactBatch(self.report, self.spool)

    def add_flag_contact(self, contact: Contact, region: str | None) -> None:
        self.report.rows += 1
        result = phone_or_reason(contact.phone, region)
        if isinstance(result, PhoneReason):
            raise _invalid_phone(contact.phone, result)
        if not self.seen.add(result):
            self.report.duplicates += 1
            return
        if result != contact.phone:
            contact = Contact(result, contact.first_name, contact.last_name, contact.fields, None)
        self.spool.append(contact)
        self.report.valid += 1

    def add_file(
        self,
        stream: BinaryIO,
        source: str,
        options: CsvOptions,
        region: str | None,
        delimiter: str | None,
    ) -> None:
        lines = TextLines(stream, source=source, encoding=options.encoding)
        _, records = read_records(lines, source=source, delimiter=delimiter)
        first = next(records, None)
        if first is None:
            raise UsageError(
                f"{source}: the file is empty", hint="give a CSV file with a header row"
            )
        header_line, header = first
        plan = self.plan = _plan_or_headerless(header, options, source, region)
        self.report.header = list(plan.names)
        if plan.headerless:  # a bare list of numbers: its first line is a row too
            records = _prepend((header_line, header), records)
        self._add_rows(records, plan, region)

    def _add_rows(
        self, records: Iterator[tuple[int, list[str]]], plan: ColumnPlan, region: str | None
    ) -> None:
        report, spool, seen, rejects = self.report, self.spool, self.seen, self.rejects
        phone_at, first_at, last_at, full_at = plan.phone, plan.first, plan.last, plan.full
        extras = plan.extras
        rows = valid = duplicates = 0
        for line, cells in records:
            rows += 1
            width = len(cells)
            raw = cells[phone_at] if phone_at < width else ""
            value = _first_of_many(raw) if _MULTI_VALUE in raw else raw
            result = phone_or_reason(value, region)
            if isinstance(result, PhoneReason):
                rejects.append(Reject(line, raw, str(result), _row(plan.names, cells)))
                continue
            if not seen.add(result):
                duplicates += 1
                continue
            if full_at is not None:
                first, last = split_name(cells[full_at]) if full_at < width else ("", "")
            else:
                first = cells[first_at].strip() if first_at is not None and first_at < width else ""
                last = cells[last_at].strip() if last_at is not None and last_at < width else ""
            fields: dict[str, str] = {}
            for index, key in extras:
                if index < width:
                    text = cells[index].strip()
                    if text:
                        fields[key] = text
            spool.add(result, first, last, fields, line)
            valid += 1
        report.rows += rows
        report.valid += valid
        report.duplicates += duplicates
        report.invalid = len(rejects)


def _plan_or_headerless(
    header: list[str], options: CsvOptions, source: str, region: str | None
) -> ColumnPlan:
    """The column plan; a one-column file whose first line is a valid number has no header."""
    try:
        return plan_columns(header, options, source)
    except UsageError:
        if (
            len(header) == 1
            and options.phone_column is None
            and not isinstance(phone_or_reason(header[0], region), PhoneReason)
        ):
            return ColumnPlan(names=[PHONE_KEY], phone=0, headerless=True)
        raise


def _prepend(
    first: tuple[int, list[str]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield first
    yield from rest


def _first_of_many(value: str) -> str:
    return next((part for part in value.split(_MULTI_VALUE) if part.strip()), "")


def _row(names: list[str], cells: list[str]) -> dict[str, str]:
    row = dict(zip(names, cells, strict=False))
    for name in names[len(cells) :]:
        row[name] = ""
    for position in range(len(names), len(cells)):  # cells beyond the header
        row[f"column_{position + 1}"] = cells[position]
    return row


def _invalid_phone(value: str, reason: PhoneReason) -> UsageError:
    return UsageError(f"invalid phone number {value!r}: {REASON_TEXT[reason]} ({reason})")


def _region(region: str | None) -> str | None:
    try:
        return normalize_region(region)
    except ValueError as exc:
        raise UsageError(str(exc), hint="--region takes an ISO 3166 country code") from None


def _open(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a CSV file") from None
    except PermissionError:
        raise UsageError(f"{path}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot open: {exc.strerror or exc}") from None
