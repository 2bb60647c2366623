"""The donation form as a donor fills it, money kept exact, and the thanks page's honesty."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.donate.money import CURRENCIES, parse_amount, plain
from portal.models import Donation, Referral


@pytest.mark.usefixtures("recipient")
def test_presets_are_a_labelled_radio_group(client):
    html = client.get("/donate/parents-circle?currency=ILS").get_data(as_text=True)

    assert re.search(r"<fieldset[^>]*>\s*<legend>Amount</legend>", html)
    assert re.findall(r'type="radio" value="(\d+)"', html)[:4] == ["100", "180", "360", "1000"]
    assert "₪180.00" in html


@pytest.mark.usefixtures("recipient")
def test_a_prefilled_link_fills_the_form_but_never_skips_it(client, sandbox):
    response = client.get("/donate/parents-circle?amount=75&currency=EUR&frequency=monthly")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<option selected value="EUR">|<option value="EUR" selected>', html)
    assert re.search(r'<input checked[^>]*value="other">', html)
    assert re.search(r'<input[^>]*name="other_amount"[^>]*value="75">', html)
    assert re.search(r'<input checked[^>]*value="monthly">', html)
    assert sandbox.events() == []


@pytest.mark.usefixtures("recipient")
def test_nonsense_in_a_prefilled_link_is_ignored(client):
    response = client.get("/donate/parents-circle?amount=-5&currency=XYZ&frequency=daily")

    assert response.status_code == 200
    assert re.search(
        r'<option selected value="USD">|<option value="USD" selected>',
        response.get_data(as_text=True),
    )


@pytest.mark.usefixtures("recipient")
def test_fee_cover_amount_is_shown_before_paying(client):
    html = client.get("/donate/parents-circle").get_data(as_text=True)

    assert "Add 3% to cover card fees" in html
    assert "On a gift of $50.00 this adds $1.50." in html


def test_coalition_form_lives_at_donate(client, make_coalition):
    make_coalition(name="The Coalition")

    html = client.get("/donate").get_data(as_text=True)

    assert "Give to The Coalition" in html
    assert "The coalition receives this gift and issues your receipt" in html


def test_a_member_that_takes_gifts_on_its_own_site_is_reached_through_its_hand_off(
    client, make_org, db_session
):
    make_org("roots", donation_url="https://roots.example.org/donate")

    first = client.get("/donate/roots?utm_campaign=spring")
    second = client.get(first.headers["Location"])

    assert first.status_code == 302
    assert first.headers["Location"].startswith("/go/roots?utm_campaign=spring")
    assert second.headers["Location"].startswith("https://roots.example.org/donate?")
    assert "portal_ref=" in second.headers["Location"]
    db_session.rollback()
    assert db_session.scalar(select(func.count(Referral.id))) == 1


def test_an_unknown_member_has_no_form(client):
    assert client.get("/donate/nobody").status_code == 404


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_amounts_round_trip_from_form_to_stripe_to_ledger_in_every_currency(
    give, recipient, stripe_client, db_session, app, data
):
    app.config["CHECKOUT_RATE_LIMIT"] = 10_000
    code = data.draw(st.sampled_from(sorted(CURRENCIES)))
    currency = CURRENCIES[code]
    minor = data.draw(st.integers(currency.minimum, currency.maximum))
    typed = plain(minor, code)

    give(preset="other", other_amount=typed, currency=code)

    db_session.rollback()
    donation = db_session.scalars(select(Donation).order_by(Donation.id.desc())).first()
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert (donation.amount, donation.currency) == (minor, code)
    assert (checkout.amount_total, checkout.currency) == (minor, code.lower())


@given(st.sampled_from(sorted(CURRENCIES)), st.integers(0, 10**9))
def test_plain_amounts_parse_back_to_the_same_minor_units(code, minor):
    currency = CURRENCIES[code]
    bounded = currency.minimum + minor % (currency.maximum - currency.minimum + 1)

    assert parse_amount(plain(bounded, code), currency) == bounded
    assert currency.to_major(bounded) == Decimal(bounded) / 100


@pytest.mark.usefixtures("recipient")
def test_thanks_page_says_processing_until_stripe_confirms(give, client, db_session):
    give(preset="50")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()

    response = client.get(f"/donate/thanks?session_id={donation.stripe_checkout_session_id}")

    html = response.get_data(as_text=True)
    assert "We are confirming your gift" in html
    assert "Your gift of $50.00 to Parents Circle is being processed." in re.sub(
        r"<[^>]+>", "", html
    )
    assert 'http-equiv="refresh"' not in html  # a screen reader would hear the page restart
    assert re.search(r'<a href="/donate/thanks\?session_id=cs_[^"]+">Check again</a>', html)
    assert 'aria-live="polite"' in html and "thanks.js" in html


@pytest.mark.usefixtures("recipient")
def test_thanks_page_asks_stripe_and_fulfils_once(give, client, sandbox, db_session):
    give(preset="50")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")  # webhook not yet here
    url = f"/donate/thanks?session_id={donation.stripe_checkout_session_id}"

    first = client.get(url).get_data(as_text=True)
    second = client.get(url).get_data(as_text=True)

    assert "Your gift of $50.00 to Parents Circle is confirmed." in re.sub(r"<[^>]+>", "", first)
    assert "Thank you for your gift" in second
    db_session.rollback()
    assert db_session.scalars(select(Donation)).one().status == "paid"


def test_thanks_page_for_an_unknown_session_is_not_found(client):
    assert client.get("/donate/thanks?session_id=cs_test_nope").status_code == 404


@pytest.mark.usefixtures("recipient")
def test_a_typed_amount_counts_even_without_picking_other(give, db_session):
    response = give(preset=None, other_amount="64")

    assert response.status_code == 303
    db_session.rollback()
    assert db_session.scalars(select(Donation)).one().amount == 6400


@pytest.mark.usefixtures("recipient")
def test_a_typed_amount_wins_over_the_preselected_preset_and_is_confirmed_first(give, db_session):
    response = give(preset="50", other_amount="64", confirm=False)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You are about to give $64.00 to Parents Circle once." in html
    assert "Give $64.00 once" in html
    db_session.rollback()
    assert db_session.scalars(select(Donation)).all() == []


@pytest.mark.usefixtures("recipient")
def test_no_amount_at_all_is_explained(give):
    response = give(preset=None)

    assert response.status_code == 400
    assert "Choose an amount, or type the amount you would like." in response.get_data(as_text=True)
