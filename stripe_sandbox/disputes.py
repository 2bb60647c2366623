"""Disputes: a donor's bank disputes a charge, the evidence deadline, and the bank's verdict.

Opened and closed through test controls (a real dispute starts at the donor's bank);
``POST /v1/disputes/{id}`` submits evidence and ``POST /v1/disputes/{id}/close`` accepts the
loss, as in Stripe's API.
"""

from __future__ import annotations

from stripe_sandbox.errors import StripeError
from stripe_sandbox.ids import new_id, now
from stripe_sandbox.params import array, boolean, clean_params, metadata, obj, string
from stripe_sandbox.state import NO_REQUEST, Sandbox

EVIDENCE_DAYS = 7
REASONS = ("fraudulent", "product_not_received", "duplicate", "general", "unrecognized")
DISPUTE_UPDATE = obj(
    {
        "evidence": obj({"uncategorized_text": string(), "customer_email_address": string()}),
        "submit": boolean(),
        "metadata": metadata(),
        "expand": array(string()),
    }
)
_EVIDENCE_KEYS = [
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
]


def open_dispute(
    sandbox: Sandbox, intent_id: str, *, amount: int | None = None, reason: str = "fraudulent"
) -> dict:
    """The bank disputes the PaymentIntent's charge: ``charge.dispute.created``."""
    if reason not in REASONS:
        raise StripeError(f"reason must be one of {', '.join(REASONS)}", param="reason")
    with sandbox.store.lock:
        intent = sandbox.store.require("payment_intent", intent_id, "payment_intent")
        charge = sandbox.store.require("charge", intent["latest_charge"] or "", "charge")
        if charge["status"] != "succeeded" or charge["disputed"]:
            raise StripeError(f"Charge {charge['id']} cannot be disputed now.", param="charge")
        created = now()
        dispute = sandbox.store.add(
            dispute_object(charge, amount or charge["amount"], reason, created=created)
        )
        charge["disputed"] = True
        sandbox.emit("charge.dispute.created", dispute)
        # A chargeback takes the disputed amount from the balance at once.
        sandbox.emit("charge.dispute.funds_withdrawn", dispute)
        return dispute


def update(sandbox: Sandbox, dispute_id: str, params: dict, request=NO_REQUEST) -> dict:
    """Add evidence; ``submit`` sends it to the bank: ``charge.dispute.updated``."""
    cleaned = clean_params(DISPUTE_UPDATE, params)
    with sandbox.store.lock:
        dispute = _open(sandbox, dispute_id)
        dispute["evidence"].update(cleaned.get("evidence") or {})
        dispute["metadata"].update(cleaned.get("metadata") or {})
        details = dispute["evidence_details"]
        details["has_evidence"] = any(dispute["evidence"][key] for key in _EVIDENCE_KEYS)
        if cleaned.get("submit", True):
            details["submission_count"] += 1
            dispute["status"] = "under_review"
        sandbox.emit("charge.dispute.updated", dispute, request=request)
        return dispute


def close(sandbox: Sandbox, dispute_id: str, *, won: bool, request=NO_REQUEST) -> dict:
    """The bank decides (or the coalition accepts the loss): ``charge.dispute.closed``; a won
    dispute's money comes back: ``charge.dispute.funds_reinstated``."""
    with sandbox.store.lock:
        dispute = _open(sandbox, dispute_id)
        dispute["status"] = "won" if won else "lost"
        dispute["is_charge_refundable"] = False
        sandbox.emit("charge.dispute.closed", dispute, request=request)
        if won:
            sandbox.emit("charge.dispute.funds_reinstated", dispute)
        return dispute


def _open(sandbox: Sandbox, dispute_id: str) -> dict:
    dispute = sandbox.store.require("dispute", dispute_id, "dispute")
    if dispute["status"] in ("won", "lost"):
        raise StripeError(f"This dispute is already closed ({dispute['status']}).", param="dispute")
    return dispute


def dispute_object(charge: dict, amount: int, reason: str, *, created: int) -> dict:
    """A new Dispute of ``charge``, needing a response within ``EVIDENCE_DAYS``."""
    return {
        "id": new_id("dp_"),
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge["id"],
        "created": created,
        "currency": charge["currency"],
        "enhanced_eligibility_types": [],
        "evidence": {**dict.fromkeys(_EVIDENCE_KEYS), "enhanced_evidence": {}},
        "evidence_details": {
            "due_by": created + EVIDENCE_DAYS * 86_400,
            "enhanced_eligibility": {},
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "payment_method_details": {
            "card": {
                "brand": "visa",
                "case_type": "chargeback",
                "network_reason_code": "10.4",
                "network": "visa",
            },
            "type": "card",
        },
        "reason": reason,
        "status": "needs_response",
    }
