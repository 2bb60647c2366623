"""The hosted checkout page and its four buttons, and the objects and events they leave."""

from __future__ import annotations

import pytest


def _event_types(client):
    return [event.type for event in client.v1.events.list(params={"limit": 100}).data][::-1]


def test_page_shows_banner_amount_recipient_and_email(client, make_session, http):
    session = make_session(client, amount=5000)

    page = http("GET", session.url)

    assert page.status == 200
    assert "Stripe sandbox — no money moves" in page.text
    assert "50.00 USD" in page.text
    assert "Hand in Hand" in page.text
    assert 'value="donor@example.com"' in page.text
    for action in ("pay", "pay_async", "decline", "cancel"):
        assert f'name="action" value="{action}"' in page.text
    assert "<script" not in page.text
    assert "src=" not in page.text
    assert "<link" not in page.text


def test_monthly_page_says_how_often(client, make_session, http):
    session = make_session(client, "subscription", amount=1000)

    page = http("GET", session.url)

    assert "10.00 USD" in page.text
    assert "every month" in page.text


def test_pay_completes_a_one_time_session(client, make_session, sandbox, press):
    session = make_session(client)

    result = press(sandbox, session.id, "pay", email="amira@example.org")

    assert result.status == 303
    assert result.headers["Location"] == (
        f"http://127.0.0.1:5000/donate/thanks?session_id={session.id}"
    )
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert (paid.status, paid.payment_status, paid.url) == ("complete", "paid", None)
    assert paid.customer_details.email == "amira@example.org"
    intent = client.v1.payment_intents.retrieve(paid.payment_intent)
    assert (intent.status, intent.amount_received) == ("succeeded", 5000)
    assert intent.metadata.to_dict() == {"referral_id": "42"}
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.status, charge.paid, charge.payment_intent) == ("succeeded", True, intent.id)
    assert _event_types(client) == ["checkout.session.completed"]


def test_pay_starts_a_monthly_subscription(client, make_session, sandbox, press):
    session = make_session(client, "subscription", amount=1000)

    result = press(sandbox, session.id, "pay")

    assert result.status == 303
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert (paid.status, paid.payment_status, paid.payment_intent) == ("complete", "paid", None)
    subscription = client.v1.subscriptions.retrieve(paid.subscription)
    assert subscription.status == "active"
    assert subscription.customer == paid.customer
    assert subscription.metadata.to_dict() == {"referral_id": "42"}
    assert subscription.latest_invoice == paid.invoice
    invoice = client.v1.invoices.retrieve(paid.invoice)
    assert (invoice.status, invoice.amount_paid, invoice.billing_reason) == (
        "paid",
        1000,
        "subscription_create",
    )
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert client.v1.customers.retrieve(paid.customer).email == "donor@example.com"
    assert _event_types(client) == [
        "customer.subscription.created",
        "invoice.paid",
        "invoice_payment.paid",
        "checkout.session.completed",
    ]


def test_pay_async_completes_unpaid_then_settles(client, make_session, sandbox, press, http):
    session = make_session(client)

    press(sandbox, session.id, "pay_async")
    pending = client.v1.checkout.sessions.retrieve(session.id)
    settled = http(
        "POST", f"{sandbox.url}/_sandbox/checkout/sessions/{session.id}/settle", "outcome=succeeded"
    )

    assert (pending.status, pending.payment_status) == ("complete", "unpaid")
    assert client.v1.payment_intents.retrieve(pending.payment_intent).status == "succeeded"
    assert settled.json()["payment_status"] == "paid"
    assert _event_types(client) == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]


def test_failed_async_payment_stays_unpaid(client, make_session, sandbox, press):
    session = make_session(client)
    press(sandbox, session.id, "pay_async")

    sandbox.settle(session.id, "failed")

    failed = client.v1.checkout.sessions.retrieve(session.id)
    assert failed.payment_status == "unpaid"
    intent = client.v1.payment_intents.retrieve(failed.payment_intent)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"
    assert _event_types(client)[-1] == "checkout.session.async_payment_failed"


