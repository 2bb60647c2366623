"""Changing a subscription item's price through ``POST /v1/subscriptions/{id}``, in Stripe's
shapes and errors: the new price from the next invoice, ``customer.subscription.updated``
with ``previous_attributes``."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def subscription(sandbox, client, make_session, press):
    """An active monthly subscription of $50.00 started through Checkout."""
    session = make_session(client, "subscription")
    press(sandbox, session.id, "pay")
    return client.v1.subscriptions.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).subscription
    )


def _price_change(sub, amount, **overrides) -> dict:
    item = sub["items"]["data"][0]
    price_data = {
        "currency": "usd",
        "product": item["price"]["product"],
        "recurring": {"interval": "month"},
        "unit_amount": amount,
        **overrides,
    }
    return {"items": [{"id": item["id"], "price_data": price_data}], "proration_behavior": "none"}


def test_a_new_price_is_billed_from_the_next_invoice(sandbox, client, subscription):
    updated = client.v1.subscriptions.update(
        subscription.id, params=_price_change(subscription, 7550)
    )
    invoice = sandbox.renew(subscription.id)

    item = updated["items"]["data"][0]
    assert item["price"]["unit_amount"] == 7550 and item["plan"]["amount"] == 7550
    assert item["price"]["id"] != subscription["items"]["data"][0]["price"]["id"]
    assert item["current_period_end"] == subscription["items"]["data"][0]["current_period_end"]
    assert invoice["amount_paid"] == 7550


def test_the_update_event_carries_the_previous_items(sandbox, client, subscription):
    client.v1.subscriptions.update(subscription.id, params=_price_change(subscription, 7550))

    [event] = [e for e in sandbox.events() if e["type"] == "customer.subscription.updated"]
    previous = event["data"]["previous_attributes"]["items"]["data"][0]["price"]
    assert previous["unit_amount"] == 5000
    assert event["data"]["object"]["items"]["data"][0]["price"]["unit_amount"] == 7550


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"product": None}, "items[0][price_data][product]"),
        ({"product": "prod_other"}, "items[0][price_data][product]"),
        ({"currency": "eur"}, "items[0][price_data][currency]"),
        ({"unit_amount": 20}, "items[0][price_data][unit_amount]"),
        ({"recurring": {"interval": "fortnight"}}, "items[0][price_data][recurring][interval]"),
    ],
)
def test_a_bad_price_is_refused_like_stripe(client, subscription, change, param):
    params = _price_change(subscription, 7550, **change)
    params["items"][0]["price_data"] = {
        k: v for k, v in params["items"][0]["price_data"].items() if v is not None
    }

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscriptions.update(subscription.id, params=params)

    assert refused.value.param == param
    unchanged = client.v1.subscriptions.retrieve(subscription.id)
    assert unchanged["items"]["data"][0]["price"]["unit_amount"] == 5000


def test_an_unknown_item_and_an_unknown_proration_are_refused(client, subscription):
    unknown_item = _price_change(subscription, 7550)
    unknown_item["items"][0]["id"] = "si_nope"
    odd_proration = {**_price_change(subscription, 7550), "proration_behavior": "sometimes"}

    with pytest.raises(stripe.InvalidRequestError) as no_item:
        client.v1.subscriptions.update(subscription.id, params=unknown_item)
    with pytest.raises(stripe.InvalidRequestError) as no_proration:
        client.v1.subscriptions.update(subscription.id, params=odd_proration)

    assert no_item.value.http_status == 404 and no_item.value.param == "items[0][id]"
    assert no_proration.value.param == "proration_behavior"
