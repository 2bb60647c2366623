"""Basket payments in the donations export: each payment's member rows (the staff and member
reports count the parts in ``reports/baskets.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.basket.queries import donation_parts
from portal.models import Donation


def part_rows(session: Session, start: datetime | None, end: datetime | None) -> dict[int, list]:
    """For ``export-donations``: each basket payment's member rows, by the payment's id."""
    query = select(Donation).where(Donation.basket_id.is_not(None))
    if start is not None:
        query = query.where(Donation.created_at >= start)
    if end is not None:
        query = query.where(Donation.created_at < end)
    rows: dict[int, list] = {}
    for donation in session.scalars(query.order_by(Donation.id)):
        lines = {line.organization_id: line for line in donation.basket.lines}
        rows[donation.id] = [
            (
                None,
                lines[part.organization.id].referral_id,
                part.organization.slug,
                part.total,
                donation.currency,
                donation.frequency,
                donation.status,
                *(None,) * 5,
                donation.created_at,
                donation.updated_at,
                donation.basket.reference,
                donation.id,
            )
            for part in donation_parts(session, donation)
        ]
    return rows
