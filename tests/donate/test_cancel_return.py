"""Cancelling on Checkout brings the donor back to the form with every choice kept."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.models import Donation


def _input(html: str, name: str, value: str | None = None) -> str:
    """The <input> tag named ``name`` (with ``value``, for a radio button)."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return tag
    raise AssertionError(f"no input {name} {value or ''}")


def _cancel_path(stripe_client, db_session) -> str:
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    parts = urlsplit(checkout.cancel_url)
    return f"{parts.path}?{parts.query}"


@pytest.mark.usefixtures("recipient")
def test_cancelling_on_checkout_keeps_every_choice(give, client, stripe_client, db_session):
    give(
        currency="EUR",
        preset="other",
        other_amount="75,50",
        frequency="monthly",
        cover_fees="y",
        dedication="In memory of Yosef",
        share_email="y",
    )
    cancel = _cancel_path(stripe_client, db_session)

    html = client.get(cancel).get_data(as_text=True)

    assert "nothing was charged" in html
    assert re.search(r'<option selected value="EUR">', html)
    assert 'value="75.5"' in _input(html, "other_amount")
    assert "checked" in _input(html, "frequency", "monthly")
    assert "checked" in _input(html, "cover_fees") and "checked" in _input(html, "share_email")
    assert 'value="In memory of Yosef"' in _input(html, "dedication")
    assert "Give €77.77 every month" in html


@pytest.mark.usefixtures("recipient")
def test_the_cancel_link_names_no_choice_of_the_donor(give, stripe_client, db_session):
    give(currency="EUR", preset="other", other_amount="75,50", dedication="In memory of Yosef")

    cancel = _cancel_path(stripe_client, db_session)

    assert "Yosef" not in cancel and "75" not in cancel.split("resume=")[0]
    assert set(dict(p.split("=") for p in cancel.split("?")[1].split("&"))) == {
        "resume",
        "cancelled",
    }


@pytest.mark.usefixtures("recipient")
def test_a_forged_resume_link_shows_the_usual_form(give, client):
    give(currency="EUR", preset="other", other_amount="75,50", dedication="In memory of Yosef")

    html = client.get("/donate/parents-circle?resume=1.forged.sig&cancelled=1").get_data(
        as_text=True
    )

    assert "Yosef" not in html
    assert "Give $50.00 once" in html
