"""A campaign's outcomes: the per-member export read (JSON or CSV), grouped and summed.

`read_outcomes` asks Atoms for the export of a campaign and reads it into
`OutcomeRecord`s, one per audience member: its number, its fields, its final status
(an open string: a status this tool does not know is kept as it is, grouped "other";
a member never dialled has none), its attempts, its call time and cost.
`summarize` counts them by status.

What the reference leaves open is a setting, read from the environment:
- `AUDIENCE_CALL_DURATION_UNIT` (`s`, the default, or `ms`): the unit of
  `totalCallDuration`, which the reference gives as a number without a unit;
- `AUDIENCE_OUTCOME_COLUMNS` (`status=Call Outcome,phone=Mobile`): CSV column names
  for each role, read before the built-in names (`CSV_ALIASES`). The CSV's columns
  are "the dashboard's", which the reference does not list: a column is matched by
  its name lower-cased with everything but letters and digits taken out
  ("Final Status", "final_status" and "finalStatus" are one name).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audience_cli.errors import ShortExportError, UnexpectedAnswerError, UsageError
from audience_cli.text import cell_text

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient

ENV_DURATION_UNIT = "AUDIENCE_CALL_DURATION_UNIT"
ENV_OUTCOME_COLUMNS = "AUDIENCE_OUTCOME_COLUMNS"
DURATION_UNITS = {"s": 1.0, "ms": 0.001}

# --- statuses ---------------------------------------------------------------------------

COMPLETED = "completed"
FINAL = "final"
RUNNING = "running"
NONE = "none"
OTHER = "other"
GROUPS = (COMPLETED, FINAL, RUNNING, OTHER, NONE)  # the order summaries list them in

FINAL_STATUSES = frozenset({"failed", "no_answer", "cancelled"})
RUNNING_STATUSES = frozenset({"pending", "in_queue", "in_progress", "processing", "active"})


def status_key(status: str) -> str:
    """A status as grouped: lower case, spaces and hyphens as underscores ("No Answer")."""
    return re.sub(r"[\s\-]+", "_", status.strip().lower())


def status_group(status: str | None) -> str:
    """completed | final (failed, no_answer, cancelled) | running (pending, in_queue,
    in_progress, processing, active) | none (never dialled) | other (any other status)."""
    if status is None or not status.strip():
        return NONE
    key = status_key(status)
    if key == COMPLETED:
        return COMPLETED
    if key in FINAL_STATUSES:
        return FINAL
    if key in RUNNING_STATUSES:
        return RUNNING
    return OTHER


# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRecord:
    """One audience member's outcome. `status` is the export's own text (None: never
    dialled); `duration_s` is in seconds whatever unit the export used."""

    member_id: str
    phone: str
    data: dict[str, str]
    status: str | None
    attempts: int
    duration_s: float
    cost: float

    @property
    def group(self) -> str:
        return status_group(self.status)


@dataclass(frozen=True)
class OutcomeExport:
    """A campaign's export: `total` is the audience members it counts (JSON's
    `totalAudienceMembers`; the records' number when it gives none, as CSV)."""

    campaign_id: str
    name: str
    status: str | None  # the campaign's
    exported_at: str | None
    total: int
    records: list[OutcomeRecord]
    fmt: str = "json"


@dataclass(frozen=True)
class OutcomeSettings:
    """What the reference does not say: the duration's unit and the CSV's column names."""

    duration_unit: str = "s"
    columns: Mapping[str, Sequence[str]] = field(default_factory=dict)  # role -> extra names

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OutcomeSettings:
        unit = env.get(ENV_DURATION_UNIT, "").strip().lower() or "s"
        if unit not in DURATION_UNITS:
            raise UsageError(f"{ENV_DURATION_UNIT}={unit!r}: s (seconds) or ms (milliseconds)")
        columns: dict[str, list[str]] = {}
        for item in env.get(ENV_OUTCOME_COLUMNS, "").split(","):
            if not item.strip():
                continue
            role, sep, name = item.partition("=")
            role = role.strip()
            if not sep or role not in CSV_ALIASES or not name.strip():
                raise UsageError(
                    f"{ENV_OUTCOME_COLUMNS}: {item.strip()!r} is not ROLE=COLUMN; the roles "
                    f"are {', '.join(CSV_ALIASES)}"
                )
            columns.setdefault(role, []).append(name.strip())
        return cls(unit, columns)

    @property
    def seconds_per_unit(self) -> float:
        return DURATION_UNITS[self.duration_unit]


