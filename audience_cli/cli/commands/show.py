"""`audience show`: every field of one audience, and its campaigns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from audience_cli.cli.commands.options import (
    AudienceArg,
    FieldsOpt,
    FormatOpt,
    HeaderOpt,
    JsonOpt,
    parse_fields,
)
from audience_cli.cli.output import OutputFormat, Shape

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


def show(
    ctx: typer.Context,
    audience: AudienceArg,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    fields: FieldsOpt = None,
    header: HeaderOpt = False,
) -> None:
    """Show every field of one audience, its member count and its campaigns.

    [bold]Examples[/bold]

      audience show "Q1 Sales Leads"

      audience show 696ddd56b905442f52b71392 --json

      audience show "Q1 Sales Leads" --fields _id,memberCount --format tsv
    """
    from audience_cli.cli.output import choose_format

    app = ctx.obj
    chosen = choose_format(fmt, as_json, app.terminal.stdout)
    run_show(app, audience, chosen, parse_fields(fields), header=header)


def run_show(
    app: AppContext,
    ref: str,
    fmt: OutputFormat,
    fields: list[str] | None = None,
    *,
    header: bool = False,
) -> None:
    from audience_cli.cli.output import emit, fields_help
    from audience_cli.cli.views import audience_field_names, audience_view
    from audience_cli.core.audiences import resolve_audience

    audience = resolve_audience(app.client(), ref)
    if fields_help(app, fields, audience_field_names(audience)):
        return
    emit(app, audience_view(audience, fields), fmt, Shape(header=header))
