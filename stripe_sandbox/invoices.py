"""Invoice and invoice line objects for subscriptions, in the current API's shape.

Current API versions name an invoice's subscription under
``parent.subscription_details.subscription``; the legacy top-level ``subscription`` key that
Stripe's fixture still lists is always ``null`` here, as it is absent from current Stripe.
"""

from __future__ import annotations

from stripe_sandbox.ids import new_id
from stripe_sandbox.money import format_amount


def line_description(quantity: int, name: str, unit_amount: int, price: dict) -> str:
    """Stripe's ``1 × Name (at $5.00 / month)`` line text, with the currency code spelled out."""
    amount = format_amount(unit_amount, price["currency"])
    recurring = price["recurring"]
    if recurring is None:
        return f"{quantity} × {name}"
    every = recurring["interval"]
    if recurring["interval_count"] > 1:
        every = f"every {recurring['interval_count']} {every}s"
    return f"{quantity} × {name} (at {amount} / {every})"


def invoice_line(
    *,
    invoice_id: str,
    subscription_id: str,
    item: dict,
    name: str,
    period: tuple[int, int],
) -> dict:
    """One line of a subscription invoice; ``item`` is a subscription item or a one-time charge."""
    item_price = item["price"]
    amount = item_price["unit_amount"] * item["quantity"]
    recurring = item["object"] == "subscription_item"
    return {
        "id": new_id("il_"),
        "object": "line_item",
        "amount": amount,
        "currency": item_price["currency"],
        "description": line_description(
            item["quantity"], name, item_price["unit_amount"], item_price
        ),
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": invoice_id,
        "livemode": False,
        "metadata": {},
        "parent": _line_parent(subscription_id, item if recurring else None),
        "period": {"end": period[1], "start": period[0]},
        "pretax_credit_amounts": [],
        "pricing": {
            "type": "price_details",
            "unit_amount_decimal": item_price["unit_amount_decimal"],
        },
        "quantity": item["quantity"],
        "quantity_decimal": str(item["quantity"]),
        "subscription": subscription_id,
        "subtotal": amount,
        "taxes": [],
    }


def _line_parent(subscription_id: str, item: dict | None) -> dict:
    if item is None:
        details = {
            "invoice_item": new_id("ii_"),
            "proration": False,
            "proration_details": {"credited_items": None},
            "subscription": subscription_id,
        }
        return {
            "invoice_item_details": details,
            "subscription_item_details": None,
            "type": "invoice_item_details",
        }
    details = {
        "invoice_item": None,
        "proration": False,
        "proration_details": {"credited_items": None},
        "subscription": subscription_id,
        "subscription_item": item["id"],
    }
    return {
        "invoice_item_details": None,
        "subscription_item_details": details,
        "type": "subscription_item_details",
    }


def invoice(
    invoice_id: str,
    *,
    owner: dict,
    sub: dict,
    lines: list[dict],
    created: int,
    billing_reason: str,
    period: tuple[int, int],
) -> dict:
    """A finalized, open subscription invoice for ``owner``; ``pay`` marks it paid."""
    total = sum(line["amount"] for line in lines)
    owner["next_invoice_sequence"] += 1
    return {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Stripe sandbox",
        "account_tax_ids": None,
        "amount_due": total,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": total,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": True,
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "automatically_finalizes_at": None,
        "billing_reason": billing_reason,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": sub["currency"],
        "custom_fields": None,
        "customer": owner["id"],
        "customer_account": None,
        "customer_address": None,
        "customer_email": owner["email"],
        "customer_name": owner["name"],
        "customer_phone": None,
        "customer_shipping": None,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "due_date": None,
        "effective_at": created,
        "ending_balance": 0,
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": {
            "object": "list",
            "data": lines,
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": f"{owner['invoice_prefix']}-{owner['next_invoice_sequence'] - 1:04d}",
        "on_behalf_of": sub["on_behalf_of"],
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": dict(sub["metadata"]), "subscription": sub["id"]},
            "type": "subscription_details",
        },
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": period[1],
        "period_start": period[0],
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "open",
        "status_transitions": {
            "finalized_at": created,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subscription": None,
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "test_clock": None,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": created,
    }


def record_attempt(target: dict) -> None:
    """Count a payment attempt on an invoice."""
    target["attempt_count"] += 1
    target["attempted"] = True


def mark_paid(target: dict, *, at: int) -> None:
    """A paid invoice owes nothing more and stops advancing on its own."""
    target["amount_paid"] = target["amount_due"]
    target["amount_remaining"] = 0
    target["status"] = "paid"
    target["auto_advance"] = False
    target["status_transitions"]["paid_at"] = at
