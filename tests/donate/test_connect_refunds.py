"""A refund of a gift to a Connect member (a destination charge) takes the member's share back:
staff's ``flask refund-gift`` asks Stripe to reverse the transfer and return the application
fee; a refund made in Stripe's Dashboard with the transfer reversed reaches the ledger too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AuditEntry, Donation, DonationStatus, HandoffMode, StripeTransfer


@pytest.fixture
def connect_gift(give, make_org, sandbox, live_portal, db_session):
    """A paid one-time gift of $100.00 plus $3.00 fee cover to a Connect member."""
    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    give("ecopeace", preset="100", cover_fees="y")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    db_session.rollback()
    return db_session.get(Donation, donation.id)


def test_staff_refund_reverses_the_members_transfer(
    connect_gift, runner, sandbox, stripe_client, db_session
):
    result = runner.invoke(args=["refund-gift", str(connect_gift.id)])
    sandbox.wait_for_deliveries()

    assert result.exit_code == 0, result.output
    assert "Refund re_" in result.output and "$103.00" in result.output
    assert "The member's share is taken back" in result.output
    db_session.rollback()
    donation = db_session.get(Donation, connect_gift.id)
    assert (donation.status, donation.amount_refunded) == (DonationStatus.REFUNDED, 10300)
    [transfer] = db_session.scalars(select(StripeTransfer)).all()
    assert (transfer.donation_id, transfer.destination) == (connect_gift.id, "acct_1Eco")
    assert (transfer.amount, transfer.amount_reversed, transfer.currency) == (10300, 10300, "USD")
    [entry] = db_session.scalars(select(AuditEntry)).all()
    refund_id = result.output.split()[1]  # "Refund re_… of $103.00: succeeded."
    assert refund_id.startswith("re_")
    # As the console records a refund: amount, Stripe's reason and its refund id.
    assert (entry.field, entry.after, entry.via) == (
        "refund",
        f"$103.00 (requested_by_customer) {refund_id}",
        "command",
    )
    # The $3.00 fee cover the coalition kept as its application fee goes back too.
    intent = stripe_client.v1.payment_intents.retrieve(donation.stripe_payment_intent_id)
    assert sandbox.application_fee_refunded(intent["latest_charge"]) == 300


def test_a_partial_staff_refund_reverses_its_share(
    connect_gift, runner, sandbox, stripe_client, db_session
):
    result = runner.invoke(
        args=["refund-gift", str(connect_gift.id), "--amount", "51.50", "--reason", "duplicate"]
    )
    sandbox.wait_for_deliveries()

    assert result.exit_code == 0, result.output
    db_session.rollback()
    donation = db_session.get(Donation, connect_gift.id)
    assert (donation.status, donation.amount_refunded) == (DonationStatus.PAID, 5150)
    [transfer] = db_session.scalars(select(StripeTransfer)).all()
    assert transfer.amount_reversed == 5150
    intent = stripe_client.v1.payment_intents.retrieve(donation.stripe_payment_intent_id)
    [refund] = stripe_client.v1.charges.retrieve(intent.latest_charge).refunds.data
    assert refund.reason == "duplicate"
    [entry] = db_session.scalars(select(AuditEntry)).all()
    assert entry.after == f"$51.50 (duplicate) {refund.id}"


def test_a_dashboard_refund_with_the_transfer_reversed_reaches_the_ledger(
    connect_gift, stripe_client, sandbox, db_session
):
    # What staff do in Stripe's Dashboard: the same API call, so the same events.
    stripe_client.v1.refunds.create(
        params={
            "payment_intent": connect_gift.stripe_payment_intent_id,
            "amount": 2000,
            "reverse_transfer": True,
        }
    )
    sandbox.wait_for_deliveries()

    db_session.rollback()
    assert db_session.get(Donation, connect_gift.id).amount_refunded == 2000
    [transfer] = db_session.scalars(select(StripeTransfer)).all()
    assert (transfer.amount, transfer.amount_reversed) == (10300, 2000)


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "positive amount"), ("200", "at most 10300"), ("1.005", "positive amount")],
)
def test_a_refund_staff_cannot_make_is_refused_and_nothing_moves(
    connect_gift, runner, stripe_client, amount, message
):
    result = runner.invoke(args=["refund-gift", str(connect_gift.id), "--amount", amount])

    assert result.exit_code != 0 and message in result.output
    charge = stripe_client.v1.payment_intents.retrieve(
        connect_gift.stripe_payment_intent_id
    ).latest_charge
    assert stripe_client.v1.charges.retrieve(charge).amount_refunded == 0


@pytest.mark.usefixtures("recipient", "live_portal")
def test_a_gift_the_coalition_keeps_is_refunded_without_a_transfer(
    give, runner, sandbox, db_session
):
    give(preset="50")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()

    result = runner.invoke(args=["refund-gift", str(donation.id)])
    sandbox.wait_for_deliveries()

    assert result.exit_code == 0, result.output
    assert "member's share" not in result.output
    db_session.rollback()
    assert db_session.get(Donation, donation.id).status == DonationStatus.REFUNDED
    assert db_session.scalars(select(StripeTransfer)).all() == []
