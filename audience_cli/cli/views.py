"""What the commands show of each record: the columns of lists, the fields of one
audience, and the summary of each write command (its JSON document and its row)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from audience_cli.cli.output import (
    Column,
    Fields,
    Listing,
    Summary,
    check_known,
    field_names,
    header_of,
)
from audience_cli.model import (
    FIRST_NAME_KEY,
    LAST_NAME_KEY,
    MEMBER_ID_KEY,
    NAME_KEYS,
    Audience,
    Campaign,
    DncEntry,
    Member,
    data_keys,
    member_field,
    member_record_fields,
)
from audience_cli.text import cell_text

if TYPE_CHECKING:
    from audience_cli.contacts import ImportReport
    from audience_cli.core.audiences import DeleteResult
    from audience_cli.core.dnc import DncCheck
    from audience_cli.core.members import Removal
    from audience_cli.core.outcomes import OutcomeExport, OutcomeRecord, OutcomeSummary, StatusRow
    from audience_cli.core.recall import RecallSelection
    from audience_cli.core.restore import RestorePlan
    from audience_cli.core.sync import SyncPlan, SyncResult
    from audience_cli.core.upload import AddPlan, CreatePlan, CreateResult
    from audience_cli.state.snapshots import SnapshotInfo

# --- time ----------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: Any, human: bool, *, now: datetime | None = None) -> str:
    """ISO 8601 when piped; "3 days ago" on a terminal."""
    when = parse_time(value)
    if when is None or not human:
        return cell_text(value)  # the API's own ISO 8601 text
    return relative_time(when, now or datetime.now(UTC))


def relative_time(when: datetime, now: datetime) -> str:
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for limit, size, unit in (
        (45, 1, None),
        (90 * 60, 60, "minute"),
        (36 * 3600, 3600, "hour"),
        (45 * 86400, 86400, "day"),
        (550 * 86400, 30 * 86400, "month"),
        (float("inf"), 365 * 86400, "year"),
    ):
        if seconds < limit:
            if unit is None:
                return "just now"
            n = max(1, round(seconds / size))
            text = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {text}" if future else f"{text} ago"
    return when.isoformat()  # pragma: no cover - the loop always returns


# --- audiences -----------------------------------------------------------------------------


def _campaigns(a: Mapping[str, Any], human: bool) -> str:
    campaigns = a.get("campaigns") or []
    if not human:
        return str(len(campaigns))
    if not campaigns:
        return "—"
    active = sum(1 for c in campaigns if c.get("status") != "completed")
    return f"{len(campaigns)} ({active} active)" if active else str(len(campaigns))


AUDIENCE_COLUMNS = (
    Column("ID", lambda a, h: a.get("_id"), no_wrap=True, key="_id"),
    Column("NAME", lambda a, h: a.get("name"), key="name"),
    Column("MEMBERS", lambda a, h: a.get("memberCount"), justify="right", key="memberCount"),
    Column("CAMPAIGNS", _campaigns, justify="right", key="campaigns"),
    Column("CREATED", lambda a, h: format_time(a.get("createdAt"), h), key="createdAt"),
    Column("DESCRIPTION", lambda a, h: a.get("description"), key="description", optional=True),
    Column(
        "PHONE COLUMN",
        lambda a, h: a.get("phoneNumberColumnName"),
        key="phoneNumberColumnName",
        optional=True,
    ),
    Column(
        "UPDATED", lambda a, h: format_time(a.get("updatedAt"), h), key="updatedAt", optional=True
    ),
)

CAMPAIGN_COLUMNS = (
    Column("CAMPAIGN ID", lambda c, h: c.get("_id"), no_wrap=True),
    Column("NAME", lambda c, h: c.get("name")),
    Column("STATUS", lambda c, h: c.get("status")),
    Column("CREATED", lambda c, h: format_time(c.get("createdAt"), h)),
)

_KNOWN_FIELDS = (
    ("id", "_id"),
    ("name", "name"),
    ("description", "description"),
    ("members", "memberCount"),
    ("phone column", "phoneNumberColumnName"),
    ("identifier column", "identifierColumnName"),
    ("organization", "organization"),
    ("created by", "createdBy"),
    ("created", "createdAt"),
    ("updated", "updatedAt"),
)


AUDIENCE_FIELDS = tuple(field_names(AUDIENCE_COLUMNS))


def audience_listing(audiences: Iterable[Audience]) -> Listing:
    """Every audience; the optional columns only when `--fields` names them."""
    return Listing(audiences, AUDIENCE_COLUMNS)


def audience_rows(audience: Mapping[str, Any], human: bool) -> list[tuple[str, str, str]]:
    """`show`: every field of one audience as (API key, label, value), known ones first."""
    rows: list[tuple[str, str, str]] = []
    seen = {"campaigns", "hasCampaigns"}
    for label, key in _KNOWN_FIELDS:
        seen.add(key)
        value = audience.get(key)
        if key in ("createdAt", "updatedAt"):
            rows.append((key, label, format_time(value, human)))
        else:
            rows.append((key, label, cell_text(value)))
    for key, value in audience.items():
        if key not in seen:
            rows.append((key, key, cell_text(value)))
    if not human:
        rows.append(("campaigns", "campaigns", str(len(audience.get("campaigns") or []))))
    return rows


def audience_fields(audience: Mapping[str, Any], human: bool) -> list[tuple[str, str]]:
    """`show`: every field of one audience, known ones first: labelled for people, by the
    API's field name otherwise (TSV, CSV)."""
    rows = audience_rows(audience, human)
    return [(label if human else key, value) for key, label, value in rows]