def test_async_monthly_gift_activates_when_settled(client, make_session, sandbox, press):
    session = make_session(client, "subscription")
    press(sandbox, session.id, "pay_async")
    before = client.v1.subscriptions.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).subscription
    )

    sandbox.settle(session.id, "succeeded")

    after = client.v1.subscriptions.retrieve(before.id)
    assert (before.status, after.status) == ("incomplete", "active")
    assert _event_types(client) == [
        "customer.subscription.created",
        "checkout.session.completed",
        "invoice.paid",
        "invoice_payment.paid",
        "checkout.session.async_payment_succeeded",
    ]


def test_decline_stays_on_the_page_and_session_stays_open(client, make_session, sandbox, press):
    session = make_session(client)

    result = press(sandbox, session.id, "decline")

    assert result.status == 402
    assert "Your card was declined." in result.text
    assert 'role="alert"' in result.text
    still_open = client.v1.checkout.sessions.retrieve(session.id)
    assert still_open.status == "open"
    intent = client.v1.payment_intents.retrieve(still_open.payment_intent)
    assert intent.status == "requires_payment_method"
    assert _event_types(client) == []


def test_pay_after_a_decline_reuses_the_payment_intent(client, make_session, sandbox, press):
    session = make_session(client)
    press(sandbox, session.id, "decline")
    declined_intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent

    press(sandbox, session.id, "pay")

    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert paid.payment_intent == declined_intent
    assert client.v1.payment_intents.retrieve(declined_intent).status == "succeeded"


def test_cancel_returns_to_the_site_and_session_stays_open(client, make_session, sandbox, press):
    session = make_session(client)

    result = press(sandbox, session.id, "cancel")

    assert result.status == 303
    assert result.headers["Location"] == "http://127.0.0.1:5000/donate/cancelled"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_invalid_email_is_refused(client, make_session, sandbox, press):
    session = make_session(client)

    result = press(sandbox, session.id, "pay", email="not-an-email")

    assert result.status == 400
    assert "Enter a valid email address." in result.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


@pytest.mark.parametrize("close", ["pay", "expire"])
def test_closed_session_page_offers_no_action(client, make_session, sandbox, press, http, close):
    session = make_session(client)
    if close == "pay":
        press(sandbox, session.id, "pay")
    else:
        client.v1.checkout.sessions.expire(session.id)

    page = http("GET", f"{sandbox.url}/pay/{session.id}")
    again = press(sandbox, session.id, "pay")

    assert page.status == 200
    assert 'name="action"' not in page.text
    assert "Nothing more can be done" in page.text
    assert again.status == 409
    assert len(_event_types(client)) == 1


def test_unknown_session_page_is_404(sandbox, http):
    page = http("GET", f"{sandbox.url}/pay/cs_test_missing")

    assert page.status == 404
    assert "Checkout session not found" in page.text


def test_refund_emits_charge_refunded(client, make_session, sandbox, press, http):
    session = make_session(client)
    press(sandbox, session.id, "pay")

    result = http("POST", f"{sandbox.url}/_sandbox/checkout/sessions/{session.id}/refund")

    charge = result.json()
    assert (charge["refunded"], charge["amount_refunded"]) == (True, 5000)
    intent_id = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    assert charge["payment_intent"] == intent_id
    event = client.v1.events.list(params={"limit": 1}).data[0]
    assert event.type == "charge.refunded"
    assert event.data.object.refunds.data[0].amount == 5000


def test_refund_twice_is_refused(client, make_session, sandbox, press, http):
    session = make_session(client)
    press(sandbox, session.id, "pay")
    sandbox.refund(session.id)

    again = http("POST", f"{sandbox.url}/_sandbox/checkout/sessions/{session.id}/refund")

    assert again.status == 400
    assert again.json()["error"]["code"] == "charge_already_refunded"


def test_refund_of_an_unpaid_session_is_refused(client, make_session, sandbox, http):
    session = make_session(client)

    result = http("POST", f"{sandbox.url}/_sandbox/checkout/sessions/{session.id}/refund")

    assert result.status == 400


