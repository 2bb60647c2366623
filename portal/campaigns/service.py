"""Saving a campaign link: the same recipient and tags are one link, whoever asks twice."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import CampaignLink, LinkMaker, Organization
from portal.referrals.campaign import clean_tag


class CampaignError(ValueError):
    """A link that cannot be made; the message is safe to show."""


def make_link(
    session: Session,
    org: Organization,
    *,
    campaign: str,
    source: str = "",
    medium: str = "",
    made_by: LinkMaker,
) -> CampaignLink:
    """The saved link of ``org`` with exactly these tags, made now if it does not exist yet.
    Tags are kept as a visit would store them (printable, trimmed, 100 characters at most), so
    the link's visits are found by equality. Flushes, never commits."""
    tags = {
        "campaign": clean_tag(campaign) or "",
        "source": clean_tag(source) or "",
        "medium": clean_tag(medium) or "",
    }
    existing = session.scalar(select(CampaignLink).filter_by(organization_id=org.id, **tags))
    if existing is not None:
        return existing
    link = CampaignLink(organization=org, code=secrets.token_hex(6), made_by=made_by, **tags)
    session.add(link)
    session.flush()
    return link


def links_of(session: Session, org: Organization | None = None) -> list[CampaignLink]:
    """Saved links, newest first: one recipient's, or everyone's."""
    query = select(CampaignLink).order_by(CampaignLink.created_at.desc(), CampaignLink.id.desc())
    if org is not None:
        query = query.filter_by(organization_id=org.id)
    return list(session.scalars(query))
