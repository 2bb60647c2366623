"""Checkout Session, Event and list objects with Stripe's field names and value types."""

from __future__ import annotations

import copy

_DAY = 24 * 60 * 60


def line_items_total(items: list[dict]) -> int:
    """The sum of unit amount × quantity over the session's line items."""
    return sum(item["price_data"]["unit_amount"] * item["quantity"] for item in items)


def checkout_session(session_id: str, params: dict, *, created: int, url: str) -> dict:
    """A new, open Checkout Session built from cleaned create parameters."""
    mode = params["mode"]
    total = line_items_total(params["line_items"])
    payment = mode == "payment"
    return {
        "id": session_id,
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": params.get("allow_promotion_codes"),
        "amount_subtotal": total,
        "amount_total": total,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": params.get("billing_address_collection"),
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": created,
        "currency": params["line_items"][0]["price_data"]["currency"],
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": _custom_text(params.get("custom_text") or {}),
        "customer": None,
        "customer_account": None,
        "customer_creation": params.get("customer_creation", "if_required") if payment else None,
        "customer_details": None,
        "customer_email": params.get("customer_email"),
        "discounts": [],
        "expires_at": params.get("expires_at", created + _DAY),
        "integration_identifier": None,
        "invoice": None,
        "invoice_creation": _invoice_creation() if payment else None,
        "livemode": False,
        "locale": params.get("locale"),
        "managed_payments": None,
        "metadata": dict(params.get("metadata", {})),
        "mode": mode,
        "origin_context": None,
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required" if payment else "always",
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": params.get("payment_method_types") or ["card"],
        "payment_status": "unpaid",
        "permissions": None,
        "phone_number_collection": {
            "enabled": params.get("phone_number_collection", {}).get("enabled", False)
        },
        "recovered_from": None,
        "saved_payment_method_options": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": params.get("submit_type"),
        "subscription": None,
        "success_url": params.get("success_url"),
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted_page",
        "url": url,
        "wallet_options": None,
    }


def _custom_text(custom_text: dict) -> dict:
    keys = ("after_submit", "shipping_address", "submit", "terms_of_service_acceptance")
    return {key: custom_text.get(key) for key in keys}


def _invoice_creation() -> dict:
    return {
        "enabled": False,
        "invoice_data": {
            "account_tax_ids": None,
            "custom_fields": None,
            "description": None,
            "footer": None,
            "issuer": None,
            "metadata": {},
            "rendering_options": None,
        },
    }


def complete_session(session: dict, *, email: str, paid: bool) -> None:
    """Mark a session completed by the donor; Stripe clears ``url`` once it is not open."""
    session["status"] = "complete"
    session["payment_status"] = "paid" if paid else "unpaid"
    session["url"] = None
    session["customer_details"] = customer_details(email)
    session["collected_information"] = {
        "business_name": None,
        "individual_name": None,
        "shipping_details": None,
    }


def customer_details(email: str) -> dict:
    """What Checkout records about the person who paid."""
    return {
        "address": {
            "city": None,
            "country": "US",
            "line1": None,
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "business_name": None,
        "email": email,
        "individual_name": None,
        "name": None,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }


def event(
    event_id: str,
    event_type: str,
    obj: dict,
    *,
    created: int,
    request: tuple[str | None, str | None],
    pending_webhooks: int,
    api_version: str,
    previous: dict | None = None,
) -> dict:
    """An Event whose ``data.object`` is a snapshot of ``obj`` at this moment."""
    request_id, idempotency_key = request
    data: dict = {"object": copy.deepcopy(obj)}
    if previous:
        data["previous_attributes"] = copy.deepcopy(previous)
    return {
        "id": event_id,
        "object": "event",
        "api_version": api_version,
        "created": created,
        "data": data,
        "livemode": False,
        "pending_webhooks": pending_webhooks,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": event_type,
    }


def list_object(data: list[dict], *, has_more: bool, url: str) -> dict:
    """Stripe's list envelope, as ``auto_paging_iter`` expects it."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def line_item(session_id: str, index: int, item: dict) -> dict:
    """One of a session's line items, as ``GET …/line_items`` lists it (an ``item``)."""
    price = item["price_data"]
    amount = price["unit_amount"] * item["quantity"]
    recurring = price.get("recurring")
    key = f"{session_id[-16:]}{index:04d}"
    return {
        "id": f"li_{key}",
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": amount,
        "amount_tax": 0,
        "amount_total": amount,
        "currency": price["currency"],
        "description": (price.get("product_data") or {}).get("name"),
        "price": {
            "id": f"price_{key}",
            "object": "price",
            "active": False,
            "currency": price["currency"],
            "livemode": False,
            "metadata": {},
            "product": f"prod_{key}",
            "recurring": {"interval_count": 1, **recurring} if recurring else None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": price["unit_amount"],
        },
        "quantity": item["quantity"],
    }
