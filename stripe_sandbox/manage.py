"""What a donor does to a running subscription: update or cancel it through the API, and
Stripe's hosted Billing Portal (``POST /v1/billing_portal/sessions``) to change the card or
cancel. Each change sends the events Stripe sends."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, redirect, render_template_string, request

from stripe_sandbox import api, subscriptions
from stripe_sandbox.errors import StripeError
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
    """Cancel at the period's end (or take that back), or change the monthly amount."""

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
            _apply_update(sub, params)
            state.emit("customer.subscription.updated", sub, request=req)
            return copy.deepcopy(sub)

    return api._idempotent(handler)


def _apply_update(sub: dict, params: dict) -> None:
    unknown = set(params) - {"cancel_at_period_end", "items", "proration_behavior", "expand"}
    if unknown:
        name = sorted(unknown)[0]
        raise StripeError(f"Received unknown parameter: {name}", param=name)
    if "cancel_at_period_end" in params:
        flag = params["cancel_at_period_end"]
        if flag not in ("true", "false"):
            raise StripeError("Invalid boolean: " + str(flag), param="cancel_at_period_end")
        item_end = sub["items"]["data"][0]["current_period_end"]
        sub["cancel_at_period_end"] = flag == "true"
        sub["cancel_at"] = item_end if flag == "true" else None
        sub["canceled_at"] = now() if flag == "true" else None
    if "items" in params:
        _change_amount(sub, params["items"])


def _change_amount(sub: dict, items: dict) -> None:
    change = items.get("0") or {}
    item = sub["items"]["data"][0]
    if change.get("id") != item["id"]:
        raise StripeError(f"No such subscription item: '{change.get('id')}'", param="items[0][id]")
    data = change.get("price_data") or {}
    try:
        amount = int(data.get("unit_amount", ""))
    except ValueError:
        raise StripeError("Invalid integer", param="items[0][price_data][unit_amount]") from None
    if amount < 50:
        raise StripeError(
            "Amount must be at least 50 cents", param="items[0][price_data][unit_amount]"
        )
    price = item["price"]
    price.update(id=new_id("price_"), unit_amount=amount, unit_amount_decimal=str(amount))
    item["plan"] = {**item.get("plan", {}), "id": price["id"], "amount": amount}


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
