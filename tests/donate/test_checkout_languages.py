"""A gift started in Arabic or Hebrew reaches Checkout with a locale Stripe accepts, and comes
back to a thanks page in the donor's language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models import Donation


@pytest.mark.parametrize(
    ("lang", "confirmed"),
    [  # amounts as Babel writes them there: Latin digits, the sign after, marks for direction
        ("he", "התרומה שלך בסך \u200f50.00\xa0\u200f$ ל־Parents Circle אושרה."),
        ("ar", "تأكّد تبرعك بمبلغ \u200f50.00\xa0US$ لـ Parents Circle."),
    ],
)
@pytest.mark.usefixtures("recipient")
def test_gift_in_arabic_or_hebrew_checks_out_and_is_thanked_in_that_language(
    client, give, sandbox, stripe_client, db_session, lang, confirmed
):
    response = give(query=f"?lang={lang}", preset="50")

    assert response.status_code == 303
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert checkout.locale == "auto"  # Checkout has neither language; auto follows the browser
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    thanks = client.get(f"/donate/thanks?session_id={donation.stripe_checkout_session_id}")
    html = thanks.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="rtl">' in html
    assert confirmed in re.sub(r"<[^>]+>", "", html)
    # The English name and the amount are isolated, so the right-to-left sentence keeps its order.
    assert '<bdi lang="en">Parents Circle</bdi>' in html
    assert "<bdi>\u200f50.00" in html


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("he", "עמוד התשלום של Stripe אינו זמין בעברית"),
        ("ar", "صفحة الدفع من Stripe غير متوفرة باللغة العربية"),
    ],
)
@pytest.mark.usefixtures("recipient")
def test_form_warns_before_leaving_that_the_payment_page_lacks_the_language(client, lang, note):
    html = client.get(f"/donate/parents-circle?lang={lang}").get_data(as_text=True)

    assert note in html
    assert html.index(note) < html.index('id="give-button"')  # read before the donor leaves


@pytest.mark.usefixtures("recipient")
def test_form_in_a_language_checkout_speaks_has_no_such_warning(client):
    html = client.get("/donate/parents-circle?lang=en").get_data(as_text=True)

    assert 'id="checkout-language"' not in html
