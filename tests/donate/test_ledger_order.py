"""Any order and any repetition of a donation's Stripe events ends in the same ledger state."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.donate.ledger import HANDLED_TYPES, record_stripe_event
from tests.helpers.giving import ledger_rows


def ledger_after(db_session, events: list[dict]) -> dict[str, list]:
    """The ledger after applying ``events`` in that order; the transaction is rolled back."""
    try:
        for event in events:
            record_stripe_event(db_session, event)
        db_session.flush()
        return ledger_rows(db_session)
    finally:
        db_session.rollback()


def test_events_in_stripe_order_give_the_expected_ledger(event_history, db_session):
    ledger = ledger_after(db_session, event_history)

    donations = ledger["donation"]
    assert sorted(row["status"] for row in donations) == [
        "expired", "failed", "paid", "paid", "paid", "paid", "paid", "refunded", "refunded",
    ]  # fmt: skip
    monthly = [row for row in donations if row["stripe_subscription_id"]]
    assert len(monthly) == 3  # the first payment, a renewal, and one that failed, then was paid
    assert all(row["subscription_ended_at"] and row["stripe_payment_intent_id"] for row in monthly)
    assert sorted(row["amount_refunded"] for row in donations) == [
        0, 0, 0, 0, 0, 2500, 3000, 4000, 5000,
    ]  # fmt: skip
    assert sorted((row["amount"], row["status"]) for row in ledger["refund"]) == [
        (1000, "failed"), (2500, "succeeded"), (3000, "succeeded"), (4000, "succeeded"),
        (5000, "succeeded"),
    ]  # fmt: skip
    # The Connect member's transfer, its refunded share taken back.
    assert [(row["amount"], row["amount_reversed"]) for row in ledger["stripe_transfer"]] == [
        (10000, 4000)
    ]
    assert sorted(row["status"] for row in ledger["dispute"]) == ["lost", "won"]
    # Ended, with the amount its donor changed it to.
    assert [(row["status"], row["amount"]) for row in ledger["stripe_subscription"]] == [
        ("ended", 4500)
    ]
    outcomes = {(row["type"], row["outcome"]) for row in ledger["stripe_event"]}
    # A subscription is created incomplete: nothing to record until its first payment.
    assert {outcome for _type, outcome in outcomes} == {"applied", "ignored"}
    assert {kind for kind, outcome in outcomes if outcome == "ignored"} == {
        "customer.subscription.created"
    }


@pytest.fixture
def in_stripe_order(event_history, db_session) -> dict[str, list]:
    """The ledger the history gives in Stripe's order: the same for every example below."""
    return ledger_after(db_session, event_history)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_order_and_repetition_of_events_gives_the_same_ledger(
    event_history, db_session, in_stripe_order, data
):
    expected = in_stripe_order
    repeats = data.draw(st.lists(st.sampled_from(event_history), max_size=len(event_history)))
    delivery = data.draw(st.permutations(event_history + repeats))

    assert ledger_after(db_session, delivery) == expected


def test_the_history_holds_every_event_type_the_ledger_handles(event_history):
    # The properties above and in test_ledger_stores.py prove only what the history holds.
    assert set(HANDLED_TYPES) - {event["type"] for event in event_history} == set()