# --- reading ----------------------------------------------------------------------------


def read_outcomes(
    client: AtomsClient,
    campaign: Mapping[str, Any],
    fmt: str = "json",
    settings: OutcomeSettings | None = None,
) -> OutcomeExport:
    """The export of `campaign` (as `resolve_campaign` gives it), asked for in `fmt`.

    An export holding fewer records than the members it counts is a `ShortExportError`:
    never a part taken for the whole. No record is a valid export (total 0)."""
    settings = settings or OutcomeSettings()
    campaign_id = str(campaign.get("_id"))
    raw = client.export_campaign_outcomes(campaign_id, fmt)
    name = str(campaign.get("name") or "")
    status = campaign.get("status")
    status = status if isinstance(status, str) else None
    if isinstance(raw, bytes):
        records = parse_csv(raw, settings)
        return OutcomeExport(campaign_id, name, status, None, len(records), records, "csv")
    records = parse_json(raw, settings)
    stated = raw.get("totalAudienceMembers")
    total = int(stated) if isinstance(stated, int | float) else len(records)
    if len(records) < total:
        raise ShortExportError(
            f"the outcome export of campaign {name!r} ({campaign_id}) holds {len(records):,} "
            f"record{'' if len(records) == 1 else 's'} but counts {total:,} audience members: "
            "it is incomplete, so it was not used",
            read=len(records),
            stated=total,
        )
    exported_at = raw.get("exportedAt")
    return OutcomeExport(
        campaign_id,
        name or str(raw.get("campaign") or ""),
        status,
        exported_at if isinstance(exported_at, str) else None,
        total,
        records,
        "json",
    )


def parse_json(export: Mapping[str, Any], settings: OutcomeSettings) -> list[OutcomeRecord]:
    """The records of a JSON export (its shape checked by `answers.outcome_export`)."""
    records: list[OutcomeRecord] = []
    for item in export.get("data") or []:
        data = item.get("audienceMemberData") or {}
        status = item.get("finalStatus")
        records.append(
            OutcomeRecord(
                member_id=cell_text(item.get("audienceMemberId")),
                phone=cell_text(item.get("phoneNumber")),
                data={str(k): cell_text(v) for k, v in data.items()},
                status=status if status else None,
                attempts=int(item.get("totalAttempts") or 0),
                duration_s=float(item.get("totalCallDuration") or 0) * settings.seconds_per_unit,
                cost=float(item.get("totalCallCost") or 0),
            )
        )
    return records


# The CSV columns each role is read from, by normalised name (`normalised`), first found.
CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "member_id": ("audiencememberid", "memberid", "audiencemember", "id"),
    "phone": ("phonenumber", "phone", "number", "mobile", "phoneno"),
    "status": ("finalstatus", "status", "callstatus", "outcome", "laststatus"),
    "attempts": ("totalattempts", "attempts", "attemptcount", "numberofattempts"),
    "duration": ("totalcallduration", "callduration", "duration", "totalduration"),
    "cost": ("totalcallcost", "callcost", "cost", "totalcost"),
}


