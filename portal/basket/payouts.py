"""Paying each Connect member its part of a basket payment, and taking back what was refunded.

Checkout can send a payment to one connected account only, so the coalition collects a basket
and pays its Connect members with separate transfers: one per member and payment, from the
payment's charge (``source_transaction``), in the payment's ``transfer_group``. A member is owed
its gift part less whatever of its part went back to the donor (refunds, open or lost
disputes); the donor's fee cover stays with the coalition, which pays Stripe's fee. When what
is owed falls below what was sent, the difference is reversed.

Every Stripe call carries an idempotency key derived from the payment, the member and the
amount, and no database transaction is held across a Stripe call: running this twice, or
after a crash, sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.basket.queries import MemberPart, donation_parts
from portal.db.writing import writing
from portal.models import BasketTransfer, Donation, DonationStatus
from portal.stripe_gateway import GatewayError, StripeGateway


@dataclass
class PayoutCount:
    sent: int = 0
    reversed: int = 0
    failed: int = 0


def owed(part: MemberPart) -> int:
    """What a member is owed for one payment: its gift, less its share of money sent back."""
    return max(0, part.amount - part.refunded - part.disputed)


def transfer_group(donation: Donation) -> str:
    """One group per payment: a monthly basket's every month has its own."""
    return f"gift-{donation.id}"


def pay_out(session: Session, gateway: StripeGateway) -> PayoutCount:
    """Bring every paid basket payment's transfers in line with what each Connect member is
    owed. Commits after each Stripe call; safe to run twice."""
    count = PayoutCount()
    for donation_id in _payments(session):
        session.commit()  # each payment starts from a fresh read
        donation = session.get(Donation, donation_id, populate_existing=True)
        for part in donation_parts(session, donation):
            if part.organization.stripe_account_id:
                _settle(session, gateway, donation, part, count)
    session.commit()
    return count


def _settle(session, gateway, donation, part: MemberPart, count: PayoutCount) -> None:
    due = owed(part)
    sent = session.scalar(
        select(BasketTransfer).filter_by(
            donation_id=donation.id, organization_id=part.organization.id
        )
    )
    try:
        if sent is None and due > 0:
            _send(session, gateway, donation, part, due)
            count.sent += 1
        elif sent is not None and sent.amount - sent.amount_reversed > due:
            _reverse(session, gateway, sent, sent.amount - sent.amount_reversed - due)
            count.reversed += 1
    except GatewayError:
        session.rollback()
        count.failed += 1  # logged by the gateway; the next run tries again


def _send(session, gateway, donation: Donation, part: MemberPart, amount: int) -> None:
    intent = gateway.retrieve_payment_intent(donation.stripe_payment_intent_id)
    session.commit()  # no transaction across the Stripe call
    transfer = gateway.create_transfer(
        {
            "amount": amount,
            "currency": donation.currency.lower(),
            "destination": part.organization.stripe_account_id,
            "source_transaction": intent["latest_charge"],
            "transfer_group": transfer_group(donation),
            "metadata": {
                "donation_id": str(donation.id),
                "basket": donation.basket.reference,
                "recipient": part.organization.slug,
            },
        },
        idempotency_key=f"basket-transfer-{donation.id}-{part.organization.id}",
    )
    with writing(session):
        session.add(
            BasketTransfer(
                donation_id=donation.id,
                organization_id=part.organization.id,
                stripe_transfer_id=transfer["id"],
                amount=transfer["amount"],
                amount_reversed=transfer["amount_reversed"],
                currency=donation.currency,
            )
        )


def _reverse(session, gateway, sent: BasketTransfer, amount: int) -> None:
    target = sent.amount_reversed + amount
    transfer_id, row_id = sent.stripe_transfer_id, sent.id
    session.commit()
    gateway.reverse_transfer(
        transfer_id,
        {"amount": amount, "metadata": {"reason": "refund or dispute"}},
        idempotency_key=f"basket-reversal-{row_id}-{target}",
    )
    with writing(session):
        row = session.get(BasketTransfer, row_id, populate_existing=True)
        row.amount_reversed = max(row.amount_reversed, target)


def _payments(session: Session) -> list[int]:
    """Paid, refunded or disputed basket payments that have a PaymentIntent to pay out from."""
    return list(
        session.scalars(
            select(Donation.id)
            .where(
                Donation.basket_id.is_not(None),
                Donation.status.in_((DonationStatus.PAID, DonationStatus.REFUNDED)),
                Donation.stripe_payment_intent_id.is_not(None),
            )
            .order_by(Donation.id)
        )
    )
