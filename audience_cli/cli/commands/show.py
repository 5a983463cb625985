"""`audience show`: every field of one audience, and its campaigns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from audience_cli.cli.commands.options import NO_OUTPUT, AudienceArg, output_options
from audience_cli.cli.output import Output

if TYPE_CHECKING:
    from audience_cli.cli.context import AppContext


@output_options(None, always=True)  # its fields are the audience's: --fields help reads it
def show(
    ctx: typer.Context,
    audience: AudienceArg,
    stdout: Output = NO_OUTPUT,
) -> None:
    """Show every field of one audience, its member count and its campaigns.

    [bold]Examples[/bold]

      audience show "Q1 Sales Leads"

      audience show 696ddd56b905442f52b71392 --json

      audience show "Q1 Sales Leads" --fields _id,memberCount --format tsv
    """
    run_show(ctx.obj, audience, stdout)


def run_show(app: AppContext, ref: str, stdout: Output) -> None:
    from audience_cli.cli.output import Shape, emit, fields_help
    from audience_cli.cli.views import audience_field_names, audience_view
    from audience_cli.core.audiences import resolve_audience

    audience = resolve_audience(app.client(), ref)
    fields = stdout.shape.fields
    if fields_help(app, fields, audience_field_names(audience)):
        return
    assert stdout.fmt is not None
    # The view picks the fields (in order), so the writer is given only the header.
    emit(app, audience_view(audience, fields), stdout.fmt, Shape(header=stdout.shape.header))
