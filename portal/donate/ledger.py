"""The donation ledger's rules: what each Stripe event does, decided once for every store.

A webhook is only a trigger: each handler moves state forward from what is stored, never
backwards, so a redelivery or a late, out-of-order event changes nothing it should not. The
handlers read and write through a ``LedgerStore`` (``stores``): the ORM session for staff
commands and the thanks page, a held connection's compiled statements for the webhook.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy.orm import Session

from portal.db import begin_write
from portal.donate.events import (
    APPLIED,
    DUPLICATE,
    IGNORED,
    PARKABLE,
    UNMATCHED,
    advance,
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
from portal.donate.stores import LedgerStore, SessionStore
from portal.models import DonationStatus

__all__ = ["DUPLICATE", "HANDLED_TYPES", "apply_event", "record_stripe_event"]

Handler = Callable[[LedgerStore, dict], str]


def apply_event(store: LedgerStore, event: dict) -> str:
    """Store the event once by its id and apply it; returns the outcome. Never commits."""
    if not store.record_event(event_row(event)):
        return DUPLICATE
    handler = HANDLERS.get(event["type"])
    outcome = handler(store, event["data"]["object"]) if handler else IGNORED
    store.set_outcome(event["id"], outcome)
    return outcome


def record_stripe_event(session: Session, event: dict) -> str:
    """``apply_event`` in an ORM session, as a writer. Flushes, never commits."""
    begin_write(session)
    return apply_event(SessionStore(session), event)


def apply_checkout_session(session: Session, checkout: dict) -> str:
    """Fulfil a completed Checkout Session fetched for the thanks page. Flushes, never commits."""
    return _checkout_completed(SessionStore(session), checkout)


def _checkout_completed(store: LedgerStore, checkout: dict) -> str:
    donation = _for_checkout(store, checkout)
    if donation is None:
        return UNMATCHED
    _apply(store, donation, checkout_changes(donation, checkout))
    return APPLIED


def _checkout_moved(status: DonationStatus, *, learns_intent: bool) -> Handler:
    """A handler for a Checkout Session event that only moves its donation to ``status``."""

    def handle(store: LedgerStore, checkout: dict) -> str:
        donation = _for_checkout(store, checkout)
        if donation is None:
            return UNMATCHED
        intent = stripe_id(checkout.get("payment_intent")) if learns_intent else None
        changes = new_ids(donation, checkout_session=checkout["id"], payment_intent=intent)
        advance(changes, donation, status)
        _apply(store, donation, changes)
        return APPLIED

    return handle


def _invoice_paid(store: LedgerStore, invoice: dict) -> str:
    donation = store.donation("invoice", invoice["id"])
    if donation is None:
        first = _first_donation(store, invoice)
        if first is None:
            return UNMATCHED
        if not is_first_invoice(invoice, first):
            _add_renewal(store, first, invoice)
            return APPLIED
        donation = first
    _apply(store, donation, invoice_changes(donation, invoice))
    return APPLIED


def _subscription_deleted(store: LedgerStore, subscription: dict) -> str:
    ended = subscription.get("ended_at") or subscription.get("canceled_at") or 0
    changed = store.end_subscription(subscription["id"], datetime.fromtimestamp(ended, UTC))
    return APPLIED if changed else UNMATCHED


def _charge_refunded(store: LedgerStore, charge: dict) -> str:
    if not charge.get("refunded"):
        return IGNORED  # a partial refund leaves the gift standing; staff see it in Stripe
    donation = store.donation("payment_intent", stripe_id(charge.get("payment_intent")))
    if donation is None:
        return UNMATCHED
    _apply(store, donation, advance({}, donation, DonationStatus.REFUNDED))
    return APPLIED


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_moved(
        DonationStatus.PAID, learns_intent=True
    ),
    "checkout.session.async_payment_failed": _checkout_moved(
        DonationStatus.FAILED, learns_intent=True
    ),
    "checkout.session.expired": _checkout_moved(DonationStatus.EXPIRED, learns_intent=False),
    "invoice.paid": _invoice_paid,
    "customer.subscription.deleted": _subscription_deleted,
    "charge.refunded": _charge_refunded,
}
HANDLED_TYPES = sorted(HANDLERS)


def _for_checkout(store: LedgerStore, checkout: dict):
    return store.donation("checkout", checkout["id"]) or _by_metadata(
        store, checkout.get("metadata")
    )


def _by_metadata(store: LedgerStore, metadata: dict | None):
    donation_id = metadata_donation_id(metadata)
    return None if donation_id is None else store.donation("id", donation_id)


def _first_donation(store: LedgerStore, invoice: dict):
    first = _by_metadata(store, invoice_metadata(invoice))
    subscription = invoice_subscription(invoice)
    if first is None and subscription is not None:
        first = store.donation("subscription", subscription)
    return first


def _add_renewal(store: LedgerStore, first, invoice: dict) -> None:
    values = renewal_values(first, invoice)
    changes = invoice_changes(SimpleNamespace(**values), invoice)
    renewal = store.add({**values, **changes})
    _apply_parked(store, renewal, changes)


def _apply(store: LedgerStore, donation, changes: dict) -> None:
    """Write ``changes``, then the events that were waiting for an id the donation learned."""
    store.save(donation, changes)
    _apply_parked(store, donation, changes)


def _apply_parked(store: LedgerStore, donation, changes: dict) -> None:
    waiting = waiting_ids(changes)
    if not waiting:
        return  # events for ids known before were applied when they arrived
    # Regardless of outcome: a cancellation applied to the first payment also ends a renewal
    # row that arrives after it.
    for event in store.parked(waiting, PARKABLE):
        if event.type == "charge.refunded":
            store.save(donation, advance({}, donation, DonationStatus.REFUNDED))
        elif event.type == "customer.subscription.deleted":
            store.end_subscription(event.related_id, event.stripe_created)
        store.set_outcome(event.id, APPLIED)
