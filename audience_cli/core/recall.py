"""Who to call again: the members of a campaign's outcome export picked for a new audience.

`read_recall` reads a campaign's export (`core.outcomes`), refuses a campaign that is still
going (unless asked), and picks the records to call again (`select_records`): by default
every member not reached, which is every status but `completed` and the ones still
running (pending, in_queue, in_progress, processing, active); a member never dialled
and a status this tool does not know are picked too (kept as they are). Each picked
member keeps its own fields and gains provenance fields (which campaign, how many
attempts in all, the last status), so that the next campaign's agent, and the next retry,
can read them. `recall_csv` turns the pick into CSV rows for the contacts pipeline,
which then checks the numbers, drops duplicates and applies the do-not-call list as for
any import.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audience_cli.core.outcomes import (
    COMPLETED,
    NONE,
    OTHER,
    RUNNING,
    OutcomeExport,
    OutcomeRecord,
    status_group,
    status_key,
)
from audience_cli.errors import CampaignStillGoingError, UsageError
from audience_cli.model import DEFAULT_PHONE_COLUMN

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient
    from audience_cli.core.outcomes import OutcomeSettings

# A campaign in one of these states may still call its members.
CAMPAIGN_GOING = frozenset({"draft", "scheduled", "processing", "running", "paused"})
# The provenance fields' default names: the campaign's id, attempts in all, last status.
PROVENANCE = ("source_campaign", "attempts", "last_status")

# Why a record of the export is left out, before its number is read.
LEFT_COMPLETED = "completed"
LEFT_RUNNING = "running"
LEFT_STATUS = "status_not_asked"
LEFT_MAX_ATTEMPTS = "max_attempts"
LEFT_OUT_ORDER = (LEFT_COMPLETED, LEFT_RUNNING, LEFT_STATUS, LEFT_MAX_ATTEMPTS)


@dataclass(frozen=True)
class CampaignInput:
    """What to read of a campaign, and whom to call again.

    `statuses`: the status keys to pick (`status_key`; "none": never dialled); None:
    every status not completed and not running. `max_attempts`: leave out members
    whose attempts in all (the provenance field of an earlier retry plus this
    campaign's) reached it. `include_running`: a campaign still going is read, and its
    members still running are picked. `provenance`: the three field names, or None."""

    ref: str
    statuses: frozenset[str] | None = None
    max_attempts: int | None = None
    include_running: bool = False
    provenance: tuple[str, str, str] | None = PROVENANCE
    fmt: str = "json"


def parse_statuses(text: str) -> frozenset[str]:
    """`no_answer,failed` as status keys; `completed` is never called again."""
    statuses = frozenset(status_key(s) for s in text.split(",") if s.strip())
    if not statuses:
        raise UsageError("no status given: name one or more, e.g. no_answer,failed")
    if COMPLETED in statuses:
        raise UsageError(
            "completed members were reached: they are never called again by a retry audience"
        )
    return statuses


def parse_provenance(text: str) -> tuple[str, str, str]:
    """Three field names, for the campaign, the attempts and the last status."""
    names = [n.strip() for n in text.split(",")]
    if len(names) != 3 or not all(names) or len(set(names)) != 3:
        raise UsageError(
            f"{text!r}: three different field names, for the campaign, the attempts and "
            "the last status (e.g. source_campaign,attempts,last_status)"
        )
    return names[0], names[1], names[2]


@dataclass
class RecallSelection:
    """The pick: the records to call again, and per status how many were read and picked,
    and how many were left out and why."""

    export: OutcomeExport
    picked: list[OutcomeRecord] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)  # reason -> records
    by_status: dict[str, list[int]] = field(default_factory=dict)  # status -> [read, picked]
    unknown: Counter[str] = field(default_factory=Counter)  # statuses this tool does not know
    attempts: dict[str, int] = field(default_factory=dict)  # member id -> attempts in all
    not_found: list[str] = field(default_factory=list)  # statuses asked that no member has

    def to_dict(self) -> dict[str, Any]:
        export = self.export
        return {
            "id": export.campaign_id,
            "name": export.name,
            "status": export.status,
            "exportedAt": export.exported_at,
            "records": len(export.records),
            "included": len(self.picked),
            "excluded": {r: self.left_out[r] for r in LEFT_OUT_ORDER if self.left_out[r]},
            "byStatus": {
                status: {"read": read, "included": picked}
                for status, (read, picked) in self.by_status.items()
            },
            "statusesNotFound": self.not_found,
        }


def status_label(status: str | None) -> str:
    """A record's status as the pick names it: its key, or "none" when never dialled."""
    return NONE if status is None or not status.strip() else status_key(status)


def prior_attempts(data: Mapping[str, str], name: str | None) -> int:
    """The attempts an earlier retry audience recorded in the member's field `name`."""
    if not name:
        return 0
    value = str(data.get(name, "")).strip()
    return int(value) if re.fullmatch(r"\d{1,6}", value) else 0


def select_records(export: OutcomeExport, want: CampaignInput) -> RecallSelection:
    """Pick the records to call again (see the module's text); refuse a campaign still
    going unless `want.include_running`."""
    going = (export.status or "").strip().lower()
    if going in CAMPAIGN_GOING and not want.include_running:
        raise CampaignStillGoingError(export.name, export.campaign_id, going)
    selection = RecallSelection(export)
    attempts_field = want.provenance[1] if want.provenance else None
    for record in export.records:
        label = status_label(record.status)
        counts = selection.by_status.setdefault(label, [0, 0])
        counts[0] += 1
        group = status_group(record.status)
        if group == OTHER:
            selection.unknown[label] += 1
        in_all = prior_attempts(record.data, attempts_field) + record.attempts
        selection.attempts[record.member_id] = in_all
        reason = _left_out_because(record, label, group, in_all, want)
        if reason:
            selection.left_out[reason] += 1
            continue
        counts[1] += 1
        selection.picked.append(record)
    if want.statuses is not None:
        selection.not_found = sorted(want.statuses - set(selection.by_status))
    return selection


def _left_out_because(
    record: OutcomeRecord, label: str, group: str, in_all: int, want: CampaignInput
) -> str | None:
    if group == COMPLETED:
        return LEFT_COMPLETED
    if want.statuses is not None:
        if label not in want.statuses:
            return LEFT_RUNNING if group == RUNNING and not want.include_running else LEFT_STATUS
    elif group == RUNNING and not want.include_running:
        return LEFT_RUNNING
    if want.max_attempts is not None and in_all >= want.max_attempts:
        return LEFT_MAX_ATTEMPTS
    return None


def phone_key(records: Sequence[OutcomeRecord]) -> str:
    """The member field that holds the number in the export's data: the one whose value's
    digits end with the record's number's most often; `phoneNumber` when none does."""
    votes: Counter[str] = Counter()
    for record in records[:200]:
        digits = re.sub(r"\D", "", record.phone)
        if not digits:
            continue
        for key, value in record.data.items():
            own = re.sub(r"\D", "", str(value))
            if len(own) >= 6 and digits.endswith(own):
                votes[key] += 1
                break
    return votes.most_common(1)[0][0] if votes else DEFAULT_PHONE_COLUMN


def recall_csv(selection: RecallSelection, want: CampaignInput) -> tuple[bytes, str]:
    """The picked members as CSV (UTF-8), and the name of its phone column: each member's
    own fields, its number from the export, and the provenance fields."""
    picked = selection.picked
    phone = phone_key(picked)
    provenance = want.provenance
    header: dict[str, None] = {phone: None}
    for record in picked:
        header.update(dict.fromkeys(record.data))
    if provenance:
        header.update(dict.fromkeys(provenance))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    for record in picked:
        row: dict[str, str] = {k: str(v) for k, v in record.data.items()}
        row[phone] = record.phone or row.get(phone, "")
        if provenance:
            campaign, attempts, status = provenance
            row[campaign] = selection.export.campaign_id
            row[attempts] = str(selection.attempts.get(record.member_id, record.attempts))
            row[status] = status_label(record.status)
        writer.writerow(row)
    return out.getvalue().encode("utf-8"), phone


def read_recall(
    client: AtomsClient, want: CampaignInput, settings: OutcomeSettings | None = None
) -> RecallSelection:
    """Resolve the campaign (an id or a name), read its whole export and pick."""
    from audience_cli.core.campaigns import resolve_campaign
    from audience_cli.core.outcomes import read_outcomes

    campaign = resolve_campaign(client, want.ref)
    export = read_outcomes(client, campaign, want.fmt, settings)
    return select_records(export, want)
