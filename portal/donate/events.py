"""What a Stripe event changes on a donation: the ledger's arithmetic, without a database.

``ledger`` calls these for every store. A donation here is anything with the ``Donation``
columns as attributes: a model or a plain row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from portal.models import (
    DisputeStatus,
    DonationStatus,
    Frequency,
    RefundStatus,
    SubscriptionStatus,
    status_advances,
    utcnow,
)

APPLIED, DUPLICATE, IGNORED, UNMATCHED = "applied", "duplicate", "ignored", "unmatched"

# Events that may arrive before their donation knows the id they name; they wait in
# ``stripe_event.related_id`` until it does.
# (A monthly payment's PaymentIntent waits for its invoice's row; a refund or a dispute for the
# PaymentIntent; a cancellation for the subscription.)
REFUND_EVENTS = ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")
DISPUTE_EVENTS = (
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
)
PARKABLE = (
    "charge.refunded",
    "transfer.reversed",
    "customer.subscription.deleted",
    "invoice_payment.paid",
    *REFUND_EVENTS,
    *DISPUTE_EVENTS,
)
_WAITED_FOR = ("stripe_payment_intent_id", "stripe_subscription_id", "stripe_invoice_id")


def event_row(event: dict, outcome: str) -> dict:
    """The ``stripe_event`` row that marks ``event`` as received, with the ``outcome`` expected
    (the ledger corrects it if applying the event ends otherwise)."""
    kind, obj = event["type"], event["data"]["object"]
    return {
        "id": event["id"],
        "type": kind,
        "object_id": _an_id(obj.get("id")),
        "related_id": _an_id(_related_id(kind, obj)),
        "stripe_created": datetime.fromtimestamp(event["created"], UTC),
        "received_at": utcnow(),
        "outcome": outcome,
        "payload": json.dumps(obj) if kind in PARKABLE else None,
    }


def checkout_changes(donation, checkout: dict) -> dict:
    """The columns a completed Checkout Session changes on ``donation``, with their new values."""
    changes = new_ids(
        donation,
        checkout_session=checkout["id"],
        payment_intent=stripe_id(checkout.get("payment_intent")),
        subscription=stripe_id(checkout.get("subscription")),
        invoice=stripe_id(checkout.get("invoice")),
    )
    if donation.share_email and not donation.donor_email:
        email = (checkout.get("customer_details") or {}).get("email")
        if email != donation.donor_email:
            changes["donor_email"] = email
    contact = (checkout.get("customer_details") or {}).get("email")
    if contact and not donation.contact_email:
        # Where the gift's notices go when their event carries no address (portal.gifts).
        changes["contact_email"] = contact
    if checkout.get("status") == "complete":
        paid = checkout.get("payment_status") in {"paid", "no_payment_required"}
        advance(changes, donation, DonationStatus.PAID if paid else DonationStatus.PROCESSING)
    return changes


def invoice_changes(donation, invoice: dict, status: DonationStatus = DonationStatus.PAID) -> dict:
    """The columns an invoice paid (or failed) changes on ``donation``, its first payment or a
    renewal."""
    changes = new_ids(
        donation,
        subscription=invoice_subscription(invoice),
        invoice=invoice["id"],
        payment_intent=invoice_payment_intent(invoice),
    )
    return advance(changes, donation, status)


def new_ids(donation, **ids: str | None) -> dict:
    """The Stripe ids ``donation`` does not know yet, by column; a known id never changes."""
    columns = {f"stripe_{name}_id": value for name, value in ids.items() if value}
    return {column: value for column, value in columns.items() if getattr(donation, column) is None}


def waiting_ids(changes: dict) -> list[str]:
    """Newly learned ids that parked events may be waiting for."""
    return [changes[column] for column in _WAITED_FOR if column in changes]


def is_first_invoice(invoice: dict, first) -> bool:
    """Whether ``invoice`` pays for the gift ``first`` itself rather than a later month."""
    if first.stripe_invoice_id is not None:
        return first.stripe_invoice_id == invoice["id"]
    return invoice.get("billing_reason") == "subscription_create"


def renewal_values(first, invoice: dict) -> dict:
    """A later month's donation row, before the invoice's own ids and status are applied."""
    return {
        "referral_id": first.referral_id,
        "referral_channel": first.referral_channel,  # each month is attributed like the first
        "referral_campaign": first.referral_campaign,
        "organization_id": first.organization_id,
        "basket_id": first.basket_id,  # each month is allocated like the first
        "amount": invoice.get("amount_paid") or invoice.get("amount_due") or first.amount,
        "amount_refunded": 0,
        "fee_cover": first.fee_cover,
        "currency": (invoice.get("currency") or first.currency).upper(),
        "frequency": Frequency.MONTHLY,
        "status": DonationStatus.OPEN,
        "dedication": first.dedication,
        "share_email": first.share_email,
        "donor_email": first.donor_email,
        "stripe_checkout_session_id": None,
        "stripe_payment_intent_id": None,
        "stripe_subscription_id": None,
        "stripe_invoice_id": None,  # learned from the invoice with its other ids
    }


def metadata_donation_id(metadata: dict | None) -> int | None:
    """Our donation id, as the Checkout Session's metadata carries it."""
    donation_id = (metadata or {}).get("donation_id", "")
    return int(donation_id) if donation_id.isdecimal() else None


def invoice_subscription(invoice: dict) -> str | None:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return stripe_id(details.get("subscription") or invoice.get("subscription"))


def invoice_metadata(invoice: dict) -> dict:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("metadata") or invoice.get("subscription_details", {}).get("metadata") or {}


