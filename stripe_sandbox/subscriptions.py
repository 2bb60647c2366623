"""Subscription-mode moves: start a subscription from Checkout, settle, renew and cancel it."""

from __future__ import annotations

from stripe_sandbox import billing, invoice_payments, invoices, payments, renewals
from stripe_sandbox.errors import StripeError
from stripe_sandbox.ids import new_id, now
from stripe_sandbox.state import Sandbox


def start(sandbox: Sandbox, session: dict, items: list[dict], email: str, *, settled: bool) -> dict:
    """Create customer, subscription, first invoice and its payment for a Checkout Session.

    Returns the invoice; ``settled`` False leaves the payment processing (a bank debit).
    """
    store, created = sandbox.store, now()
    owner = store.add(billing.customer(email, created=created))
    sub_id = new_id("sub_")
    recurring, one_time = _split_items(items, created)
    period = (created, _period_end(recurring[0]["price"], created))
    sub_items = [
        billing.subscription_item(
            entry["price"], quantity=entry["quantity"], subscription_id=sub_id, period=period
        )
        for entry in recurring
    ]
    data = store.private[session["id"]].get("subscription_data", {})
    sub = store.add(
        billing.subscription(sub_id, owner=owner, items=sub_items, data=data, created=created)
    )
    sandbox.emit("customer.subscription.created", sub)  # incomplete until the first payment
    owner["currency"] = sub["currency"]
    names = [entry["name"] for entry in recurring] + [entry["name"] for entry in one_time]
    charged = sub_items + [{"object": "one_time", **entry} for entry in one_time]
    invoice = _new_invoice(
        sandbox, owner, sub, charged, names, "subscription_create", (created, created)
    )
    _pay_invoice(sandbox, invoice, owner, email, settled=settled)
    session.update(customer=owner["id"], subscription=sub_id, invoice=invoice["id"])
    store.private[sub_id] = {"names": names[: len(sub_items)], "session": session["id"]}
    return invoice


def _split_items(items: list[dict], created: int) -> tuple[list[dict], list[dict]]:
    recurring, one_time = [], []
    for item in items:
        data = item["price_data"]
        entry = {
            "price": billing.price(data, created=created),
            "quantity": item["quantity"],
            "name": data["product_data"]["name"],
        }
        (recurring if "recurring" in data else one_time).append(entry)
    return recurring, one_time


def _period_end(item_price: dict, start: int) -> int:
    recurring = item_price["recurring"]
    return billing.add_interval(start, recurring["interval"], recurring["interval_count"])


def _new_invoice(sandbox, owner, sub, charged, names, reason, period) -> dict:
    invoice_id = new_id("in_")
    lines = [
        invoices.invoice_line(
            invoice_id=invoice_id,
            subscription_id=sub["id"],
            item=item,
            name=name,
            period=(
                item.get("current_period_start", period[0]),
                item.get("current_period_end", period[1]),
            ),
        )
        for item, name in zip(charged, names, strict=True)
    ]
    invoice = invoices.invoice(
        invoice_id,
        owner=owner,
        sub=sub,
        lines=lines,
        created=now(),
        billing_reason=reason,
        period=period,
    )
    sub["latest_invoice"] = invoice_id
    return sandbox.store.add(invoice)


def _pay_invoice(
    sandbox: Sandbox, invoice: dict, owner: dict, email: str, *, settled: bool
) -> None:
    store = sandbox.store
    intent = payments.payment_intent(
        new_id("pi_"),
        amount=invoice["amount_due"],
        currency=invoice["currency"],
        created=now(),
        data={"description": _invoice_description(invoice), **_connect(store, invoice)},
        customer=owner["id"],
    )
    store.add(intent)
    status = "succeeded" if settled else "pending"
    charge = store.add(payments.charge(intent, email=email, created=now(), status=status))
    payments.attach_charge(intent, charge)
    store.private[invoice["id"]] = {"payment_intent": intent["id"]}
    invoices.record_attempt(invoice)
    if settled:
        invoices.mark_paid(invoice, at=now())
    sub = store.require("subscription", invoice["parent"]["subscription_details"]["subscription"])
    sub["default_payment_method"] = intent["payment_method"]
    owner["invoice_settings"]["default_payment_method"] = intent["payment_method"]
    if settled:
        sub["status"] = "active"


