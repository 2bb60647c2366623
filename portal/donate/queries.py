"""Reading the donation ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import and_, case, func, null, select
from sqlalchemy.orm import Session

from portal.dates import within
from portal.models import (
    OPEN_DISPUTES,
    Basket,
    Dispute,
    DisputeStatus,
    Donation,
    DonationStatus,
    Organization,
    Refund,
    RefundStatus,
)
from portal.state import portal_state

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
    "basket",  # a basket payment's reference, on its row and on each member's part row
    "part_of",  # on a member's part row: the basket payment's donation_id
)

# ``provider(session, start, end)``: for payments created in ``[start, end)``, the rows to list
# under each (in ``EXPORT_HEADER`` order), by the payment's donation id.
ExportParts = Callable[[Session, datetime | None, datetime | None], dict[int, list]]


def add_export_parts(app: Flask, provider: ExportParts) -> None:
    """Have the donations export list, under a payment's row, the rows ``provider`` gives for it
    (the basket registers its members' parts). Works before or after donate's ``init_app``."""
    portal_state(app).export_parts.append(provider)


def donation_rows(
    session: Session, *, start: datetime | None = None, end: datetime | None = None
) -> Iterator[tuple]:
    """Donations created in ``[start, end)``, oldest first, in ``EXPORT_HEADER`` order.

    The donor's email only where the donor opted in to share it. A basket payment's row is
    followed by one row per member: its part of the amount, with ``part_of`` naming the row
    (rows the registered ``add_export_parts`` providers give).
    """
    parts: dict[int, list] = {}
    for provider in portal_state().export_parts:
        for donation_id, rows in provider(session, start, end).items():
            parts.setdefault(donation_id, []).extend(rows)
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
            Basket.reference,
            null(),
        )
        .join(Organization, Donation.organization_id == Organization.id)
        .outerjoin(Basket, Donation.basket_id == Basket.id)
        .order_by(Donation.created_at, Donation.id)
    )
    query = within(query, Donation.created_at, start, end)
    for row in session.execute(query.execution_options(yield_per=2000)):
        yield row
        yield from parts.get(row[0], ())


def set_payment_page(app: Flask, url: Callable[[int], str]) -> None:
    """Name the staff page of one payment: ``url(donation_id)`` (gifts' Payments page). The
    ledger's Needs action links each row to it. Works before or after donate's ``init_app``."""
    portal_state(app).payment_page = url


@dataclass(frozen=True)
class ActionItem:
    """One thing in the ledger that staff must look at, with where to find it in Stripe."""

    donation_id: int  # the payment it concerns
    recipient: str
    amount: int  # minor units
    currency: str
    when: datetime | None  # a dispute's evidence deadline; otherwise when it happened
    stripe_id: str


@dataclass(frozen=True)
class NeedsAction:
    disputes: list[ActionItem]  # open, soonest deadline first
    failed_renewals: list[ActionItem]  # monthly payments Stripe could not charge, newest first
    failed_refunds: list[ActionItem]  # refunds that did not reach the donor, newest first
    payment_url: Callable[[int], str] | None = None  # each item's payment page, if there is one

    def __bool__(self) -> bool:
        return bool(self.disputes or self.failed_renewals or self.failed_refunds)


def needs_action(session: Session, *, limit: int = 50) -> NeedsAction:
    """Open disputes, failed monthly payments of gifts still running, and failed refunds, each
    linked to its payment's staff page where one is set (``set_payment_page``)."""
    disputes = (
        select(Dispute.amount, Dispute.currency, Dispute.evidence_due_by, Dispute.stripe_dispute_id)
        .where(Dispute.status.in_(OPEN_DISPUTES))
        .order_by(Dispute.evidence_due_by, Dispute.id)
    )
    renewals = (
        select(Donation.amount, Donation.currency, Donation.created_at, Donation.stripe_invoice_id)
        .where(
            Donation.status == DonationStatus.FAILED,
            Donation.stripe_invoice_id.is_not(None),
            Donation.subscription_ended_at.is_(None),
        )
        .order_by(Donation.created_at.desc(), Donation.id.desc())
    )
    refunds = (
        select(Refund.amount, Refund.currency, Refund.updated_at, Refund.stripe_refund_id)
        .where(Refund.status == RefundStatus.FAILED)
        .order_by(Refund.updated_at.desc(), Refund.id.desc())
    )
    found = (_items(session, query, limit) for query in (disputes, renewals, refunds))
    return NeedsAction(*found, payment_url=portal_state().payment_page)


def _items(session: Session, query, limit: int) -> list[ActionItem]:
    entity = query.column_descriptions[0]["entity"]
    owner = Donation.id if entity is Donation else entity.donation_id
    if entity is not Donation:
        query = query.join(Donation, owner == Donation.id)
    query = query.join(Organization, Donation.organization_id == Organization.id)
    query = query.add_columns(Organization.name, owner).limit(limit)
    return [
        ActionItem(donation_id, name, amount, currency, when, stripe_id)
        for amount, currency, when, stripe_id, name, donation_id in session.execute(query)
    ]


def refunded_amount():
    """Minor units refunded from a donation, as a column expression: its refunds' sum, or, for a
    gift marked refunded before refunds were kept one by one, the whole gift."""
    legacy = and_(Donation.status == DonationStatus.REFUNDED, Donation.amount_refunded == 0)
    return case((legacy, Donation.amount), else_=Donation.amount_refunded)


def lost_in_disputes():
    """Per donation, the minor units lost in disputes (``donation_id``, ``lost``), to outer-join."""
    return (
        select(Dispute.donation_id, func.sum(Dispute.amount).label("lost"))
        .where(Dispute.status == DisputeStatus.LOST)
        .group_by(Dispute.donation_id)
        .subquery()
    )
