"""Reading the donation ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from portal.csv_export import within
from portal.models import Donation, Organization

EXPORT_HEADER = (
    "donation_id",
    "referral_id",
    "recipient",
    "amount_minor",
    "currency",
    "frequency",
    "status",
    "stripe_checkout_session",
    "stripe_payment_intent",
    "stripe_subscription",
    "stripe_invoice",
    "donor_email",
    "created",
    "updated",
)


def donation_rows(
    session: Session, *, start: datetime | None = None, end: datetime | None = None
) -> Iterator[tuple]:
    """Donations created in ``[start, end)``, oldest first, in ``EXPORT_HEADER`` order.

    The donor's email only where the donor opted in to share it.
    """
    email = case((Donation.share_email.is_(True), Donation.donor_email), else_=None)
    query = (
        select(
            Donation.id,
            Donation.referral_id,
            Organization.slug,
            Donation.amount,
            Donation.currency,
            Donation.frequency,
            Donation.status,
            Donation.stripe_checkout_session_id,
            Donation.stripe_payment_intent_id,
            Donation.stripe_subscription_id,
            Donation.stripe_invoice_id,
            email,
            Donation.created_at,
            Donation.updated_at,
        )
        .join(Organization, Donation.organization_id == Organization.id)
        .order_by(Donation.created_at, Donation.id)
    )
    query = within(query, Donation.created_at, start, end)
    yield from session.execute(query.execution_options(yield_per=2000))
