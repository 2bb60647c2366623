"""A monthly donor changes what they give each month from the gift's private page: Stripe
charges the new amount from the next payment on, and the ledger, the audit log and the donor's
mail say so."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.mail import deliver
from portal.models import AuditEntry, Donation, DonationStatus, HandoffMode, StripeSubscription


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _price(stripe_client, subscription_id: str) -> int:
    sub = stripe_client.v1.subscriptions.retrieve(subscription_id)
    return sub["items"]["data"][0]["price"]["unit_amount"]


@pytest.fixture
def change(client, csrf_token):
    """Factory: post a new monthly amount from the manage page; returns the response."""

    def _change(amount: str, **extra):
        # Any page of the session holds its token (an ended gift's page has no form).
        data = {"csrf_token": csrf_token("/donate/parents-circle"), "amount": amount, **extra}
        return client.post("/gift/amount", data=data)

    return _change


def test_the_next_renewal_charges_the_new_amount_and_the_ledger_has_it(
    monthly_gift, managing, change, client, sandbox, stripe_client, db_session
):
    managing(monthly_gift)

    response = change("45")
    sandbox.wait_for_deliveries()
    sandbox.renew(monthly_gift.stripe_subscription_id)
    sandbox.wait_for_deliveries()

    assert response.status_code == 303
    page = _words(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your monthly gift is now $45.00, from the payment on" in page
    assert "$45.00 every month" in page
    assert _price(stripe_client, monthly_gift.stripe_subscription_id) == 4500
    db_session.rollback()
    rows = db_session.scalars(
        select(Donation).filter_by(stripe_subscription_id=monthly_gift.stripe_subscription_id)
    ).all()
    assert [(row.amount, row.status) for row in rows] == [
        (3000, DonationStatus.PAID),
        (4500, DonationStatus.PAID),
    ]
    mirror = db_session.get(StripeSubscription, monthly_gift.stripe_subscription_id)
    assert mirror.amount == 4500


def test_the_page_shows_the_next_payment_date_and_amount(
    monthly_gift, managing, change, client, stripe_client
):
    managing(monthly_gift)

    change("45")

    page = _words(client.get("/gift").get_data(as_text=True))
    period_end = stripe_client.v1.subscriptions.retrieve(monthly_gift.stripe_subscription_id)[
        "items"
    ]["data"][0]["current_period_end"]
    due = datetime.fromtimestamp(period_end, UTC)
    assert f"The next payment, of $45.00, is on {due:%B} {due.day}, {due.year}." in page
    assert "nothing is charged or refunded now" in page


def test_the_change_is_audited_and_confirmed_by_mail(
    monthly_gift, managing, change, app, smtp_server, db_session
):
    app.config["MAIL_URL"] = smtp_server.url
    managing(monthly_gift)

    change("45")
    with app.app_context():
        deliver()

    db_session.rollback()
    [entry] = db_session.scalars(select(AuditEntry)).all()
    assert (entry.field, entry.before, entry.after, entry.via) == (
        "monthly amount",
        "$30.00",
        "$45.00",
        "manage link",
    )
    mails = {mail["Subject"]: mail for mail in smtp_server.wait_for(2)}  # thanks, then this
    mail = mails["Your monthly gift to Parents Circle has a new amount"]
    assert mail["To"] == "ana@example.org"
    body = mail.get_content()
    assert "is now $45.00 (it was $30.00)" in body
    assert "/gift/" in body  # the manage link
    thanks = mails["Thank you for your gift to Parents Circle"].get_content()
    assert "change the amount or the card, or stop giving" in thanks


def test_a_decimal_comma_is_read_as_cents(monthly_gift, managing, change, stripe_client):
    managing(monthly_gift)

    change("45,50")

    assert _price(stripe_client, monthly_gift.stripe_subscription_id) == 4550


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the new monthly amount."),
        ("forty", "Enter the amount as a number, like 50 or 50.00."),
        ("2", "Please give between $5.00 and $25,000.00."),
        ("99999", "Please give between $5.00 and $25,000.00."),
        ("45.5555", "That currency takes at most two decimals."),
        ("1.000", "“1.000” could mean $1,000.00 or $1.00."),
    ],
)
def test_a_bad_amount_is_explained_and_changes_nothing(
    monthly_gift, managing, change, stripe_client, typed, message, db_session
):
    managing(monthly_gift)

    response = change(typed)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in _words(html).replace("&#34;", '"')
    assert 'aria-invalid="true"' in html
    assert _price(stripe_client, monthly_gift.stripe_subscription_id) == 3000
    db_session.rollback()
    assert db_session.scalars(select(AuditEntry)).all() == []


def test_a_post_without_the_csrf_token_changes_nothing(
    monthly_gift, managing, client, stripe_client
):
    managing(monthly_gift)

    response = client.post("/gift/amount", data={"amount": "45"})

    assert response.status_code == 400
    assert _price(stripe_client, monthly_gift.stripe_subscription_id) == 3000


def test_a_gift_that_covers_the_fees_keeps_covering_them(
    give, recipient, sandbox, live_portal, db_session, managing, change, stripe_client
):
    give(preset="other", other_amount="30", frequency="monthly", cover_fees="y")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="ana@example.org")
    sandbox.wait_for_deliveries()
    db_session.rollback()
    donation = db_session.get(Donation, donation.id)
    managing(donation)

    change("100")

    assert _price(stripe_client, donation.stripe_subscription_id) == 10000 + 300  # 3 % fee


def test_an_ended_gift_offers_no_change_and_refuses_one(
    monthly_gift, managing, change, client, sandbox, stripe_client
):
    managing(monthly_gift)
    sandbox.cancel_subscription(monthly_gift.stripe_subscription_id)
    sandbox.wait_for_deliveries()

    page = client.get("/gift").get_data(as_text=True)
    response = change("45")

    assert "Change the amount" not in page
    assert response.status_code == 303
    assert "Only a running monthly gift can change its amount." in client.get("/gift").get_data(
        as_text=True
    )
    assert _price(stripe_client, monthly_gift.stripe_subscription_id) == 3000


def test_the_manage_links_secret_never_reaches_a_log(monthly_gift, client, change, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    thanks = client.get(f"/donate/thanks?session_id={monthly_gift.stripe_checkout_session_id}")
    link = re.search(r'href="[^"]*/gift/([^"/]+)">Manage your gift', thanks.get_data(as_text=True))
    token = link.group(1)
    caplog.clear()

    client.get(f"/gift/{token}")
    change("45")
    sandbox.wait_for_deliveries()

    assert token not in caplog.text
    assert all(token not in str(delivery) for delivery in sandbox.deliveries())


@pytest.mark.usefixtures("recipient")  # its form page holds the session's CSRF token
def test_a_connect_members_gift_keeps_its_fee_cover_as_the_application_fee(
    give, make_org, sandbox, live_portal, db_session, managing, change, stripe_client
):
    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    give("ecopeace", preset="other", other_amount="30", frequency="monthly", cover_fees="y")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="ana@example.org")
    sandbox.wait_for_deliveries()
    db_session.rollback()
    donation = db_session.get(Donation, donation.id)
    managing(donation)

    change("100")
    invoice = sandbox.renew(donation.stripe_subscription_id)

    sub = stripe_client.v1.subscriptions.retrieve(donation.stripe_subscription_id)
    assert sub["items"]["data"][0]["price"]["unit_amount"] == 10300
    assert float(sub.application_fee_percent) == 2.91  # 300 of 10,300
    assert invoice["amount_paid"] == 10300
