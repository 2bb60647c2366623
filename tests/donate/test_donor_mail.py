"""Mail about a gift is written in the language the donor gave in and carries the manage link."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.gifts.notices import KINDS, notice_message
from portal.mail import deliver, queue
from portal.models import Donation

SUBJECTS = {
    "en": "Thank you for your gift to Parents Circle",
    "ar": "شكرًا لتبرّعك لـ Parents Circle",
    "he": "תודה על התרומה ל־Parents Circle",
}


@pytest.fixture
def paid_gift(give, recipient, sandbox, app, db_session):
    """Factory: a paid one-time gift given from the form in ``language``."""

    def _give(language: str = "en", **fields) -> Donation:
        app.config["LANGUAGES"] = ["en", "ar", "he"]
        give(query=f"?lang={language}", **fields)
        db_session.rollback()
        donation = db_session.scalars(select(Donation).order_by(Donation.id.desc())).first()
        sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
        return donation

    return _give


def test_the_donor_language_is_kept_on_the_gift(paid_gift):
    assert paid_gift("he").language == "he"


@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_the_thank_you_arrives_in_the_donors_language_with_the_manage_link(
    paid_gift, app, db_session, smtp_server, client, language
):
    app.config["MAIL_URL"] = smtp_server.url
    donation = paid_gift(language, preset="100")

    with app.app_context():
        queue(
            db_session,
            f"ledger:thanks:{donation.id}",
            notice_message("thanks", donation, email="ana@example.org"),
        )
        db_session.commit()
        deliver()

    (mail,) = smtp_server.wait_for(1)
    body = mail.get_content()
    link = re.search(r"https?://\S+/gift/\S+", body).group(0)
    assert mail["Subject"] == SUBJECTS[language]
    assert mail["Content-Language"] == language
    assert "100.00" in body and "Parents Circle" in body  # "US$" in Arabic, "$" elsewhere
    assert client.get(urlsplit(link).path).headers["Location"] == "/gift"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_every_notice_names_the_gift_and_links_to_it(paid_gift, app, kind, language):
    donation = paid_gift(language)

    with app.app_context():
        message = notice_message(kind, donation, email="ana@example.org", refunded=1000)

    assert message.subject and "Parents Circle" in message.subject
    assert "/gift/" in message.text or kind == "cancelled"
    assert "50.00" in message.text
    assert message.language == language


def test_the_english_thank_you_says_who_issues_the_receipt(paid_gift, app):
    donation = paid_gift("en")

    with app.app_context():
        text = notice_message("thanks", donation, email="ana@example.org").text

    assert "The coalition received it through Stripe and issues your receipt." in text
