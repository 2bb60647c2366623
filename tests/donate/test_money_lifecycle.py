"""After the gift: refunds, disputes and failed renewals, as Stripe tells them, in the ledger.

Each test moves money with the real ``stripe`` library against the sandbox (or presses the
sandbox's controls where only a bank could act), and the sandbox's own signed webhooks reach
the portal served over HTTP.
"""

from __future__ import annotations

import pytest
import stripe
from sqlalchemy import select

from portal.models import (
    Dispute,
    DisputeStatus,
    Donation,
    DonationStatus,
    Refund,
    RefundStatus,
    StripeSubscription,
    SubscriptionStatus,
)
from tests.helpers.giving import state


@pytest.fixture
def paid_gift(opened, sandbox, live_portal, db_session):
    """Factory: a gift paid through Checkout, its webhooks delivered; returns the donation."""

    def _paid(**fields) -> Donation:
        donation = opened(**fields)
        sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
        sandbox.wait_for_deliveries()
        return state(db_session, donation.id)

    return _paid


def monthly_rows(db_session, subscription: str) -> list[Donation]:
    db_session.rollback()  # a new transaction sees what other connections committed
    query = select(Donation).filter_by(stripe_subscription_id=subscription).order_by(Donation.id)
    return list(db_session.scalars(query))


def refunds_of(db_session, donation_id: int) -> list[tuple]:
    db_session.rollback()
    query = select(Refund.amount, Refund.status).filter_by(donation_id=donation_id)
    return list(db_session.execute(query.order_by(Refund.id)))


def paying_intent(stripe_client, invoice_id: str) -> str:
    """The PaymentIntent that paid an invoice, as the InvoicePayments API tells it."""
    [payment] = stripe_client.v1.invoice_payments.list(params={"invoice": invoice_id}).data
    return payment.payment.payment_intent


def test_refund_of_the_latest_monthly_payment_lands_on_that_month(
    paid_gift, sandbox, stripe_client, db_session
):
    first = paid_gift(frequency="monthly", preset="100")
    sandbox.renew(first.stripe_subscription_id)
    latest = sandbox.renew(first.stripe_subscription_id)

    stripe_client.v1.refunds.create(
        params={"payment_intent": paying_intent(stripe_client, latest["id"])}
    )
    sandbox.wait_for_deliveries()

    rows = monthly_rows(db_session, first.stripe_subscription_id)
    assert [(row.stripe_invoice_id == latest["id"], row.status) for row in rows] == [
        (False, DonationStatus.PAID),
        (False, DonationStatus.PAID),
        (True, DonationStatus.REFUNDED),
    ]
    assert [row.amount_refunded for row in rows] == [0, 0, 10000]
    assert all(row.stripe_payment_intent_id for row in rows)


def test_a_refunded_first_monthly_payment_is_refunded(
    paid_gift, sandbox, stripe_client, db_session
):
    first = paid_gift(frequency="monthly", preset="50")
    sandbox.renew(first.stripe_subscription_id)

    stripe_client.v1.refunds.create(
        params={"payment_intent": paying_intent(stripe_client, first.stripe_invoice_id)}
    )
    sandbox.wait_for_deliveries()

    rows = monthly_rows(db_session, first.stripe_subscription_id)
    assert [row.status for row in rows] == [DonationStatus.REFUNDED, DonationStatus.PAID]


def test_a_partial_refund_keeps_the_gift_and_records_the_amount(
    paid_gift, sandbox, stripe_client, db_session
):
    gift = paid_gift(preset="50")

    stripe_client.v1.refunds.create(
        params={"payment_intent": gift.stripe_payment_intent_id, "amount": 1525}
    )
    sandbox.wait_for_deliveries()

    after = state(db_session, gift.id)
    assert (after.status, after.amount, after.amount_refunded) == (DonationStatus.PAID, 5000, 1525)
    assert refunds_of(db_session, gift.id) == [(1525, RefundStatus.SUCCEEDED)]


def test_two_partial_refunds_that_add_up_refund_the_gift(
    paid_gift, sandbox, stripe_client, db_session
):
    gift = paid_gift(preset="50")

    for amount in (2000, 3000):
        stripe_client.v1.refunds.create(
            params={"payment_intent": gift.stripe_payment_intent_id, "amount": amount}
        )
    sandbox.wait_for_deliveries()

    after = state(db_session, gift.id)
    assert (after.status, after.amount_refunded) == (DonationStatus.REFUNDED, 5000)


