"""Any order and any repetition of a donation's Stripe events ends in the same ledger state."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.donate.ledger import record_stripe_event
from portal.models import Donation


@pytest.fixture
def event_history(give, recipient, sandbox, db_session):
    """Real events from the sandbox for four gifts: refunded, settled late, monthly, expired."""
    give(preset="50")
    give(preset="100", currency="EUR")
    give(preset="other", other_amount="30", frequency="monthly")
    give(preset="25")
    db_session.rollback()
    refunded, late, monthly, expired = db_session.scalars(select(Donation).order_by(Donation.id))
    sandbox.complete_checkout(refunded.stripe_checkout_session_id, "pay")
    sandbox.refund(refunded.stripe_checkout_session_id)
    sandbox.complete_checkout(late.stripe_checkout_session_id, "pay_async")
    sandbox.settle(late.stripe_checkout_session_id, "succeeded")
    sandbox.complete_checkout(monthly.stripe_checkout_session_id, "pay")
    subscription = sandbox.events()[-1]["data"]["object"]
    subscription_id = subscription.get("subscription") or _subscription_of(subscription)
    sandbox.renew(subscription_id)
    sandbox.renew(subscription_id)
    sandbox.cancel_subscription(subscription_id)
    sandbox.expire(expired.stripe_checkout_session_id)
    db_session.rollback()
    return sandbox.events()


def _subscription_of(obj: dict) -> str:
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    return details["subscription"]


def ledger_after(db_session, events: list[dict]) -> list[tuple]:
    """The ledger after applying ``events`` in that order; the transaction is rolled back."""
    try:
        for event in events:
            record_stripe_event(db_session, event)
        db_session.flush()
        rows = db_session.scalars(select(Donation)).all()
        return sorted(
            (
                row.stripe_checkout_session_id or "",
                row.stripe_invoice_id or "",
                row.status,
                row.amount,
                row.currency,
                row.stripe_payment_intent_id,
                row.stripe_subscription_id,
                row.subscription_ended_at is not None,
            )
            for row in rows
        )
    finally:
        db_session.rollback()


def test_events_in_stripe_order_give_the_expected_ledger(event_history, db_session):
    ledger = ledger_after(db_session, event_history)

    statuses = sorted(row[2] for row in ledger)
    assert statuses == ["expired", "paid", "paid", "paid", "paid", "refunded"]
    monthly = [row for row in ledger if row[6]]
    assert len(monthly) == 3
    assert all(row[7] for row in monthly)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_order_and_repetition_of_events_gives_the_same_ledger(event_history, db_session, data):
    expected = ledger_after(db_session, event_history)
    repeats = data.draw(st.lists(st.sampled_from(event_history), max_size=len(event_history)))
    delivery = data.draw(st.permutations(event_history + repeats))

    assert ledger_after(db_session, delivery) == expected
