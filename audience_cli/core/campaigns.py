"""Campaigns: resolving an id or an exact name to the campaign."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audience_cli.answers import OBJECT_ID
from audience_cli.errors import (
    AmbiguousCampaignError,
    CampaignNotFoundError,
    NotFoundError,
    PagingError,
    UsageError,
)

if TYPE_CHECKING:
    from audience_cli.client import AtomsClient

SEARCH_PAGE_SIZE = 100  # campaigns a page when a name is searched for
MAX_SEARCH_PAGES = 1000  # past this, the server's pages are taken not to add up


def resolve_campaign(client: AtomsClient, ref: str) -> dict[str, Any]:
    """The campaign whose id or exact name is `ref`.

    An id (24 hex digits) is asked for directly; one the server does not know is then
    looked for as a name (a name may look like an id), and a 404 is the server's own
    words. A name is searched for (`search=`) over every page, then matched exactly:
    none is a `CampaignNotFoundError`, several an `AmbiguousCampaignError` listing each."""
    ref = ref.strip()
    if not ref:
        raise UsageError("CAMPAIGN is empty: give an id or a name")
    server = ""
    if OBJECT_ID.fullmatch(ref):
        try:
            return client.get_campaign(ref)
        except NotFoundError as exc:
            server = exc.message
    named = campaigns_named(client, ref)
    if len(named) == 1:
        return named[0]
    if named:
        raise AmbiguousCampaignError(
            ref,
            [
                (str(c.get("_id")), str(c.get("status") or ""), str(c.get("createdAt") or ""))
                for c in named
            ],
        )
    raise CampaignNotFoundError(ref, server=server)


def campaigns_named(client: AtomsClient, name: str) -> list[dict[str, Any]]:
    """Every campaign named exactly `name`, over all the pages of a search for it."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    page = 1
    while True:
        answer = client.list_campaigns(page=page, offset=SEARCH_PAGE_SIZE, search=name)
        campaigns = answer.get("campaigns") or []
        for campaign in campaigns:
            campaign_id = str(campaign.get("_id"))
            if campaign_id in seen:
                raise PagingError(
                    f"page {page} of the campaigns repeats campaign {campaign_id}: the "
                    "server's pages do not add up; stopped reading"
                )
            seen.add(campaign_id)
            if campaign.get("name") == name:
                found.append(campaign)
        pagination = answer.get("pagination") or {}
        pages = pagination.get("totalPages")
        more = bool(pagination.get("hasMore")) or (isinstance(pages, int) and page < pages)
        if not campaigns or not more:
            return found
        if page >= MAX_SEARCH_PAGES:
            raise PagingError(
                f"the campaigns still have more after {page:,} pages; stopped reading"
            )
        page += 1
