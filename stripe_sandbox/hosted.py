"""The hosted checkout page a donor is sent to: ``/pay/<session id>``."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request

from stripe_sandbox import flows
from stripe_sandbox.api import sandbox
from stripe_sandbox.money import format_amount

bp = Blueprint("hosted", __name__)

_SUBMIT_LABELS = {"donate": "Donate", "book": "Book", "subscribe": "Subscribe"}
DEFAULT_EMAIL = "donor@example.com"


def _page(session: dict, *, email: str, error: str | None) -> dict:
    state = sandbox()
    items = state.store.private[session["id"]]["line_items"]
    recurring = next(
        (item["price_data"]["recurring"] for item in items if "recurring" in item["price_data"]),
        None,
    )
    every = None
    if recurring is not None:
        count = recurring.get("interval_count", 1)
        every = recurring["interval"] if count == 1 else f"{count} {recurring['interval']}s"
    return {
        "session": session,
        "amount": format_amount(session["amount_total"], session["currency"]),
        "every": every,
        "recipients": [item["price_data"]["product_data"] for item in items],
        "submit_label": _submit_label(session),
        "email": email,
        "email_locked": session["customer_email"] is not None,
        "error": error,
    }


def _submit_label(session: dict) -> str:
    # Checkout's button says "Subscribe" for subscriptions unless submit_type says otherwise.
    default = "Subscribe" if session["mode"] == "subscription" else "Pay"
    return _SUBMIT_LABELS.get(session["submit_type"] or "", default)


def _lookup(checkout_id: str) -> dict | None:
    return sandbox().store.find("checkout.session", checkout_id)


@bp.get("/pay/<checkout_id>")
def show(checkout_id: str) -> Response | tuple[str, int] | str:
    """The checkout page, or a notice when the session is missing or closed."""
    session = _lookup(checkout_id)
    if session is None:
        return render_template("missing.html", checkout_id=checkout_id), 404
    email = session["customer_email"] or DEFAULT_EMAIL
    return render_template("pay.html", **_page(session, email=email, error=None))


@bp.post("/pay/<checkout_id>")
def act(checkout_id: str) -> Response | tuple[str, int]:
    """One of the four buttons: pay, pay later, decline or cancel."""
    session = _lookup(checkout_id)
    if session is None:
        return render_template("missing.html", checkout_id=checkout_id), 404
    email = session["customer_email"] or request.form.get("email", "").strip()
    outcome = flows.donor_action(sandbox(), checkout_id, request.form.get("action", ""), email)
    if outcome.redirect is not None:
        return redirect(outcome.redirect, code=303)
    page = _page(session, email=email, error=outcome.error)
    return render_template("pay.html", **page), _status(session, outcome)


def _status(session: dict, outcome: flows.Outcome) -> int:
    if outcome.error is None:
        return 200
    if session["status"] != "open":
        return 409
    # A declined card keeps the donor on the page, as Checkout does; 402 as the API uses.
    return 402 if outcome.declined else 400
