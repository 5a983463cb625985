"""From command-line options to a checked `ContactBatch`, and the report back out."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audience_cli.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from audience_cli.contacts import ContactBatch, ImportReport
    from audience_cli.context import AppContext

DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


@dataclass
class ContactInput:
    csv: str | None = None
    phones: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    region: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    phone_column: str | None = None
    first_name_column: str | None = None
    last_name_column: str | None = None
    columns: str | None = None
    rejects: str | None = None
    output: str | None = None  # validate --output
    stdout_taken: bool = False  # the command itself writes data to stdout


def _same_file(a: str, b: str) -> bool:
    if "-" in (a, b):
        return a == b
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return pa.resolve() == pb.resolve()


def check_paths(inp: ContactInput) -> None:
    """Never write over the file being read, or two outputs into one place."""
    outputs = [
        (f"--{name}", path)
        for name, path in (("rejects", inp.rejects), ("output", inp.output))
        if path
    ]
    for flag, path in outputs:
        if inp.csv and inp.csv != "-" and _same_file(path, inp.csv):
            raise UsageError(f"{flag} {path}: that is the file being imported; pick another name")
    if len(outputs) == 2 and _same_file(outputs[0][1], outputs[1][1]):
        raise UsageError(f"--rejects and --output both name {outputs[0][1]}: pick two files")
    if inp.stdout_taken and any(path == "-" for _, path in outputs):
        flag = next(f for f, path in outputs if path == "-")
        raise UsageError(f"{flag} - would mix with this command's output on stdout: name a file")


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    char = DELIMITER_NAMES.get(value.lower(), value)
    if len(char) != 1 or char in '\r\n"':
        raise UsageError(f"--delimiter {value}: give one character (not a quote), or 'tab'")
    return char


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    import phonenumbers

    code = value.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(
            f"--region {value!r}: not a known country code",
            hint="Use a two-letter ISO code, e.g. US, GB, IN, DE.",
        )
    return code


def load_batch(app: AppContext, inp: ContactInput, *, require_input: bool = True) -> ContactBatch:
    """Read, normalise, check and de-duplicate every contact; write rejects if asked."""
    from audience_cli.contacts import (
        CsvOptions,
        collect_contacts,
        contacts_from_flags,
        write_rejects,
    )

    check_paths(inp)
    region = _region(inp.region)
    if require_input and not inp.csv and not inp.phones:
        raise UsageError(
            "no contacts given",
            hint="Pass --csv FILE (or --csv - for stdin) and/or --phone NUMBER.",
        )
    if inp.names and not inp.phones:
        raise UsageError("--name pairs with --phone: give a --phone for each --name")
    flag_contacts = contacts_from_flags(inp.phones, inp.names, region)
    options = CsvOptions(
        encoding=inp.encoding,
        delimiter=_delimiter(inp.delimiter),
        phone_column=inp.phone_column,
        first_name_column=inp.first_name_column,
        last_name_column=inp.last_name_column,
        columns=[c.strip() for c in inp.columns.split(",") if c.strip()] if inp.columns else None,
        region=region,
    )
    if inp.csv == "-" and app.terminal.stdin:
        app.note("Reading CSV from the terminal: paste it, then press Ctrl-D on a new line.")
    batch = collect_contacts(csv_path=inp.csv, options=options, flag_contacts=flag_contacts)
    if inp.rejects:
        write_rejects(inp.rejects, batch.report)
    return batch


def print_report(app: AppContext, report: ImportReport, inp: ContactInput) -> None:
    """The import summary on stderr; flags alone need none (a bad flag is an error)."""
    if inp.csv is None and not report.duplicates:
        return
    for line in report.summary_lines():
        app.note(line)


def rows_exit_code(report: ImportReport) -> ExitCode:
    return ExitCode.ROWS_REJECTED if report.invalid else ExitCode.OK


def report_json(report: ImportReport, **extra: Any) -> dict[str, Any]:
    return {**extra, "report": report.to_dict()}
