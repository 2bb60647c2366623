"""Giving in tests: Stripe's signed webhooks, the ledger as committed, the sandbox's settings."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from sqlalchemy import select

from portal.models import (
    Dispute,
    Donation,
    Refund,
    StripeEvent,
    StripeSubscription,
    StripeTransfer,
)

WEBHOOK_SECRET = "whsec_portal_tests"


def stripe_config(config: dict, sandbox, webhook_secret: str, **extra) -> dict:
    """``config`` with the portal's Stripe pointed at ``sandbox``; no retries, short timeouts."""
    return {
        **config,
        "STRIPE_API_BASE": sandbox.url,
        # Where the donation form may lead (CSP form-action): the sandbox's hosted pages.
        "STRIPE_CHECKOUT_ORIGIN": sandbox.sandbox.public_url or sandbox.url,
        "STRIPE_SECRET_KEY": "sk_test_portal",
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
        "STRIPE_TIMEOUT_SECONDS": 5,
        **extra,
    }


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """A ``Stripe-Signature`` header exactly as Stripe builds it."""
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def event_body(event: dict) -> bytes:
    return json.dumps(event).encode()


def state(db_session, donation_id: int) -> Donation:
    """The donation as committed now."""
    db_session.rollback()  # a new transaction sees what other connections committed
    return db_session.get(Donation, donation_id)


LEDGER_TABLES = tuple(
    model.__table__
    for model in (Donation, StripeEvent, Refund, Dispute, StripeSubscription, StripeTransfer)
)
# Row ids and clocks differ from one run to the next; every other column must match.
VOLATILE = {"id", "created_at", "updated_at", "received_at"}


def ledger_rows(db_session) -> dict[str, list]:
    """Every ledger table in this transaction, all columns but ids and clocks, in a stable
    order; a refund's or dispute's donation is named by its Stripe ids, not its row id."""
    keys = {
        row.id: (row.stripe_checkout_session_id, row.stripe_invoice_id)
        for row in db_session.execute(select(Donation.__table__))
    }
    tables = {}
    for table in LEDGER_TABLES:
        columns = [column for column in table.columns if column.name not in VOLATILE]
        rows = [row._asdict() for row in db_session.execute(select(*columns))]
        for row in rows:
            if "donation_id" in row:
                row["donation_id"] = keys[row["donation_id"]]
        tables[table.name] = sorted(rows, key=repr)
    return tables
