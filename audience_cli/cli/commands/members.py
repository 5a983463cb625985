"""`audience members`: one page of members, all of them, or a search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from audience_cli.cli.commands.contact_options import RegionOpt, check_region_option
from audience_cli.cli.commands.options import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    NO_OUTPUT,
    AudienceArg,
    RawOpt,
    SafeOpt,
    output_options,
)
from audience_cli.cli.output import Output, OutputFormat, Shape
from audience_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from audience_cli.cli.context import AppContext
    from audience_cli.cli.output import Listing
    from audience_cli.client import AtomsClient
    from audience_cli.core.members import MembersPage
    from audience_cli.model import Member


@dataclass(frozen=True)
class MembersOptions:
    audience: str
    page: int
    page_size: int
    all_pages: bool
    search: str | None
    filters: dict[str, str]
    fmt: OutputFormat
    safe: bool
    region: str | None = None
    shape: Shape = field(default_factory=Shape)


@output_options(None, always=True)  # its fields are the audience's: --fields help reads them
def members(
    ctx: typer.Context,
    audience: AudienceArg,
    page: Annotated[
        int, typer.Option("--page", "-p", min=1, max=MAX_PAGE, help="Page to show, from 1.")
    ] = 1,
    page_size: Annotated[
        int, typer.Option("--page-size", "-n", min=1, max=MAX_PAGE_SIZE, help="Members per page.")
    ] = 20,
    all_pages: Annotated[
        bool, typer.Option("--all", "-a", help="Stream every member, page after page.")
    ] = False,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", metavar="TEXT", help="Members with TEXT in any field."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            "-w",
            metavar="FIELD=VALUE",
            help="Members whose FIELD matches VALUE (repeatable; all must match).",
        ),
    ] = None,
    region: RegionOpt = None,
    stdout: Output = NO_OUTPUT,
    safe: SafeOpt = False,
    raw: RawOpt = False,
) -> None:
    """Show the members of an audience, one page at a time, or all of them.

    A --search that looks like a phone number is put in E.164 first (with
    --region for national numbers), so "(415) 555-0102" finds +14155550102;
    part of a number, or a national one without --region, is searched by its
    digits, which match anywhere in a stored number.

    [bold]Examples[/bold]

      audience members "Q1 Sales Leads" --page 2

      audience members 696ddd56b905442f52b71392 --all --format csv > members.csv

      audience members "Q1 Sales Leads" --where firstName=john
    """
    app = ctx.obj
    assert stdout.fmt is not None  # always a format (`always=True`)
    check_conflicts(ctx, all_pages=all_pages, search=search, where=where or [])
    options = MembersOptions(
        audience=audience,
        page=page,
        page_size=page_size,
        all_pages=all_pages,
        search=search,
        filters=parse_where(where or []),
        fmt=stdout.fmt,
        safe=safe,
        region=check_region_option(region),
        shape=stdout.shape,
    )
    run_members(app, options)


def check_conflicts(
    ctx: typer.Context, *, all_pages: bool, search: str | None, where: list[str]
) -> None:
    """Options that cannot go together are an error naming both, never one silently ignored."""
    from click.core import ParameterSource

    page_given = ctx.get_parameter_source("page") is ParameterSource.COMMANDLINE
    chosen = [
        name
        for name, on in (
            ("--all", all_pages),
            ("--search", bool(search)),
            ("--where", bool(where)),
            ("--page", page_given),
        )
        if on
    ]
    for first, second in (
        ("--search", "--where"),
        ("--all", "--search"),
        ("--all", "--where"),
        ("--all", "--page"),
        ("--search", "--page"),
        ("--where", "--page"),
    ):
        if first in chosen and second in chosen:
            why = {
                ("--search", "--where"): "the API takes one or the other",
                ("--all", "--page"): "--all reads every page",
            }.get((first, second), "a search returns every match at once")
            raise UsageError(f"{first} and {second} cannot be combined: {why}")


# What people put in phone numbers besides digits: `(415) 555-0102`, `+44 20 7946 0958`.
PHONE_PUNCTUATION = frozenset(" ()-./+")
DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class SearchTerm:
    """The query sent for a --search, and how the text was read when it is not as typed."""

    query: str
    note: str | None = None


def search_term(text: str, region: str | None) -> SearchTerm:
    """A phone-like search (digits and the punctuation of numbers, no letters) in E.164,
    as members store numbers; one that is not a whole number by its digits, which the API
    finds inside stored numbers; any other text as typed. Never a reason code."""
    from audience_cli.phone import PhoneReason, phone_or_reason

    typed = text.strip()
    digits = "".join(ch for ch in typed if ch in DIGITS)
    if not digits or any(ch not in DIGITS and ch not in PHONE_PUNCTUATION for ch in typed):
        return SearchTerm(text)
    why = f"{typed!r} is not a whole phone number"
    if len(digits) >= 7:
        found = phone_or_reason(typed, region)
        if not isinstance(found, PhoneReason):
            read = None if found == typed else f"searched for {found} (read from {typed!r})"
            return SearchTerm(found, read)
        if found is PhoneReason.MISSING_REGION:
            why = f"{typed!r} has no country code (with --region it is read as a national number)"
    elif digits == typed:
        return SearchTerm(text)  # digits alone: already what is searched
    return SearchTerm(digits, f"searched for the digits {digits}, anywhere in a field: {why}")


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


def run_members(app: AppContext, opts: MembersOptions) -> None:
    from audience_cli.cli.views import member_listing
    from audience_cli.core.audiences import resolve_audience
    from audience_cli.core.members import page_of_members, search_members
    from audience_cli.model import phone_column_of
    from audience_cli.text import plural

    client = app.client()
    if opts.all_pages and not (opts.search or opts.filters):
        _show_all(app, opts)
        return
    audience = resolve_audience(client, opts.audience)
    audience_id = str(audience.get("_id"))
    column = phone_column_of(audience)
    table = opts.fmt is OutputFormat.table and opts.shape.fields is None  # fields: one each
    protect = opts.safe

    if opts.search or opts.filters:
        term = search_term(opts.search, opts.region) if opts.search else None
        if term is not None and term.note:
            app.note(term.note)
        query = term.query if term is not None else None
        found = search_members(client, audience_id, query=query, filters=opts.filters or None)
        _show(app, member_listing(found.members, column, table=table, protect=protect), opts)
        app.note(plural(found.total, "matching member"))
        if not found.total and opts.filters:
            _say_fields(app, client, audience_id, column, opts.filters)
        return

    page = page_of_members(client, audience_id, page=opts.page, page_size=opts.page_size)
    _show(app, member_listing(page.members, column, table=table, protect=protect), opts)
    if page.server_page_size:
        app.warn(
            f"the server sent {page.server_page_size} members per page, not {page.page_size}: "
            f"that is its largest page, so --page counts pages of {page.server_page_size} "
            "(use --all for everything)"
        )
    app.note(page_footer(page))


def _show_all(app: AppContext, opts: MembersOptions) -> None:
    """Every page: the lookup and page 1 together, then the rest in flight, in order.

    JSON streams page by page; the other formats need every row for their columns.
    A progress bar shows on a terminal's stderr, unless the JSON streams to it too."""
    from audience_cli.cli.output import JSON_FORMATS
    from audience_cli.cli.progress import read_progress
    from audience_cli.cli.views import member_listing
    from audience_cli.core.members import iter_members, resolve_with_first_page
    from audience_cli.model import member_count, phone_column_of
    from audience_cli.text import plural

    client = app.client()
    audience, first = resolve_with_first_page(client, opts.audience)
    column = phone_column_of(audience)
    table = opts.fmt is OutputFormat.table and opts.shape.fields is None
    streams = opts.fmt in JSON_FORMATS

    def show(records: Iterable[Member]) -> int:
        return _show(app, member_listing(records, column, table=table, protect=opts.safe), opts)

    label = f"Reading {audience.get('name')!r}"
    with read_progress(app, label, shown=not (streams and app.terminal.stdout)) as on_page:
        every = iter_members(
            client,
            str(audience.get("_id")),
            first=first,
            expected=member_count(audience),
            on_page=on_page,
        )
        records = every if streams else list(every)
        if streams:
            count = show(records)
    if not streams:  # printed once the bar is gone
        count = show(records)
    app.note(plural(count, "member"))


