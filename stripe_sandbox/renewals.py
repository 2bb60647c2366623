"""Renewals that fail: the card is declined, the subscription goes past due, a retry recovers.

As Stripe's Smart Retries: the failed invoice stays open, ``invoice.payment_failed`` and
``customer.subscription.updated`` (``past_due``) are sent; a later successful attempt pays the
same invoice (``invoice.paid``, ``invoice_payment.paid``) and makes the subscription active.
"""

from __future__ import annotations

from stripe_sandbox import invoice_payments, invoices, payments
from stripe_sandbox.errors import StripeError
from stripe_sandbox.ids import new_id, now
from stripe_sandbox.state import Sandbox

RETRY_AFTER_SECONDS = 3 * 86_400


def fail_first_attempt(sandbox: Sandbox, sub: dict, invoice: dict, owner: dict) -> dict:
    """Decline the renewal invoice's payment (store lock held by the caller)."""
    intent = payments.payment_intent(
        new_id("pi_"),
        amount=invoice["amount_due"],
        currency=invoice["currency"],
        created=now(),
        data={"description": "Subscription update"},
        customer=owner["id"],
    )
    sandbox.store.add(intent)
    charge = payments.charge(intent, email=owner["email"], created=now(), status="failed")
    payments.attach_charge(intent, sandbox.store.add(charge))
    sandbox.store.private[invoice["id"]] = {"payment_intent": intent["id"]}
    invoices.record_attempt(invoice)
    invoice["next_payment_attempt"] = now() + RETRY_AFTER_SECONDS
    sub["status"] = "past_due"
    sandbox.emit("invoice.payment_failed", invoice)
    sandbox.emit("customer.subscription.updated", sub)
    return invoice


def retry(sandbox: Sandbox, invoice_id: str) -> dict:
    """The next attempt at an open invoice succeeds; returns the paid invoice."""
    with sandbox.store.lock:
        invoice = sandbox.store.require("invoice", invoice_id, "invoice")
        if invoice["status"] != "open":
            raise StripeError(f"Invoice {invoice_id} is {invoice['status']}.", param="invoice")
        intent = sandbox.store.require(
            "payment_intent", sandbox.store.private[invoice_id]["payment_intent"]
        )
        owner = sandbox.store.require("customer", invoice["customer"])
        charge = payments.charge(intent, email=owner["email"], created=now(), status="succeeded")
        payments.attach_charge(intent, sandbox.store.add(charge))
        invoices.record_attempt(invoice)
        invoice["next_payment_attempt"] = None
        invoices.mark_paid(invoice, at=now())
        sub_id = invoice["parent"]["subscription_details"]["subscription"]
        sub = sandbox.store.require("subscription", sub_id)
        invoice_payments.emit_paid(sandbox, invoice)
        if sub["status"] in ("past_due", "unpaid"):
            sub["status"] = "active"
            sandbox.emit("customer.subscription.updated", sub)
        return invoice
