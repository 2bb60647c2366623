"""InvoicePayment objects: how current API versions say which PaymentIntent paid an invoice.

Since the basil API versions an Invoice no longer carries ``payment_intent``; Stripe tells it by
an ``invoice_payment.paid`` event (and the InvoicePayments API), sent with ``invoice.paid``.
"""

from __future__ import annotations

from stripe_sandbox.ids import new_id, now
from stripe_sandbox.state import Sandbox


def invoice_payment(invoice: dict, intent_id: str, *, paid_at: int) -> dict:
    """The paid InvoicePayment linking ``invoice`` to its PaymentIntent."""
    return {
        "id": new_id("inpay_"),
        "object": "invoice_payment",
        "amount_paid": invoice["amount_paid"],
        "amount_requested": invoice["amount_due"],
        "created": paid_at,
        "currency": invoice["currency"],
        "invoice": invoice["id"],
        "is_default": True,
        "livemode": False,
        "payment": {"type": "payment_intent", "payment_intent": intent_id},
        "status": "paid",
        "status_transitions": {"canceled_at": None, "paid_at": paid_at},
    }


def emit_paid(sandbox: Sandbox, invoice: dict) -> dict:
    """``invoice.paid``, then ``invoice_payment.paid`` with the payment that paid it."""
    with sandbox.store.lock:
        intent_id = sandbox.store.private[invoice["id"]]["payment_intent"]
        payment = sandbox.store.add(invoice_payment(invoice, intent_id, paid_at=now()))
        sandbox.store.private[invoice["id"]]["invoice_payment"] = payment["id"]
        sandbox.emit("invoice.paid", invoice)
        sandbox.emit("invoice_payment.paid", payment)
        return payment


def for_invoice(sandbox: Sandbox, invoice_id: str) -> list[dict]:
    """The invoice's payments (``GET /v1/invoice_payments?invoice=…``)."""
    with sandbox.store.lock:
        found = sandbox.store.private.get(invoice_id, {}).get("invoice_payment")
        return [] if found is None else [sandbox.store.snapshot("invoice_payment", found)]
