"""Reading the referral log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Organization, Referral, created_within

EXPORT_HEADER = (
    "id",
    "ref",
    "created",
    "organization",
    "mode",
    "status",
    "arrived_via",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer_host",
    "is_bot",
    "bot_reason",
    "visitor_hash",
    "destination_url",
)


def referral_rows(
    session: Session, *, start: datetime | None = None, end: datetime | None = None
) -> Iterator[tuple]:
    """Referrals in ``[start, end)``, oldest first, as rows in ``EXPORT_HEADER`` order."""
    query = (
        select(
            Referral.id,
            Referral.ref,
            Referral.created_at,
            Organization.slug,
            Referral.mode,
            Referral.status,
            Referral.arrived_via,
            Referral.utm_source,
            Referral.utm_medium,
            Referral.utm_campaign,
            Referral.referrer_host,
            Referral.is_bot,
            Referral.bot_reason,
            Referral.visitor_hash,
            Referral.destination_url,
        )
        .join(Organization, Referral.organization_id == Organization.id)
        .where(*created_within(start, end))
        .order_by(Referral.created_at, Referral.id)
    )
    yield from session.execute(query.execution_options(yield_per=2000))