def test_control_expire_emits_expired(client, make_session, sandbox, http):
    session = make_session(client)

    result = http("POST", f"{sandbox.url}/_sandbox/checkout/sessions/{session.id}/expire")

    assert result.json()["status"] == "expired"
    assert _event_types(client) == ["checkout.session.expired"]


def test_renewal_bills_the_next_month(client, make_session, sandbox, press, http):
    session = make_session(client, "subscription", amount=1000)
    press(sandbox, session.id, "pay")
    sub_id = client.v1.checkout.sessions.retrieve(session.id).subscription
    first_period = client.v1.subscriptions.retrieve(sub_id)["items"].data[0]

    result = http("POST", f"{sandbox.url}/_sandbox/subscriptions/{sub_id}/renew")

    invoice = result.json()
    assert (invoice["status"], invoice["billing_reason"]) == ("paid", "subscription_cycle")
    assert invoice["parent"]["subscription_details"]["subscription"] == sub_id
    assert invoice["parent"]["subscription_details"]["metadata"] == {"referral_id": "42"}
    renewed = client.v1.subscriptions.retrieve(sub_id)["items"].data[0]
    assert renewed.current_period_start == first_period.current_period_end
    assert renewed.current_period_end > renewed.current_period_start
    assert client.v1.subscriptions.retrieve(sub_id).latest_invoice == invoice["id"]
    assert _event_types(client)[-2:] == ["invoice.paid", "invoice_payment.paid"]


def test_cancel_subscription_emits_deleted(client, make_session, sandbox, press, http):
    session = make_session(client, "subscription")
    press(sandbox, session.id, "pay")
    sub_id = client.v1.checkout.sessions.retrieve(session.id).subscription

    result = http("POST", f"{sandbox.url}/_sandbox/subscriptions/{sub_id}/cancel")
    again = http("POST", f"{sandbox.url}/_sandbox/subscriptions/{sub_id}/cancel")
    renew = http("POST", f"{sandbox.url}/_sandbox/subscriptions/{sub_id}/renew")

    assert result.json()["status"] == "canceled"
    assert result.json()["cancellation_details"]["reason"] == "cancellation_requested"
    assert (again.status, renew.status) == (400, 400)
    assert _event_types(client)[-1] == "customer.subscription.deleted"


def test_refund_of_a_monthly_gift_refunds_its_latest_invoice(client, make_session, sandbox, press):
    session = make_session(client, "subscription", amount=1000)
    press(sandbox, session.id, "pay")

    charge = sandbox.refund(session.id)

    assert (charge["refunded"], charge["amount"]) == (True, 1000)
    assert charge["customer"] == client.v1.checkout.sessions.retrieve(session.id).customer


def test_settle_needs_a_pending_payment(client, make_session, sandbox, press, http):
    session = make_session(client)
    press(sandbox, session.id, "pay")

    result = http(
        "POST",
        f"{sandbox.url}/_sandbox/checkout/sessions/{session.id}/settle",
        '{"outcome": "succeeded"}',
        {"Content-Type": "application/json"},
    )
    bad = http(
        "POST", f"{sandbox.url}/_sandbox/checkout/sessions/{session.id}/settle", "outcome=maybe"
    )

    assert result.status == 400
    assert bad.json()["error"]["param"] == "outcome"


def test_control_on_unknown_objects_is_404(sandbox, http):
    for path in (
        "/_sandbox/checkout/sessions/cs_test_x/refund",
        "/_sandbox/subscriptions/sub_x/renew",
    ):
        result = http("POST", f"{sandbox.url}{path}")

        assert result.status == 404
        assert result.json()["error"]["code"] == "resource_missing"


def test_reset_forgets_everything(client, make_session, sandbox, http):
    session = make_session(client)

    http("POST", f"{sandbox.url}/_sandbox/reset")

    assert http("GET", f"{sandbox.url}/pay/{session.id}").status == 404
    assert _event_types(client) == []
