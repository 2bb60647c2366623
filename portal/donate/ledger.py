"""Applying Stripe's events to the donation ledger: once each, in any order, same end state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.db import begin_write, insert_ignore
from portal.models import Donation, DonationStatus, Frequency, StripeEvent, utcnow

APPLIED, DUPLICATE, IGNORED, UNMATCHED = "applied", "duplicate", "ignored", "unmatched"


def record_stripe_event(session: Session, event: dict) -> str:
    """Store the event once by its id and apply it; returns the outcome. Flushes, never commits.

    A webhook is only a trigger: each handler moves state forward from what is stored, never
    backwards, so a redelivery or a late, out-of-order event changes nothing it should not.
    """
    begin_write(session)
    kind, obj = event["type"], event["data"]["object"]
    added = insert_ignore(
        session,
        StripeEvent,
        {
            "id": event["id"],
            "type": kind,
            "object_id": obj.get("id"),
            "related_id": _related_id(kind, obj),
            "stripe_created": datetime.fromtimestamp(event["created"], UTC),
            "received_at": utcnow(),
            "outcome": "pending",
        },
    )
    if not added:
        return DUPLICATE
    handler = HANDLERS.get(kind)
    outcome = handler(session, obj) if handler else IGNORED
    events = StripeEvent.__table__  # a plain UPDATE: no ORM bookkeeping on the hot path
    session.execute(update(events).where(events.c.id == event["id"]).values(outcome=outcome))
    return outcome


def apply_checkout_session(session: Session, obj: dict) -> str:
    """Fulfil a completed Checkout Session (from a webhook, or fetched for the thanks page)."""
    donation = _donation_for_session(session, obj)
    if donation is None:
        return UNMATCHED
    _learn_ids(
        session,
        donation,
        payment_intent=_id(obj.get("payment_intent")),
        subscription=_id(obj.get("subscription")),
        invoice=_id(obj.get("invoice")),
    )
    if donation.share_email and not donation.donor_email:
        donation.donor_email = (obj.get("customer_details") or {}).get("email")
    if obj.get("status") == "complete":
        paid = obj.get("payment_status") in {"paid", "no_payment_required"}
        donation.move_to(DonationStatus.PAID if paid else DonationStatus.PROCESSING)
    return APPLIED


def _async_outcome(status: DonationStatus) -> Callable[[Session, dict], str]:
    def handle(session: Session, obj: dict) -> str:
        donation = _donation_for_session(session, obj)
        if donation is None:
            return UNMATCHED
        _learn_ids(session, donation, payment_intent=_id(obj.get("payment_intent")))
        donation.move_to(status)
        return APPLIED

    return handle


def _invoice_paid(session: Session, obj: dict) -> str:
    subscription = _invoice_subscription(obj)
    donation = session.scalar(select(Donation).filter_by(stripe_invoice_id=obj["id"]))
    if donation is None:
        first = _first_donation(session, subscription, _invoice_metadata(obj))
        if first is None:
            return UNMATCHED
        donation = first if _is_first_invoice(obj, first) else _renewal(session, first, obj)
    _learn_ids(
        session,
        donation,
        subscription=subscription,
        invoice=obj["id"],
        payment_intent=_invoice_payment_intent(obj),
    )
    donation.move_to(DonationStatus.PAID)
    return APPLIED


def _subscription_deleted(session: Session, obj: dict) -> str:
    ended = datetime.fromtimestamp(obj.get("ended_at") or obj.get("canceled_at") or 0, UTC)
    changed = _end_subscription(session, obj["id"], ended)
    return APPLIED if changed else UNMATCHED


def _charge_refunded(session: Session, obj: dict) -> str:
    if not obj.get("refunded"):
        return IGNORED  # a partial refund leaves the gift standing; staff see it in Stripe
    donation = session.scalar(
        select(Donation).filter_by(stripe_payment_intent_id=_id(obj.get("payment_intent")))
    )
    if donation is None:
        return UNMATCHED
    donation.move_to(DonationStatus.REFUNDED)
    return APPLIED


def _expired(session: Session, obj: dict) -> str:
    donation = _donation_for_session(session, obj)
    if donation is None:
        return UNMATCHED
    donation.move_to(DonationStatus.EXPIRED)
    return APPLIED


HANDLERS: dict[str, Callable[[Session, dict], str]] = {
    "checkout.session.completed": apply_checkout_session,
    "checkout.session.async_payment_succeeded": _async_outcome(DonationStatus.PAID),
    "checkout.session.async_payment_failed": _async_outcome(DonationStatus.FAILED),
    "checkout.session.expired": _expired,
    "invoice.paid": _invoice_paid,
    "customer.subscription.deleted": _subscription_deleted,
    "charge.refunded": _charge_refunded,
}
HANDLED_TYPES = sorted(HANDLERS)


def _donation_for_session(session: Session, obj: dict) -> Donation | None:
    donation = session.scalar(select(Donation).filter_by(stripe_checkout_session_id=obj["id"]))
    if donation is None:
        donation = _by_metadata(session, obj.get("metadata"))
        if donation is not None and donation.stripe_checkout_session_id is None:
            donation.stripe_checkout_session_id = obj["id"]
    return donation


def _by_metadata(session: Session, metadata: dict | None) -> Donation | None:
    donation_id = (metadata or {}).get("donation_id", "")
    return session.get(Donation, int(donation_id)) if donation_id.isdigit() else None


def _first_donation(session: Session, subscription: str | None, metadata: dict | None):
    by_metadata = _by_metadata(session, metadata)
    if by_metadata is not None or subscription is None:
        return by_metadata
    return session.scalar(
        select(Donation).filter_by(stripe_subscription_id=subscription).order_by(Donation.id)
    )


def _is_first_invoice(invoice: dict, first: Donation) -> bool:
    if first.stripe_invoice_id is not None:
        return first.stripe_invoice_id == invoice["id"]
    return invoice.get("billing_reason") == "subscription_create"


def _renewal(session: Session, first: Donation, invoice: dict) -> Donation:
    renewal = Donation(
        referral_id=first.referral_id,
        organization_id=first.organization_id,
        amount=invoice.get("amount_paid") or first.amount,
        fee_cover=first.fee_cover,
        currency=(invoice.get("currency") or first.currency).upper(),
        frequency=Frequency.MONTHLY,
        status=DonationStatus.OPEN,
        dedication=first.dedication,
        share_email=first.share_email,
        donor_email=first.donor_email,
        stripe_invoice_id=invoice["id"],
    )
    session.add(renewal)
    return renewal


def _learn_ids(session: Session, donation: Donation, **ids: str | None) -> None:
    """Record Stripe ids the donation did not know, then apply events that were waiting for them."""
    learned = []
    for name, value in ids.items():
        column = f"stripe_{name}_id"
        if value and getattr(donation, column) is None:
            setattr(donation, column, value)
            learned.append(value)
    waiting = [
        value
        for value in (donation.stripe_payment_intent_id, donation.stripe_subscription_id)
        if value in learned
    ]
    if not waiting:
        return  # events for ids known before were applied when they arrived
    # Regardless of outcome: a cancellation applied to the first payment also ends a renewal
    # row that arrives after it.
    parked = session.scalars(
        select(StripeEvent).where(
            StripeEvent.related_id.in_(waiting),
            StripeEvent.type.in_(_PARKABLE),
            StripeEvent.outcome != IGNORED,
        )
    ).all()
    for event in parked:
        if event.type == "charge.refunded":
            donation.move_to(DonationStatus.REFUNDED)
        elif event.type == "customer.subscription.deleted":
            _end_subscription(session, event.related_id, event.stripe_created)
        event.outcome = APPLIED


_PARKABLE = ("charge.refunded", "customer.subscription.deleted")


def _end_subscription(session: Session, subscription: str, ended: datetime) -> int:
    result = session.execute(
        update(Donation)
        .where(
            Donation.stripe_subscription_id == subscription,
            Donation.subscription_ended_at.is_(None),
        )
        .values(subscription_ended_at=ended, updated_at=utcnow())
    )
    return result.rowcount


def _related_id(kind: str, obj: dict) -> str | None:
    if kind == "charge.refunded":
        return _id(obj.get("payment_intent"))
    if kind == "customer.subscription.deleted":
        return obj.get("id")
    return None


def _invoice_subscription(invoice: dict) -> str | None:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(details.get("subscription") or invoice.get("subscription"))


def _invoice_metadata(invoice: dict) -> dict:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("metadata") or invoice.get("subscription_details", {}).get("metadata") or {}


def _invoice_payment_intent(invoice: dict) -> str | None:
    for payment in (invoice.get("payments") or {}).get("data") or []:
        intent = _id((payment.get("payment") or {}).get("payment_intent"))
        if intent:
            return intent
    return _id(invoice.get("payment_intent"))


def _id(value) -> str | None:
    """Stripe fields hold either an id or the expanded object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None
