"""Reading payments for the staff console: the latest ones, one found by its number or a Stripe
id, and one payment with what Stripe has reported since (refunds, disputes, the member's
transfer)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Dispute,
    Donation,
    DonationStatus,
    Refund,
    StripeTransfer,
)

# Payments that reached Stripe's money: what staff look up to refund or explain.
_SETTLED = (DonationStatus.PAID, DonationStatus.REFUNDED, DonationStatus.PROCESSING)
_STRIPE_IDS = (
    Donation.stripe_payment_intent_id,
    Donation.stripe_checkout_session_id,
    Donation.stripe_invoice_id,
    Donation.stripe_subscription_id,
)


# A payment's number is a 32-bit INTEGER column.
LARGEST_ID = 2**31 - 1


def latest(session: Session, *, limit: int = 50) -> list[Donation]:
    """The latest settled payments, newest first."""
    query = select(Donation).where(Donation.status.in_(_SETTLED))
    return _with_recipient(session, query.order_by(Donation.id.desc()).limit(limit))


def find(session: Session, text: str, *, limit: int = 50) -> list[Donation]:
    """Payments whose number (``1234`` or ``#1234``) or Stripe id (``pi_…``, ``cs_…``,
    ``in_…``, ``sub_…``: every month of a monthly gift) is ``text``, newest first."""
    text = text.strip().removeprefix("#")
    # Any script's decimal digits (١٢٣٤ as typed on an Arabic keyboard is 1234); not "²".
    if text.isdecimal():
        if int(text) > LARGEST_ID:
            return []  # no payment has it, and PostgreSQL would refuse to compare with it
        match = Donation.id == int(text)
    elif text:
        match = or_(*(column == text for column in _STRIPE_IDS))
    else:
        return []
    return _with_recipient(session, select(Donation).where(match).order_by(Donation.id.desc()))


def _with_recipient(session: Session, query) -> list[Donation]:
    return list(session.scalars(query.options(selectinload(Donation.organization))))


@dataclass(frozen=True)
class PaymentRecord:
    """One payment and what Stripe has reported about it since, oldest first."""

    donation: Donation
    refunds: list[Refund]
    disputes: list[Dispute]
    transfers: list[StripeTransfer]


def payment_record(session: Session, donation_id: int) -> PaymentRecord | None:
    donation = session.get(Donation, donation_id)
    if donation is None:
        return None

    def rows(model):
        query = select(model).where(model.donation_id == donation_id)
        return list(session.scalars(query.order_by(*model.__table__.primary_key.columns)))

    return PaymentRecord(donation, rows(Refund), rows(Dispute), rows(StripeTransfer))
