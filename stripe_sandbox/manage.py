"""What a donor does to a running subscription: update or cancel it through the API, and
Stripe's hosted Billing Portal (``POST /v1/billing_portal/sessions``) to change the card or
cancel. Each change sends the events Stripe sends."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, redirect, render_template_string, request

from stripe_sandbox import api, billing, subscriptions
from stripe_sandbox.errors import (
    StripeError,
    missing_parameter,
    resource_missing,
    unknown_parameter,
)
from stripe_sandbox.ids import new_id, now

portal_bp = Blueprint("billing_portal", __name__)

_FLOWS = {"payment_method_update", "subscription_cancel"}


@api.bp.delete("/subscriptions/<subscription_id>")
def cancel_subscription(subscription_id: str) -> Response:
    """Cancel a subscription now: ``customer.subscription.deleted``."""
    state = api.sandbox()
    return api.json_response(copy.deepcopy(subscriptions.cancel(state, subscription_id)))


@api.bp.post("/subscriptions/<subscription_id>")
def update_subscription(subscription_id: str) -> Response:
    """Cancel at the period's end (or take that back), or change an item's price and the
    application fee; ``customer.subscription.updated`` with ``previous_attributes``."""

    def handler(params: dict, req) -> dict:
        state = api.sandbox()
        with state.store.lock:
            sub = state.store.require("subscription", subscription_id, "subscription")
            if sub["status"] in ("canceled", "incomplete_expired"):
                raise StripeError(
                    f"A canceled subscription can only update its cancellation_details "
                    f"and metadata; {subscription_id} is {sub['status']}.",
                    param="subscription",
                )
            previous = _apply_update(sub, params)
            state.emit("customer.subscription.updated", sub, request=req, previous=previous)
            return copy.deepcopy(sub)

    return api._idempotent(handler)


_UPDATABLE = {
    "application_fee_percent",
    "cancel_at_period_end",
    "expand",
    "items",
    "proration_behavior",
}
_PRORATIONS = ("always_invoice", "create_prorations", "none")


def _apply_update(sub: dict, params: dict) -> dict:
    """Apply ``params`` to ``sub``; returns the event's ``previous_attributes``."""
    unknown = set(params) - _UPDATABLE
    if unknown:
        raise unknown_parameter(sorted(unknown)[0])
    proration = params.get("proration_behavior", "create_prorations")
    if proration not in _PRORATIONS:
        raise StripeError(
            f"Invalid proration_behavior: must be one of {', '.join(_PRORATIONS)}",
            param="proration_behavior",
        )
    previous: dict = {}
    if "cancel_at_period_end" in params:
        flag = params["cancel_at_period_end"]
        if flag not in ("true", "false"):
            raise StripeError("Invalid boolean: " + str(flag), param="cancel_at_period_end")
        item_end = sub["items"]["data"][0]["current_period_end"]
        previous.update(
            {key: sub[key] for key in ("cancel_at", "cancel_at_period_end", "canceled_at")}
        )
        sub["cancel_at_period_end"] = flag == "true"
        sub["cancel_at"] = item_end if flag == "true" else None
        sub["canceled_at"] = now() if flag == "true" else None
    if "items" in params:
        if proration != "none":
            # Prorations would bill part of a month now; the sandbox does not compute them.
            raise StripeError(
                "The Stripe sandbox changes an item's price only with "
                "proration_behavior=none (Stripe itself also prorates).",
                param="proration_behavior",
            )
        previous["items"] = copy.deepcopy(sub["items"])
        _change_price(sub, params["items"])
    if "application_fee_percent" in params:
        previous["application_fee_percent"] = sub["application_fee_percent"]
        sub["application_fee_percent"] = _fee_percent(params["application_fee_percent"])
    return previous


def _change_price(sub: dict, items: dict) -> None:
    """Give item ``items[0][id]`` a new inline Price (``price_data``), as Stripe does."""
    if not isinstance(items, dict) or set(items) != {"0"}:
        raise StripeError(
            "The Stripe sandbox changes one subscription item a request.", param="items"
        )
    change = items["0"]
    found = [i for i in sub["items"]["data"] if i["id"] == change.get("id")]
    if not found:
        raise resource_missing("subscription item", change.get("id"), "items[0][id]")
    item = found[0]
    data = change.get("price_data")
    if not isinstance(data, dict):
        raise missing_parameter("items[0][price_data]")
    for name in ("currency", "product", "recurring", "unit_amount"):
        if not data.get(name):
            raise missing_parameter(f"items[0][price_data][{name}]")
    old = item["price"]
    if data["currency"] != sub["currency"]:
        raise StripeError(
            f"The price specified does not match the subscription's currency ({sub['currency']}).",
            param="items[0][price_data][currency]",
        )
    if data["product"] != old["product"]:
        raise resource_missing("product", data["product"], "items[0][price_data][product]")
    recurring = data["recurring"]
    if not isinstance(recurring, dict) or recurring.get("interval") not in INTERVALS:
        raise StripeError(
            "Invalid items[0][price_data][recurring][interval]: must be one of "
            + ", ".join(INTERVALS),
            param="items[0][price_data][recurring][interval]",
        )
    amount = _unit_amount(data["unit_amount"])
    price = {
        **copy.deepcopy(old),
        "id": new_id("price_"),
        "created": now(),
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }
    price["recurring"] = {
        **old["recurring"],
        "interval": recurring["interval"],
        "interval_count": int(recurring.get("interval_count", 1)),
    }
    item.update(price=price, plan=billing.plan(price))