def _show(app: AppContext, listing: Listing, opts: MembersOptions) -> int:
    """The members in the format and fields asked for (`--fields help`: the field names)."""
    from audience_cli.cli.output import emit, field_names, fields_help

    if fields_help(app, opts.shape.fields, field_names(listing.columns)):
        return 0
    return emit(app, listing, opts.fmt, opts.shape)


def _say_fields(
    app: AppContext, client: AtomsClient, audience_id: str, column: str, filters: dict[str, str]
) -> None:
    """A --where field the audience does not have finds nothing: say which fields it has."""
    from audience_cli.core.members import page_of_members
    from audience_cli.model import NAME_KEYS, data_keys

    sample = page_of_members(client, audience_id, page=1, page_size=100).members
    fields = [*NAME_KEYS, column, *data_keys((m.get("data") or {} for m in sample), column)]
    unknown = [f for f in filters if f not in fields]
    if unknown and sample:
        app.note(
            f"no member has the field {', '.join(map(repr, unknown))}; "
            f"the fields are: {', '.join(fields)}"
        )


def page_footer(page: MembersPage) -> str:
    noun = "member" if page.total == 1 else "members"
    if page.total == 0:
        return "no members"
    if page.past_the_end:
        return (
            f"page {page.page} of {page.pages} · {page.total} {noun} · "
            f"past the last page: try --page {page.pages}"
        )
    text = f"page {page.page} of {page.pages} · {page.total} {noun}"
    if page.has_more:
        text += f" · next: --page {page.page + 1}"
    return text
