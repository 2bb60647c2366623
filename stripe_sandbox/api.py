"""The ``/v1`` Stripe API routes: auth, idempotency, Checkout Sessions, events, retrievals."""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, request

from stripe_sandbox import (
    disputes,
    flows,
    invoice_payments,
    listing,
    objects,
    refunds,
    transfers,
)
from stripe_sandbox.checkout_params import EXPAND_ONLY
from stripe_sandbox.errors import StripeError
from stripe_sandbox.ids import new_id
from stripe_sandbox.params import clean_params, decode
from stripe_sandbox.state import Sandbox
from stripe_sandbox.store import IdempotentResult

bp = Blueprint("stripe_api", __name__, url_prefix="/v1")

# Collections retrievable by id: URL segment → (object type, Stripe's `param` on a 404).
_RETRIEVABLE = {
    "charges": ("charge", "charge"),
    "customers": ("customer", "customer"),
    "disputes": ("dispute", "dispute"),
    "events": ("event", "id"),
    "invoice_payments": ("invoice_payment", "invoice_payment"),
    "invoices": ("invoice", "invoice"),
    "payment_intents": ("payment_intent", "intent"),
    "refunds": ("refund", "refund"),
    "subscriptions": ("subscription", "subscription_exposed_id"),
    "transfers": ("transfer", "id"),
}
_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details."
)


def sandbox() -> Sandbox:
    """The sandbox state bound to the running app."""
    return current_app.extensions["stripe_sandbox"]


def json_response(body: dict, status: int = 200) -> Response:
    """JSON the way Stripe sends it: indented, with the request id header."""
    return Response(json.dumps(body, indent=2), status=status, mimetype="application/json")


@bp.before_request
def authenticate() -> None:
    """Every ``/v1`` call needs a test-mode secret key, as Bearer or Basic auth."""
    g.request_id = new_id("req_", 14)
    key = _api_key(request.headers.get("Authorization", ""))
    if not key:
        raise StripeError(_NO_KEY, status=401)
    if not key.startswith("sk_test_") or key == "sk_test_bad":
        raise StripeError(f"Invalid API Key provided: {_mask(key)}", status=401)
    version = request.headers.get("Stripe-Version")
    if version:
        sandbox().api_version = version


def _api_key(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value).decode().partition(":")[0] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def _mask(key: str) -> str:
    # Stripe echoes only the prefix and last four characters of a rejected key.
    if len(key) <= 12:
        return key[:8] + "***"
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def _form_pairs() -> list[tuple[str, str]]:
    body = request.get_data(as_text=True)
    return parse_qsl(body, keep_blank_values=True) + parse_qsl(
        request.query_string.decode(), keep_blank_values=True
    )


def _query_pairs() -> list[tuple[str, str]]:
    return parse_qsl(request.query_string.decode(), keep_blank_values=True)


def _idempotent(handler: Callable[[dict, tuple[str | None, str | None]], dict]) -> Response:
    """Run a POST once per ``Idempotency-Key``; replay the saved answer to repeats."""
    state, pairs = sandbox(), _form_pairs()
    key = request.headers.get("Idempotency-Key")
    endpoint = f"{request.method} {request.path}"
    # The whole request runs under the store lock, so concurrent identical requests
    # serialise: the first creates the object and the others replay its response.
    with state.store.lock:
        saved = state.store.idempotency.get(key) if key else None
        if saved is not None:
            return _replay(saved, key, endpoint, tuple(sorted(pairs)))
        body = handler(decode(pairs), (g.request_id, key))
        response = json_response(body)
        if key:
            state.store.idempotency[key] = IdempotentResult(
                endpoint, tuple(sorted(pairs)), 200, response.get_data(as_text=True), g.request_id
            )
        return response


