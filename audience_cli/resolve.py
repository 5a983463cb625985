"""AUDIENCE arguments: an id or an exact name, resolved to the audience object."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from audience_cli.errors import CliError, ExitCode, NotFoundError, UsageError

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient

OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


def resolve_audience(client: AtomsClient, ref: str) -> dict[str, Any]:
    """The audience whose id or exact name is `ref`.

    One listing answers both (and brings memberCount and campaigns). An id
    not in the listing is asked for directly, so a 404 is the server's own.
    """
    ref = ref.strip()
    if not ref:
        raise UsageError("AUDIENCE is empty: give an id or a name (see `audience list`)")
    audiences = client.list_audiences()
    for audience in audiences:
        if audience.get("_id") == ref:
            return audience
    named = [a for a in audiences if a.get("name") == ref]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(str(a.get("_id")) for a in named)
        raise UsageError(
            f"{len(named)} audiences are named {ref!r}: {ids}",
            hint="Pass the id of the one you mean.",
        )
    if OBJECT_ID.fullmatch(ref):
        try:
            return client.get_audience(ref)
        except NotFoundError as exc:
            raise CliError(
                f"no audience with id {ref} (Atoms: {exc.message})",
                exit_code=ExitCode.NOT_FOUND,
                hint="See `audience list` for ids and names; an audience of another "
                "workspace is not found either.",
            ) from None
    names = [str(a.get("name", "")) for a in audiences]
    close = difflib.get_close_matches(ref, names, n=3, cutoff=0.6)
    folded = [n for n in names if n.casefold() == ref.casefold() and n not in close]
    suggestions = folded + close
    hint = (
        "Did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        if suggestions
        else "See `audience list` for ids and names."
    )
    raise CliError(f"no audience with id or name {ref!r}", exit_code=ExitCode.NOT_FOUND, hint=hint)