def _connect(store, invoice: dict) -> dict:
    """A destination charge's transfer and application fee, from its subscription."""
    sub = store.require("subscription", invoice["parent"]["subscription_details"]["subscription"])
    if not sub["transfer_data"]:
        return {}
    percent = sub["application_fee_percent"]
    fee = round(invoice["amount_due"] * percent / 100) if percent else None
    destination = sub["transfer_data"]["destination"]
    return {"transfer_data": {"destination": destination}, "application_fee_amount": fee}


def _invoice_description(invoice: dict) -> str:
    if invoice["billing_reason"] == "subscription_create":
        return "Subscription creation"
    return "Subscription update"


def invoice_payment(sandbox: Sandbox, invoice_id: str) -> tuple[dict, dict]:
    """The PaymentIntent and latest Charge that paid an invoice."""
    intent = sandbox.store.require(
        "payment_intent", sandbox.store.private[invoice_id]["payment_intent"]
    )
    return intent, sandbox.store.require("charge", intent["latest_charge"])


def settle_first_invoice(sandbox: Sandbox, session: dict, *, succeeded: bool) -> dict:
    """Resolve the processing first payment of a subscription started by Checkout."""
    invoice = sandbox.store.require("invoice", session["invoice"])
    intent, charge = invoice_payment(sandbox, invoice["id"])
    payments.settle_charge(intent, charge, succeeded=succeeded)
    if succeeded:
        invoices.mark_paid(invoice, at=now())
        sandbox.store.require("subscription", session["subscription"])["status"] = "active"
    return invoice


def renew(sandbox: Sandbox, subscription_id: str, *, succeeds: bool = True) -> dict:
    """Bill the next period: a new paid invoice and ``invoice.paid``; or, if the card is
    declined, an open invoice and a past-due subscription (``renewals``)."""
    with sandbox.store.lock:
        sub = sandbox.store.require("subscription", subscription_id, "subscription")
        if sub["status"] != "active":
            raise StripeError(
                f"Only an active subscription can renew; {subscription_id} is {sub['status']}.",
                param="subscription",
            )
        items = sub["items"]["data"]
        previous = (items[0]["current_period_start"], items[0]["current_period_end"])
        for item in items:
            start = item["current_period_end"]
            item.update(
                current_period_start=start, current_period_end=_period_end(item["price"], start)
            )
        owner = sandbox.store.require("customer", sub["customer"])
        names = sandbox.store.private[subscription_id]["names"]
        invoice = _new_invoice(sandbox, owner, sub, items, names, "subscription_cycle", previous)
        if not succeeds:
            return renewals.fail_first_attempt(sandbox, sub, invoice, owner)
        _pay_invoice(sandbox, invoice, owner, owner["email"], settled=True)
        invoice_payments.emit_paid(sandbox, invoice)
        return invoice


def cancel(sandbox: Sandbox, subscription_id: str) -> dict:
    """Cancel now, as a donor ending a monthly gift: ``customer.subscription.deleted``."""
    with sandbox.store.lock:
        sub = sandbox.store.require("subscription", subscription_id, "subscription")
        if sub["status"] in ("canceled", "incomplete_expired"):
            raise StripeError(
                f"This subscription is already {sub['status']}.", param="subscription"
            )
        moment = now()
        sub.update(status="canceled", canceled_at=moment, ended_at=moment)
        sub["cancellation_details"]["reason"] = "cancellation_requested"
        sandbox.emit("customer.subscription.deleted", sub)
        return sub