def audience_view(audience: Audience, fields: Sequence[str] | None = None) -> Fields:
    """One audience; `fields` (the API's names) keeps only those, in that order."""
    campaigns: list[Campaign] = list(audience.get("campaigns") or [])
    if fields is None:
        return Fields(
            document=audience,
            fields=lambda human: audience_fields(audience, human),
            sections=[Listing(campaigns, CAMPAIGN_COLUMNS, title="Campaigns")],
            note="No campaigns use this audience.",
        )
    known = [key for key, _, _ in audience_rows(audience, False)]
    check_known(fields, known)

    def picked(human: bool) -> list[tuple[str, str]]:
        by_key = {
            key: (label if human else key, value)
            for key, label, value in audience_rows(audience, human)
        }
        if "campaigns" in fields and "campaigns" not in by_key:  # a table counts them below
            by_key["campaigns"] = ("campaigns", str(len(campaigns)))
        return [by_key[f] for f in fields]

    document = {f: audience.get(f) for f in fields if f in audience}
    return Fields(document=document, fields=picked)


def audience_field_names(audience: Mapping[str, Any]) -> list[str]:
    return [key for key, _, _ in audience_rows(audience, False)]


# --- members -------------------------------------------------------------------------------


MEMBER_LABELS = {MEMBER_ID_KEY: "ID", FIRST_NAME_KEY: "FIRST NAME", LAST_NAME_KEY: "LAST NAME"}


def member_columns(
    phone_column: str, extra_keys: Iterable[str] = (), *, table: bool = False
) -> list[Column]:
    """ID, phone and names, then each data field as its own column; a terminal
    table folds the data fields into one DATA column, so none is squeezed out.

    CSV headers are the API's field names, in `model.member_record_fields`' order: the
    same columns as `export`, so either reads back."""
    fixed = {*NAME_KEYS, phone_column}
    extra = list(extra_keys)

    def column(key: str) -> Column:
        header = "PHONE" if key == phone_column else MEMBER_LABELS.get(key, key)
        no_wrap = key in (MEMBER_ID_KEY, phone_column)
        return Column(header, lambda m, h: member_field(m, key), no_wrap=no_wrap, key=key)

    def folded(m: Mapping[str, Any], human: bool) -> str:
        data = m.get("data") or {}
        return " · ".join(f"{k}: {v}" for k, v in data.items() if k not in fixed and v != "")

    if table:
        columns = [column(k) for k in member_record_fields(phone_column, ())]
        return [*columns, Column("DATA", folded)] if extra else columns
    return [column(k) for k in member_record_fields(phone_column, extra)]


def member_listing(
    members: Iterable[Member], phone_column: str, *, table: bool, protect: bool = False
) -> Listing:
    """Members as rows; a list's data keys become columns, a stream (JSON) needs none."""
    extra = (
        data_keys((m.get("data") or {} for m in members), phone_column)
        if isinstance(members, list)
        else []
    )
    return Listing(
        members,
        member_columns(phone_column, extra, table=table),
        protect=protect,
        project=_member_fields,
    )


