"""``POST /v1/refunds`` with ``reverse_transfer`` and ``refund_application_fee``: a destination
charge's refund takes the connected account's share back, as Stripe does."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def paid(sandbox, client, make_session, press):
    """Factory: a paid one-time charge of $50.00; ``destination`` makes it a destination
    charge with a $1.50 application fee. Returns its PaymentIntent id."""

    def _paid(destination: str | None = None) -> str:
        data = {"metadata": {"referral_id": "42"}}
        if destination:
            data.update(transfer_data={"destination": destination}, application_fee_amount=150)
        session = make_session(client, payment_intent_data=data)
        press(sandbox, session.id, "pay")
        return client.v1.checkout.sessions.retrieve(session.id).payment_intent

    return _paid


def test_a_refund_reverses_its_share_of_the_transfer(sandbox, client, paid):
    intent = paid("acct_1Member")

    refund = client.v1.refunds.create(
        params={
            "payment_intent": intent,
            "amount": 2000,
            "reverse_transfer": True,
            "refund_application_fee": True,
        }
    )

    [event] = [e for e in sandbox.events() if e["type"] == "transfer.reversed"]
    transfer = event["data"]["object"]
    assert refund.transfer_reversal == transfer["reversals"]["data"][0]["id"]
    assert transfer["reversals"]["data"][0]["source_refund"] == refund.id
    assert (transfer["amount"], transfer["amount_reversed"]) == (5000, 2000)
    assert transfer["destination"] == "acct_1Member"
    assert transfer["transfer_group"] == f"group_{intent}"
    assert client.v1.transfers.retrieve(transfer["id"]).amount_reversed == 2000
    [created] = [e for e in sandbox.events() if e["type"] == "refund.created"]
    assert created["data"]["object"]["transfer_reversal"] == refund.transfer_reversal


def test_reverse_transfer_needs_a_destination_charge(client, paid):
    intent = paid()

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.refunds.create(params={"payment_intent": intent, "reverse_transfer": True})

    assert refused.value.param == "reverse_transfer"
    charge = client.v1.payment_intents.retrieve(intent).latest_charge
    assert client.v1.charges.retrieve(charge).amount_refunded == 0
