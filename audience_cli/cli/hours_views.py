"""What `check-hours` and `split` show: a member's calling hours as a flat row, the counts
by status, and the split's groups (their fields are named in views.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from audience_cli.cli.output import Summary
from audience_cli.cli.views import HOURS_FIELDS, SPLIT_FIELDS

if TYPE_CHECKING:
    from audience_cli.core.hours import HoursReport, HoursRow, SplitGroup

# The columns of a table of members not callable (all of HOURS_FIELDS in other formats).
BLOCKED_KEYS = ("phone", "name", "status", "local_time", "window", "next_start")


def hours_row(row: HoursRow) -> dict[str, Any]:
    return _flat(row, _texts(row))


def _texts(row: HoursRow) -> tuple[str, str, str, list[dict[str, str]]]:
    """What a row shows of its verdict: zones, local times (as text and as JSON) and the
    next start, formatted."""
    from audience_cli.core.hours import iso_utc

    local_json = [{"zone": z, "time": t.isoformat()} for z, t in row.local_times]
    return " ".join(row.zones), row.local_text(), iso_utc(row.next_start) or "", local_json


def _flat(row: HoursRow, texts: tuple[str, str, str, list[dict[str, str]]]) -> dict[str, Any]:
    zones, local_time, next_start, _ = texts
    return {
        "phone": row.contact.phone,
        "name": row.contact.name,
        "status": row.status,
        "zones": zones,
        "local_time": local_time,
        "window": row.window,
        "next_start": next_start,
        "consent": row.consent,
        "detail": row.detail,
    }


def _json(row: HoursRow, texts: tuple[str, str, str, list[dict[str, str]]]) -> dict[str, Any]:
    """`row.to_json()`, its verdict's parts formatted once (`texts`)."""
    _, _, next_start, local_json = texts
    return {
        "phone": row.contact.phone,
        "name": row.contact.name,
        "status": row.status,
        "zones": list(row.zones),
        "local_time": local_json,
        "window": row.window,
        "next_start": next_start or None,
        "consent": row.consent,
        "detail": row.detail,
    }


def hours_listing(
    report: HoursReport, rows: Sequence[HoursRow], *, table: bool, members_json: bool = True
) -> Summary:
    """One row per member; JSON: the `summary` and the `members` (zones and local times
    as lists), or the `summary` alone when not `members_json` (a format that does not
    write the document); JSON lines: a member a line. Members who share an assessment
    (the same verdict) have its texts formatted once."""
    kept: dict[int, tuple[object, tuple[str, str, str, list[dict[str, str]]]]] = {}
    flat: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for row in rows:
        found = row.assessment
        if found is None:
            texts = _texts(row)
        else:  # the assessment is kept beside its id, which no other object can then take
            texts = (kept.get(id(found)) or kept.setdefault(id(found), (found, _texts(row))))[1]
        flat.append(_flat(row, texts))
        if members_json:
            members.append(_json(row, texts))
    document: dict[str, Any] = {"summary": report.summary()}
    if members_json:
        document["members"] = members
    keys = BLOCKED_KEYS if table else HOURS_FIELDS
    return Summary(document, flat, keys, lines=True)


def hours_summary_listing(report: HoursReport) -> Summary:
    """The counts by status, with each one's share, and the total."""
    total = len(report.rows)
    rows: list[dict[str, Any]] = [
        {"status": status, "members": f"{count:,}", "share": _share(count, total)}
        for status, count in report.counts.items()
        if count or status in ("inside", "outside")
    ]
    rows.append({"status": "total", "members": f"{total:,}", "share": _share(total, total)})
    return Summary(report.summary(), rows, ("status", "members", "share"))


def hours_summary_line(report: HoursReport) -> str:
    counts = ", ".join(f"{s} {n:,}" for s, n in report.counts.items() if n)
    return f"{report.source} at {report.at:%Y-%m-%d %H:%M %Z}: {counts or 'no members'}"


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "-"


def split_view(
    groups: Sequence[SplitGroup],
    names: Sequence[str],
    ids: Sequence[str | None],
    *,
    dry_run: bool,
) -> Summary:
    """The groups: their audience's name (and id once made), size, window, start."""
    from audience_cli.core.hours import iso_utc

    rows = [
        {
            "group": g.key,
            "name": name,
            "members": len(g.members),
            "window": g.window or "unknown zone",
            "scheduledAt": iso_utc(g.scheduled_at) or "",
            "id": audience_id or "",
        }
        for g, name, audience_id in zip(groups, names, ids, strict=True)
    ]
    document = {
        "dry_run": dry_run,
        "members": sum(len(g.members) for g in groups),
        "groups": [
            {**g.to_json(), "name": name, "id": audience_id}
            for g, name, audience_id in zip(groups, names, ids, strict=True)
        ],
    }
    return Summary(document, rows, SPLIT_FIELDS)
