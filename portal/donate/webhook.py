"""``POST /stripe/webhook``: Stripe's signed events, the only source of "paid"."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from portal import csrf
from portal.donate import ledger_writer
from portal.donate.writer import LedgerUnavailable
from portal.stripe_gateway import InvalidWebhook, gateway

log = logging.getLogger(__name__)

bp = Blueprint("stripe", __name__)

MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    try:
        event = gateway().verify_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as exc:
        log.warning("webhook refused: %s", exc)
        return jsonify(error="invalid webhook"), 400
    try:
        # 2xx only once the event is committed; any database error is a 503 so Stripe retries.
        outcome = ledger_writer().record(event)
    except (LedgerUnavailable, SQLAlchemyError):
        log.exception("webhook %s not stored; Stripe will retry", event["id"])
        return jsonify(error="temporarily unavailable"), 503
    except MALFORMED as exc:
        # Signed, but its object lacks what its type promises: refused like a malformed body.
        log.warning("webhook %s refused, unreadable object (%r)", event.get("id"), exc)
        return jsonify(error="malformed event"), 400
    return jsonify(received=True, outcome=outcome), 200
