"""A campaign link's numbers: people, bots and link previews apart, unique visitors, and gifts
where the portal knows them (recipients the coalition collects for)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, not_, or_, select, tuple_
from sqlalchemy.orm import Session

from portal.models import CampaignLink, Donation, DonationStatus, Referral

# Link-preview fetchers: a crawler that fetches a link because someone pasted it in a chat or a
# post, not a person following it. Matched in the stored reason (the crawler's own name).
PREVIEW_AGENTS = (
    "facebookexternalhit",
    "facebookcatalog",
    "twitterbot",
    "slackbot",
    "linkedinbot",
    "whatsapp",
    "telegrambot",
    "discordbot",
    "skypeuripreview",
    "redditbot",
    "pinterest",
    "embedly",
    "iframely",
    "mastodon",
    "signal",
    "applebot",
)


@dataclass
class LinkNumbers:
    people: int = 0
    unique_visitors: int = 0
    previews: int = 0
    bots: int = 0  # other automated visits
    gifts: int = 0
    amounts: dict[str, int] = field(default_factory=dict)  # currency → minor units


def link_numbers(session: Session, links: list[CampaignLink]) -> dict[int, LinkNumbers]:
    """Each link's numbers, by id. A visit belongs to a link when it went to the link's recipient
    with exactly its tags, however it reached the hand-off (the link itself, or the member's
    page it led to); gifts are paid donations whose referral carried them. Unique visitors are
    counted per day, as every report counts them (the visitor hash changes daily)."""
    if not links:
        return {}
    by_tags = {
        (link.organization_id, link.campaign, link.source, link.medium): LinkNumbers()
        for link in links
    }
    no_link = LinkNumbers()  # same campaign, other tags: not this list's business

    def line_of(row) -> LinkNumbers:
        tags = (row.organization_id, row.utm_campaign, row.utm_source or "", row.utm_medium or "")
        return by_tags.get(tags, no_link)

    for row in session.execute(_visits(links)):
        line = line_of(row)
        line.people += row.people
        line.unique_visitors += row.visitors
        line.previews += row.previews
        line.bots += row.bots
    for row in session.execute(_gifts(links)):
        line = line_of(row)
        line.gifts += row.gifts
        line.amounts[row.currency] = line.amounts.get(row.currency, 0) + row.amount
    return {
        link.id: by_tags[(link.organization_id, link.campaign, link.source, link.medium)]
        for link in links
    }


def _matching(links: list[CampaignLink]):
    pairs = sorted({(link.organization_id, link.campaign) for link in links})
    return tuple_(Referral.organization_id, Referral.utm_campaign).in_(pairs)


def _visits(links: list[CampaignLink]):
    preview = or_(*(func.lower(Referral.bot_reason).contains(agent) for agent in PREVIEW_AGENTS))
    return (
        select(
            Referral.organization_id,
            Referral.utm_campaign,
            Referral.utm_source,
            Referral.utm_medium,
            func.count(Referral.id).filter(not_(Referral.is_bot)).label("people"),
            func.count(Referral.visitor_hash.distinct())
            .filter(not_(Referral.is_bot))
            .label("visitors"),
            func.count(Referral.id).filter(Referral.is_bot, preview).label("previews"),
            func.count(Referral.id).filter(Referral.is_bot, not_(preview)).label("bots"),
        )
        .where(_matching(links))
        .group_by(
            Referral.organization_id,
            Referral.utm_campaign,
            Referral.utm_source,
            Referral.utm_medium,
        )
    )


def _gifts(links: list[CampaignLink]):
    return (
        select(
            Referral.organization_id,
            Referral.utm_campaign,
            Referral.utm_source,
            Referral.utm_medium,
            Donation.currency,
            func.count(Donation.id).label("gifts"),
            func.sum(Donation.amount).label("amount"),
        )
        .join(Referral, Donation.referral_id == Referral.id)
        .where(_matching(links), Donation.status == DonationStatus.PAID)
        .group_by(
            Referral.organization_id,
            Referral.utm_campaign,
            Referral.utm_source,
            Referral.utm_medium,
            Donation.currency,
        )
    )