def test_a_refund_that_fails_gives_the_money_back_to_the_gift(
    paid_gift, sandbox, stripe_client, db_session
):
    gift = paid_gift(preset="50")
    refund = stripe_client.v1.refunds.create(
        params={"payment_intent": gift.stripe_payment_intent_id}
    )
    sandbox.wait_for_deliveries()
    assert state(db_session, gift.id).status == DonationStatus.REFUNDED

    sandbox.fail_refund(refund.id)
    sandbox.wait_for_deliveries()

    after = state(db_session, gift.id)
    assert (after.status, after.amount_refunded) == (DonationStatus.PAID, 0)
    assert refunds_of(db_session, gift.id) == [(5000, RefundStatus.FAILED)]


def test_a_refund_larger_than_what_is_left_is_refused_by_stripe(paid_gift, stripe_client):

    gift = paid_gift(preset="25")

    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.refunds.create(
            params={"payment_intent": gift.stripe_payment_intent_id, "amount": 2501}
        )

    assert refused.value.code == "amount_too_large"


def dispute_row(db_session, donation_id: int) -> tuple:
    db_session.rollback()
    return db_session.execute(
        select(Dispute.status, Dispute.amount, Dispute.evidence_due_by).filter_by(
            donation_id=donation_id
        )
    ).one()


def test_a_dispute_opened_then_won(paid_gift, sandbox, stripe_client, db_session):
    gift = paid_gift(preset="100")
    opened = sandbox.open_dispute(gift.stripe_payment_intent_id)
    sandbox.wait_for_deliveries()
    status, amount, due = dispute_row(db_session, gift.id)
    assert (status, amount) == (DisputeStatus.NEEDS_RESPONSE, 10000)
    assert int(due.timestamp()) == opened["evidence_details"]["due_by"]

    stripe_client.v1.disputes.update(
        opened["id"], params={"evidence": {"uncategorized_text": "A gift the donor made."}}
    )
    sandbox.wait_for_deliveries()
    assert dispute_row(db_session, gift.id)[0] == DisputeStatus.UNDER_REVIEW

    sandbox.close_dispute(opened["id"], "won")
    sandbox.wait_for_deliveries()

    assert dispute_row(db_session, gift.id)[0] == DisputeStatus.WON
    assert state(db_session, gift.id).status == DonationStatus.PAID


def test_a_dispute_opened_then_lost(paid_gift, sandbox, stripe_client, db_session):
    gift = paid_gift(preset="100")
    opened = sandbox.open_dispute(gift.stripe_payment_intent_id)

    stripe_client.v1.disputes.close(opened["id"])  # the coalition accepts the loss
    sandbox.wait_for_deliveries()

    assert dispute_row(db_session, gift.id)[:2] == (DisputeStatus.LOST, 10000)


def subscription_state(db_session, subscription: str) -> SubscriptionStatus | None:
    db_session.rollback()
    row = db_session.get(StripeSubscription, subscription)
    return None if row is None else row.status


def test_a_failed_renewal_goes_past_due_then_recovers(paid_gift, sandbox, db_session):
    first = paid_gift(frequency="monthly", preset="50")
    subscription = first.stripe_subscription_id

    failed = sandbox.renew(subscription, outcome="failed")
    sandbox.wait_for_deliveries()
    assert [row.status for row in monthly_rows(db_session, subscription)] == [
        DonationStatus.PAID,
        DonationStatus.FAILED,
    ]
    assert subscription_state(db_session, subscription) == SubscriptionStatus.PAST_DUE

    sandbox.retry_invoice(failed["id"])
    sandbox.wait_for_deliveries()

    rows = monthly_rows(db_session, subscription)
    assert [row.status for row in rows] == [DonationStatus.PAID, DonationStatus.PAID]
    assert rows[1].stripe_invoice_id == failed["id"]
    assert rows[1].amount == 5000
    assert subscription_state(db_session, subscription) == SubscriptionStatus.ACTIVE


def test_a_cancelled_monthly_gift_has_ended(paid_gift, sandbox, db_session):
    first = paid_gift(frequency="monthly", preset="50")

    sandbox.cancel_subscription(first.stripe_subscription_id)
    sandbox.wait_for_deliveries()

    assert subscription_state(db_session, first.stripe_subscription_id) == SubscriptionStatus.ENDED
    assert state(db_session, first.id).subscription_ended_at is not None
