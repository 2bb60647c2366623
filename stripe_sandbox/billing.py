"""Customer, Price, Subscription and Invoice objects as Stripe Billing shapes them."""

from __future__ import annotations

import calendar
import datetime as dt

from stripe_sandbox.ids import new_id

_ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")


def add_interval(start: int, interval: str, count: int) -> int:
    """``start`` moved on by ``count`` billing intervals, with month ends clamped like Stripe."""
    moment = dt.datetime.fromtimestamp(start, tz=dt.UTC)
    if interval in ("day", "week"):
        days = count * (7 if interval == "week" else 1)
        return int((moment + dt.timedelta(days=days)).timestamp())
    months = count * (12 if interval == "year" else 1)
    year, month = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + year, month + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def customer(email: str, *, created: int) -> dict:
    """The Customer Checkout creates for a subscription."""
    return {
        "id": new_id("cus_", 14),
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": created,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": email,
        "invoice_prefix": new_id("", 8).upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def price(price_data: dict, *, created: int) -> dict:
    """The inactive Price Stripe makes from inline ``price_data``."""
    recurring = price_data.get("recurring")
    return {
        "id": new_id("price_"),
        "object": "price",
        "active": False,
        "billing_scheme": "per_unit",
        "created": created,
        "currency": price_data["currency"],
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": new_id("prod_", 14),
        "recurring": {
            "interval": recurring["interval"],
            "interval_count": recurring.get("interval_count", 1),
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        }
        if recurring
        else None,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": price_data["unit_amount"],
        "unit_amount_decimal": str(price_data["unit_amount"]),
    }


def plan(recurring_price: dict) -> dict:
    """The legacy Plan view of a recurring Price, still embedded in subscription items."""
    recurring = recurring_price["recurring"]
    return {
        "id": recurring_price["id"],
        "object": "plan",
        "active": recurring_price["active"],
        "amount": recurring_price["unit_amount"],
        "amount_decimal": recurring_price["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": recurring_price["created"],
        "currency": recurring_price["currency"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": {},
        "meter": None,
        "nickname": None,
        "product": recurring_price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def subscription_item(
    item_price: dict, *, quantity: int, subscription_id: str, period: tuple[int, int]
) -> dict:
    """One priced line of a subscription; the billing period lives here in current API versions."""
    return {
        "id": new_id("si_", 14),
        "object": "subscription_item",
        "billing_thresholds": None,
        "created": period[0],
        "current_period_end": period[1],
        "current_period_start": period[0],
        "discounts": [],
        "metadata": {},
        "plan": plan(item_price),
        "price": item_price,
        "quantity": quantity,
        "subscription": subscription_id,
        "tax_rates": [],
    }


def subscription(
    subscription_id: str, *, owner: dict, items: list[dict], data: dict, created: int
) -> dict:
    """A Subscription for ``owner`` (a customer); ``data`` is ``subscription_data``."""
    transfer = data.get("transfer_data")
    return {
        "id": subscription_id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": data.get("application_fee_percent"),
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": created,
        "billing_cycle_anchor_config": None,
        "billing_mode": {"flexible": None, "type": "classic"},
        "billing_schedules": [],
        "billing_thresholds": None,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": created,
        "currency": items[0]["price"]["currency"],
        "customer": owner["id"],
        "customer_account": None,
        "days_until_due": None,
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": data.get("description"),
        "discounts": [],
        "ended_at": None,
        "invoice_settings": {
            "account_tax_ids": None,
            "custom_fields": None,
            "description": None,
            "footer": None,
            "issuer": {"type": "self"},
        },
        "items": {
            "object": "list",
            "data": items,
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },
        "latest_invoice": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": dict(data.get("metadata", {})),
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": data.get("on_behalf_of"),
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": created,
        "status": "incomplete",
        "test_clock": None,
        "transfer_data": {"amount_percent": transfer.get("amount_percent"), **transfer}
        if transfer
        else None,
        "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": None,
    }
