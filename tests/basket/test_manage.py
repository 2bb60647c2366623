"""A monthly basket through its manage link: every member's part, and one cancel for all."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.mail import deliver
from portal.models import Donation


@pytest.fixture
def monthly_basket(members, fill, pay, sandbox, live_portal, db_session):
    fill("parents-circle", "roots")
    pay(frequency="monthly", currency="GBP", total="30")
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    db_session.rollback()
    return db_session.get(Donation, donation.id)


@pytest.fixture
def managed(monthly_basket, client):
    thanks = client.get(f"/basket/thanks?session_id={monthly_basket.stripe_checkout_session_id}")
    link = re.search(r'<a href="([^"]+)">Manage your gift</a>', thanks.get_data(as_text=True))
    assert link, "the thanks page offers no manage link"
    client.get(urlsplit(link.group(1)).path)
    return monthly_basket


def test_the_manage_page_shows_every_members_part(managed, client):
    html = re.sub(r"<[^>]+>", "", client.get("/gift").get_data(as_text=True))

    assert "Your giving basket" in html
    assert "Parents Circle" in html and "Roots" in html
    assert html.count("£15.00") == 2
    assert "Cancelling stops the monthly gift to every member in the basket." in html


def test_cancelling_ends_the_whole_monthly_basket(managed, client, csrf_token, stripe_client):
    client.post("/gift/cancel", data={"csrf_token": csrf_token("/gift"), "when": "now"})

    subscription = stripe_client.v1.subscriptions.retrieve(managed.stripe_subscription_id)
    assert subscription.status == "canceled"
    assert len(subscription["items"]["data"]) == 2


def test_the_thank_you_mail_names_every_member_of_the_basket(monthly_basket, app, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url

    with app.app_context():
        deliver()

    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == "Thank you for your gift to Parents Circle and Roots"
    assert "£30.00" in mail.get_content()
    assert "change the card or stop giving" in mail.get_content()  # a basket's amount is fixed


def test_a_monthly_basket_says_how_to_change_its_amount_and_refuses_a_change(
    managed, client, csrf_token, stripe_client
):
    # Each member's part is fixed by the basket; scaling them would re-split the gift without
    # the donor choosing the new parts, so the page says how to give a different amount.
    refusal = "The amount of a basket gift cannot be changed here: it is shared among several"
    page = re.sub(r"<[^>]+>", "", client.get("/gift").get_data(as_text=True))

    response = client.post("/gift/amount", data={"csrf_token": csrf_token("/gift"), "amount": "40"})

    assert refusal in page and "Change the amount" not in page
    assert response.status_code == 303
    assert refusal in client.get("/gift").get_data(as_text=True)
    subscription = stripe_client.v1.subscriptions.retrieve(managed.stripe_subscription_id)
    assert [item["price"]["unit_amount"] for item in subscription["items"]["data"]] == [1500, 1500]
