"""The donation ledger's rules: what each Stripe event does, decided once for every store.

A webhook is only a trigger: each handler moves state forward from what is stored, never
backwards, so a redelivery or a late, out-of-order event changes nothing it should not. The
handlers read and write through a ``LedgerStore`` (``stores``): the ORM session for staff
commands and the thanks page, a held connection's compiled statements for the webhook. An event
that names a payment the ledger does not know yet is kept (``PARKABLE``) and applied by the same
handler once a donation learns that id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace

from flask import Flask, has_app_context
from sqlalchemy.orm import Session

from portal.donate.events import (
    APPLIED,
    DISPUTE_EVENTS,
    DUPLICATE,
    IGNORED,
    PARKABLE,
    REFUND_EVENTS,
    UNMATCHED,
    advance,
    checkout_changes,
    destination_charge_intent,
    dispute_values,
    event_row,
    invoice_changes,
    invoice_metadata,
    invoice_subscription,
    is_first_invoice,
    metadata_donation_id,
    new_ids,
    refund_values,
    renewal_values,
    state_is_newer,
    stripe_id,
    subscription_amount,
    subscription_state,
    transfer_values,
    waiting_ids,
)
from portal.donate.notices import Notice, NoticeKind
from portal.donate.stores import LedgerStore, SessionStore
from portal.models import (
    DISPUTE_RANK,
    REFUND_RANK,
    DonationStatus,
    RefundStatus,
    SubscriptionStatus,
    advances,
)
from portal.state import CursorNotices, SessionNotices, portal_state

__all__ = ["DUPLICATE", "HANDLED_TYPES", "apply_event", "record_stripe_event"]

Handler = Callable[[LedgerStore, dict, datetime], str]


def apply_event(store: LedgerStore, event: dict) -> str:
    """Store the event once by its id and apply it; returns the outcome. Never commits."""
    handler = HANDLERS.get(event["type"])
    # The row is written with the outcome most events end with, so that an applied (or an
    # unhandled, ignored) event costs no second statement on its row; the row is never seen
    # outside this transaction before its outcome is final.
    row = event_row(event, APPLIED if handler else IGNORED)
    if not store.record_event(row):
        return DUPLICATE
    if handler is None:
        return IGNORED
    outcome = handler(store, event["data"]["object"], row["stripe_created"])
    if outcome != row["outcome"]:
        store.set_outcome(event["id"], outcome)
    return outcome


def record_stripe_event(session: Session, event: dict) -> str:
    """``apply_event`` in an ORM session, with the donor's mail for its notices queued in the
    same transaction (as the webhook's fast path does). Call it in a writer's transaction
    (``writing``): the donation it reads must not change before it is written. Flushes, never
    commits."""
    store = SessionStore(session)
    outcome = apply_event(store, event)
    _queue_notices(session, store, event)
    return outcome


def apply_checkout_session(session: Session, checkout: dict) -> str:
    """Fulfil a completed Checkout Session fetched for the thanks page. Flushes, never commits."""
    store = SessionStore(session)
    outcome = _checkout_completed(store, checkout, datetime.now(UTC))
    _queue_notices(session, store, checkout)
    return outcome


def set_notices(app: Flask, *, on_cursor: CursorNotices, on_session: SessionNotices) -> None:
    """How the donor's notices are queued in the ledger's transaction, as the package that
    writes the mail has them: on the webhook writer's cursor, and on an ORM session."""
    state = portal_state(app)
    state.ledger.notices = on_cursor
    state.session_notices = on_session


def _queue_notices(session: Session, store: LedgerStore, event: dict) -> int:
    # Mail is written for an app (its settings, templates and links): events applied to a bare
    # session, outside any app, change the ledger and queue no mail.
    if not store.notices or not has_app_context():
        return 0
    queue = portal_state().session_notices
    return queue(session)(store, event) if queue is not None else 0


def _checkout_completed(store: LedgerStore, checkout: dict, _at: datetime) -> str:
    donation = _for_checkout(store, checkout)
    if donation is None:
        return UNMATCHED
    _apply(store, donation, checkout_changes(donation, checkout))
    return APPLIED


def _checkout_moved(status: DonationStatus, *, learns_intent: bool) -> Handler:
    """A handler for a Checkout Session event that only moves its donation to ``status``."""

    def handle(store: LedgerStore, checkout: dict, _at: datetime) -> str:
        donation = _for_checkout(store, checkout)
        if donation is None:
            return UNMATCHED
        intent = stripe_id(checkout.get("payment_intent")) if learns_intent else None
        changes = new_ids(donation, checkout_session=checkout["id"], payment_intent=intent)
        _apply(store, donation, advance(changes, donation, status))
        return APPLIED

    return handle


def _invoice_outcome(status: DonationStatus) -> Handler:
    """``invoice.paid`` or ``invoice.payment_failed``: the month's row, added if it is new."""

    def handle(store: LedgerStore, invoice: dict, _at: datetime) -> str:
        donation = store.donation("invoice", invoice["id"])
        if donation is None:
            first = _first_donation(store, invoice)
            if first is None:
                return UNMATCHED
            if not is_first_invoice(invoice, first):
                _add_renewal(store, first, invoice, status)
                return APPLIED
            donation = first
        changes = invoice_changes(donation, invoice, status)
        _apply(store, donation, changes)
        return APPLIED

    return handle


def _invoice_payment_paid(store: LedgerStore, payment: dict, _at: datetime) -> str:
    # Current API versions no longer put the PaymentIntent on the Invoice: this event is where
    # a monthly payment's PaymentIntent is learned, so that its refunds find the right month.
    donation = store.donation("invoice", stripe_id(payment.get("invoice")))
    if donation is None:
        return UNMATCHED
    intent = stripe_id((payment.get("payment") or {}).get("payment_intent"))
    _apply(store, donation, new_ids(donation, payment_intent=intent))
    return APPLIED


def _subscription_changed(store: LedgerStore, subscription: dict, at: datetime) -> str:
    state = subscription_state(subscription)
    if state is None:
        return IGNORED  # not started: Checkout has not taken the first payment
    stored = store.mirror("subscription", subscription["id"])
    if state_is_newer(stored, state, at):
        cancel_at = subscription.get("cancel_at") or (
            subscription.get("cancel_at_period_end") and _period_end(subscription)
        )
        values = {
            "status": state,
            "status_at": at,
            "cancel_at": datetime.fromtimestamp(cancel_at, UTC) if cancel_at else None,
        }
        amount = subscription_amount(subscription)
        if amount is not None or stored is None:
            values["amount"] = amount  # a donor may change it; renewals then charge it
        store.put_mirror("subscription", subscription["id"], values, exists=stored is not None)
        if state == SubscriptionStatus.ENDED:
            _notify_first(store, subscription["id"], NoticeKind.CANCELLED)
    return APPLIED


def _subscription_deleted(store: LedgerStore, subscription: dict, at: datetime) -> str:
    _subscription_changed(store, {**subscription, "status": "canceled"}, at)
    ended = subscription.get("ended_at") or subscription.get("canceled_at") or 0
    changed = store.end_subscription(subscription["id"], datetime.fromtimestamp(ended, UTC))
    return APPLIED if changed else UNMATCHED


def _charge_refunded(store: LedgerStore, charge: dict, at: datetime) -> str:
    donation = store.donation("payment_intent", stripe_id(charge.get("payment_intent")))
    if donation is None:
        return UNMATCHED
    # Stripe lists the charge's refunds where the API version and expansion include them;
    # otherwise each refund arrives as its own ``refund.*`` event.
    for refund in (charge.get("refunds") or {}).get("data") or []:
        _record_refund(store, donation, refund)
    return APPLIED


def _refund_changed(store: LedgerStore, refund: dict, _at: datetime) -> str:
    donation = store.donation("payment_intent", stripe_id(refund.get("payment_intent")))
    if donation is None:
        return UNMATCHED
    _record_refund(store, donation, refund)
    return APPLIED


def _dispute_changed(store: LedgerStore, dispute: dict, _at: datetime) -> str:
    donation = store.donation("payment_intent", stripe_id(dispute.get("payment_intent")))
    if donation is None:
        return UNMATCHED
    values = {**dispute_values(dispute), "donation_id": donation.id}
    stored = store.mirror("dispute", dispute["id"])
    if stored is None or advances(DISPUTE_RANK, stored.status, values["status"]):
        store.put_mirror("dispute", dispute["id"], values, exists=stored is not None)
    return APPLIED


def _transfer_reversed(store: LedgerStore, transfer: dict, _at: datetime) -> str:
    # A refund with ``reverse_transfer`` (the portal's, or one made in Stripe's Dashboard)
    # takes a destination charge's share back from the member; what was reversed only grows.
    intent = destination_charge_intent(transfer)
    if intent is None:
        return IGNORED
    donation = store.donation("payment_intent", intent)
    if donation is None:
        return UNMATCHED
    values = transfer_values(transfer, donation.id)
    stored = store.mirror("transfer", transfer["id"])
    if stored is None or values["amount_reversed"] > stored.amount_reversed:
        store.put_mirror("transfer", transfer["id"], values, exists=stored is not None)
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
    "invoice.paid": _invoice_outcome(DonationStatus.PAID),
    "invoice.payment_failed": _invoice_outcome(DonationStatus.FAILED),
    "invoice_payment.paid": _invoice_payment_paid,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_deleted,
    "charge.refunded": _charge_refunded,
    "transfer.reversed": _transfer_reversed,
    **dict.fromkeys(REFUND_EVENTS, _refund_changed),
    **dict.fromkeys(DISPUTE_EVENTS, _dispute_changed),
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


def _add_renewal(store: LedgerStore, first, invoice: dict, status: DonationStatus) -> None:
    values = renewal_values(first, invoice)
    changes = invoice_changes(SimpleNamespace(**values), invoice, status)
    renewal = store.add({**values, **changes})
    _notify_status(store, renewal, changes)
    _apply_parked(store, renewal, changes)


def _record_refund(store: LedgerStore, donation, refund: dict) -> None:
    """Keep the refund's furthest state, then the donation's total refunded and status."""
    values = {**refund_values(refund), "donation_id": donation.id}
    stored = store.mirror("refund", refund["id"])
    if stored is not None and not advances(REFUND_RANK, stored.status, values["status"]):
        return
    store.put_mirror("refund", refund["id"], values, exists=stored is not None)
    refunded = store.refunded(donation.id)
    changes = {"amount_refunded": refunded} if refunded != donation.amount_refunded else {}
    whole = refunded >= donation.amount
    if whole and donation.status in {DonationStatus.PAID, DonationStatus.PROCESSING}:
        changes["status"] = DonationStatus.REFUNDED
    elif not whole and donation.status == DonationStatus.REFUNDED:
        changes["status"] = DonationStatus.PAID  # a refund failed: the money came back
    store.save(donation, changes)
    if values["status"] == RefundStatus.SUCCEEDED:
        store.notify(Notice(NoticeKind.REFUNDED, donation.id, refund["id"]))


def _apply(store: LedgerStore, donation, changes: dict) -> None:
    """Write ``changes``, then the events that were waiting for an id the donation learned."""
    store.save(donation, changes)
    _notify_status(store, donation, changes)
    _apply_parked(store, donation, changes)


def _apply_parked(store: LedgerStore, donation, changes: dict) -> None:
    waiting = waiting_ids(changes)
    if not waiting:
        return  # events for ids known before were applied when they arrived
    # Regardless of outcome: a cancellation applied to the first payment also ends a renewal
    # row that arrives after it.
    for event in store.parked(waiting, PARKABLE):
        parked = _parked_object(event)
        if not parked:
            continue
        outcome = HANDLERS[event.type](store, parked, event.stripe_created)
        if outcome == APPLIED:
            store.set_outcome(event.id, APPLIED)


def _parked_object(event) -> dict:
    if event.payload is not None:
        return json.loads(event.payload)
    # Parked before payloads were kept: a cancellation needs only its subscription; a refund
    # of that time carries no amount, and is left for staff (it stays "unmatched").
    if event.type == "customer.subscription.deleted":
        return {"id": event.related_id, "ended_at": int(event.stripe_created.timestamp())}
    return {}


def _notify_status(store: LedgerStore, donation, changes: dict) -> None:
    status = changes.get("status")
    if status == DonationStatus.PAID:
        store.notify(Notice(NoticeKind.THANKS, donation.id, str(donation.id)))
    elif status == DonationStatus.FAILED and donation.stripe_invoice_id is not None:
        store.notify(Notice(NoticeKind.PAYMENT_FAILED, donation.id, donation.stripe_invoice_id))


def _notify_first(store: LedgerStore, subscription: str, kind: NoticeKind) -> None:
    first = store.donation("subscription", subscription)
    if first is not None:
        store.notify(Notice(kind, first.id, subscription))


def _period_end(subscription: dict) -> int | None:
    items = (subscription.get("items") or {}).get("data") or [{}]
    return items[0].get("current_period_end") or subscription.get("current_period_end")