def _member_fields(member: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """A member cut down to some fields: `_id` on top, the others inside `data`."""
    data = member.get("data") or {}
    shown: dict[str, Any] = {}
    if "_id" in fields:
        shown["_id"] = member.get("_id")
    kept = {f: data[f] for f in fields if f != "_id" and f in data}
    if kept or len(fields) > ("_id" in fields):
        shown["data"] = kept
    return shown


# --- the do-not-call list ------------------------------------------------------------------


def _agent(entry: Mapping[str, Any], human: bool) -> str:
    """The agent an entry binds; organisation-wide ones say so on a terminal."""
    return cell_text(entry.get("agentId")) or ("org-wide" if human else "")


DNC_COLUMNS = (
    Column("ID", lambda e, h: e.get("id"), no_wrap=True, key="id"),
    Column("PHONE", lambda e, h: e.get("phoneNumber"), no_wrap=True, key="phoneNumber"),
    Column("AGENT", _agent, no_wrap=True, key="agentId"),
    Column("SOURCE", lambda e, h: e.get("source"), key="source"),
    Column("CALL", lambda e, h: e.get("detectedInCallId"), key="detectedInCallId"),
    Column("ADDED", lambda e, h: format_time(e.get("createdAt"), h), key="createdAt"),
)


DNC_FIELDS = tuple(field_names(DNC_COLUMNS))


def dnc_listing(entries: Iterable[DncEntry], *, protect: bool = False) -> Listing:
    """Do-not-call entries: JSON as the API sends them, else a row each."""
    return Listing(entries, DNC_COLUMNS, protect=protect)


def _on_list(key: str) -> Any:
    return lambda r, h: (r.get("dnc") or {}).get(key)


def dnc_check_columns(*, from_file: bool) -> tuple[Column, ...]:
    """`dnc check`'s columns: where a number is in a file (its line) or an audience
    (the member's id), and the entry that lists it."""
    where = (
        Column("LINE", lambda r, h: r.get("line"), justify="right")
        if from_file
        else Column("MEMBER ID", lambda r, h: r.get("memberId"), no_wrap=True)
    )
    columns = (
        Column("PHONE", lambda r, h: r.get("phoneNumber"), no_wrap=True),
        Column("FIRST NAME", lambda r, h: r.get("firstName")),
        Column("LAST NAME", lambda r, h: r.get("lastName")),
        where,
        Column("AGENT", lambda r, h: _agent(r.get("dnc") or {}, h), no_wrap=True),
        Column("SOURCE", _on_list("source")),
        Column("ADDED", lambda r, h: format_time((r.get("dnc") or {}).get("createdAt"), h)),
    )
    return columns


def dnc_check_listing(check: DncCheck, *, from_file: bool, protect: bool = False) -> Listing:
    """`dnc check`: a row per number on the list (where it is in the source, and the
    entry that lists it); JSON records are `DncMatch.to_json()`."""
    columns = dnc_check_columns(from_file=from_file)
    by_name = dict(zip(field_names(columns), columns, strict=True))

    def project(record: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
        """JSON cut to --fields: each field named as --fields names it, with its cell."""
        return {f: by_name[f].value(record, False) for f in fields if f in by_name}

    return Listing([m.to_json() for m in check.matches], columns, protect=protect, project=project)


# --- what the write commands did -----------------------------------------------------------

_REPORT_KEYS = ("rows", "valid", "invalid", "duplicates")

# The fields of each write command's result: what its --fields takes, checked before the
# command reads or sends anything.
CREATE_FIELDS = ("id", "name", "members", *_REPORT_KEYS, "added", "skipped")
ADD_FIELDS = ("id", "name", *_REPORT_KEYS, "added", "skipped", "stale", "updated")
VALIDATE_FIELDS = ("source", *_REPORT_KEYS)
DELETE_FIELDS = ("id", "name", "members", "deleted", "dry_run")
REMOVE_FIELDS = ("id", "name", "members", "not_found", "removed", "dry_run")
# The fields --fields may name: a run's counts, and a dry run's (a plan: to_add…).
SYNC_FIELDS = (
    "id", "name", *_REPORT_KEYS, "added", "removed", "updated", "unchanged",
    "to_add", "to_remove", "to_update",
)  # fmt: skip
RESTORE_FIELDS = (
    "snapshot", "id", "name", "created", "added", "removed", "updated", "unchanged",
    "to_create", "to_add", "to_remove", "to_update",
)  # fmt: skip


def _strip(audience: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in audience.items() if k not in ("added", "skipped")}


def _counts(report: ImportReport) -> dict[str, Any]:
    return {key: getattr(report, key) for key in _REPORT_KEYS}


def create_summary(report: ImportReport, plan: CreatePlan, result: CreateResult | None) -> Summary:
    """`{"audience", ["audiences"], ["dryRun", "plan"], "report"}`; a row per audience."""
    rows: list[dict[str, Any]] = []
    document: dict[str, Any]
    if result is None:
        document = {"audience": None, "dryRun": True, "plan": plan.to_json()}
        rows = [
            {"id": "", "name": s.name, "members": s.size, **_counts(report)} for s in plan.segments
        ]
    else:
        made = [dict(c.audience) for c in result.created]
        document = {"audience": _strip(made[0]) if made else None}
        if len(made) > 1:
            document["audiences"] = [_strip(a) for a in made]
        rows = [
            {
                "id": c.audience.get("_id"),
                "name": c.audience.get("name"),
                "members": c.audience.get("memberCount"),
                **_counts(report),
                "added": c.added,
                "skipped": c.skipped,
            }
            for c in result.created
        ]
    document["report"] = _report_dict(report)
    return Summary(document, rows, CREATE_FIELDS)


def add_summary(report: ImportReport, plan: AddPlan, *, dry_run: bool) -> Summary:
    """`{"audience", ["dryRun", "plan"], "report"}`; one row."""
    audience = plan.audience
    document: dict[str, Any] = {"audience": _strip(audience)}
    if dry_run:
        document["dryRun"] = True
        document["plan"] = plan.to_json()
    document["report"] = _report_dict(report)
    row = {
        "id": audience.get("_id"),
        "name": audience.get("name"),
        **_counts(report),
        "added": report.added,
        "skipped": report.skipped,
        # Known after a run (None: nothing skipped, or no --update: none); a dry run
        # leaves them empty, as it does not read the members.
        "stale": report.stale if dry_run else report.stale or 0,
        "updated": report.updated if dry_run else report.updated or 0,
    }
    return Summary(document, [row], ADD_FIELDS)


def _report_dict(report: ImportReport) -> dict[str, Any]:
    """The import report for JSON, its notes in the CLI's words (flags)."""
    from audience_cli.cli.hints import REPORT_WORDS

    return report.to_dict(REPORT_WORDS)


def refused_summary(report: ImportReport, fields: Sequence[str]) -> Summary:
    """Rejected rows stopped an import: the report, for a script that asked for it, with
    the `fields` of the command's own result (what it did is 0, no audience named)."""
    row: dict[str, Any] = {field: 0 for field in fields}
    row.update(id="", name="", **_counts(report))
    return Summary({"audience": None, "report": _report_dict(report)}, [row], fields)


def validate_summary(report: ImportReport) -> Summary:
    """`{"report"}`; one row: the source and its counts."""
    row = {"source": report.source, **_counts(report)}
    return Summary({"report": _report_dict(report)}, [row], VALIDATE_FIELDS)


def delete_summary(result: DeleteResult) -> Summary:
    document = result.to_json()
    a = result.audience
    row = {
        "id": a.get("_id"),
        "name": a.get("name"),
        "members": a.get("memberCount"),
        "deleted": result.deleted,
        "dry_run": result.dry_run,
    }
    return Summary(document, [row], DELETE_FIELDS)


def removal_summary(removal: Removal) -> Summary:
    a = removal.audience
    row = {
        "id": a.get("_id"),
        "name": a.get("name"),
        "members": len(removal.member_ids),
        "not_found": len(removal.not_found),
        "removed": removal.deleted,
        "dry_run": removal.dry_run,
    }
    return Summary(removal.to_json(), [row], REMOVE_FIELDS)


# A dry run's counts are a plan, named so that a script cannot take them for work done:
# "toAdd" (JSON) and "to_add" (the row of a table, TSV or CSV) where a run says "added".
_PLANNED = {"created": "toCreate", "added": "toAdd", "removed": "toRemove", "updated": "toUpdate"}
_PLANNED_ROW = {
    "created": "to_create",
    "added": "to_add",
    "removed": "to_remove",
    "updated": "to_update",
}


def _planned(counts: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    return {names.get(key, key): value for key, value in counts.items()}


def sync_summary(report: ImportReport, result: SyncResult, *, dry_run: bool) -> Summary:
    """`{"audience", "sync": {added, removed, updated, unchanged}, "report"}`; a dry run's
    `sync` is the plan: `{toAdd, toRemove, toUpdate, unchanged, dryRun, plan}`."""
    plan = result.plan
    counts: Mapping[str, Any] = plan.counts() if dry_run else result.counts()
    sync: dict[str, Any] = _planned(counts, _PLANNED) if dry_run else dict(counts)
    if dry_run:
        sync["dryRun"] = True
        sync["plan"] = plan.groups()
    document = {"audience": _strip(plan.audience), "sync": sync, "report": _report_dict(report)}
    audience = plan.audience
    done = _planned(counts, _PLANNED_ROW) if dry_run else dict(counts)
    row = {"id": audience.get("_id", ""), "name": audience.get("name"), **_counts(report), **done}
    return Summary(document, [row], ("id", "name", *_REPORT_KEYS, *done))


DIFF_KEYS = ("action", "phone", "first_name", "last_name", "member_id", "fields")


def diff_view(plan: SyncPlan) -> Summary:
    """What a sync would do, one change per row: JSON the groups, JSON lines a change each."""
    from audience_cli.model import FIRST_NAME_KEY, LAST_NAME_KEY

    column = plan.phone_column
    rows: list[dict[str, Any]] = []
    for row in plan.add:
        rows.append(
            {
                "action": "add",
                "phone": row.get(column, ""),
                "first_name": row.get(FIRST_NAME_KEY, ""),
                "last_name": row.get(LAST_NAME_KEY, ""),
                "member_id": "",
                "fields": "",
            }
        )
    for phone, member in plan.remove:
        rows.append(
            {
                "action": "remove",
                "phone": phone,
                "first_name": cell_text(member.data.get(FIRST_NAME_KEY)),
                "last_name": cell_text(member.data.get(LAST_NAME_KEY)),
                "member_id": member.member_id,
                "fields": "",
            }
        )
    for update in plan.update:
        rows.append(
            {
                "action": "update",
                "phone": update.phone,
                "first_name": update.row.get(FIRST_NAME_KEY, ""),
                "last_name": update.row.get(LAST_NAME_KEY, ""),
                "member_id": update.member_id,
                "fields": "; ".join(
                    f"{key}: {old or '—'} → {new or '—'}"
                    for key, (old, new) in update.fields.items()
                ),
            }
        )
    return Summary(plan.groups(), rows, DIFF_KEYS, lines=True)


SNAPSHOT_COLUMNS = [
    Column("ID", lambda s, human: s["id"], no_wrap=True, key="id"),
    Column("AUDIENCE", lambda s, human: s["name"] or "", key="name"),
    Column("AUDIENCE ID", lambda s, human: s["audienceId"], key="audienceId"),
    Column(
        "MEMBERS",
        lambda s, human: f"{s['members']:,}" if human else s["members"],
        justify="right",
        key="members",
    ),
    Column("TAKEN", lambda s, human: format_time(s["takenAt"], human), key="takenAt"),
    Column("BEFORE", lambda s, human: s["reason"], key="reason"),
    Column("PATH", lambda s, human: s["path"], key="path", optional=True),
]
SNAPSHOT_FIELDS = tuple(field_names(SNAPSHOT_COLUMNS))


def snapshot_listing(found: Iterable[SnapshotInfo]) -> Listing:
    """`snapshots`: one row per snapshot; the path only when --fields names it (JSON has it)."""
    return Listing([s.to_json() for s in found], SNAPSHOT_COLUMNS)


def restore_summary(
    info: SnapshotInfo,
    plan: RestorePlan,
    *,
    result: SyncResult | None = None,
    created: Mapping[str, Any] | None = None,
    dry_run: bool,
) -> Summary:
    """`{"snapshot", "audience", "restore": {created, added, removed, updated, unchanged}}`;
    a dry run's `restore` is the plan: `{toCreate, toAdd, toRemove, toUpdate, unchanged,
    dryRun}`."""
    if result is not None:
        counts = result.plan.counts() if dry_run else result.counts()
        audience: Mapping[str, Any] = result.plan.audience
        made = False
    else:
        made = True
        counts = {"added": len(plan.rows), "removed": 0, "updated": 0, "unchanged": 0}
        audience = created if created is not None else {"name": plan.name}
    done = {"created": made, **counts}
    restore: dict[str, Any] = _planned(done, _PLANNED) if dry_run else done
    if dry_run:
        restore["dryRun"] = True
    document = {"snapshot": info.to_json(), "audience": _strip(audience), "restore": restore}
    shown = _planned(done, _PLANNED_ROW) if dry_run else done
    row = {"snapshot": info.id, "id": audience.get("_id", ""), "name": audience.get("name"),
           **shown}  # fmt: skip
    return Summary(document, [row], ("snapshot", "id", "name", *shown))


# --- campaign outcomes ---------------------------------------------------------------------

OUTCOME_KEYS = ("member_id", "phone", "status", "group", "attempts", "duration_s", "cost")
OUTCOME_SUMMARY_KEYS = ("status", "group", "count", "share", "minutes", "cost")


def outcome_record(record: OutcomeRecord) -> dict[str, Any]:
    """One member's outcome as JSON shows it: the fixed keys, its fields under `data`."""
    return {
        "member_id": record.member_id,
        "phone": record.phone,
        "status": record.status,
        "group": record.group,
        "attempts": record.attempts,
        "duration_s": record.duration_s,
        "cost": record.cost,
        "data": dict(record.data),
    }


def outcome_data_keys(records: Iterable[OutcomeRecord]) -> list[str]:
    """The member fields over all records, in first-seen order (the columns after the
    fixed ones); a field named as a fixed key is shown as `data.NAME`."""
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record.data))
    return [f"data.{k}" if k in OUTCOME_KEYS or k == "data" else k for k in keys]


def _outcome_cell(key: str) -> Any:
    def value(r: Mapping[str, Any], human: bool) -> Any:
        if key in OUTCOME_KEYS:
            found = r.get(key)
            if human and key == "status" and found is None:
                return "—"
            if human and key == "duration_s":
                return f"{found:g}"
            return found
        data = r.get("data") or {}
        return data.get(key.removeprefix("data.") if key not in data else key)

    return value


def outcome_listing(
    records: Sequence[OutcomeRecord], *, table: bool, protect: bool = False
) -> Listing:
    """One row per member; a table folds the member fields into one DATA column."""
    right = {"attempts", "duration_s", "cost"}
    columns = [
        Column(
            header_of(k),
            _outcome_cell(k),
            key=k,
            justify="right" if k in right else "left",
            no_wrap=k in ("member_id", "phone"),
            optional=table and k == "group",  # a table's summary shows each status's group
        )
        for k in OUTCOME_KEYS
    ]
    extra = outcome_data_keys(records)

    def folded(r: Mapping[str, Any], human: bool) -> str:
        """The member's fields but empty ones and the number (the PHONE column has it)."""
        data = (r.get("data") or {}).items()
        return " · ".join(f"{k}: {v}" for k, v in data if v not in ("", r.get("phone")))

    data_columns = [Column(k, _outcome_cell(k), key=k, optional=table) for k in extra]
    if table and extra:
        data_columns.append(Column("DATA", folded))
    return Listing(
        [outcome_record(r) for r in records],
        [*columns, *data_columns],
        protect=protect,
        project=_outcome_fields,
    )


def _outcome_fields(record: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """A record cut down to some fields: fixed keys on top, member fields inside `data`."""
    shown = {f: record.get(f) for f in fields if f in OUTCOME_KEYS}
    data = record.get("data") or {}
    kept = {}
    for f in fields:
        if f in OUTCOME_KEYS:
            continue
        name = f if f in data else f.removeprefix("data.")
        if name in data:
            kept[name] = data[name]
    if kept or any(f not in OUTCOME_KEYS for f in fields):
        shown["data"] = kept
    return shown


def outcome_field_names(records: Sequence[OutcomeRecord]) -> list[str]:
    """The names --fields takes: the fixed keys, then the member fields."""
    return [*OUTCOME_KEYS, *outcome_data_keys(records)]


def _status_row(row: StatusRow) -> dict[str, Any]:
    return {
        "status": row.status,
        "group": row.group,
        "count": row.count,
        "share": round(row.share, 6),
        "minutes": round(row.minutes, 6),
        "cost": round(row.cost, 6),
    }


def outcome_summary_document(summary: OutcomeSummary) -> dict[str, Any]:
    """The `summary` key of `outcomes --json`: a row per status, and the totals."""
    total = _status_row(summary.total)
    del total["status"], total["group"]
    return {"by_status": [_status_row(r) for r in summary.rows], "total": total}


def outcome_document(
    export: OutcomeExport, summary: OutcomeSummary, records: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """`outcomes --json`: the campaign, the export's facts, the summary and the records."""
    return {
        "campaign": {"_id": export.campaign_id, "name": export.name, "status": export.status},
        "exported_at": export.exported_at,
        "export_format": export.fmt,
        "total": export.total,
        "summary": outcome_summary_document(summary),
        "records": list(records),
    }


def outcome_summary_listing(summary: OutcomeSummary) -> Listing:
    """The summary as a table: a row per status and a TOTAL row."""

    def status(r: Mapping[str, Any], human: bool) -> str:
        return "(none)" if r["status"] is None else str(r["status"])

    columns = [
        Column("STATUS", status),
        Column("GROUP", lambda r, h: r["group"]),
        Column("MEMBERS", lambda r, h: f"{r['count']:,}", justify="right"),
        Column("SHARE", lambda r, h: f"{r['share']:.1%}", justify="right"),
        Column("MINUTES", lambda r, h: f"{r['minutes']:,.1f}", justify="right"),
        Column("COST", lambda r, h: f"{r['cost']:,.2f}", justify="right"),
    ]
    rows = [_status_row(r) for r in summary.rows]
    total = _status_row(summary.total)
    total["status"], total["group"] = "TOTAL", ""
    return Listing([*rows, total], columns, title="By status")


def outcome_summary_line(summary: OutcomeSummary) -> str:
    """The summary in one line, for stderr beside a machine-readable output."""
    parts = [f"{r.status or '(none)'} {r.count:,}" for r in summary.rows]
    total = summary.total
    return (
        f"{total.count:,} member{'' if total.count == 1 else 's'}"
        + (": " + ", ".join(parts) if parts else "")
        + f" · {total.minutes:,.1f} minutes · cost {total.cost:,.2f}"
    )


# What a reason to leave a campaign's member out is called on stderr.
LEFT_OUT_WORDS = {
    "completed": "completed",
    "running": "still running",
    "status_not_asked": "status not asked (--status)",
    "max_attempts": "max attempts reached (--max-attempts)",
}


def recall_lines(selection: RecallSelection) -> list[str]:
    """The members of a campaign picked to call again, for stderr: the counts, then per
    status how many were read and taken, then what the counts do not say."""
    from audience_cli.core.recall import LEFT_OUT_ORDER
    from audience_cli.text import plural

    export = selection.export
    read = len(export.records)
    head = (
        f"campaign {export.name!r} ({export.campaign_id}, {export.status or 'status unknown'}): "
        f"{plural(read, 'member')} read · {len(selection.picked):,} to call again"
    )
    left = [
        f"{LEFT_OUT_WORDS[r]} {selection.left_out[r]:,}"
        for r in LEFT_OUT_ORDER
        if selection.left_out[r]
    ]
    if left:
        head += f" · {sum(selection.left_out.values()):,} left out ({', '.join(left)})"
    lines = [head]
    if selection.by_status:
        taken = " · ".join(
            f"{status} {picked:,} of {count:,}"
            for status, (count, picked) in sorted(
                selection.by_status.items(), key=lambda item: (-item[1][1], -item[1][0])
            )
        )
        lines.append(f"  taken by status: {taken}")
    if selection.unknown:
        shown = ", ".join(f"{s} {n:,}" for s, n in selection.unknown.most_common())
        lines.append(
            f"  {plural(sum(selection.unknown.values()), 'member')} with a status this tool "
            f"does not know ({shown}): taken as not reached unless --status leaves them out"
        )
    if selection.not_found:
        lines.append(
            f"  no member has the status {', '.join(selection.not_found)} (--status): the "
            f"export's are {', '.join(selection.by_status) or 'none'}"
        )
    if selection.left_out["running"]:
        lines.append("  members still being called are left out: --include-running takes them")
    return lines


# --- calling hours (check-hours, split: cli/hours_views.py) --------------------------------

HOURS_FIELDS = (
    "phone", "name", "status", "zones", "local_time", "window", "next_start", "consent", "detail",
)  # fmt: skip
SPLIT_FIELDS = ("group", "name", "members", "window", "scheduledAt", "id")
