"""Audiences: resolving an id or a name, and deleting."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audience_cli.errors import (
    AmbiguousNameError,
    AudienceNotFoundError,
    BadRequestError,
    CampaignInUseError,
    NotFoundError,
    UsageError,
)
from audience_cli.model import Audience, Campaign

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient

OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


def resolve_audience(client: AtomsClient, ref: str) -> Audience:
    """The audience whose id or exact name is `ref`.

    One listing answers both (and brings memberCount and campaigns). An id
    not in the listing is asked for directly, so a 404 is the server's own.
    """
    ref = ref.strip()
    if not ref:
        raise UsageError("AUDIENCE is empty: give an id or a name")
    audiences = client.list_audiences()
    for audience in audiences:
        if audience.get("_id") == ref:
            return audience
    named = [a for a in audiences if a.get("name") == ref]
    if len(named) == 1:
        return named[0]
    if named:
        raise AmbiguousNameError(ref, [str(a.get("_id")) for a in named])
    if OBJECT_ID.fullmatch(ref):
        try:
            return client.get_audience(ref)
        except NotFoundError as exc:
            raise AudienceNotFoundError(ref, server=exc.message) from None
    names = [str(a.get("name", "")) for a in audiences]
    close = difflib.get_close_matches(ref, names, n=3, cutoff=0.6)
    folded = [n for n in names if n.casefold() == ref.casefold() and n not in close]
    raise AudienceNotFoundError(ref, suggestions=folded + close)


def label(audience: Audience) -> str:
    """`'Name' (id)`: how messages name an audience."""
    return f"{audience.get('name')!r} ({audience.get('_id')})"


def active_campaigns(audience: Audience) -> list[Campaign]:
    return [c for c in audience.get("campaigns") or [] if c.get("status") != "completed"]


@dataclass(frozen=True)
class DeleteResult:
    audience: Audience
    deleted: bool
    dry_run: bool
    blocking: list[Campaign] = field(default_factory=list)  # campaigns that would refuse it

    def to_json(self) -> dict[str, object]:
        a = self.audience
        return {
            "deleted": self.deleted,
            "dryRun": self.dry_run,
            "audience": {
                "_id": a.get("_id"),
                "name": a.get("name"),
                "memberCount": a.get("memberCount"),
            },
        }


def plan_delete(client: AtomsClient, ref: str) -> DeleteResult:
    """What deleting `ref` would do (nothing is changed)."""
    audience = resolve_audience(client, ref)
    return DeleteResult(audience, deleted=False, dry_run=True, blocking=active_campaigns(audience))


def delete_audience(client: AtomsClient, plan: DeleteResult) -> DeleteResult:
    """Delete the audience of `plan`; a campaign in the way is a `CampaignInUseError`."""
    audience = plan.audience
    try:
        client.delete_audience(str(audience.get("_id")))
    except BadRequestError as exc:
        if "campaign" in exc.message.lower():
            names = ", ".join(repr(str(c.get("name") or c.get("_id"))) for c in plan.blocking)
            using = f" ({names})" if names else ""
            raise CampaignInUseError(
                f"Atoms refused to delete {audience.get('name')!r}: a campaign that is not "
                f"completed uses it{using}. Server said: {exc.message}"
            ) from None
        raise
    return DeleteResult(audience, deleted=True, dry_run=False, blocking=plan.blocking)
