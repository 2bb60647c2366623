"""Refunds and disputes add up to the cent, whatever Stripe sends and in whatever order."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.donate.ledger import record_stripe_event
from portal.donate.queries import lost_in_disputes
from portal.models import Donation, DonationStatus, Refund, RefundStatus
from stripe_sandbox import disputes, payments

AMOUNT = 7725  # minor units, fee cover included
numbers = itertools.count()


@pytest.fixture
def paid(paid_gift_event, db_session):
    """A gift's Stripe charge, its donation paid in the ledger (committed once per test)."""
    event, charge = paid_gift_event
    record_stripe_event(db_session, event)
    db_session.commit()
    return charge


@pytest.fixture
def paid_gift_event(opened, sandbox, stripe_client, db_session):
    donation = opened(preset="other", other_amount="77.25")
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    [completed] = [e for e in sandbox.events() if e["type"] == "checkout.session.completed"]
    intent = stripe_client.v1.payment_intents.retrieve(
        completed["data"]["object"]["payment_intent"]
    )
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge).to_dict()
    return completed, charge


def event(kind: str, obj: dict, created: int) -> dict:
    n = next(numbers)
    return {"id": f"evt_{n}", "type": kind, "created": created, "data": {"object": obj}}


def refund_events(charge: dict, amount: int, fails: bool, at: int) -> list[dict]:
    refund = {**payments.refund(charge, created=at), "amount": amount}
    events = [event("refund.created", copy.deepcopy(refund), at)]
    if fails:
        events.append(event("refund.failed", {**refund, "status": "failed"}, at + 1))
    return events


def dispute_events(charge: dict, amount: int, outcome: str, at: int) -> list[dict]:
    dispute = disputes.dispute_object(charge, amount, "fraudulent", created=at)
    closed = {**dispute, "status": outcome}
    return [
        event("charge.dispute.created", dispute, at),
        event("charge.dispute.closed", closed, at),
    ]


@st.composite
def money_back(draw):
    """Partial refunds that never exceed the gift (some fail later), and disputes."""
    refunds, left = [], AMOUNT
    for _ in range(draw(st.integers(0, 4))):
        if left == 0:
            break
        amount = draw(st.integers(1, left))
        fails = draw(st.booleans())
        refunds.append((amount, fails))
        left -= amount
    lost = draw(
        st.lists(st.tuples(st.integers(1, AMOUNT), st.sampled_from(["won", "lost"])), max_size=2)
    )
    return refunds, lost


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), back=money_back())
def test_refunds_and_disputes_add_up_to_the_cent_in_any_order(paid, db_session, data, back):
    refunds, decided = back
    events = [e for amount, fails in refunds for e in refund_events(paid, amount, fails, 1)]
    events += [e for amount, outcome in decided for e in dispute_events(paid, amount, outcome, 1)]
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=len(events))) if events else []
    delivery = data.draw(st.permutations(events + repeats))

    try:
        for delivered in delivery:
            record_stripe_event(db_session, delivered)
        db_session.flush()
        refunded_in_ledger, status = db_session.execute(
            select(Donation.amount_refunded, Donation.status)
        ).one()
        kept = db_session.scalars(select(Refund.status)).all()
        lost = lost_in_disputes()
        lost_total = db_session.scalar(select(func.coalesce(func.sum(lost.c.lost), 0)))
    finally:
        db_session.rollback()

    refunded = sum(amount for amount, fails in refunds if not fails)
    assert refunded_in_ledger == refunded
    assert status == (DonationStatus.REFUNDED if refunded == AMOUNT else DonationStatus.PAID)
    assert sorted(kept) == sorted(
        RefundStatus.FAILED if fails else RefundStatus.SUCCEEDED for _amount, fails in refunds
    )
    assert lost_total == sum(amount for amount, outcome in decided if outcome == "lost")
