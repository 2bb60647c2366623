"""Each member's part of a basket payment: what it received, and what went back by refund or
dispute.

Allocations are read, not written: every part is a function of the basket's lines and the
ledger's own rows (the donation, its live refunds in the order Stripe made them, its disputes),
through ``allocation``'s exact rules. So the webhook's stores and every order of Stripe's
events give the same parts, each payment of a monthly basket splits like the first, and the
parts always add up to what was paid, refunded and disputed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import astuple, dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

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


def donation_parts(session: Session, donation: Donation) -> list[MemberPart]:
    """Every member's part of one basket payment, in the basket's order."""
    basket = session.get(Basket, donation.basket_id)
    refunds = session.scalars(_LIVE_REFUNDS.where(Refund.donation_id == donation.id))
    disputed = session.scalars(_DISPUTED.where(Dispute.donation_id == donation.id))
    return _parts(donation, basket.reference, list(basket.lines), list(refunds), sum(disputed))


def payments_parts(
    session: Session, payments: Select[tuple[Donation]]
) -> list[tuple[Donation, list[MemberPart]]]:
    """Each basket payment ``payments`` selects, with its members' parts, in its order.

    Five queries however many payments there are (a report reads a year of them).
    """
    donations = list(session.scalars(payments))
    chosen = payments.with_only_columns(Donation.id).scalar_subquery()
    baskets = payments.with_only_columns(Donation.basket_id).scalar_subquery()
    lines: dict[int, list[BasketLine]] = defaultdict(list)
    for line in session.scalars(
        select(BasketLine)
        .where(BasketLine.basket_id.in_(baskets))
        .options(joinedload(BasketLine.organization))
        .order_by(BasketLine.basket_id, BasketLine.position)
    ):
        lines[line.basket_id].append(line)
    found = session.execute(select(Basket.id, Basket.reference).where(Basket.id.in_(baskets)))
    references = {basket_id: reference for basket_id, reference in found}
    refunds: dict[int, list[int]] = defaultdict(list)
    query = _LIVE_REFUNDS.add_columns(Refund.donation_id).where(Refund.donation_id.in_(chosen))
    for amount, donation_id in session.execute(query):
        refunds[donation_id].append(amount)
    disputed: dict[int, int] = defaultdict(int)
    query = _DISPUTED.add_columns(Dispute.donation_id).where(Dispute.donation_id.in_(chosen))
    for amount, donation_id in session.execute(query):
        disputed[donation_id] += amount
    return [
        (
            donation,
            _parts(
                donation,
                references[donation.basket_id],
                lines[donation.basket_id],
                refunds[donation.id],
                disputed[donation.id],
            ),
        )
        for donation in donations
    ]


# A payment's live refunds in the order Stripe made them, and its disputes not won.
_LIVE_REFUNDS = (
    select(Refund.amount)
    .where(Refund.status.in_(LIVE_REFUNDS))
    .order_by(Refund.created_at, Refund.id)
)
_DISPUTED = select(Dispute.amount).where(Dispute.status != DisputeStatus.WON)


def _parts(
    donation: Donation, reference: str, lines: list[BasketLine], refunds: list[int], disputed: int
) -> list[MemberPart]:
    parts = allocation.payment_parts(
        donation.amount,
        donation.fee_cover,
        [allocation.Part(str(ln.organization_id), ln.amount, ln.fee_cover) for ln in lines],
        refunds,
        disputed,
        reference,
    )
    return [
        MemberPart(line.organization, *astuple(parts[str(line.organization_id)])) for line in lines
    ]
