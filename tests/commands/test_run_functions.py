"""The run functions called directly with their options objects (as gh tests its
`deleteRun(opts)`): no CLI runner, no option parsing; an `AppContext` on the embedded
sandbox, stdout and stderr as pytest captures them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from audience_cli.cli.commands.add import AddOptions, run_add
from audience_cli.cli.commands.contact_options import contact_input
from audience_cli.cli.commands.remove import RemoveOptions, run_remove
from audience_cli.cli.commands.sync import SyncOptions, parse_max_remove, run_sync
from audience_cli.cli.commands.validate import ValidateOptions, run_validate
from audience_cli.cli.context import AppContext, GlobalOptions, Overrides, Terminal
from audience_cli.cli.output import Output, OutputFormat, Shape
from audience_cli.core.imports import SuppressionInput
from audience_cli.core.upload import UploadSettings
from audience_cli.errors import ExitCode, TooManyRemovalsError
from tests.conftest import RecordingTransport, seed_audience

NO_DNC = SuppressionInput(dnc=False)
JSON = Output(OutputFormat.json)


@pytest.fixture
def app(store) -> AppContext:  # type: ignore[no-untyped-def]
    """A piped run with --sandbox, its requests recorded (`app.overrides.transport`)."""
    overrides = Overrides(transport=RecordingTransport(store), sleep=lambda _: None)
    quiet = Terminal(stdin=False, stdout=False, stderr=False)
    return AppContext(GlobalOptions(sandbox=True), quiet, dict(os.environ), overrides)


def phones_in(store, audience_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(m["data"]["phoneNumber"] for m in store.all_members(audience_id))


def test_run_validate_reports_in_the_format_given_and_sends_nothing(
    app: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "leads.csv"
    source.write_text("phone\n(415) 555-0100\nnope\n")
    opts = ValidateOptions(contact_input(csv=str(source), region="US"), None, JSON, NO_DNC)
    assert run_validate(app, opts) is ExitCode.ROWS_REJECTED
    report = json.loads(capsys.readouterr().out)["report"]
    assert (report["valid"], report["invalid"]) == (1, 1)
    assert app.overrides.transport.calls == []  # type: ignore[union-attr]


def test_run_add_adds_and_skips_with_nothing_on_stdout(
    app: AppContext,
    store,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    audience_id = seed_audience(store, "Leads", 2)
    there = phones_in(store, audience_id)[0]
    opts = AddOptions(
        audience="Leads",
        contacts=contact_input(phone=[there, "+14155550199"]),
        suppression=NO_DNC,
        update=False,
        upload=UploadSettings(),
        stdout=Output(None),
    )
    assert run_add(app, opts) is ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Added 1 member to 'Leads'" in captured.err
    assert "+14155550199" in phones_in(store, audience_id)


def test_run_remove_dry_run_changes_nothing_and_says_what_it_would(
    app: AppContext,
    store,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    audience_id = seed_audience(store, "Leads", 3)
    first = phones_in(store, audience_id)[0]
    opts = RemoveOptions(
        audience=audience_id,
        contacts=contact_input(phone=[first], screen=False),
        member_ids=[],
        dnc=False,
        agent=None,
        missing_ok=False,
        yes=False,
        dry_run=True,
        stdout=Output(OutputFormat.json, Shape(["removed", "dry_run"])),
    )
    assert run_remove(app, opts) is ExitCode.OK
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"removed": 0, "dry_run": True}
    assert "Would remove 1 member from 'Leads'" in captured.err
    assert len(phones_in(store, audience_id)) == 3


def test_run_sync_dry_run_plans_and_a_real_run_past_max_remove_is_refused(
    app: AppContext,
    store,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    audience_id = seed_audience(store, "Leads", 4)
    keep = phones_in(store, audience_id)[0]

    def options(*, dry_run: bool) -> SyncOptions:
        return SyncOptions(
            audience="Leads",
            contacts=contact_input(phone=[keep, "+14155550199"]),
            suppression=NO_DNC,
            yes=True,
            create=False,
            max_remove=parse_max_remove("1"),
            replace_fields=False,
            remove_with_rejects=False,
            upload=UploadSettings(dry_run=dry_run),
            stdout=Output(OutputFormat.tsv, Shape(["to_add", "to_remove"], header=True)),
        )

    assert run_sync(app, options(dry_run=True)) is ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == "to_add\tto_remove\n1\t3\n"
    assert "a real run would refuse" in captured.err
    with pytest.raises(TooManyRemovalsError):
        run_sync(app, options(dry_run=False))
    assert len(phones_in(store, audience_id)) == 4
