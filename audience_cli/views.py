"""What the commands show of audiences and members: the columns of each view."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audience_cli.output import Column, format_time

MEMBER_NAME_KEYS = ("firstName", "lastName")


def _campaigns(a: dict[str, Any], human: bool) -> str:
    campaigns = a.get("campaigns") or []
    if not human:
        return str(len(campaigns))
    if not campaigns:
        return "—"
    active = sum(1 for c in campaigns if c.get("status") != "completed")
    return f"{len(campaigns)} ({active} active)" if active else str(len(campaigns))


AUDIENCE_COLUMNS = (
    Column("ID", lambda a, h: a.get("_id"), no_wrap=True),
    Column("NAME", lambda a, h: a.get("name")),
    Column("MEMBERS", lambda a, h: a.get("memberCount"), justify="right"),
    Column("CAMPAIGNS", _campaigns, justify="right"),
    Column("CREATED", lambda a, h: format_time(a.get("createdAt"), h)),
)


def member_data_keys(members: Iterable[dict[str, Any]], phone_column: str) -> list[str]:
    """Data keys beyond name and phone, in first-seen order."""
    fixed = {*MEMBER_NAME_KEYS, phone_column}
    keys: dict[str, None] = {}
    for m in members:
        for k in m.get("data") or {}:
            if k not in fixed:
                keys.setdefault(k, None)
    return list(keys)


def member_columns(
    phone_column: str, extra_keys: Iterable[str] = (), *, table: bool = False
) -> list[Column]:
    """ID, phone and names, then each data field as its own column; a terminal
    table folds the data fields into one DATA column, so none is squeezed out."""
    fixed = {*MEMBER_NAME_KEYS, phone_column}

    def field(key: str) -> Column:
        return Column(key, lambda m, h: (m.get("data") or {}).get(key))

    def folded(m: dict[str, Any], human: bool) -> str:
        data = m.get("data") or {}
        return " · ".join(f"{k}: {v}" for k, v in data.items() if k not in fixed and v != "")

    columns = [
        Column("ID", lambda m, h: m.get("_id"), no_wrap=True),
        Column("PHONE", lambda m, h: (m.get("data") or {}).get(phone_column), no_wrap=True),
        Column("FIRST NAME", lambda m, h: (m.get("data") or {}).get("firstName")),
        Column("LAST NAME", lambda m, h: (m.get("data") or {}).get("lastName")),
    ]
    extra = list(extra_keys)
    if table:
        return [*columns, Column("DATA", folded)] if extra else columns
    return [*columns, *(field(k) for k in extra)]


def audience_fields(audience: dict[str, Any], human: bool) -> list[tuple[str, str]]:
    """`show`: every field of one audience, labelled, known ones first."""
    from audience_cli.output import cell_text

    known = [
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
    ]
    rows: list[tuple[str, str]] = []
    seen = {"campaigns", "hasCampaigns"}
    for label, key in known:
        seen.add(key)
        value = audience.get(key)
        if key in ("createdAt", "updatedAt"):
            rows.append((label, format_time(value, human)))
        else:
            rows.append((label, cell_text(value)))
    for key, value in audience.items():
        if key not in seen:
            rows.append((key, cell_text(value)))
    return rows


CAMPAIGN_COLUMNS = (
    Column("CAMPAIGN ID", lambda c, h: c.get("_id"), no_wrap=True),
    Column("NAME", lambda c, h: c.get("name")),
    Column("STATUS", lambda c, h: c.get("status")),
    Column("CREATED", lambda c, h: format_time(c.get("createdAt"), h)),
)


def render_audience(app: Any, audience: dict[str, Any], fmt: Any) -> None:
    """`show`: the audience object as JSON, or its fields as label/value rows."""
    import sys

    from audience_cli.output import OutputFormat, render_records, write_json

    if fmt is OutputFormat.json:
        write_json(sys.stdout, audience)
        return
    if fmt is OutputFormat.jsonl:
        import json

        sys.stdout.write(json.dumps(audience, ensure_ascii=False) + "\n")
        return
    human = fmt is OutputFormat.table
    rows = [{"field": k, "value": v} for k, v in audience_fields(audience, human)]
    campaigns = audience.get("campaigns") or []
    if not human:
        rows.append({"field": "campaigns", "value": str(len(campaigns))})
    field_columns = (
        Column("FIELD", lambda r, h: r["field"], no_wrap=True),
        Column("VALUE", lambda r, h: r["value"]),
    )
    render_records(app, rows, field_columns, fmt, show_header=not human)
    if human:
        if campaigns:
            app.out.print()
            render_records(app, campaigns, CAMPAIGN_COLUMNS, fmt, title="Campaigns")
        else:
            app.out.print("\nNo campaigns use this audience.")