def _replay(saved: IdempotentResult, key: str, endpoint: str, params: tuple) -> Response:
    if saved.endpoint != endpoint:
        raise StripeError(
            "Keys for idempotent requests can only be used for the same endpoint they were "
            f"first used for ('{saved.endpoint}' vs '{endpoint}'). Try using a key other than "
            f"'{key}' if you meant to execute a different request.",
            error_type="idempotency_error",
        )
    if saved.params != params:
        raise StripeError(
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
            error_type="idempotency_error",
        )
    response = Response(saved.body, status=saved.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    response.headers["Original-Request"] = saved.request_id
    return response


@bp.post("/checkout/sessions")
def create_checkout_session() -> Response:
    """Create a Checkout Session."""
    public_url = sandbox().public_url or request.host_url.rstrip("/")
    return _idempotent(
        lambda params, _req: flows.create_session(sandbox(), params, public_url=public_url)
    )


@bp.post("/checkout/sessions/<checkout_id>/expire")
def expire_checkout_session(checkout_id: str) -> Response:
    """Expire an open Checkout Session."""

    def handler(params: dict, req: tuple[str | None, str | None]) -> dict:
        expand = clean_params(EXPAND_ONLY, params).get("expand", [])
        session = flows.expire(sandbox(), checkout_id, request=req)
        return listing.expand(sandbox().store, copy.deepcopy(session), expand)

    return _idempotent(handler)


@bp.get("/checkout/sessions/<checkout_id>")
def retrieve_checkout_session(checkout_id: str) -> Response:
    """Retrieve a Checkout Session."""
    return _retrieve("checkout.session", checkout_id, "session")


@bp.get("/checkout/sessions/<checkout_id>/line_items")
def list_line_items(checkout_id: str) -> Response:
    """A Checkout Session's line items, all on one page."""
    state = sandbox()
    with state.store.lock:
        state.store.require("checkout.session", checkout_id, "session")
        items = state.store.private[checkout_id]["line_items"]
        data = [objects.line_item(checkout_id, n, item) for n, item in enumerate(items)]
    url = f"/v1/checkout/sessions/{checkout_id}/line_items"
    return json_response(objects.list_object(data, has_more=False, url=url))


@bp.post("/refunds")
def create_refund() -> Response:
    """Refund a payment in full or in part."""
    return _idempotent(lambda params, req: _expanded(refunds.create(sandbox(), params, req)))


@bp.post("/transfers")
def create_transfer() -> Response:
    """Pay a connected account."""
    return _idempotent(lambda params, req: _expanded(transfers.create(sandbox(), params, req)))


@bp.post("/transfers/<transfer_id>/reversals")
def reverse_transfer(transfer_id: str) -> Response:
    """Take back all or part of a transfer."""
    return _idempotent(
        lambda params, req: _expanded(transfers.reverse(sandbox(), transfer_id, params, req))
    )


@bp.post("/disputes/<dispute_id>")
def update_dispute(dispute_id: str) -> Response:
    """Add evidence to a dispute and submit it."""
    return _idempotent(
        lambda params, req: _expanded(disputes.update(sandbox(), dispute_id, params, req))
    )


@bp.post("/disputes/<dispute_id>/close")
def close_dispute(dispute_id: str) -> Response:
    """Accept the dispute as lost."""
    return _idempotent(
        lambda _params, req: _expanded(
            disputes.close(sandbox(), dispute_id, won=False, request=req)
        )
    )


@bp.get("/invoice_payments")
def list_invoice_payments() -> Response:
    """The payments of one invoice (``invoice`` is required, as in Stripe)."""
    invoice = decode(_query_pairs()).get("invoice")
    if not invoice:
        raise StripeError(
            "Missing required param: invoice.", code="parameter_missing", param="invoice"
        )
    found = invoice_payments.for_invoice(sandbox(), invoice)
    return json_response(objects.list_object(found, has_more=False, url="/v1/invoice_payments"))


def _expanded(obj: dict) -> dict:
    with sandbox().store.lock:
        return copy.deepcopy(obj)


@bp.get("/events")
def list_events() -> Response:
    """List events, newest first."""
    state = sandbox()
    with state.store.lock:
        return json_response(listing.list_events(state.store, decode(_query_pairs())))


@bp.get("/<collection>/<object_id>")
def retrieve(collection: str, object_id: str) -> Response:
    """Retrieve any object the sandbox creates, by collection and id."""
    if collection not in _RETRIEVABLE:
        raise StripeError(_unrecognised(), status=404)
    object_type, param = _RETRIEVABLE[collection]
    return _retrieve(object_type, object_id, param)


def _retrieve(object_type: str, object_id: str, param: str) -> Response:
    state = sandbox()
    expand = clean_params(EXPAND_ONLY, decode(_query_pairs())).get("expand", [])
    with state.store.lock:
        found = state.store.snapshot(object_type, object_id, param)
        return json_response(listing.expand(state.store, found, expand))


def _unrecognised() -> str:
    return (
        f"Unrecognized request URL ({request.method}: {request.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/."
    )


def unrecognised_url(_error: Exception) -> Response:
    """Stripe's answer to a path or method it does not serve."""
    return json_response(StripeError(_unrecognised(), status=404).body(), 404)
