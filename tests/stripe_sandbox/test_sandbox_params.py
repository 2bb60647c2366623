"""Stripe's form encoding and parameter rules, through the real client where it matters."""

from __future__ import annotations

import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stripe_sandbox.errors import StripeError
from stripe_sandbox.params import decode


def test_decode_nests_brackets_and_arrays():
    pairs = [
        ("line_items[0][price_data][unit_amount]", "5000"),
        ("line_items[0][quantity]", "1"),
        ("metadata[referral_id]", "12"),
        ("types[]", "a"),
        ("types[]", "b"),
    ]

    decoded = decode(pairs)

    assert decoded == {
        "line_items": {"0": {"price_data": {"unit_amount": "5000"}, "quantity": "1"}},
        "metadata": {"referral_id": "12"},
        "types": {"0": "a", "1": "b"},
    }


@pytest.mark.parametrize(
    ("pairs", "param"),
    [
        ([("a]b", "1")], "a]b"),
        ([("metadata", "x"), ("metadata[a]", "1")], "metadata"),
        ([("metadata[a]", "1"), ("metadata", "x")], "metadata"),
    ],
)
def test_decode_refuses_malformed_names(pairs, param):
    with pytest.raises(StripeError) as caught:
        decode(pairs)

    assert caught.value.param == param


@pytest.mark.parametrize(
    ("mutate", "param"),
    [
        (lambda p: p["line_items"][0].update(price="price_123"), "line_items[0][price]"),
        (lambda p: p["line_items"][0].pop("price_data"), "line_items[0]"),
        (lambda p: p["line_items"][0].pop("quantity"), "line_items[0][quantity]"),
        (lambda p: p["line_items"][0].update(quantity=0), "line_items[0][quantity]"),
        (lambda p: p["line_items"][0]["price_data"].update(product="prod_1"),
         "line_items[0][price_data][product]"),
        (lambda p: p["line_items"][0]["price_data"].pop("product_data"),
         "line_items[0][price_data]"),
        (lambda p: p["line_items"][0]["price_data"].pop("unit_amount"),
         "line_items[0][price_data][unit_amount]"),
        (lambda p: p["line_items"][0]["price_data"].update(unit_amount=-1),
         "line_items[0][price_data][unit_amount]"),
        (lambda p: p["line_items"][0]["price_data"].update(currency="dollars"),
         "line_items[0][price_data][currency]"),
        (lambda p: p["line_items"][0]["price_data"]["product_data"].update(images=["x"]),
         "line_items[0][price_data][product_data][images]"),
        (lambda p: p.update(line_items=[]), "line_items"),
        (lambda p: p.update(mode="setup"), "mode"),
        (lambda p: p.update(customer_email="nobody"), "customer_email"),
        (lambda p: p.update(client_reference_id="x" * 201), "client_reference_id"),
        (lambda p: p.update(expires_at=4_000_000_000), "expires_at"),
        (lambda p: p.update(allow_promotion_codes="maybe"), "allow_promotion_codes"),
        (lambda p: p.update(metadata={"k" * 41: "v"}), "metadata[" + "k" * 41 + "]"),
        (lambda p: p.update(metadata={"k": "v" * 501}), "metadata[k]"),
        (lambda p: p.update(metadata={str(i): "v" for i in range(51)}), "metadata"),
        (lambda p: p.update(metadata={"k": {"nested": "v"}}), "metadata[k]"),
        (lambda p: p.update(payment_intent_data={"transfer_data": {"destination": "x"}}),
         "payment_intent_data[transfer_data][destination]"),
        (lambda p: p.update(payment_intent_data={"application_fee_amount": 100}),
         "payment_intent_data[application_fee_amount]"),
        (lambda p: p.update(payment_intent_data={
            "application_fee_amount": 10**9, "transfer_data": {"destination": "acct_1"}}),
         "payment_intent_data[application_fee_amount]"),
        (lambda p: p.update(custom_text="plain"), "custom_text"),
        (lambda p: p.update(line_items="one"), "line_items"),
        (lambda p: p.update(payment_method_types=["paypal"]), "payment_method_types[0]"),
    ],
)  # fmt: skip
def test_payment_mode_rules(client, build_params, mutate, param):
    params = build_params()
    mutate(params)

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=params)

    assert caught.value.param == param


