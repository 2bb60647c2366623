"""Test and development controls under ``/_sandbox`` (not part of Stripe's API)."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, request

from stripe_sandbox import disputes, flows, refunds, renewals, subscriptions
from stripe_sandbox.api import json_response, sandbox
from stripe_sandbox.errors import StripeError
from stripe_sandbox.webhooks import FLUSH_ORDERS

bp = Blueprint("control", __name__, url_prefix="/_sandbox")

_SETTING_TYPES = {
    "url": (str, type(None)),
    "secret": (str,),
    "duplicate": (int,),
    "hold": (bool,),
    "fail_first": (int,),
    "retry_delays": (list,),
    "timeout": (int, float),
}


def _payload() -> dict:
    """Control calls accept JSON or form bodies."""
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        return body
    return request.form.to_dict()


def _object(obj: dict) -> Response:
    with sandbox().store.lock:
        return json_response(copy.deepcopy(obj))


@bp.post("/reset")
def reset() -> Response:
    """Forget everything, as if the sandbox had just started."""
    sandbox().reset()
    return json_response({"reset": True})


@bp.post("/checkout/sessions/<checkout_id>/settle")
def settle(checkout_id: str) -> Response:
    """Resolve a ``pay_async`` payment with ``outcome=succeeded|failed``."""
    outcome = _payload().get("outcome")
    if outcome not in ("succeeded", "failed"):
        raise StripeError("outcome must be `succeeded` or `failed`.", param="outcome")
    session = flows.settle(sandbox(), checkout_id, succeeded=outcome == "succeeded")
    return _object(session)


@bp.post("/checkout/sessions/<checkout_id>/refund")
def refund(checkout_id: str) -> Response:
    """Refund the session's payment in full; answers with the refunded charge."""
    return _object(flows.refund(sandbox(), checkout_id))


@bp.post("/checkout/sessions/<checkout_id>/expire")
def expire(checkout_id: str) -> Response:
    """Expire an open session, as the API's expire does."""
    return _object(flows.expire(sandbox(), checkout_id))


@bp.post("/subscriptions/<subscription_id>/renew")
def renew(subscription_id: str) -> Response:
    """Bill the next period (``outcome=failed``: the card is declined); answers with the invoice."""
    outcome = _payload().get("outcome", "succeeded")
    if outcome not in ("succeeded", "failed"):
        raise StripeError("outcome must be `succeeded` or `failed`.", param="outcome")
    invoice = subscriptions.renew(sandbox(), subscription_id, succeeds=outcome == "succeeded")
    return _object(invoice)


@bp.post("/invoices/<invoice_id>/retry")
def retry_invoice(invoice_id: str) -> Response:
    """A successful retry of a failed renewal; answers with the paid invoice."""
    return _object(renewals.retry(sandbox(), invoice_id))


@bp.post("/refunds/<refund_id>/fail")
def fail_refund(refund_id: str) -> Response:
    """The refund fails later (``reason``, default expired_or_canceled_card)."""
    reason = _payload().get("reason", "expired_or_canceled_card")
    return _object(refunds.fail(sandbox(), refund_id, reason))


@bp.post("/payment_intents/<intent_id>/dispute")
def open_dispute(intent_id: str) -> Response:
    """The donor's bank disputes the payment (``amount``, ``reason``); answers with the dispute."""
    payload = _payload()
    amount = payload.get("amount")
    if amount is not None and not str(amount).isdigit():
        raise StripeError("amount must be a whole number of minor units.", param="amount")
    dispute = disputes.open_dispute(
        sandbox(),
        intent_id,
        amount=int(amount) if amount is not None else None,
        reason=payload.get("reason", "fraudulent"),
    )
    return _object(dispute)


@bp.post("/disputes/<dispute_id>/close")
def close_dispute(dispute_id: str) -> Response:
    """The bank decides: ``outcome=won|lost``."""
    outcome = _payload().get("outcome")
    if outcome not in ("won", "lost"):
        raise StripeError("outcome must be `won` or `lost`.", param="outcome")
    return _object(disputes.close(sandbox(), dispute_id, won=outcome == "won"))


@bp.post("/subscriptions/<subscription_id>/cancel")
def cancel(subscription_id: str) -> Response:
    """Cancel the subscription now; answers with it."""
    return _object(subscriptions.cancel(sandbox(), subscription_id))


@bp.get("/webhooks")
def webhook_settings() -> Response:
    """The current delivery settings."""
    return json_response(sandbox().webhooks.configure())


@bp.post("/webhooks")
def configure_webhooks() -> Response:
    """Change delivery: url, secret, duplicate, hold, fail_first, retry_delays, timeout."""
    return json_response(sandbox().webhooks.configure(**validate_settings(_payload())))


def validate_settings(changes: dict) -> dict:
    """Check webhook settings sent as JSON; raises a Stripe-shaped 400 on a bad one."""
    for key, value in changes.items():
        if key not in _SETTING_TYPES:
            raise StripeError(f"Unknown webhook setting: {key}", param=key)
        if not isinstance(value, _SETTING_TYPES[key]) or (
            isinstance(value, bool) and bool not in _SETTING_TYPES[key]
        ):
            raise StripeError(f"Invalid value for {key}: {value!r}", param=key)
        if key in ("duplicate", "fail_first") and value < 0:
            raise StripeError(f"{key} must be 0 or more", param=key)
    if "retry_delays" in changes:
        delays = changes["retry_delays"]
        if not all(isinstance(d, int | float) and d >= 0 for d in delays):
            raise StripeError("retry_delays must be numbers of seconds", param="retry_delays")
        changes = {**changes, "retry_delays": tuple(delays)}
    return changes


@bp.post("/webhooks/flush")
def flush_webhooks() -> Response:
    """Send held events, ``order`` as_is, reverse or shuffle (with an optional ``seed``)."""
    payload = _payload()
    order = payload.get("order", "as_is")
    if order not in FLUSH_ORDERS:
        raise StripeError(f"order must be one of {', '.join(FLUSH_ORDERS)}", param="order")
    released = sandbox().webhooks.flush(order, payload.get("seed"))
    return json_response({"flushed": released, "order": order})


@bp.get("/deliveries")
def deliveries() -> Response:
    """Every webhook delivery so far: event_id, type, attempts, status_code, delivered…"""
    return json_response({"object": "list", "data": sandbox().webhooks.deliveries()})
