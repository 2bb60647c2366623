"""Staff refund a payment from the console: a plan they confirm, then one Stripe call, audited.

The confirmation page carries the plan signed (``plan_token``): what the page stated is exactly
what Stripe is asked, nothing can change on the way, and the plan stops working after
``PLAN_SECONDS``. Its random nonce makes the idempotency key, so the same confirmation sent
twice (a double click, a form sent again) is one refund: Stripe answers the second with the
first's refund (it keeps a key 24 hours, longer than a plan lives), and the audit log keeps one
entry for it. The steps own their transactions, as ``cancelling.py``'s do: the read ends before
Stripe is asked, then a writer's transaction audits. The ledger moves only when Stripe's events
(``refund.*``, ``charge.refunded``) arrive, as for every refund.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from portal.db.writing import writing
from portal.donate import refunds
from portal.models import Donation, Frequency
from portal.staff import audit
from portal.stripe_gateway import StripeGateway

REASONS = refunds.REASONS  # Stripe's own, in the order the form offers them
PLAN_SECONDS = 30 * 60
_SALT = "staff-refund-plan"


class PlanExpired(Exception):
    """The confirmation is older than ``PLAN_SECONDS``: nothing was refunded."""


@dataclass(frozen=True)
class RefundPlan:
    """One refund as staff confirm it: minor units of one payment, with Stripe's reason."""

    donation_id: int
    amount: int
    reason: str
    nonce: str

    @property
    def idempotency_key(self) -> str:
        return f"staff-refund-{self.donation_id}-{self.nonce}"


def new_plan(donation_id: int, amount: int, reason: str) -> RefundPlan:
    return RefundPlan(donation_id, amount, reason, secrets.token_hex(16))


def plan_token(secret: str, plan: RefundPlan) -> str:
    values = [plan.donation_id, plan.amount, plan.reason, plan.nonce]
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps(values)


def read_plan(secret: str, token: str, donation_id: int) -> RefundPlan | None:
    """The plan ``token`` carries for this payment; None if it is not one the console signed.
    Raises ``PlanExpired`` past ``PLAN_SECONDS``."""
    try:
        values = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=PLAN_SECONDS)
    except SignatureExpired:
        raise PlanExpired from None
    except BadSignature:
        return None
    plan = RefundPlan(*values)
    return plan if plan.donation_id == donation_id and plan.reason in REASONS else None


@dataclass(frozen=True)
class Outcome:
    """What a refund does, as the confirmation states it (minor units, the payment's currency)."""

    amount: int
    total: int  # the payment
    refunded_before: int
    left_after: int
    member_reversal: int | None  # a Connect member's transfer is reversed by this much
    fee_cover: int  # the coalition returns the same share of this (Connect only)
    basket: bool  # the members' parts are taken back by ``pay-basket-transfers``
    monthly: bool  # one month of a monthly gift, which keeps running


def outcome(donation: Donation, amount: int) -> Outcome:
    destination = refunds.is_destination_charge(donation)
    return Outcome(
        amount=amount,
        total=donation.amount,
        refunded_before=donation.amount_refunded,
        left_after=refunds.refundable(donation) - amount,
        # A destination charge sends the member the whole payment (the fee is collected from
        # it), and Stripe reverses the transfer in proportion: the same amount.
        member_reversal=amount if destination else None,
        fee_cover=donation.fee_cover if destination else 0,
        basket=donation.basket_id is not None,
        monthly=donation.frequency == Frequency.MONTHLY,
    )


def request_refund(
    session: Session,
    gateway: StripeGateway,
    donation: Donation,
    plan: RefundPlan,
    actor: audit.Actor,
) -> dict:
    """Ask Stripe for ``plan``'s refund, then audit it once. Raises ``GatewayError`` when Stripe
    refuses or cannot be reached (nothing is recorded). Commits (its own steps)."""
    destination = refunds.is_destination_charge(donation)
    session.commit()  # end the read: Stripe is asked outside any transaction
    refund = refunds.ask_stripe(
        gateway,
        donation,
        plan.amount,
        destination_charge=destination,
        key=plan.idempotency_key,
        reason=plan.reason,
    )
    with writing(session):
        refunds.audit_refund(session, actor, plan.donation_id, refund, plan.reason)
    return refund
