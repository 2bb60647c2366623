"""Any order and any repetition of a donation's Stripe events ends in the same ledger state."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.donate.ledger import record_stripe_event
from portal.models import Donation


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
