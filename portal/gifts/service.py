"""What a donor can do with their gift: read it from the ledger and end a monthly one.

Stripe is asked first, outside any transaction (no database lock is held across a Stripe
call); the ledger itself moves only when Stripe's webhook arrives, as for every other change.
Here the change is audited and its confirmation queued, in one transaction. Flushes, never
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.donate.events import subscription_amount
from portal.mail import queue
from portal.models import Donation, Frequency
from portal.staff import audit
from portal.stripe_gateway import GatewayError, StripeGateway


class GiftUnavailable(Exception):
    """Stripe could not make the change now; nothing changed (safe to show a donor)."""


@dataclass(frozen=True)
class Subscription:
    """A monthly gift's state as Stripe has it."""

    status: str
    ends_at: datetime | None  # when a cancelled gift stops (now, or the period's end)
    customer: str | None
    email: str | None
    amount: int | None = None  # what each payment charges now, minor units
    next_payment_at: datetime | None = None  # when the period under way ends
    items: tuple[dict, ...] = ()  # Stripe's subscription items (a basket has one a member)

    @property
    def cancelling(self) -> bool:
        return self.status in ("active", "past_due") and self.ends_at is not None

    @property
    def ended(self) -> bool:
        return self.status in ("canceled", "incomplete_expired")


def first_payment(session: Session, donation_id: int) -> Donation | None:
    """The gift a manage link opens: its first payment (a monthly gift's first row)."""
    donation = session.get(Donation, donation_id)
    if donation is None or not donation.stripe_subscription_id:
        return donation
    return session.scalars(
        select(Donation)
        .filter_by(stripe_subscription_id=donation.stripe_subscription_id)
        .order_by(Donation.created_at, Donation.id)
    ).first()


def payments(session: Session, first: Donation) -> list[Donation]:
    """Every payment of the gift, oldest first: one row, or each month of a monthly gift."""
    if first.frequency != Frequency.MONTHLY or not first.stripe_subscription_id:
        return [first]
    return list(
        session.scalars(
            select(Donation)
            .filter_by(stripe_subscription_id=first.stripe_subscription_id)
            .order_by(Donation.created_at, Donation.id)
        )
    )


def running_monthly_gifts(session: Session) -> list[Donation]:
    """Each monthly gift the ledger has not seen end, by its first payment, newest first."""
    firsts = {}
    rows = session.scalars(
        select(Donation)
        .where(Donation.stripe_subscription_id.is_not(None))
        .order_by(Donation.created_at, Donation.id)
    )
    for row in rows:
        firsts.setdefault(row.stripe_subscription_id, row)
    running = [gift for gift in firsts.values() if gift.subscription_ended_at is None]
    return sorted(running, key=lambda gift: (gift.created_at, gift.id), reverse=True)


def subscription(gateway: StripeGateway, first: Donation) -> Subscription | None:
    """The monthly gift's state at Stripe; None for a one-time gift or when Stripe is away."""
    if not first.stripe_subscription_id:
        return None
    try:
        found = gateway.retrieve_subscription(first.stripe_subscription_id)
    except GatewayError:
        return None
    return read_subscription(found)


@dataclass(frozen=True)
class Cancelled:
    """What Stripe said when a monthly gift was cancelled, and where the donor is told."""

    state: Subscription
    email: str | None


def cancel_at_stripe(gateway: StripeGateway, first: Donation, *, at_period_end: bool) -> Cancelled:
    """End a monthly gift at Stripe now or at the period's end. Call it with no transaction open
    (a Stripe call must never hold the database's write lock); ``record_cancellation`` follows.
    """
    try:
        state = read_subscription(
            gateway.cancel_subscription(first.stripe_subscription_id, at_period_end=at_period_end)
        )
        email = gateway.retrieve_subscription(first.stripe_subscription_id)["customer"]["email"]
    except (GatewayError, KeyError, TypeError) as error:
        raise GiftUnavailable(str(error)) from None
    return Cancelled(state, email)


def record_cancellation(
    session: Session,
    first: Donation,
    cancelled: Cancelled,
    *,
    at_period_end: bool,
    actor: audit.Actor,
    confirmation,
) -> None:
    """Audit a cancellation and queue ``confirmation(state, email)`` (a ``Message`` for the
    donor, or None) in the same transaction, a writer's (``writing``). Flushes, never commits.
    """
    state, email = cancelled.state, cancelled.email
    after = "ends at period end" if at_period_end else "cancelled"
    audit.record(session, actor, first, {"monthly gift": ("active", after)})
    message = confirmation(state, email) if email else None
    if message is not None:
        # The same key as the ledger's notice when the subscription ends, so the donor who
        # cancelled here is not told twice.
        kind = "cancelling" if at_period_end else "cancelled"
        queue(session, f"ledger:{kind}:{first.stripe_subscription_id}", message)


def read_subscription(found: dict) -> Subscription:
    moment = found.get("ended_at") or found.get("cancel_at")
    customer = found.get("customer")
    email = customer.get("email") if isinstance(customer, dict) else None
    items = tuple((found.get("items") or {}).get("data") or ())
    period_end = items[0].get("current_period_end") if items else None
    return Subscription(
        status=found.get("status", ""),
        ends_at=datetime.fromtimestamp(moment, UTC) if moment else None,
        customer=customer["id"] if isinstance(customer, dict) else customer,
        email=email,
        amount=subscription_amount(found),
        next_payment_at=datetime.fromtimestamp(period_end, UTC) if period_end else None,
        items=items,
    )