INTERVALS = ("day", "week", "month", "year")


def _unit_amount(value: str) -> int:
    param = "items[0][price_data][unit_amount]"
    if not str(value).isdigit():
        raise StripeError(f"Invalid integer: {value}", param=param)
    amount = int(value)
    if amount < 50:
        raise StripeError("Amount must be at least 50 cents", code="amount_too_small", param=param)
    if amount > 99_999_999:
        raise StripeError(
            "Amount must be no more than $999,999.99", code="amount_too_large", param=param
        )
    return amount


def _fee_percent(value: str) -> float | None:
    if value == "":
        return None
    try:
        percent = float(value)
    except ValueError:
        raise StripeError(f"Invalid decimal: {value}", param="application_fee_percent") from None
    if not 0 <= percent <= 100:
        raise StripeError(
            "application_fee_percent must be between 0 and 100",
            param="application_fee_percent",
        )
    return percent


@api.bp.post("/billing_portal/sessions")
def create_portal_session() -> Response:
    """A short-lived link to the hosted portal for one customer."""

    def handler(params: dict, req) -> dict:
        state = api.sandbox()
        customer = params.get("customer")
        if not customer:
            raise StripeError("Missing required param: customer.", param="customer")
        flow = params.get("flow_data") or {}
        if flow and flow.get("type") not in _FLOWS:
            raise StripeError("Invalid flow_data[type]", param="flow_data[type]")
        public = state.public_url or request.host_url.rstrip("/")
        with state.store.lock:
            state.store.require("customer", customer, "customer")
            session_id = new_id("bps_")
            session = {
                "id": session_id,
                "object": "billing_portal.session",
                "created": now(),
                "customer": customer,
                "flow": {"type": flow["type"]} if flow else None,
                "livemode": False,
                "locale": params.get("locale"),
                "return_url": params.get("return_url"),
                "url": f"{public}/p/session/{session_id}",
            }
            state.store.private[session_id] = session
            return session

    return api._idempotent(handler)


_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>Stripe sandbox — billing portal</title>
<main><h1>Manage your monthly gift</h1>
<p>Stripe sandbox — no money moves.</p>
{% for sub in subs %}
<section><h2>{{ sub.id }}</h2><p>Status: {{ sub.status }}</p>
<form method="post"><input type="hidden" name="subscription" value="{{ sub.id }}">
<label for="card">New card number</label>
<input id="card" name="card" inputmode="numeric" value="4242 4242 4242 4242">
<button name="action" value="update_card">Update card</button>
<button name="action" value="cancel">Cancel subscription</button></form></section>
{% endfor %}
{% if done %}<p role="status">{{ done }}</p>{% endif %}
{% if return_url %}<p><a href="{{ return_url }}">Return to the site</a></p>{% endif %}
</main></html>"""


@portal_bp.route("/p/session/<session_id>", methods=["GET", "POST"])
def portal_page(session_id: str):
    state = api.sandbox()
    session = state.store.private.get(session_id)
    if not session or session.get("object") != "billing_portal.session":
        return "This portal session does not exist or has expired.", 404
    done = None
    if request.method == "POST":
        done = _act(state, session, request.form.get("subscription", ""), request.form)
        if session.get("return_url") and done:
            return redirect(session["return_url"], code=303)
    with state.store.lock:
        subs = [
            copy.deepcopy(s)
            for s in state.store.objects.values()
            if s["object"] == "subscription"
            and s["customer"] == session["customer"]
            and s["status"] != "canceled"
        ]
    return render_template_string(_PAGE, subs=subs, done=done, return_url=session.get("return_url"))


def _act(state, session: dict, subscription_id: str, form) -> str | None:
    sub = state.store.find("subscription", subscription_id)
    if sub is None or sub["customer"] != session["customer"]:
        return None
    if form.get("action") == "cancel":
        subscriptions.cancel(state, subscription_id)
        return "Subscription cancelled."
    with state.store.lock:
        method = new_id("pm_")
        customer = state.store.require("customer", session["customer"])
        customer["invoice_settings"]["default_payment_method"] = method
        sub["default_payment_method"] = method
        state.emit("customer.subscription.updated", sub)
    return "Card updated."
