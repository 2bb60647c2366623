"""Connect members of a paid basket get their parts by transfer, reversed when refunded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import BasketTransfer, Donation
from tests.helpers.giving import state


@pytest.fixture
def paid_basket(members, fill, pay, sandbox, live_portal, db_session):
    """A one-time basket of three members (Combatants for Peace with Connect), paid."""
    fill("parents-circle", "roots", "combatants")
    pay(total="100", cover_fees="y")
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    return state(db_session, donation.id)


def transfers(sandbox) -> list[dict]:
    return [e["data"]["object"] for e in sandbox.events() if e["type"].startswith("transfer.")]


def test_a_connect_member_is_paid_its_part_in_the_payments_transfer_group(
    paid_basket, runner, sandbox, stripe_client
):
    result = runner.invoke(args=["pay-basket-transfers"])

    assert "1 transfer(s) sent" in result.output
    [transfer] = transfers(sandbox)
    intent = stripe_client.v1.payment_intents.retrieve(paid_basket.stripe_payment_intent_id)
    assert transfer["destination"] == "acct_combatants"
    assert transfer["amount"] in (3333, 3334)  # its gift; the fee cover pays Stripe's fee
    assert transfer["transfer_group"] == f"gift-{paid_basket.id}"
    assert transfer["source_transaction"] == intent.latest_charge
    assert intent.transfer_group == f"gift-{paid_basket.id}"


def test_paying_out_twice_sends_nothing_twice(paid_basket, runner, sandbox):
    runner.invoke(args=["pay-basket-transfers"])

    result = runner.invoke(args=["pay-basket-transfers"])

    assert "0 transfer(s) sent, 0 reversed" in result.output
    assert len(transfers(sandbox)) == 1


def test_a_partial_refund_reverses_the_members_share_of_it(
    paid_basket, runner, sandbox, stripe_client, db_session
):
    runner.invoke(args=["pay-basket-transfers"])
    stripe_client.v1.refunds.create(
        params={"payment_intent": paid_basket.stripe_payment_intent_id, "amount": 3090}
    )
    sandbox.wait_for_deliveries()

    result = runner.invoke(args=["pay-basket-transfers"])

    assert "1 reversed" in result.output
    db_session.rollback()
    row = db_session.scalars(select(BasketTransfer)).one()
    assert row.amount_reversed == 1030  # a third of the refund
    [*_, reversed_] = transfers(sandbox)
    assert reversed_["amount_reversed"] == 1030


def test_a_full_refund_takes_the_whole_transfer_back(
    paid_basket, runner, sandbox, stripe_client, db_session
):
    runner.invoke(args=["pay-basket-transfers"])
    stripe_client.v1.refunds.create(params={"payment_intent": paid_basket.stripe_payment_intent_id})
    sandbox.wait_for_deliveries()

    runner.invoke(args=["pay-basket-transfers"])

    db_session.rollback()
    row = db_session.scalars(select(BasketTransfer)).one()
    assert row.amount_reversed == row.amount
