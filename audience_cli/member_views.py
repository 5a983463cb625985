"""Reading members out: one page, every page, or a search, rendered in any format."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from audience_cli.errors import UsageError
from audience_cli.output import OutputFormat, render_records
from audience_cli.resolve import resolve_audience
from audience_cli.views import member_columns, member_data_keys

if TYPE_CHECKING:
    from audience_cli.context import AppContext

ALL_PAGES_SIZE = 100


def parse_where(where: Sequence[str]) -> dict[str, str]:
    filters: dict[str, str] = {}
    for item in where:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise UsageError(f"--where {item!r}: expected FIELD=VALUE, e.g. --where firstName=john")
        if field.strip() in filters:
            raise UsageError(
                f"--where {field.strip()} given twice: the API matches one value per field"
            )
        filters[field.strip()] = value.strip()
    return filters


def show_members(
    app: AppContext,
    ref: str,
    *,
    page: int,
    page_size: int,
    all_pages: bool,
    search: str | None,
    where: Sequence[str],
    fmt: OutputFormat,
    raw: bool,
) -> None:
    filters = parse_where(where)
    if search and filters:
        raise UsageError("--search and --where cannot be combined (the API takes one or the other)")
    if all_pages and (search or filters):
        raise UsageError("--all lists members page by page; a search already returns every match")
    client = app.client()
    audience = resolve_audience(client, ref)
    audience_id = audience["_id"]
    phone_column = audience.get("phoneNumberColumnName") or "phoneNumber"

    if search or filters:
        result = client.search_members(audience_id, query=search, filters=filters or None)
        found = result.get("members") or []
        _render(app, found, phone_column, fmt, raw)
        total = (result.get("searchInfo") or {}).get("totalResults", len(found))
        app.note(f"{total} matching member{'s' if total != 1 else ''}")
        return

    if all_pages:
        members_iter = client.iter_members(audience_id, page_size=ALL_PAGES_SIZE)
        if fmt not in (OutputFormat.json, OutputFormat.jsonl):
            # Columns must be known before the first row: hold the list (≤ the audience limit).
            every = list(members_iter)
            _render(app, every, phone_column, fmt, raw)
            count = len(every)
        else:
            count = _render(app, members_iter, phone_column, fmt, raw)
        app.note(f"{count} member{'s' if count != 1 else ''}")
        return

    data = client.list_members(audience_id, page=page, page_size=page_size)
    found = data.get("members") or []
    _render(app, found, phone_column, fmt, raw)
    more = bool(data.get("hasMore")) or page < int(data.get("totalPages") or 0)
    if found and len(found) < page_size and more:
        app.warn(
            f"the server sent {len(found)} members per page, not {page_size}: that is its "
            f"largest page, so --page counts pages of {len(found)} (use --all for everything)"
        )
    app.note(page_footer(page, data, len(found)))


def page_footer(page: int, data: dict[str, Any], shown: int) -> str:
    total = int(data.get("totalCount") or 0)
    pages = int(data.get("totalPages") or 0)
    noun = "member" if total == 1 else "members"
    if total == 0:
        return "no members"
    if page > pages:
        return f"page {page} of {pages} · {total} {noun} · past the last page: try --page {pages}"
    text = f"page {page} of {pages} · {total} {noun}"
    if data.get("hasMore") or page < pages:
        text += f" · next: --page {page + 1}"
    return text


def _render(app: AppContext, members: Any, phone_column: str, fmt: OutputFormat, raw: bool) -> int:
    if isinstance(members, Iterator):
        extra: list[str] = []
    else:
        extra = member_data_keys(members, phone_column)
    columns = member_columns(phone_column, extra, table=fmt is OutputFormat.table)
    return render_records(app, members, columns, fmt, raw=raw)
