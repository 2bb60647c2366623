"""The donor sees exactly what will be charged before leaving for Checkout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models import Donation


def _button(html: str) -> str:
    return re.search(r'id="give-button"[^>]*>([^<]*)</button>', html).group(1)


@pytest.mark.usefixtures("recipient")
def test_a_sensible_amount_is_chosen_and_the_button_says_it(client):
    html = client.get("/donate/parents-circle").get_data(as_text=True)

    assert re.search(r'checked[^>]*value="50"|value="50"[^>]*checked', html)
    assert _button(html) == "Give $50.00 once"


@pytest.mark.usefixtures("recipient")
def test_the_fee_hint_uses_the_chosen_currency(client):
    html = client.get("/donate/parents-circle?currency=EUR").get_data(as_text=True)

    assert "On a gift of €50.00 this adds €1.50." in html


@pytest.mark.usefixtures("recipient")
def test_the_quote_names_the_monthly_total_with_fee_cover(client):
    quote = client.get(
        "/donate/parents-circle/quote",
        query_string={
            "currency": "EUR",
            "preset": "other",
            "other_amount": "75,50",
            "frequency": "monthly",
            "cover_fees": "y",
        },
    ).get_json()

    assert quote["button"] == "Give €77.77 every month"
    assert quote["shown_total"] == "7777:EUR:monthly"
    assert quote["fee_hint"] == "On a gift of €75.50 this adds €2.27."


@pytest.mark.usefixtures("recipient")
def test_a_quote_for_no_amount_names_none(client):
    quote = client.get(
        "/donate/parents-circle/quote", query_string={"currency": "USD", "preset": "other"}
    ).get_json()

    assert quote == {"button": "Continue to secure payment", "shown_total": "", "fee_hint": None}


def test_a_quote_for_a_member_outside_checkout_is_not_found(client, make_org):
    make_org("roots")

    assert client.get("/donate/roots/quote").status_code == 404


@pytest.mark.usefixtures("recipient")
def test_a_total_the_button_did_not_show_is_confirmed_before_checkout(give, db_session):
    page = give(
        preset="other",
        other_amount="75,50",
        currency="EUR",
        cover_fees="y",
        frequency="monthly",
        confirm=False,
    )

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "You are about to give €77.77 to Parents Circle every month." in html
    assert "That is your gift of €75.50 and €2.27 to cover card fees." in html
    assert _button(html) == "Give €77.77 every month"
    db_session.rollback()
    assert db_session.scalars(select(Donation)).all() == []


@pytest.mark.usefixtures("recipient")
def test_the_confirmed_total_goes_to_checkout(give, stripe_client, db_session):
    response = give(preset="other", other_amount="75,50", currency="EUR", cover_fees="y")

    assert response.status_code == 303
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert (checkout.amount_total, checkout.currency) == (7777, "eur")
