"""The import workflow, called directly: `prepare_import` with a typed request and an
edge that records what would be said (no CLI runner, no console)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from audience_cli.client import AtomsClient
from audience_cli.contacts import CsvOptions
from audience_cli.core.dnc import DoNotCall
from audience_cli.core.imports import (
    ContactInput,
    ImportRequest,
    SuppressionInput,
    prepare_import,
)
from audience_cli.sandbox.store import SandboxStore


@dataclass
class Edge:
    """An `ImportEdge` that keeps what it is told."""

    made: AtomsClient | None = None
    offline: str | None = None
    said: list[str] = field(default_factory=list)

    def client(self) -> AtomsClient:
        assert self.made is not None, "no request was expected"
        return self.made

    def offline_reason(self) -> str | None:
        return self.offline

    def reading_stdin(self) -> None:
        self.said.append("stdin")

    def exclude_read(self, path: str, invalid: int) -> None:
        self.said.append(f"excluded {path}: {invalid} invalid")

    def exclude_detail(self, path: str) -> str:
        return f"listed in {path}"

    def audience_detail(self, ref: str) -> str:
        return f"member of {ref}"

    def dnc_skipped(self, why: str) -> None:
        self.said.append(f"skipped: {why}")

    def dnc_read(self, dnc: DoNotCall, agent: str | None) -> None:
        self.said.append(f"read {len(dnc.by_number)} numbers")


def contacts(path: Path, *phones: str) -> ContactInput:
    return ContactInput(str(path) if path.name else None, list(phones), [], CsvOptions())


def test_a_file_and_flags_become_one_batch_with_its_report(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("phone\n+14155552671\nnot a number\n+14155552671\n")
    edge = Edge()
    request = ImportRequest(contacts(leads, "+447911123456"), keep="contacts")
    with prepare_import(request, edge) as batch:
        phones = sorted(c.phone for c in batch)
        report = batch.report
    assert phones == ["+14155552671", "+447911123456"]
    assert (report.rows, report.invalid, report.duplicates) == (4, 1, 1)  # the flag counts as a row
    assert edge.said == []  # no suppression asked for: no list read, nothing said


def test_an_exclude_file_rejects_its_numbers_with_the_edges_detail(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("phone\n+14155552671\n+14155552672\n")
    optouts = tmp_path / "optouts.txt"
    optouts.write_text("+14155552672\nnonsense\n")
    edge = Edge()
    suppression = SuppressionInput(dnc=False, exclude=(str(optouts),))
    with prepare_import(ImportRequest(contacts(leads), suppression), edge) as batch:
        assert [c.phone for c in batch] == ["+14155552671"]
        (reject,) = batch.report.rejects
    assert (reject.reason, reject.detail) == ("EXCLUDED", f"listed in {optouts}")
    assert edge.said == [f"excluded {optouts}: 1 invalid"]


def test_offline_the_do_not_call_list_is_skipped_once_and_said(tmp_path: Path) -> None:
    edge = Edge(offline="no API key")  # no client: a request would fail the test
    request = ImportRequest(
        contacts(Path(""), "+14155552671", "+14155552672"), SuppressionInput(), offline_ok=True
    )
    with prepare_import(request, edge) as batch:
        assert len(batch) == 2
    assert edge.said == ["skipped: no API key"]


def test_the_do_not_call_list_is_read_once_through_the_edges_client(
    client: AtomsClient, store: SandboxStore
) -> None:
    store.add_dnc("+14155552672")
    edge = Edge(made=client)
    request = ImportRequest(
        contacts(Path(""), "+14155552671", "+14155552672", "+14155552673"), SuppressionInput()
    )
    with prepare_import(request, edge) as batch:
        assert [c.phone for c in batch] == ["+14155552671", "+14155552673"]
        assert [r.reason for r in batch.report.rejects] == ["DO_NOT_CALL"]
    assert edge.said == ["read 1 numbers"]
