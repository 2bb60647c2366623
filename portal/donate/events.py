"""What a Stripe event changes on a donation: the ledger's arithmetic, without a database.

``ledger`` calls these for every store. A donation here is anything with the ``Donation``
columns as attributes: a model or a plain row.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portal.models import DonationStatus, Frequency, status_advances, utcnow

APPLIED, DUPLICATE, IGNORED, UNMATCHED = "applied", "duplicate", "ignored", "unmatched"

# Events that may arrive before their donation knows the id they name; they wait in
# ``stripe_event.related_id`` until it does.
PARKABLE = ("charge.refunded", "customer.subscription.deleted")
_WAITED_FOR = ("stripe_payment_intent_id", "stripe_subscription_id")


def event_row(event: dict) -> dict:
    """The ``stripe_event`` row that marks ``event`` as received, its outcome still pending."""
    kind, obj = event["type"], event["data"]["object"]
    return {
        "id": event["id"],
        "type": kind,
        "object_id": obj.get("id"),
        "related_id": _related_id(kind, obj),
        "stripe_created": datetime.fromtimestamp(event["created"], UTC),
        "received_at": utcnow(),
        "outcome": "pending",
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
    if checkout.get("status") == "complete":
        paid = checkout.get("payment_status") in {"paid", "no_payment_required"}
        advance(changes, donation, DonationStatus.PAID if paid else DonationStatus.PROCESSING)
    return changes


def invoice_changes(donation, invoice: dict) -> dict:
    """The columns a paid invoice changes on ``donation`` (its first payment or a renewal)."""
    changes = new_ids(
        donation,
        subscription=invoice_subscription(invoice),
        invoice=invoice["id"],
        payment_intent=invoice_payment_intent(invoice),
    )
    return advance(changes, donation, DonationStatus.PAID)


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
        "organization_id": first.organization_id,
        "amount": invoice.get("amount_paid") or first.amount,
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
        "stripe_invoice_id": invoice["id"],
    }


def metadata_donation_id(metadata: dict | None) -> int | None:
    """Our donation id, as the Checkout Session's metadata carries it."""
    donation_id = (metadata or {}).get("donation_id", "")
    return int(donation_id) if donation_id.isdigit() else None


def invoice_subscription(invoice: dict) -> str | None:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return stripe_id(details.get("subscription") or invoice.get("subscription"))


def invoice_metadata(invoice: dict) -> dict:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("metadata") or invoice.get("subscription_details", {}).get("metadata") or {}


def invoice_payment_intent(invoice: dict) -> str | None:
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
    """``changes`` with ``status`` added if it is further along than the donation's own."""
    if status_advances(changes.get("status", donation.status), status):
        changes["status"] = status
    return changes


def _related_id(kind: str, obj: dict) -> str | None:
    if kind == "charge.refunded":
        return stripe_id(obj.get("payment_intent"))
    if kind == "customer.subscription.deleted":
        return obj.get("id")
    return None
