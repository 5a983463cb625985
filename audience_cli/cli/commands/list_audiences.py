"""`audience list`: every audience."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from audience_cli.cli.commands.options import FieldsOpt, FormatOpt, HeaderOpt, JsonOpt, parse_fields
from audience_cli.cli.output import OutputFormat, Shape

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


def list_audiences(
    ctx: typer.Context,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    fields: FieldsOpt = None,
    header: HeaderOpt = False,
) -> None:
    """List every audience: id, name, members, campaigns, created.

    [bold]Examples[/bold]

      audience list

      audience list --json | jq '.[] | select(.memberCount > 100) | ._id'

      audience list --fields _id,name,memberCount --format csv
    """
    from audience_cli.cli.output import choose_format

    app = ctx.obj
    shape = Shape(parse_fields(fields), header)
    run_list(app, choose_format(fmt, as_json, app.terminal.stdout), shape)


def run_list(app: AppContext, fmt: OutputFormat, shape: Shape | None = None) -> None:
    from audience_cli.cli.completion_cache import remember_audiences
    from audience_cli.cli.output import emit, field_names, fields_help
    from audience_cli.cli.views import audience_listing

    shape = shape or Shape()
    if fields_help(app, shape.fields, field_names(audience_listing([]).columns)):
        return
    audiences = app.client().list_audiences()
    remember_audiences(app, audiences)
    if not audiences and fmt is OutputFormat.table:
        # A table of no rows is a lone header: say so in words instead (the answer
        # itself, so --quiet does not hide it; piped formats stay empty, JSON is []).
        app.say("No audiences yet. Create one with `audience create NAME --phone +1…`.")
        return
    emit(app, audience_listing(audiences), fmt, shape)
