"""A gift started in Arabic or Hebrew reaches Checkout with a locale Stripe accepts, and comes
back to a thanks page in the donor's language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Donation


@pytest.mark.parametrize(
    ("lang", "confirmed"),
    [
        ("he", "התרומה שלך בסך %s ל־Parents Circle אושרה."),
        ("ar", "تأكّد تبرعك بمبلغ %s لـ Parents Circle."),
    ],
)
def test_gift_in_arabic_or_hebrew_checks_out_and_is_thanked_in_that_language(
    client, give, recipient, sandbox, stripe_client, db_session, lang, confirmed
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
    assert confirmed % "$50.00" in html