@pytest.mark.parametrize(
    ("mutate", "param"),
    [
        (lambda p: p.update(customer_creation="always"), "customer_creation"),
        (lambda p: p["line_items"].append(
            {"price_data": {**p["line_items"][0]["price_data"],
                            "recurring": {"interval": "year"}}, "quantity": 1}),
         "line_items"),
        (lambda p: p["line_items"][0]["price_data"]["recurring"].update(interval_count=0),
         "line_items[0][price_data][recurring][interval_count]"),
        (lambda p: p["line_items"].append(
            {"price_data": {**p["line_items"][0]["price_data"], "currency": "eur"},
             "quantity": 1}),
         "line_items"),
        (lambda p: p.update(subscription_data={"application_fee_percent": "3"}),
         "subscription_data[application_fee_percent]"),
        (lambda p: p.update(subscription_data={
            "application_fee_percent": "101", "transfer_data": {"destination": "acct_1"}}),
         "subscription_data[application_fee_percent]"),
    ],
)  # fmt: skip
def test_subscription_mode_rules(client, build_params, mutate, param):
    params = build_params("subscription")
    mutate(params)

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=params)

    assert caught.value.param == param


def test_monthly_gift_with_a_one_time_extra_bills_both_first(client, build_params, sandbox, press):
    params = build_params("subscription", amount=1000)
    params["line_items"].append(
        {"price_data": {"currency": "usd", "unit_amount": 500,
                        "product_data": {"name": "Welcome pack"}}, "quantity": 2}
    )  # fmt: skip
    session = client.v1.checkout.sessions.create(params=params)
    press(sandbox, session.id, "pay")

    paid = client.v1.checkout.sessions.retrieve(session.id)
    invoice = client.v1.invoices.retrieve(paid.invoice)
    renewal = sandbox.renew(paid.subscription)

    assert session.amount_total == 2000
    assert [line.amount for line in invoice.lines.data] == [1000, 1000]
    assert invoice.lines.data[1].parent.type == "invoice_item_details"
    assert renewal["amount_paid"] == 1000


def test_quarterly_interval_shows_on_page_and_invoice(client, build_params, sandbox, http):
    params = build_params("subscription", amount=3000)
    params["line_items"][0]["price_data"]["recurring"]["interval_count"] = 3
    session = client.v1.checkout.sessions.create(params=params)

    page = http("GET", session.url)
    sandbox.complete_checkout(session.id)
    invoice = client.v1.invoices.retrieve(client.v1.checkout.sessions.retrieve(session.id).invoice)

    assert "every 3 months" in page.text
    assert "every 3 months" in invoice.lines.data[0].description


def test_optional_parameters_are_reflected(client, build_params, sandbox):
    params = build_params(
        customer_email="amira@example.org",
        locale="fr",
        billing_address_collection="required",
        allow_promotion_codes=True,
        phone_number_collection={"enabled": True},
        payment_method_types=["card"],
        custom_text={"submit": {"message": "Merci"}},
        ui_mode="hosted_page",
        customer_creation="always",
    )
    params["payment_intent_data"].update(
        description="Gift",
        receipt_email="amira@example.org",
        statement_descriptor_suffix="PEACE",
        transfer_data={"destination": "acct_1Peace", "amount": 4500},
        on_behalf_of="acct_1Peace",
    )

    session = client.v1.checkout.sessions.create(params=params)
    sandbox.complete_checkout(session.id, email="someone@else.org")
    intent = client.v1.payment_intents.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).payment_intent
    )

    assert (session.locale, session.billing_address_collection) == ("fr", "required")
    assert session.custom_text.submit.message == "Merci"
    assert session.phone_number_collection.enabled is True
    assert intent.transfer_data.destination == "acct_1Peace"
    assert intent.transfer_group == f"group_{intent.id}"
    assert (intent.description, intent.receipt_email) == ("Gift", "amira@example.org")


def test_zero_decimal_currency_is_shown_whole(client, build_params, http):
    session = client.v1.checkout.sessions.create(params=build_params(currency="jpy", amount=5000))

    assert "5,000 JPY" in http("GET", session.url).text


_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=40)
_values = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(metadata=st.dictionaries(_keys, _values, max_size=6))
def test_metadata_round_trips_through_the_real_client(client, build_params, metadata):
    session = client.v1.checkout.sessions.create(params=build_params(metadata=metadata))

    assert session.metadata.to_dict() == metadata
