"""Staff refund a payment, in full or in part, through Stripe (``flask refund-gift``, and the
console's Payments page, ``gifts/refunding.py``): both ask Stripe here and audit the refund the
same way (``audit_refund``: amount, Stripe's reason and its ``re_`` id, once per refund).

Preparing a refund moves no money in the ledger: Stripe's ``refund.*``, ``charge.refunded``
and ``transfer.reversed`` events do, as for a refund made in Stripe's Dashboard.

A gift to a Connect member is a destination charge: the member received the payment less the
coalition's application fee (the donor's fee cover). Its refund reverses the member's transfer
and returns the application fee, each in proportion to the amount refunded
(``reverse_transfer`` and ``refund_application_fee``): the donor gets back what they gave, the
member returns what it received and the coalition the fee cover it kept. Stripe keeps its own
processing fee on a refund; that is the coalition's cost, never the member's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.donate.money import display
from portal.models import AuditEntry, AuditSubject, Donation, DonationStatus
from portal.staff import audit
from portal.stripe_gateway import StripeGateway

# Stripe's own reasons, in the order the console's form offers them; the first is the default.
REASONS = ("requested_by_customer", "duplicate", "fraudulent")


class RefundRefused(Exception):
    """This payment cannot be refunded as asked; the message says why (for staff)."""


def refundable(donation: Donation) -> int:
    """Minor units of ``donation`` that can still be refunded."""
    if donation.status != DonationStatus.PAID or not donation.stripe_payment_intent_id:
        return 0
    return donation.amount - donation.amount_refunded


def is_destination_charge(donation: Donation) -> bool:
    """Whether Stripe sent this payment to a Connect member itself (not a basket's payment,
    which ``pay-basket-transfers`` pays and takes back)."""
    return bool(donation.organization.stripe_account_id) and donation.basket_id is None


def refund_payment(
    gateway: StripeGateway,
    donation: Donation,
    amount: int | None,
    *,
    destination_charge: bool,
    reason: str = REASONS[0],
) -> dict:
    """Ask Stripe to refund ``amount`` (all that is left when None) of one payment, for one of
    Stripe's ``REASONS``. Call it with no transaction open (``destination_charge``, from
    ``is_destination_charge``, is read before the read ends). The key names the payment, what
    was refunded before and the amount, so a repeated command never refunds twice."""
    left = refundable(donation)
    if left <= 0:
        raise RefundRefused(f"payment {donation.id} is {donation.status}: nothing to refund")
    amount = left if amount is None else amount
    if not 0 < amount <= left:
        raise RefundRefused(f"the amount must be more than 0 and at most {left} minor units")
    key = f"refund-{donation.id}-{donation.amount_refunded}-{amount}"
    return ask_stripe(
        gateway, donation, amount, destination_charge=destination_charge, key=key, reason=reason
    )


def ask_stripe(
    gateway: StripeGateway,
    donation: Donation,
    amount: int,
    *,
    destination_charge: bool,
    key: str,
    reason: str | None = None,
) -> dict:
    """Ask Stripe to refund ``amount`` of one payment under idempotency ``key``, with no check
    of the ledger's own: Stripe's refusal (``GatewayError.code``: ``amount_too_large``,
    ``charge_already_refunded``, ``charge_disputed``) says why not. Call it with no
    transaction open."""
    return gateway.refund(
        donation.stripe_payment_intent_id,
        amount=amount,
        destination_charge=destination_charge,
        idempotency_key=key,
        reason=reason,
    )


def audit_refund(
    session: Session, actor: audit.Actor, donation_id: int, refund: dict, reason: str | None
) -> None:
    """Audit Stripe's ``refund`` of a payment once: its amount, the reason and Stripe's id
    (``€25.00 (duplicate) re_…``), whether staff refunded from the console or the command line.
    Call it in a writer's transaction; flushes, never commits."""
    # The payment's row is locked first, so two deliveries of one refund queue here and the
    # second finds the first's entry.
    donation = session.get(Donation, donation_id, with_for_update=True, populate_existing=True)
    shown = display(refund["amount"], donation.currency, "en")
    after = f"{shown} ({reason}) {refund['id']}" if reason else f"{shown} {refund['id']}"
    logged = session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.subject_kind == AuditSubject.DONATION,
            AuditEntry.subject_id == donation.id,
            AuditEntry.field == "refund",
            AuditEntry.after == after,
        )
    )
    if logged is None:
        audit.record(session, actor, donation, {"refund": (None, after)})
