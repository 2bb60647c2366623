"""Stripe's signed webhooks are the only way a gift becomes paid."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from sqlalchemy import func, select

from portal.config import DEFAULTS
from portal.models import Donation, DonationStatus, StripeEvent
from portal.state import portal_state
from portal.stripe_gateway import GatewayError, build_gateway
from tests.helpers.giving import WEBHOOK_SECRET, sign, state


def deliver(client, event: dict, *, signature: str | None = None, body: bytes | None = None):
    payload = body if body is not None else json.dumps(event).encode()
    headers = {"Content-Type": "application/json"}
    headers["Stripe-Signature"] = signature if signature is not None else sign(payload)
    return client.post("/stripe/webhook", data=payload, headers=headers)


@pytest.mark.usefixtures("live_portal")
def test_paid_checkout_marks_the_donation_paid_and_keeps_opted_in_email(
    opened, sandbox, db_session
):
    donation = opened(share_email="y")

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="ana@example.org")
    sandbox.wait_for_deliveries()

    paid = state(db_session, donation.id)
    assert paid.status == DonationStatus.PAID
    assert paid.stripe_payment_intent_id.startswith("pi_")
    assert paid.donor_email == "ana@example.org"


@pytest.mark.usefixtures("live_portal")
def test_email_is_not_kept_without_consent(opened, sandbox, db_session):
    donation = opened()

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="ana@example.org")
    sandbox.wait_for_deliveries()

    assert state(db_session, donation.id).donor_email is None


@pytest.mark.usefixtures("live_portal")
def test_async_payment_is_processing_until_it_settles(opened, sandbox, db_session):
    donation = opened()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay_async")
    sandbox.wait_for_deliveries()
    assert state(db_session, donation.id).status == DonationStatus.PROCESSING

    sandbox.settle(donation.stripe_checkout_session_id, "succeeded")
    sandbox.wait_for_deliveries()

    assert state(db_session, donation.id).status == DonationStatus.PAID


@pytest.mark.usefixtures("live_portal")
def test_failed_async_payment_marks_the_donation_failed(opened, sandbox, db_session):
    donation = opened()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay_async")

    sandbox.settle(donation.stripe_checkout_session_id, "failed")
    sandbox.wait_for_deliveries()

    assert state(db_session, donation.id).status == DonationStatus.FAILED


@pytest.mark.usefixtures("live_portal")
def test_expired_checkout_marks_the_donation_expired(opened, sandbox, db_session):
    donation = opened()

    sandbox.expire(donation.stripe_checkout_session_id)
    sandbox.wait_for_deliveries()

    assert state(db_session, donation.id).status == DonationStatus.EXPIRED


@pytest.mark.usefixtures("live_portal")
def test_full_refund_marks_the_donation_refunded(opened, sandbox, db_session):
    donation = opened()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")

    sandbox.refund(donation.stripe_checkout_session_id)
    sandbox.wait_for_deliveries()

    assert state(db_session, donation.id).status == DonationStatus.REFUNDED


@pytest.mark.usefixtures("live_portal")
def test_each_monthly_payment_is_its_own_donation_linked_to_the_subscription(
    opened, sandbox, db_session
):
    first = opened(frequency="monthly", preset="100")
    sandbox.complete_checkout(first.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    subscription = state(db_session, first.id).stripe_subscription_id

    sandbox.renew(subscription)
    sandbox.renew(subscription)
    sandbox.cancel_subscription(subscription)
    sandbox.wait_for_deliveries()

    db_session.rollback()  # a new transaction sees what other connections committed
    rows = db_session.scalars(select(Donation).filter_by(stripe_subscription_id=subscription)).all()
    assert len(rows) == 3
    assert {row.status for row in rows} == {DonationStatus.PAID}
    assert {row.amount for row in rows} == {10000}
    assert len({row.stripe_invoice_id for row in rows}) == 3
    assert all(row.subscription_ended_at is not None for row in rows)
    assert {row.referral_id for row in rows} == {first.referral_id}


@pytest.mark.usefixtures("live_portal")
def test_duplicate_deliveries_change_nothing(opened, sandbox, db_session):
    donation = opened(frequency="monthly")
    sandbox.configure_webhooks(duplicate=2)

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()

    db_session.rollback()  # a new transaction sees what other connections committed
    assert db_session.scalar(select(func.count(Donation.id))) == 1
    assert state(db_session, donation.id).status == DonationStatus.PAID
    # customer.subscription.created, invoice.paid, invoice_payment.paid and
    # checkout.session.completed, three times each
    assert len([d for d in sandbox.deliveries() if d["status_code"] == 200]) == 12


@pytest.mark.usefixtures("live_portal")
def test_reversed_delivery_order_ends_in_the_same_state(opened, sandbox, db_session):
    donation = opened()
    sandbox.configure_webhooks(hold=True)
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.refund(donation.stripe_checkout_session_id)

    sandbox.flush_webhooks("reverse")
    sandbox.wait_for_deliveries()

    assert state(db_session, donation.id).status == DonationStatus.REFUNDED


@pytest.mark.usefixtures("live_portal")
def test_failed_deliveries_are_retried_until_applied(opened, sandbox, db_session):
    donation = opened()
    sandbox.configure_webhooks(fail_first=1)

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries(timeout=10)

    assert state(db_session, donation.id).status == DonationStatus.PAID


def test_bad_signature_is_refused_and_nothing_is_written(client, db_session):
    event = {
        "id": "evt_forged",
        "type": "checkout.session.completed",
        "created": 1,
        "data": {"object": {"id": "cs_x"}},
    }
    payload = json.dumps(event).encode()

    response = deliver(client, event, signature=sign(payload, secret="whsec_wrong"))

    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_stale_signature_is_refused(client, db_session):
    event = {"id": "evt_old", "type": "invoice.paid", "created": 1, "data": {"object": {}}}
    payload = json.dumps(event).encode()

    response = deliver(client, event, signature=sign(payload, at=int(time.time()) - 301))

    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 0


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"id": "evt_1"}', b"\xff\xfe"])
def test_malformed_body_is_refused(client, db_session, body):
    response = deliver(client, {}, body=body, signature=sign(body))

    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_missing_signature_header_is_refused(client):
    response = client.post(
        "/stripe/webhook", data=b"{}", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400


def test_without_a_configured_secret_every_delivery_is_refused(app, client):
    from portal.stripe_gateway import build_gateway

    portal_state(app).gateway = build_gateway({**app.config, "STRIPE_WEBHOOK_SECRET": ""})
    event = {"id": "evt_1", "type": "invoice.paid", "created": 1, "data": {"object": {}}}

    assert deliver(client, event).status_code == 400


def test_unhandled_event_types_are_acknowledged_and_ignored(client):
    event = {
        "id": "evt_cust",
        "type": "customer.created",
        "created": int(time.time()),
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }

    response = deliver(client, event)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    assert deliver(client, event).get_json()["outcome"] == "duplicate"


def test_database_trouble_answers_503_so_stripe_retries(app, client, database_url, db_session):
    if not database_url.startswith("sqlite"):
        pytest.skip("holds SQLite's write lock to make the database unavailable")
    app.config["DB_LOCK_TIMEOUT_MS"] = 50
    from portal.db import init_app

    init_app(app)
    blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    blocker.execute("BEGIN EXCLUSIVE")
    event = {
        "id": "evt_locked",
        "type": "customer.created",
        "created": int(time.time()),
        "data": {"object": {"id": "cus_1"}},
    }
    try:
        response = deliver(client, event)
    finally:
        blocker.rollback()
        blocker.close()

    assert response.status_code == 503
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 0
    assert deliver(client, event).status_code == 200


def test_signature_matches_what_the_stripe_library_checks():
    import stripe

    payload = b'{"id": "evt_1"}'

    event = stripe.Webhook.construct_event(payload, sign(payload), WEBHOOK_SECRET)

    assert event.id == "evt_1"


def test_every_stripe_request_sends_the_pinned_api_version(app_config, sandbox):
    pinned = build_gateway({**DEFAULTS, **app_config, "STRIPE_API_VERSION": "2025-03-31.basil"})

    with pytest.raises(GatewayError):
        pinned.retrieve_payment_intent("pi_unknown")

    assert sandbox.sandbox.api_version == "2025-03-31.basil"


def test_an_event_in_another_api_version_is_logged_and_still_applied(
    opened, sandbox, client, db_session, caplog
):
    donation = opened()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    [completed] = [e for e in sandbox.events() if e["type"] == "checkout.session.completed"]

    response = deliver(client, {**completed, "api_version": "2025-03-31.basil"})

    assert response.get_json()["outcome"] == "applied"
    assert state(db_session, donation.id).status == DonationStatus.PAID
    assert "2025-03-31.basil" in caplog.text
