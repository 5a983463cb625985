"""Contacts from a CSV file or stdin and from --phone/--name flags, checked and de-duplicated.

`collect_contacts` reads every row lazily, normalises each number, drops
repeats and spools the valid contacts, so a caller can look at the report
(counts, strict mode, limits) before streaming the contacts out in chunks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from audience_cli.contacts.batch import ContactBatch
from audience_cli.contacts.columns import EXTENSION_KEY, OTHER_PHONES_KEY, ColumnPlan, plan_columns
from audience_cli.contacts.csv_reader import read_records
from audience_cli.contacts.decoding import TextLines
from audience_cli.contacts.dedup import PhoneKeySet
from audience_cli.contacts.model import PHONE_KEY, Contact, CsvOptions, Reject, split_name
from audience_cli.contacts.report import ImportReport
from audience_cli.contacts.spool import ContactSpool, RejectLog
from audience_cli.errors import UsageError
from audience_cli.phone import REASON_TEXT, PhoneReason, phone_details, phone_or_reason

STDIN = "-"
STDIN_NAME = "<stdin>"
FLAGS_NAME = "--phone"
# Google Contacts puts several numbers in one cell: "+1 415 555 0100 ::: +1 415 555 0199".
_MULTI_VALUE = ":::"
MAX_NOTE_KEYS = 5  # generated keys named in one note


def contacts_from_flags(phones: list[str], names: list[str], region: str | None) -> list[Contact]:
    """Contacts from repeated --phone and --name options, paired by position: the one
    place flag numbers are normalised (`region` as `CsvOptions` checked it).

    Strict: an invalid number is a `UsageError` naming it and the reason. An
    extension ("+1 415 555 0132 x12") is kept as the contact's "phone_extension".
    """
    if len(names) > len(phones):
        raise UsageError(
            f"{len(names)} names for {len(phones)} phone number{'' if len(phones) == 1 else 's'}: "
            "each --name belongs to the --phone at the same position"
        )
    contacts: list[Contact] = []
    for position, value in enumerate(phones):
        result = phone_details(value, region)
        if isinstance(result, PhoneReason):
            raise _invalid_phone(value, result)
        first, last = split_name(names[position]) if position < len(names) else ("", "")
        fields = {EXTENSION_KEY: result.extension} if result.extension else {}
        contacts.append(Contact(result.e164, first, last, fields))
    return contacts


def collect_contacts(
    *,
    csv_path: str | None,
    options: CsvOptions,
    flag_contacts: Sequence[Contact] = (),
    stdin: BinaryIO | None = None,
    suppress: Suppress | None = None,
) -> ContactBatch:
    """Check every input row and spool the valid, unique contacts.

    Flag contacts (from `contacts_from_flags`: already normalised) come first,
    then the file's rows (`csv_path` "-" is stdin: `stdin`, or `sys.stdin.buffer`).
    Bad files raise `UsageError`; bad numbers become rejects in the report.
    `suppress` maps an E.164 number to the reason it must not be called (e.g.
    "DO_NOT_CALL", "EXCLUDED"), or None: such rows are rejects with that reason.
    """
    region, delimiter = options.region, options.delimiter
    source = FLAGS_NAME if csv_path is None else (STDIN_NAME if csv_path == STDIN else csv_path)
    collector = _Collector(ImportReport(source=source), suppress)
    try:
        for contact in flag_contacts:
            collector.add_flag_contact(contact)
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


Suppress = Callable[[str], "str | None"]  # E.164 number -> reason not to call it, or None


class _Collector:
    def __init__(self, report: ImportReport, suppress: Suppress | None = None) -> None:
        self.report = report
        self.suppress = suppress
        self.rejects = RejectLog()
        report.rejects = self.rejects
        self.spool = ContactSpool()
        self.seen = PhoneKeySet()
        self.plan: ColumnPlan | None = None
        # What the file rows did besides the counts, for the report's notes.
        self.fallbacks_used: dict[int, int] = {}  # fallback phone column -> rows
        self.long_rows = 0  # kept rows with non-empty cells beyond the header
        self.first_long_row: int | None = None
        self.extensions = 0
        self.several_numbers = 0

    def finish(self) -> ContactBatch:
        plan = self.plan
        if plan is not None:
            used_keys = self.spool.keys()
            self.report.column_mapping = plan.mapping(used_keys, self.fallbacks_used)
            self.report.notes.extend(self._notes(plan, used_keys))
        self.spool.flush()
        return ContactBatch(self.report, self.spool)

    def _notes(self, plan: ColumnPlan, used_keys: list[str]) -> list[str]:
        notes: list[str] = []
        if self.fallbacks_used:
            columns = [plan.phone, *(i for i in plan.phone_fallbacks if i in self.fallbacks_used)]
            names = ", ".join(plan.label(i) for i in columns)
            when = (
                f"when {plan.label(plan.phone)} is empty"
                if len(columns) == 2
                else "each when the ones before are empty"
            )
            notes.append(f"phone taken from: {names} ({when})")
        if self.long_rows:
            rows = "1 row has" if self.long_rows == 1 else f"{self.long_rows} rows have"
            what = f"{rows} more cells than the header (first: line {self.first_long_row})"
            if plan.keep_overflow:
                kept = [key for key in plan.overflow_keys() if key in used_keys]
                shown = ", ".join(kept[:MAX_NOTE_KEYS])
                if len(kept) > MAX_NOTE_KEYS:
                    shown += f", … and {len(kept) - MAX_NOTE_KEYS} more"
                notes.append(f"{what}: extra cells kept as {shown}")
            else:
                notes.append(f"{what}: the extra cells are not kept (--columns)")
        if self.extensions:
            n = self.extensions
            numbers = "1 number has" if n == 1 else f"{n} numbers have"
            notes.append(f"{numbers} an extension: {_kept_as(plan.extension_key, EXTENSION_KEY)}")
        if self.several_numbers:
            n = self.several_numbers
            cells = "1 phone cell holds" if n == 1 else f"{n} phone cells hold"
            others = _kept_as(plan.other_phones_key, OTHER_PHONES_KEY)
            notes.append(f"{cells} several numbers: the first is used, the others {others}")
        return notes

    def add_flag_contact(self, contact: Contact) -> None:
        self.report.rows += 1
        reason = self.suppress(contact.phone) if self.suppress else None
        if reason:
            self.rejects.append(Reject(0, contact.phone, reason, {PHONE_KEY: contact.phone}))
            self.report.invalid = len(self.rejects)
            return
        if not self.seen.add(contact.phone):
            self.report.duplicates += 1
            return
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
        delimiter, records = read_records(lines, source=source, delimiter=delimiter)
        first = next(records, None)
        self.report.notes.extend(lines.warnings)
        if first is None:
            raise UsageError(
                f"{source}: the file is empty", hint="give a CSV file with a header row"
            )
        header_line, header = first
        plan = self.plan = _plan_or_headerless(header, options, source, region, delimiter)
        self.report.header = list(plan.names)
        if plan.headerless:  # a bare list of numbers: its first line is a row too
            records = _prepend((header_line, header), records)
        self._add_rows(records, plan, region)

    def _add_rows(
        self, records: Iterator[tuple[int, list[str]]], plan: ColumnPlan, region: str | None
    ) -> None:
        report, spool, seen, rejects = self.report, self.spool, self.seen, self.rejects
        phone_at, first_at, last_at, full_at = plan.phone, plan.first, plan.last, plan.full
        extras, fallbacks, fallbacks_used = plan.extras, plan.phone_fallbacks, self.fallbacks_used
        header_width, keep_overflow = len(plan.names), plan.keep_overflow
        extension_key, other_phones_key = plan.extension_key, plan.other_phones_key
        suppress = self.suppress
        rows = valid = duplicates = 0
        for line, cells in records:
            rows += 1
            width = len(cells)
            chosen = phone_at
            raw = cells[phone_at] if phone_at < width else ""
            if fallbacks and not raw.strip():
                for index in fallbacks:
                    if index < width and cells[index].strip():
                        chosen, raw = index, cells[index]
                        fallbacks_used[index] = fallbacks_used.get(index, 0) + 1
                        break
            others = ""
            if _MULTI_VALUE in raw:
                value, others = _split_many(raw)
            else:
                value = raw
            result = phone_details(value, region)
            if isinstance(result, PhoneReason):
                rejects.append(Reject(line, raw, str(result), _row(plan, cells)))
                continue
            phone, extension = result
            if suppress is not None and (reason := suppress(phone)):
                rejects.append(Reject(line, raw, reason, _row(plan, cells)))
                continue
            if not seen.add(phone):
                duplicates += 1
                continue
            if full_at is not None:
                first, last = split_name(cells[full_at]) if full_at < width else ("", "")
            else:
                first = cells[first_at].strip() if first_at is not None and first_at < width else ""
                last = cells[last_at].strip() if last_at is not None and last_at < width else ""
            fields: dict[str, str] = {}
            for index, key in extras:
                if index < width and index != chosen:
                    text = cells[index].strip()
                    if text:
                        fields[key] = text
            if width > header_width and any(c.strip() for c in cells[header_width:]):
                self.long_rows += 1
                if self.first_long_row is None:
                    self.first_long_row = line
                if keep_overflow:
                    for index in range(header_width, width):
                        text = cells[index].strip()
                        if text:
                            fields[plan.overflow_key(index)] = text
            if extension:
                self.extensions += 1
                if extension_key:
                    fields[extension_key] = extension
            if others:
                self.several_numbers += 1
                if other_phones_key:
                    fields[other_phones_key] = others
            spool.add(phone, first, last, fields, line)
            valid += 1
        report.rows += rows
        report.valid += valid
        report.duplicates += duplicates
        report.invalid = len(rejects)


def _plan_or_headerless(
    header: list[str], options: CsvOptions, source: str, region: str | None, delimiter: str
) -> ColumnPlan:
    """The column plan; a one-column file whose first line is a valid number has no header."""
    try:
        return plan_columns(header, options, source, delimiter=delimiter)
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


def _kept_as(key: str | None, name: str) -> str:
    return f"kept as {key}" if key else f"not kept (--columns without {name})"


def _split_many(value: str) -> tuple[str, str]:
    """(the first number, the others joined by ", ") of a "a ::: b ::: c" cell."""
    parts = [part.strip() for part in value.split(_MULTI_VALUE)]
    parts = [part for part in parts if part]
    return (parts[0], ", ".join(parts[1:])) if parts else ("", "")


def _row(plan: ColumnPlan, cells: list[str]) -> dict[str, str]:
    """A rejected row by column name; cells beyond the header under the keys data uses."""
    names = plan.names
    row = dict(zip(names, cells, strict=False))
    for name in names[len(cells) :]:
        row[name] = ""
    for position in range(len(names), len(cells)):  # cells beyond the header
        row[plan.overflow_key(position)] = cells[position]
    return row


def _invalid_phone(value: str, reason: PhoneReason) -> UsageError:
    return UsageError(f"invalid phone number {value!r}: {REASON_TEXT[reason]} ({reason})")


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