def invoice_payment_intent(invoice: dict) -> str | None:
    """The PaymentIntent that paid ``invoice``, where the invoice still says (older API
    versions, or ``payments`` expanded); current versions tell it by ``invoice_payment.paid``."""
    for payment in (invoice.get("payments") or {}).get("data") or []:
        intent = stripe_id((payment.get("payment") or {}).get("payment_intent"))
        if intent:
            return intent
    return stripe_id(invoice.get("payment_intent"))


def stripe_id(value) -> str | None:
    """Stripe fields hold either an id or the expanded object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def advance(changes: dict, donation, status: DonationStatus) -> dict:
    """``changes`` with ``status`` added if it is further along than the donation's own.

    A payment whose refunds (which can arrive first) already add up to it is refunded.
    """
    if status == DonationStatus.PAID and (donation.amount_refunded or 0) >= donation.amount:
        status = DonationStatus.REFUNDED
    if status_advances(changes.get("status", donation.status), status):
        changes["status"] = status
    return changes


def _an_id(value) -> str | None:
    # A signed event whose ids are not strings can never be stored: refused (400), not retried.
    if value is not None and not isinstance(value, str):
        raise ValueError(f"not a Stripe id: {type(value).__name__}")
    return value


def _related_id(kind: str, obj: dict) -> str | None:
    if kind == "customer.subscription.deleted":
        return obj.get("id")
    if kind == "invoice_payment.paid":
        return stripe_id(obj.get("invoice"))
    if kind == "transfer.reversed":
        return destination_charge_intent(obj)
    if kind in PARKABLE:
        return stripe_id(obj.get("payment_intent"))
    return None


def destination_charge_intent(transfer: dict) -> str | None:
    """The PaymentIntent whose destination charge made ``transfer``: Stripe groups a
    destination charge's transfer as ``group_<PaymentIntent id>``; None for any other transfer
    (a basket's, which ``pay-basket-transfers`` keeps)."""
    group = transfer.get("transfer_group")
    if isinstance(group, str) and group.startswith("group_pi_"):
        return group.removeprefix("group_")
    return None


def transfer_values(transfer: dict, donation_id: int) -> dict:
    """The ``stripe_transfer`` row for a Stripe Transfer object."""
    return {
        "donation_id": donation_id,
        "destination": stripe_id(transfer.get("destination")),
        "amount": transfer["amount"],
        "amount_reversed": transfer.get("amount_reversed") or 0,
        "currency": transfer["currency"].upper(),
    }


def refund_values(refund: dict) -> dict:
    """The ``refund`` row for a Stripe Refund object."""
    return {
        "amount": refund["amount"],
        "currency": refund["currency"].upper(),
        "status": RefundStatus(refund["status"]),
        "failure_reason": refund.get("failure_reason"),
    }


# Stripe's dispute statuses, the ``warning_*`` ones (inquiries) folded into the plain ones.
_DISPUTE_STATUS = {
    "warning_needs_response": DisputeStatus.NEEDS_RESPONSE,
    "needs_response": DisputeStatus.NEEDS_RESPONSE,
    "warning_under_review": DisputeStatus.UNDER_REVIEW,
    "under_review": DisputeStatus.UNDER_REVIEW,
    "won": DisputeStatus.WON,
    "warning_closed": DisputeStatus.WON,  # an inquiry closed without becoming a chargeback
    "prevented": DisputeStatus.WON,
    "lost": DisputeStatus.LOST,
}


def dispute_values(dispute: dict) -> dict:
    """The ``dispute`` row for a Stripe Dispute object."""
    due = (dispute.get("evidence_details") or {}).get("due_by")
    return {
        "amount": dispute["amount"],
        "currency": dispute["currency"].upper(),
        "status": _DISPUTE_STATUS[dispute["status"]],
        "reason": dispute.get("reason"),
        "evidence_due_by": datetime.fromtimestamp(due, UTC) if due else None,
    }


# Rank of a subscription state among states reported by events created in the same second.
SUBSCRIPTION_RANK = {
    SubscriptionStatus.ACTIVE: 0,
    SubscriptionStatus.CANCELLING: 1,
    SubscriptionStatus.PAST_DUE: 2,
    SubscriptionStatus.UNPAID: 3,
    SubscriptionStatus.ENDED: 4,
}


def subscription_state(subscription: dict) -> SubscriptionStatus | None:
    """What a Stripe Subscription object means for the gift; None while it has not started."""
    status = subscription.get("status")
    if status in {"canceled", "incomplete_expired"} or subscription.get("ended_at"):
        return SubscriptionStatus.ENDED
    if status in {"past_due", "unpaid"}:
        return SubscriptionStatus(status)
    if status in {"active", "trialing"}:
        cancelling = subscription.get("cancel_at_period_end") or subscription.get("cancel_at")
        return SubscriptionStatus.CANCELLING if cancelling else SubscriptionStatus.ACTIVE
    return None


def subscription_amount(subscription: dict) -> int | None:
    """What each payment of a Stripe Subscription charges: its items' prices times quantities;
    None when the object does not say (an event rendered without its items)."""
    items = (subscription.get("items") or {}).get("data") or ()
    try:
        total = sum(item["price"]["unit_amount"] * item.get("quantity", 1) for item in items)
    except (KeyError, TypeError):
        return None
    return total if isinstance(total, int) and total > 0 else None


def state_is_newer(stored, status: SubscriptionStatus, at: datetime) -> bool:
    """Whether a state reported at ``at`` replaces ``stored`` (a row, or None).

    The later event wins; within one second the further state does; an ended gift stays ended.
    """
    if stored is None:
        return True
    if stored.status == SubscriptionStatus.ENDED:
        return False
    if status == SubscriptionStatus.ENDED:
        return True
    mine = (at, SUBSCRIPTION_RANK[status])
    return mine > (stored.status_at, SUBSCRIPTION_RANK[stored.status])