def normalised(name: str) -> str:
    """A column name as matched: lower case, letters and digits only."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def parse_csv(content: bytes, settings: OutcomeSettings) -> list[OutcomeRecord]:
    """The records of a CSV export: UTF-8 (a byte-order mark is skipped), a header row,
    quoted cells as RFC 4180 quotes them. Columns are matched to roles by normalised name
    (`CSV_ALIASES`, after the names the settings give); every other column is a member
    field. The phone number is required; a member id, if the export has none, is ''."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _bad_csv(f"not UTF-8 (byte {exc.start})") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    roles = _roles(header, settings)
    if "phone" not in roles:
        raise _bad_csv(f"no phone number column among {', '.join(map(repr, header))}")
    data_columns = [i for i in range(len(header)) if i not in roles.values()]
    records: list[OutcomeRecord] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise _bad_csv(f"row {number} has {len(row)} cells, the header {len(header)}")
        cells = row + [""] * (len(header) - len(row))

        def cell(role: str, cells: list[str] = cells) -> str:
            index = roles.get(role)
            return cells[index].strip() if index is not None else ""

        status = cell("status")
        records.append(
            OutcomeRecord(
                member_id=cell("member_id"),
                phone=cell("phone"),
                data={header[i]: cells[i] for i in data_columns},
                status=status or None,
                attempts=int(_number(cell("attempts"), number, header, roles, "attempts")),
                duration_s=_number(cell("duration"), number, header, roles, "duration")
                * settings.seconds_per_unit,
                cost=_number(cell("cost"), number, header, roles, "cost"),
            )
        )
    return records


def _roles(header: Sequence[str], settings: OutcomeSettings) -> dict[str, int]:
    """Which column holds each role: the first name of its list found in the header."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(normalised(name), i)
    roles: dict[str, int] = {}
    for role, aliases in CSV_ALIASES.items():
        names = [normalised(n) for n in settings.columns.get(role, ())] + list(aliases)
        for name in names:
            if name in index and index[name] not in roles.values():
                roles[role] = index[name]
                break
    return roles


def _number(
    text: str, row: int, header: Sequence[str], roles: Mapping[str, int], role: str
) -> float:
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if value != value or value < 0 or value in (float("inf"), float("-inf")):
        column = header[roles[role]]
        raise _bad_csv(f"row {row}, column {column!r}: {text!r} is not a number of 0 or more")
    if role == "attempts" and not value.is_integer():
        column = header[roles[role]]
        raise _bad_csv(f"row {row}, column {column!r}: {text!r} is not a whole number")
    return value


def _bad_csv(why: str) -> UnexpectedAnswerError:
    return UnexpectedAnswerError(
        f"the campaign's CSV export is not what this tool reads: {why}", maybe_processed=True
    )


# --- the summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    """One status's members: how many, their share of all, their call minutes and cost.
    `status` None: the members never dialled."""

    status: str | None
    group: str
    count: int
    share: float
    minutes: float
    cost: float


@dataclass(frozen=True)
class OutcomeSummary:
    rows: list[StatusRow]
    total: StatusRow


def summarize(records: Iterable[OutcomeRecord]) -> OutcomeSummary:
    """The records by status (each status as the export spells it), in group order
    (completed, final, running, other, none), the larger counts first; and the totals."""
    counts: Counter[str | None] = Counter()
    seconds: dict[str | None, float] = {}
    cost: dict[str | None, float] = {}
    for record in records:
        counts[record.status] += 1
        seconds[record.status] = seconds.get(record.status, 0.0) + record.duration_s
        cost[record.status] = cost.get(record.status, 0.0) + record.cost
    every = sum(counts.values())

    def order(status: str | None) -> tuple[int, int, str]:
        return (GROUPS.index(status_group(status)), -counts[status], status or "")

    rows = [
        StatusRow(
            status,
            status_group(status),
            counts[status],
            counts[status] / every if every else 0.0,
            seconds[status] / 60,
            cost[status],
        )
        for status in sorted(counts, key=order)
    ]
    total = StatusRow(
        None,
        "total",
        every,
        1.0 if every else 0.0,
        sum(r.minutes for r in rows),
        sum(r.cost for r in rows),
    )
    return OutcomeSummary(rows, total)
