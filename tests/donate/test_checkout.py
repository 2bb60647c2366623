"""Submitting the donation form opens a Stripe Checkout Session, or explains why it could not."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.models import Donation, DonationStatus, Referral, ReferralStatus
from portal.state import portal_state


def donations(db_session) -> list[Donation]:
    db_session.rollback()  # a new transaction sees what other connections committed
    return list(db_session.scalars(select(Donation).order_by(Donation.id)))


@pytest.mark.usefixtures("recipient")
def test_one_time_gift_opens_a_donate_checkout_carrying_the_referral(
    give, stripe_client, db_session
):
    response = give(preset="50", currency="EUR")

    assert response.status_code == 303
    [donation] = donations(db_session)
    assert response.headers["Location"] == donation.checkout_url
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert (checkout.mode, checkout.submit_type) == ("payment", "donate")
    assert (checkout.amount_total, checkout.currency) == (5000, "eur")
    assert checkout.client_reference_id == str(donation.referral_id)
    assert checkout.metadata["referral_id"] == str(donation.referral_id)
    assert checkout.metadata["donation_id"] == str(donation.id)
    assert checkout.success_url.endswith("/donate/thanks?session_id={CHECKOUT_SESSION_ID}")
    assert donation.referral.status == ReferralStatus.CHECKOUT_STARTED
    assert donation.referral.mode == "stripe"


@pytest.mark.usefixtures("recipient")
def test_monthly_gift_opens_a_subscription_checkout(give, stripe_client, db_session):
    response = give(preset="other", other_amount="42.50", frequency="monthly")

    assert response.status_code == 303
    [donation] = donations(db_session)
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert checkout.mode == "subscription"
    assert checkout.amount_total == 4250
    assert checkout.to_dict().get("submit_type") is None
    assert donation.frequency == "monthly"


@pytest.mark.usefixtures("recipient")
def test_cover_the_fees_adds_the_shown_amount(give, db_session):
    give(preset="100", cover_fees="y")

    [donation] = donations(db_session)
    assert (donation.amount, donation.fee_cover) == (10300, 300)


@pytest.mark.usefixtures("recipient")
def test_double_click_or_retried_post_opens_one_session(client, db_session):
    html = client.get("/donate/parents-circle").get_data(as_text=True)
    fields = {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)
        for name in ("csrf_token", "attempt", "shown_total")
    }
    form = {**fields, "currency": "USD", "preset": "50", "frequency": "one_time"}

    first = client.post("/donate/parents-circle", data=form)
    second = client.post("/donate/parents-circle", data=form)

    assert first.headers["Location"] == second.headers["Location"]
    assert len(donations(db_session)) == 1
    assert db_session.scalar(select(func.count(Referral.id))) == 1


def test_connect_recipient_gets_a_destination_charge(
    give, make_org, sandbox, stripe_client, db_session
):
    from portal.models import HandoffMode

    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    give("ecopeace", preset="50")
    [donation] = donations(db_session)

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")

    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    intent = stripe_client.v1.payment_intents.retrieve(checkout.payment_intent)
    assert intent.transfer_data.destination == "acct_1Eco"


def test_monthly_connect_recipient_gets_subscription_transfers(
    give, make_org, sandbox, stripe_client, db_session
):
    from portal.models import HandoffMode

    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    give("ecopeace", preset="50", frequency="monthly")
    [donation] = donations(db_session)

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")

    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    subscription = stripe_client.v1.subscriptions.retrieve(checkout.subscription)
    assert subscription.transfer_data.destination == "acct_1Eco"


@pytest.mark.usefixtures("recipient")
def test_invalid_amount_rerenders_the_form_with_errors_and_sends_nothing(give, sandbox, db_session):
    response = give(preset="other", other_amount="12,34.5.6")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the amount as a number" in html
    assert 'value="12,34.5.6"' in html
    assert donations(db_session) == []
    assert sandbox.events() == []


@pytest.mark.usefixtures("recipient")
def test_amount_outside_the_currency_range_is_refused(give, db_session):
    response = give(preset="other", other_amount="3", currency="ILS")

    assert response.status_code == 400
    assert "between ₪20.00 and ₪90,000.00" in response.get_data(as_text=True)
    assert donations(db_session) == []


@pytest.mark.usefixtures("recipient")
def test_long_dedication_is_refused_with_a_message(give, db_session):
    response = give(dedication="x" * 121)

    assert response.status_code == 400
    assert "120" in response.get_data(as_text=True)
    assert donations(db_session) == []


@pytest.mark.usefixtures("recipient")
def test_missing_csrf_token_is_refused(client, db_session):
    response = client.post("/donate/parents-circle", data={"preset": "50", "currency": "USD"})

    assert response.status_code == 400
    assert donations(db_session) == []


@pytest.mark.usefixtures("recipient")
def test_stripe_refusing_the_key_shows_a_clear_page_and_marks_the_referral_failed(
    app, give, db_session
):
    from portal.stripe_gateway import build_gateway

    portal_state(app).gateway = build_gateway({**app.config, "STRIPE_SECRET_KEY": "sk_test_bad"})

    response = give(preset="50", currency="GBP", frequency="monthly")

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "could not reach our payment provider" in html
    assert 'value="GBP" selected' in html or 'selected value="GBP"' in html
    [donation] = donations(db_session)
    assert donation.status == DonationStatus.FAILED
    assert donation.referral.status == ReferralStatus.CHECKOUT_FAILED
    assert "AuthenticationError" in donation.referral.failure_reason


def test_stripe_unreachable_shows_a_clear_page_with_the_members_own_site(
    app, give, make_org, db_session
):
    from portal.models import HandoffMode
    from portal.stripe_gateway import build_gateway

    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, website="https://ecopeace.example")
    portal_state(app).gateway = build_gateway(
        {**app.config, "STRIPE_API_BASE": "http://127.0.0.1:9", "STRIPE_TIMEOUT_SECONDS": 2}
    )

    response = give("ecopeace", preset="50")

    assert response.status_code == 503
    assert 'href="https://ecopeace.example"' in response.get_data(as_text=True)
    [donation] = donations(db_session)
    assert "APIConnectionError" in donation.failure_reason


@pytest.mark.usefixtures("recipient")
def test_checkout_creation_is_rate_limited_per_visitor(app, give):
    app.config["CHECKOUT_RATE_LIMIT"] = 3

    codes = [give(preset="50").status_code for _ in range(4)]

    assert codes == [303, 303, 303, 429]


@pytest.mark.usefixtures("recipient")
def test_rate_limit_holds_across_workers(app_config):
    from portal import create_app, dispose

    workers = [create_app({**app_config, "CHECKOUT_RATE_LIMIT": 2}) for _ in range(2)]
    clients = [worker.test_client() for worker in workers]
    codes = []
    for turn in range(3):
        client = clients[turn % 2]
        html = client.get("/donate/parents-circle").get_data(as_text=True)
        form = {
            name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)
            for name in ("csrf_token", "attempt", "shown_total")
        }
        form.update(currency="USD", preset="50", frequency="one_time")
        codes.append(client.post("/donate/parents-circle", data=form).status_code)

    assert codes == [303, 303, 429]
    for worker in workers:
        dispose(worker)


def test_connect_gift_keeps_the_fee_cover_with_the_coalition(
    give, make_org, sandbox, stripe_client, db_session
):
    from portal.models import HandoffMode

    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    give("ecopeace", preset="50", cover_fees="y")
    [donation] = donations(db_session)

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")

    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    intent = stripe_client.v1.payment_intents.retrieve(checkout.payment_intent)
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    assert (intent.amount, donation.fee_cover) == (5150, 150)
    assert (intent.application_fee_amount, charge.application_fee_amount) == (150, 150)
    assert intent.transfer_data.destination == "acct_1Eco"


def test_monthly_connect_gift_keeps_the_fee_cover_on_every_invoice(
    give, make_org, sandbox, stripe_client, db_session
):
    from portal.models import HandoffMode

    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    give("ecopeace", preset="50", frequency="monthly", cover_fees="y")
    [donation] = donations(db_session)
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)

    renewal = sandbox.renew(checkout.subscription)

    subscription = stripe_client.v1.subscriptions.retrieve(checkout.subscription)
    assert subscription.application_fee_percent == 2.91  # 150 of 5150, to two decimals
    [payment] = stripe_client.v1.invoice_payments.list(params={"invoice": renewal["id"]}).data
    intent = stripe_client.v1.payment_intents.retrieve(payment.payment.payment_intent)
    assert (intent.amount, intent.application_fee_amount) == (5150, 150)
    assert intent.transfer_data.destination == "acct_1Eco"


@pytest.mark.usefixtures("recipient")
def test_a_gift_without_a_connect_account_has_no_application_fee(
    give, sandbox, stripe_client, db_session
):
    give(preset="50", cover_fees="y")
    [donation] = donations(db_session)

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")

    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    intent = stripe_client.v1.payment_intents.retrieve(checkout.payment_intent)
    assert (intent.amount, intent.application_fee_amount, intent.transfer_data) == (
        5150,
        None,
        None,
    )
