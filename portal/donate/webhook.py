"""``POST /stripe/webhook``: Stripe's signed events, the only source of "paid"."""

from __future__ import annotations

import logging
from typing import NamedTuple

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from portal.db.engine import refused_data
from portal.donate.fastpath import LedgerUnavailable
from portal.extensions import csrf
from portal.mail import wake_after
from portal.state import PortalState, portal_state
from portal.stripe_gateway import InvalidWebhook

log = logging.getLogger(__name__)

bp = Blueprint("stripe", __name__)

# OverflowError: a number or a time beyond what Python's datetime or SQLite can hold.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    """The door for what the fast path (``donate/webhook_door.py``) leaves to Flask."""
    body, signature = request.get_data(cache=False), request.headers.get("Stripe-Signature")
    status, payload, mailed = answer(portal_state(), body, signature)
    response = jsonify(payload)
    # The event queued the donor's mail: the sender looks once the answer is out.
    return (wake_after(response) if mailed else response), status


class Answer(NamedTuple):
    """The webhook's answer to one delivery: its status and JSON body, and whether the event
    queued mail for the donor (then the worker's sender looks once the answer is out)."""

    status: int
    payload: dict
    mailed: bool = False


def answer(state: PortalState, body: bytes, signature: str | None) -> Answer:
    """What the webhook answers to one delivery. Both doors call it, in an app context (the
    donor's notices build links in it), with the app's state."""
    try:
        event = state.gateway.verify_webhook(body, signature)
    except InvalidWebhook as exc:
        log.warning("webhook refused: %s", exc)
        return Answer(400, {"error": "invalid webhook"})
    try:
        # 2xx only once the event is committed; any database error is a 503 so Stripe retries.
        recorded = state.ledger.record(event)
    except (LedgerUnavailable, SQLAlchemyError) as exc:
        if refused_data(exc):
            # Signed, but a value the database cannot hold (an id too long, a number out of
            # range): a retry would be refused the same way, so Stripe is told not to.
            log.warning("webhook %r refused, unstorable value (%s)", event["id"], exc)
            return Answer(400, {"error": "malformed event"})
        log.exception("webhook %r not stored; Stripe will retry", event["id"])
        return Answer(503, {"error": "temporarily unavailable"})
    except MALFORMED as exc:
        # Signed, but its object lacks what its type promises: refused like a malformed body.
        log.warning("webhook %s refused, unreadable object (%r)", event.get("id"), exc)
        return Answer(400, {"error": "malformed event"})
    return Answer(200, {"received": True, "outcome": recorded.outcome}, recorded.mailed > 0)
