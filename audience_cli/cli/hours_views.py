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
    from audience_cli.core.hours import iso_utc

    return {
        "phone": row.contact.phone,
        "name": row.contact.name,
        "status": row.status,
        "zones": " ".join(row.zones),
        "local_time": row.local_text(),
        "window": row.window,
        "next_start": iso_utc(row.next_start) or "",
        "consent": row.consent,
        "detail": row.detail,
    }


def hours_listing(report: HoursReport, rows: Sequence[HoursRow], *, table: bool) -> Summary:
    """One row per member; JSON: the `summary` and the `members` (zones and local times
    as lists); JSON lines: a member a line."""
    document = {"summary": report.summary(), "members": [r.to_json() for r in rows]}
    keys = BLOCKED_KEYS if table else HOURS_FIELDS
    return Summary(document, [hours_row(r) for r in rows], keys, lines=True)


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
