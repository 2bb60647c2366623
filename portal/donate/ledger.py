"""Applying Stripe's events to the donation ledger: once each, in any order, same end state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.db import begin_write, insert_ignore
from portal.donate.events import (
    APPLIED,
    DUPLICATE,
    IGNORED,
    PARKABLE,
    UNMATCHED,
    checkout_changes,
    event_row,
    invoice_changes,
    invoice_metadata,
    invoice_subscription,
    is_first_invoice,
    metadata_donation_id,
    new_ids,
    renewal_values,
    stripe_id,
    waiting_ids,
)
from portal.models import Donation, DonationStatus, StripeEvent, utcnow


def record_stripe_event(session: Session, event: dict) -> str:
    """Store the event once by its id and apply it; returns the outcome. Flushes, never commits.

    A webhook is only a trigger: each handler moves state forward from what is stored, never
    backwards, so a redelivery or a late, out-of-order event changes nothing it should not.
    """
    begin_write(session)
    if not insert_ignore(session, StripeEvent, event_row(event)):
        return DUPLICATE
    handler = HANDLERS.get(event["type"])
    outcome = handler(session, event["data"]["object"]) if handler else IGNORED
    events = StripeEvent.__table__  # a plain UPDATE: no ORM bookkeeping on the hot path
    session.execute(update(events).where(events.c.id == event["id"]).values(outcome=outcome))
    return outcome


def apply_checkout_session(session: Session, obj: dict) -> str:
    """Fulfil a completed Checkout Session (from a webhook, or fetched for the thanks page)."""
    donation = _donation_for_session(session, obj)
    if donation is None:
        return UNMATCHED
    _apply(session, donation, checkout_changes(donation, obj))
    return APPLIED


def _async_outcome(status: DonationStatus) -> Callable[[Session, dict], str]:
    def handle(session: Session, obj: dict) -> str:
        donation = _donation_for_session(session, obj)
        if donation is None:
            return UNMATCHED
        intent = stripe_id(obj.get("payment_intent"))
        _apply(session, donation, new_ids(donation, payment_intent=intent))
        donation.move_to(status)
        return APPLIED

    return handle


def _invoice_paid(session: Session, obj: dict) -> str:
    donation = session.scalar(_locked(select(Donation).filter_by(stripe_invoice_id=obj["id"])))
    if donation is None:
        first = _first_donation(session, invoice_subscription(obj), invoice_metadata(obj))
        if first is None:
            return UNMATCHED
        donation = first if is_first_invoice(obj, first) else _renewal(session, first, obj)
    _apply(session, donation, invoice_changes(donation, obj))
    return APPLIED


def _subscription_deleted(session: Session, obj: dict) -> str:
    ended = datetime.fromtimestamp(obj.get("ended_at") or obj.get("canceled_at") or 0, UTC)
    changed = _end_subscription(session, obj["id"], ended)
    return APPLIED if changed else UNMATCHED


def _charge_refunded(session: Session, obj: dict) -> str:
    if not obj.get("refunded"):
        return IGNORED  # a partial refund leaves the gift standing; staff see it in Stripe
    intent = stripe_id(obj.get("payment_intent"))
    donation = session.scalar(_locked(select(Donation).filter_by(stripe_payment_intent_id=intent)))
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
    by_checkout = select(Donation).filter_by(stripe_checkout_session_id=obj["id"])
    donation = session.scalar(_locked(by_checkout))
    if donation is None:
        donation = _by_metadata(session, obj.get("metadata"))
        if donation is not None and donation.stripe_checkout_session_id is None:
            donation.stripe_checkout_session_id = obj["id"]
    return donation


def _by_metadata(session: Session, metadata: dict | None) -> Donation | None:
    donation_id = metadata_donation_id(metadata)
    if donation_id is None:
        return None
    return session.get(Donation, donation_id, with_for_update=True, populate_existing=True)


def _first_donation(session: Session, subscription: str | None, metadata: dict | None):
    by_metadata = _by_metadata(session, metadata)
    if by_metadata is not None or subscription is None:
        return by_metadata
    return session.scalar(
        _locked(
            select(Donation).filter_by(stripe_subscription_id=subscription).order_by(Donation.id)
        )
    )


def _locked(query):
    """``query`` taking the donation's row lock, and reading the row as it is once it has it.

    PostgreSQL runs webhook deliveries side by side: without the lock, two events for one gift
    could each read its old status and the later write would undo the earlier (SQLite writers
    already take turns, and ignore the clause).
    """
    return query.with_for_update().execution_options(populate_existing=True)


def _renewal(session: Session, first: Donation, invoice: dict) -> Donation:
    renewal = Donation(**renewal_values(first, invoice))
    session.add(renewal)
    return renewal


def _apply(session: Session, donation: Donation, changes: dict) -> None:
    """Set ``changes`` on the donation, then apply events that were waiting for an id it learned."""
    for column, value in changes.items():
        setattr(donation, column, value)
    waiting = waiting_ids(changes)
    if not waiting:
        return  # events for ids known before were applied when they arrived
    # Regardless of outcome: a cancellation applied to the first payment also ends a renewal
    # row that arrives after it.
    parked = session.scalars(
        select(StripeEvent).where(
            StripeEvent.related_id.in_(waiting),
            StripeEvent.type.in_(PARKABLE),
            StripeEvent.outcome != IGNORED,
        )
    ).all()
    for event in parked:
        if event.type == "charge.refunded":
            donation.move_to(DonationStatus.REFUNDED)
        elif event.type == "customer.subscription.deleted":
            _end_subscription(session, event.related_id, event.stripe_created)
        event.outcome = APPLIED


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
