"""An import, prepared: what to read (`ContactInput`), who must not be called
(`SuppressionInput`), read into one checked, de-duplicated batch with its report.

`prepare_import` is the one way create, add, sync, diff, validate and remove read
contacts, and the way the side doors (an --exclude file, a file checked against the
do-not-call list) read theirs. It prints nothing and names no option: what is to be
said, and what a list is called in a reject's detail, the caller's `ImportEdge` says.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient
    from audience_cli.contacts import ContactBatch, CsvOptions
    from audience_cli.contacts.pipeline import (
        ContactEnrich,
        ContactHooks,
        ContactScreen,
        Keep,
        Suppress,
    )
    from audience_cli.core.callability import CallingRequest
    from audience_cli.core.dnc import DoNotCall
    from audience_cli.core.outcomes import OutcomeSettings
    from audience_cli.core.recall import CampaignInput, RecallSelection


@dataclass(frozen=True)
class ContactInput:
    """What to read (a CSV file, a workbook or stdin, and --phone/--name), how, and where
    rejects go."""

    csv: str | None
    phones: list[str]
    names: list[str]
    options: CsvOptions
    rejects: str | None = None
    force: bool = False  # output files may be written through a symbolic link
    campaign: CampaignInput | None = None  # the contacts are a campaign's, to call again
    given_name: str | None = None  # the report's source for given numbers (GIVEN_NAME)

    def with_csv(self, path: str) -> ContactInput:
        return replace(self, csv=path)


@dataclass(frozen=True)
class SuppressionInput:
    """Which lists of numbers an import must not call: checked, not yet read."""

    dnc: bool = True  # the organisation's do-not-call list
    agent: str | None = None  # whose agent-scoped entries apply too
    exclude: tuple[str, ...] = ()  # files of numbers
    exclude_audiences: tuple[str, ...] = ()  # audiences (ids or names)


@dataclass(frozen=True)
class ImportRequest:
    """One import: the contacts, who not to call, and what becomes of the valid contacts."""

    contacts: ContactInput
    suppression: SuppressionInput = field(default_factory=lambda: SuppressionInput(dnc=False))
    keep: Keep = "contacts"  # what becomes of the valid contacts (`collect_contacts`)
    # Works without a key (validate, a dry-run create): with none, the do-not-call list
    # is not checked, and the edge says so once.
    offline_ok: bool = False
    # Calling windows and consent: contacts not callable are rejected, and --enrich adds
    # their time zone and local window (`calling_hooks`); None: neither.
    calling: CallingRequest | None = None


class ImportEdge(Protocol):
    """What an import needs from whoever runs it: a client, and a voice."""

    def client(self) -> AtomsClient: ...

    def offline_reason(self) -> str | None:
        """Why no request can be made (no key…), or None when one can."""

    def reading_stdin(self) -> None:
        """The contacts are about to be read from stdin."""

    def exclude_read(self, path: str, invalid: int) -> None:
        """A file of numbers not to call was read; `invalid` rows of it had no number."""

    def exclude_detail(self, path: str) -> str:
        """The detail of a reject because its number is in the file `path`."""

    def audience_detail(self, ref: str) -> str:
        """The detail of a reject because its number is in the audience `ref`."""

    def dnc_skipped(self, why: str) -> None:
        """The do-not-call list is not checked (offline): `why`."""

    def dnc_read(self, dnc: DoNotCall, agent: str | None) -> None:
        """The do-not-call list was read (entries that are no number, an agent's none)."""

    def outcome_settings(self) -> OutcomeSettings:
        """How a campaign's outcome export is read (the settings the reference leaves open)."""

    def recall_selected(self, selection: RecallSelection) -> None:
        """A campaign's outcomes were read and the members to call again picked."""


def prepare_import(request: ImportRequest, edge: ImportEdge) -> ContactBatch:
    """Read, normalise, check, screen and de-duplicate every contact; write the rejects
    if asked. Files of numbers not to call are read first (before any request); the
    audiences and the do-not-call list at the first valid number, once."""
    from audience_cli.contacts import collect_contacts, contacts_from_flags, write_rejects
    from audience_cli.contacts.pipeline import GIVEN_NAME

    inp = request.contacts
    suppress = build_suppression(
        request.suppression, inp.options, edge, offline_ok=request.offline_ok
    )
    hooks = calling_hooks(request.calling)
    if inp.campaign is not None:
        batch = _campaign_batch(inp, inp.campaign, request, suppress, edge, hooks)
    else:
        flag_contacts = contacts_from_flags(inp.phones, inp.names, inp.options.region)
        if inp.csv == "-":
            edge.reading_stdin()
        batch = collect_contacts(
            csv_path=inp.csv,
            options=inp.options,
            flag_contacts=flag_contacts,
            suppress=suppress,
            keep=request.keep,
            given_name=inp.given_name or GIVEN_NAME,
            hooks=hooks,
        )
    if inp.rejects:
        write_rejects(inp.rejects, batch.report, force=inp.force)
    return batch


def _campaign_batch(
    inp: ContactInput,
    want: CampaignInput,
    request: ImportRequest,
    suppress: Suppress | None,
    edge: ImportEdge,
    hooks: ContactHooks | None = None,
) -> ContactBatch:
    """The members of a campaign's outcomes to call again, through the contacts pipeline
    (numbers checked, duplicates dropped, the lists not to call applied) as CSV rows."""
    import io

    from audience_cli.contacts import collect_contacts
    from audience_cli.core.recall import read_recall, recall_csv

    selection = read_recall(edge.client(), want, edge.outcome_settings())
    edge.recall_selected(selection)
    content, phone = recall_csv(selection, want)
    options = replace(inp.options, phone_column=phone, encoding=None, delimiter=",", sheet=None)
    batch = collect_contacts(
        csv_path="-",
        stdin=io.BytesIO(content),
        options=options,
        suppress=suppress,
        keep=request.keep,
        stdin_name=f"campaign {selection.export.name!r}",
        hooks=hooks,
    )
    picked = selection.to_dict()
    # The whole story in one place: left out before the rows were read, then by the
    # pipeline (a number not valid or not to call, by its reason; a number twice).
    report = batch.report
    picked["excluded"].update(report.by_reason())
    if report.duplicates:
        picked["excluded"]["duplicate"] = report.duplicates
    picked["picked"], picked["included"] = picked["included"], report.valid
    report.origin["campaign"] = picked
    return batch


def calling_hooks(calling: CallingRequest | None) -> ContactHooks | None:
    """The pipeline's hooks for `calling` (`core.callability`): its columns resolved
    against the contacts' keys (a column named that they lack: `NoSuchColumnError`),
    then the screen (when contacts may be rejected) and the enrichment (when asked)."""
    if calling is None:
        return None
    from audience_cli.core.callability import enricher_for, screen_for

    def bind(keys: Sequence[str]) -> tuple[ContactScreen | None, ContactEnrich | None]:
        bound = calling.with_columns(keys)
        screen = screen_for(bound) if bound.screens else None
        return screen, enricher_for(bound) if bound.enrich else None

    return bind


def read_numbers(path: str, options: CsvOptions) -> tuple[set[str], int]:
    """The valid numbers of a file (a CSV, a workbook, one number a line), and how many
    rows had none: the contacts pipeline."""
    from audience_cli.contacts import collect_contacts

    with collect_contacts(csv_path=path, options=options) as batch:
        return {contact.phone for contact in batch}, batch.report.invalid


def exclude_reading(contacts: CsvOptions) -> CsvOptions:
    """How a file of numbers not to call is read: in the contacts' encoding, region and
    phone column (each, when given)."""
    from audience_cli.contacts import CsvOptions

    return CsvOptions(
        region=contacts.region, encoding=contacts.encoding, phone_column=contacts.phone_column
    )


def read_excluded(path: str, contacts: CsvOptions) -> tuple[set[str], int]:
    """`read_numbers` of a file of numbers not to call. The contacts' phone column is
    used when the file has it; a file without it (its own header, one number a line)
    has its column found by name, as it would be without one."""
    from audience_cli.errors import UsageError

    reading = exclude_reading(contacts)
    try:
        return read_numbers(path, reading)
    except UsageError:
        if reading.phone_column is None:
            raise
        try:
            return read_numbers(path, replace(reading, phone_column=None))
        except UsageError:
            pass
        raise


def build_suppression(
    inp: SuppressionInput, contacts: CsvOptions, edge: ImportEdge, *, offline_ok: bool = False
) -> Suppress | None:
    """The `suppress` callable of an import (a number's reason not to call it, and which
    list says so), or None when there is nothing to check.

    Files of numbers are read now (as the `contacts` are: `read_excluded`); audiences
    and the do-not-call list at the first number looked up, once. With `offline_ok`
    and no way to make a request, the do-not-call list is not checked
    (`edge.dnc_skipped`); otherwise a list that cannot be read stops the import
    (`DncReadError`).
    """
    from audience_cli.core.dnc import DO_NOT_CALL, EXCLUDED, Suppression

    region = contacts.region
    suppression = Suppression()
    for path in inp.exclude:
        numbers, invalid = read_excluded(path, contacts)
        if invalid:
            edge.exclude_read(path, invalid)
        suppression.add(EXCLUDED, numbers, detail=edge.exclude_detail(path))
    for ref in inp.exclude_audiences:
        numbers_of = functools.partial(_audience_numbers, edge, ref, region)
        suppression.add(EXCLUDED, numbers_of, detail=edge.audience_detail(ref))
    if inp.dnc:
        missing = edge.offline_reason() if offline_ok else None
        if missing is not None:
            suppression.add(DO_NOT_CALL, functools.partial(_skipped, edge, missing))
        else:
            numbers_on = functools.partial(_dnc_numbers, edge, inp.agent, region)
            suppression.add(DO_NOT_CALL, numbers_on)
    return suppression.why if suppression else None


def _skipped(edge: ImportEdge, why: str) -> Collection[str]:
    """No list to read: said once, at the first number it would have been asked about."""
    edge.dnc_skipped(why)
    return ()


def _audience_numbers(edge: ImportEdge, ref: str, region: str | None) -> Collection[str]:
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.dnc import audience_numbers

    client = edge.client()
    return audience_numbers(client, resolve_audience(client, ref), region=region)


def _dnc_numbers(edge: ImportEdge, agent: str | None, region: str | None) -> Collection[str]:
    return read_do_not_call(edge, agent, region, during_import=True).by_number.keys()


def read_do_not_call(
    edge: ImportEdge, agent: str | None, region: str | None, *, during_import: bool
) -> DoNotCall:
    """The do-not-call list as it applies (organisation-wide, plus `agent`'s entries),
    read once; the edge hears what it held."""
    from audience_cli.core.dnc import load_do_not_call

    client = edge.client()
    dnc = load_do_not_call(client, agent_id=agent, region=region, during_import=during_import)
    edge.dnc_read(dnc, agent)
    return dnc
