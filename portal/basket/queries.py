"""Each member's part of a basket payment: what it received, and what went back by refund or
dispute.

Allocations are read, not written: every part is a function of the basket's lines and the
ledger's own rows (the donation, its live refunds in the order Stripe made them, its disputes),
through ``allocation``'s exact rules. So the webhook's stores and every order of Stripe's
events give the same parts, each payment of a monthly basket splits like the first, and the
parts always add up to what was paid, refunded and disputed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.basket import allocation
from portal.models import (
    LIVE_REFUNDS,
    Basket,
    BasketLine,
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


def split_payment(
    paid: int, fee_cover: int, lines: list[BasketLine], seed: str
) -> dict[int, tuple[int, int]]:
    """A payment of ``paid`` (``fee_cover`` of it) split by the lines: member id → (gift, fee).

    Equal to the lines when the payment is what the basket asked for; otherwise (an amount
    changed later) in proportion to them, exactly."""
    keys = {str(line.organization_id): line for line in lines}
    totals = allocation.by_weights(paid, {k: line.total for k, line in keys.items()}, seed)
    fees = allocation.by_weights(fee_cover, totals, seed) if fee_cover and paid else {}
    return {int(k): (totals[k] - fees.get(k, 0), fees.get(k, 0)) for k in keys}


def donation_parts(session: Session, donation: Donation) -> list[MemberPart]:
    """Every member's part of one basket payment, in the basket's order."""
    basket = session.get(Basket, donation.basket_id)
    lines = list(basket.lines)
    seed = basket.reference
    split = split_payment(donation.amount, donation.fee_cover, lines, seed)
    held = {str(k): sum(v) for k, v in split.items()}
    refunds = allocation.returned_in_total(_refunds(session, donation.id), held, seed)
    refunded = {k: sum(r[k] for r in refunds) for k in held}
    left = {k: held[k] - refunded[k] for k in held}
    [disputed] = allocation.returned_in_total([_disputed(session, donation.id)], left, seed)
    return [
        MemberPart(
            line.organization,
            *split[line.organization_id],
            refunded[str(line.organization_id)],
            disputed[str(line.organization_id)],
        )
        for line in lines
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
