"""Each member's part of a basket payment: what it received, and what went back by refund or
dispute.

Allocations are read, not written: every part is a function of the basket's lines and the
ledger's own rows (the donation, its live refunds in the order Stripe made them, its disputes),
through ``allocation``'s exact rules. So the webhook's stores and every order of Stripe's
events give the same parts, each payment of a monthly basket splits like the first, and the
parts always add up to what was paid, refunded and disputed.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.basket import allocation
from portal.models import (
    LIVE_REFUNDS,
    Basket,
    Dispute,
    DisputeStatus,
    Donation,
    Organization,
    Refund,
)


@dataclass(frozen=True)
class MemberPart:
    organization: Organization
    amount: int  # the member's gift in this payment
    fee_cover: int  # the donor's fee cover on that part, kept by the coalition
    refunded: int
    disputed: int  # in disputes still open or lost

    @property
    def total(self) -> int:
        return self.amount + self.fee_cover


def donation_parts(session: Session, donation: Donation) -> list[MemberPart]:
    """Every member's part of one basket payment, in the basket's order."""
    basket = session.get(Basket, donation.basket_id)
    lines = list(basket.lines)
    parts = allocation.payment_parts(
        donation.amount,
        donation.fee_cover,
        [allocation.Part(str(ln.organization_id), ln.amount, ln.fee_cover) for ln in lines],
        _refunds(session, donation.id),
        _disputed(session, donation.id),
        basket.reference,
    )
    return [
        MemberPart(line.organization, *astuple(parts[str(line.organization_id)])) for line in lines
    ]


def _refunds(session: Session, donation_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Refund.amount)
            .where(Refund.donation_id == donation_id, Refund.status.in_(LIVE_REFUNDS))
            .order_by(Refund.created_at, Refund.id)
        )
    )


def _disputed(session: Session, donation_id: int) -> int:
    amounts = session.scalars(
        select(Dispute.amount).where(
            Dispute.donation_id == donation_id, Dispute.status != DisputeStatus.WON
        )
    )
    return sum(amounts)
