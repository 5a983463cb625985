"""The create/add/validate flows end to end: read and check, report, send, print."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from audience_cli.contact_input import ContactInput, load_batch, print_report, rows_exit_code
from audience_cli.errors import CliError, ExitCode
from audience_cli.output import OutputFormat, write_json

if TYPE_CHECKING:
    from audience_cli.contacts import ImportReport
    from audience_cli.context import AppContext
    from audience_cli.importer import ImportSettings


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def run_create(
    app: AppContext,
    name: str,
    inp: ContactInput,
    settings: ImportSettings,
    *,
    description: str | None,
    split: bool,
    fmt: OutputFormat,
) -> ExitCode:
    from audience_cli.importer import create_from_batch

    if not name.strip():
        from audience_cli.errors import UsageError

        raise UsageError("NAME is empty: give the new audience a name")
    inp.stdout_taken = True  # the new ids, or the JSON result
    with load_batch(app, inp) as batch, _report_on_refusal(batch.report, fmt):
        print_report(app, batch.report, inp)
        result = create_from_batch(app, name, batch, settings, description=description, split=split)
    report = batch.report
    created = result["audiences"]
    if result["dryRun"]:
        plan = result["plan"]
        for seg in plan["audiences"]:
            app.say(
                f"Dry run: would create {seg['name']!r} with {_plural(seg['members'], 'member')}."
            )
        app.say(f"Dry run: {_plural(plan['requests'], 'request')} in all; nothing was sent.")
    else:
        report.added = sum(int(a.get("added", 0)) for a in created)
        report.skipped = sum(int(a.get("skipped", 0)) for a in created)
        for audience in created:
            app.success(
                f"Created audience {audience.get('name')!r} ({audience['_id']}) with "
                f"{_plural(int(audience.get('memberCount', 0)), 'member')}."
            )
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        payload: dict[str, Any] = {"audience": _strip(created[0]) if created else None}
        if len(created) > 1:
            payload["audiences"] = [_strip(a) for a in created]
        if result["dryRun"]:
            payload["dryRun"] = True
            payload["plan"] = result["plan"]
        payload["report"] = report.to_dict()
        _emit(payload, fmt)
    else:
        for audience in created:
            sys.stdout.write(f"{audience['_id']}\n")
    return rows_exit_code(report)


def run_add(
    app: AppContext, ref: str, inp: ContactInput, settings: ImportSettings, *, fmt: OutputFormat
) -> ExitCode:
    from audience_cli.importer import add_from_batch, check_rejects
    from audience_cli.resolve import resolve_audience

    inp.stdout_taken = fmt in (OutputFormat.json, OutputFormat.jsonl)
    # The file is checked before any request.
    with load_batch(app, inp) as batch, _report_on_refusal(batch.report, fmt):
        print_report(app, batch.report, inp)
        check_rejects(batch, settings, allow_empty=True)
        audience = resolve_audience(app.client(), ref)
        result = add_from_batch(app, audience, batch, settings)
    report = batch.report
    label = f"{audience.get('name')!r} ({audience['_id']})"
    if result["dryRun"]:
        plan = result["plan"]
        app.say(
            f"Dry run: would send {_plural(plan['members'], 'member')} to {label} in "
            f"{_plural(plan['requests'], 'request')}; nothing was sent."
        )
    elif not len(batch) and not report.invalid:
        report.added, report.skipped = 0, 0
        app.note(f"Nothing to add to {label}: the input has no contacts.")
    else:
        report.added, report.skipped = result["added"], result["skipped"]
        app.success(
            f"Added {_plural(result['added'], 'member')} to {label}; "
            f"{result['skipped']:,} already there (skipped)."
        )
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        payload: dict[str, Any] = {"audience": _strip(audience)}
        if result["dryRun"]:
            payload["dryRun"] = True
            payload["plan"] = result["plan"]
        payload["report"] = report.to_dict()
        _emit(payload, fmt)
    return rows_exit_code(report)


def run_validate(
    app: AppContext, inp: ContactInput, *, output: str | None, fmt: OutputFormat
) -> ExitCode:
    from audience_cli.contacts import write_clean_csv

    inp.output = output
    inp.stdout_taken = fmt in (OutputFormat.json, OutputFormat.jsonl)
    with load_batch(app, inp) as batch:
        print_report(app, batch.report, inp)
        if output:
            write_clean_csv(output, batch)
            if output != "-":
                app.note(f"Wrote {_plural(len(batch), 'clean contact')} to {output}.")
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        _emit({"report": batch.report.to_dict()}, fmt)
    return rows_exit_code(batch.report)


@contextmanager
def _report_on_refusal(report: ImportReport, fmt: OutputFormat) -> Iterator[None]:
    """When rejected rows stop an import (--strict, nothing valid), a script asking
    for JSON still gets the report with the rejects."""
    try:
        yield
    except CliError as exc:
        if exc.exit_code == ExitCode.ROWS_REJECTED and fmt in (
            OutputFormat.json,
            OutputFormat.jsonl,
        ):
            _emit({"audience": None, "report": report.to_dict()}, fmt)
        raise


def _strip(audience: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in audience.items() if k not in ("added", "skipped")}


def _emit(payload: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.jsonl:
        import json

        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        write_json(sys.stdout, payload)
