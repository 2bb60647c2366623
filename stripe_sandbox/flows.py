"""Checkout moves: create a session, the donor's buttons, and the test-control outcomes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stripe_sandbox import invoice_payments, objects, payments, refunds, subscriptions
from stripe_sandbox.checkout_params import validate_session_create
from stripe_sandbox.errors import StripeError
from stripe_sandbox.ids import new_id, now, session_id
from stripe_sandbox.state import NO_REQUEST, Sandbox

DONOR_ACTIONS = ("pay", "pay_async", "decline", "cancel")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")


@dataclass(frozen=True)
class Outcome:
    """What the hosted page does next: redirect somewhere, or show a message."""

    redirect: str | None = None
    error: str | None = None
    declined: bool = False


def create_session(sandbox: Sandbox, params: dict, *, public_url: str) -> dict:
    """Validate create parameters and store a new open session."""
    created = now()
    cleaned = validate_session_create(params, created=created)
    new_session_id = session_id()
    session = objects.checkout_session(
        new_session_id, cleaned, created=created, url=f"{public_url}/pay/{new_session_id}"
    )
    with sandbox.store.lock:
        sandbox.store.add(session)
        sandbox.store.private[new_session_id] = {
            "line_items": cleaned["line_items"],
            "payment_intent_data": cleaned.get("payment_intent_data", {}),
            "subscription_data": cleaned.get("subscription_data", {}),
        }
    return session


def donor_action(sandbox: Sandbox, checkout_id: str, action: str, email: str) -> Outcome:
    """Apply one of the hosted page's buttons to an open session."""
    with sandbox.store.lock:
        session = sandbox.store.require("checkout.session", checkout_id, "session")
        if session["status"] != "open":
            return Outcome(error="This checkout session is no longer open.")
        if action == "cancel":
            if session["cancel_url"] is None:
                return Outcome(error="This session has no cancel_url to return to.")
            return Outcome(redirect=session["cancel_url"])
        if action not in DONOR_ACTIONS:
            return Outcome(error="Choose one of the buttons below.")
        if not _EMAIL.match(email):
            return Outcome(error="Enter a valid email address.")
        if action == "decline":
            _decline(sandbox, session, email)
            message = f"{payments.DECLINE_MESSAGE} Try again or use another card."
            return Outcome(error=message, declined=True)
        _complete(sandbox, session, email, settled=action == "pay")
        return Outcome(redirect=success_redirect(session))


def success_redirect(session: dict) -> str | None:
    """The success URL with ``{CHECKOUT_SESSION_ID}`` filled in, as Checkout does."""
    url = session["success_url"]
    return None if url is None else url.replace("{CHECKOUT_SESSION_ID}", session["id"])


def _complete(sandbox: Sandbox, session: dict, email: str, *, settled: bool) -> None:
    private = sandbox.store.private[session["id"]]
    if session["mode"] == "subscription":
        invoice = subscriptions.start(
            sandbox, session, private["line_items"], email, settled=settled
        )
        objects.complete_session(session, email=email, paid=settled)
        if settled:
            # Stripe pays the first invoice before it completes the session.
            invoice_payments.emit_paid(sandbox, invoice)
    else:
        intent = _ensure_intent(sandbox, session)
        status = "succeeded" if settled else "pending"
        charge = payments.charge(intent, email=email, created=now(), status=status)
        payments.attach_charge(intent, sandbox.store.add(charge))
        objects.complete_session(session, email=email, paid=settled)
    sandbox.emit("checkout.session.completed", session)


def _decline(sandbox: Sandbox, session: dict, email: str) -> None:
    # Subscription mode creates nothing until a payment succeeds; payment mode keeps the
    # PaymentIntent with its failed charge, and a later attempt reuses it, as Checkout does.
    if session["mode"] != "payment":
        return
    intent = _ensure_intent(sandbox, session)
    charge = payments.charge(intent, email=email, created=now(), status="failed")
    payments.attach_charge(intent, sandbox.store.add(charge))


def _ensure_intent(sandbox: Sandbox, session: dict) -> dict:
    if session["payment_intent"] is not None:
        return sandbox.store.require("payment_intent", session["payment_intent"])
    intent = payments.payment_intent(
        new_id("pi_"),
        amount=session["amount_total"],
        currency=session["currency"],
        created=now(),
        data=sandbox.store.private[session["id"]]["payment_intent_data"],
    )
    session["payment_intent"] = intent["id"]
    return sandbox.store.add(intent)


def expire(
    sandbox: Sandbox, checkout_id: str, *, request: tuple[str | None, str | None] = NO_REQUEST
) -> dict:
    """Expire an open session: ``checkout.session.expired``."""
    with sandbox.store.lock:
        session = sandbox.store.require("checkout.session", checkout_id, "session")
        if session["status"] != "open":
            raise StripeError(
                "Only Checkout Sessions with a status of `open` can be expired. This Checkout "
                f"Session has a status of `{session['status']}`.",
                param="session",
            )
        session.update(status="expired", url=None)
        if session["payment_intent"] is not None:
            intent = sandbox.store.require("payment_intent", session["payment_intent"])
            intent.update(status="canceled", canceled_at=now(), cancellation_reason="abandoned")
        sandbox.emit("checkout.session.expired", session, request=request)
        return session


def settle(sandbox: Sandbox, checkout_id: str, *, succeeded: bool) -> dict:
    """Resolve a ``pay_async`` payment: ``checkout.session.async_payment_succeeded/failed``."""
    with sandbox.store.lock:
        session = sandbox.store.require("checkout.session", checkout_id, "session")
        intent, charge = _session_payment(sandbox, session)
        if session["status"] != "complete" or charge["status"] != "pending":
            raise StripeError(
                "This Checkout Session has no payment awaiting settlement.", param="session"
            )
        if session["mode"] == "subscription":
            invoice = subscriptions.settle_first_invoice(sandbox, session, succeeded=succeeded)
            if succeeded:
                invoice_payments.emit_paid(sandbox, invoice)
        else:
            payments.settle_charge(intent, charge, succeeded=succeeded)
        if succeeded:
            session["payment_status"] = "paid"
        outcome = "succeeded" if succeeded else "failed"
        sandbox.emit(f"checkout.session.async_payment_{outcome}", session)
        return session


def refund(sandbox: Sandbox, checkout_id: str) -> dict:
    """Refund the session's (latest) payment in full: ``charge.refunded``."""
    with sandbox.store.lock:
        session = sandbox.store.require("checkout.session", checkout_id, "session")
        _intent, charge = _session_payment(sandbox, session)
        if charge["status"] != "succeeded":
            raise StripeError(
                "This Checkout Session has no succeeded payment to refund.", param="session"
            )
        refunds.refund_charge(sandbox, charge)
        return charge


def _session_payment(sandbox: Sandbox, session: dict) -> tuple[dict, dict]:
    if session["mode"] == "subscription" and session["subscription"] is not None:
        sub = sandbox.store.require("subscription", session["subscription"])
        return subscriptions.invoice_payment(sandbox, sub["latest_invoice"])
    if session["payment_intent"] is None:
        raise StripeError("This Checkout Session has not been paid.", param="session")
    intent = sandbox.store.require("payment_intent", session["payment_intent"])
    return intent, sandbox.store.require("charge", intent["latest_charge"])
