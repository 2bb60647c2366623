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


@pytest.fixture
def mailed(app, smtp_server):
    """Factory: deliver the outbox to the SMTP server and return what arrived."""
    app.config["MAIL_URL"] = smtp_server.url

    def _mailed(count: int):
        with app.app_context():
            deliver()
        return smtp_server.wait_for(count)

    return _mailed


@pytest.mark.usefixtures("recipient", "live_portal")
def test_the_webhook_queues_one_thank_you_in_the_donors_language(
    give, sandbox, app, db_session, mailed, client
):
    app.config["LANGUAGES"] = ["en", "ar", "he"]
    give(query="?lang=he", preset="100")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="dana@example.org")
    sandbox.wait_for_deliveries()
    client.get(f"/donate/thanks?session_id={donation.stripe_checkout_session_id}")

    (mail,) = mailed(1)
    assert (mail["To"], mail["Subject"]) == ("dana@example.org", SUBJECTS["he"])
    assert "/gift/" in mail.get_content()


@pytest.mark.usefixtures("recipient", "live_portal")
def test_the_thank_you_goes_out_after_the_webhook_answers_with_no_command_run(
    give, sandbox, app, db_session, smtp_server
):
    # As served: the sender thread is woken once Stripe has its answer.
    app.config.update(MAIL_URL=smtp_server.url, MAIL_SEND_IN_BACKGROUND=True)
    give(preset="50")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()

    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="ana@example.org")
    sandbox.wait_for_deliveries()

    (mail,) = smtp_server.wait_for(1)
    assert (mail["To"], mail["Subject"]) == ("ana@example.org", SUBJECTS["en"])


@pytest.mark.usefixtures("recipient", "live_portal")
def test_a_refund_is_told_to_the_donor(give, sandbox, db_session, mailed):
    give(preset="50")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="ana@example.org")
    sandbox.wait_for_deliveries()

    sandbox.refund(donation.stripe_checkout_session_id)
    sandbox.wait_for_deliveries()

    subjects = sorted(mail["Subject"] for mail in mailed(2))
    assert subjects == [
        "Thank you for your gift to Parents Circle",
        "Your gift to Parents Circle has been refunded",
    ]


def test_a_failed_monthly_payment_is_told_to_the_donor(monthly_gift, sandbox, mailed):
    subscription = monthly_gift.stripe_subscription_id

    sandbox.renew(subscription, "failed")
    sandbox.wait_for_deliveries()

    mails = {mail["Subject"]: mail for mail in mailed(2)}
    failed = mails["Your monthly gift to Parents Circle could not be charged"]
    assert "/gift/" in failed.get_content() and "$30.00" in failed.get_content()


def test_a_donor_address_is_erased_once_no_notice_can_come(recipient, db_session, runner):
    from datetime import timedelta

    from portal.models import Frequency, utcnow

    long_ago, lately = utcnow() - timedelta(days=200), utcnow() - timedelta(days=10)

    def gift(created, frequency=Frequency.ONE_TIME, **fields):
        row = Donation(
            organization=recipient,
            amount=5000,
            currency="USD",
            frequency=frequency,
            status="paid",
            created_at=created,
            contact_email="ana@example.org",
            **fields,
        )
        db_session.add(row)
        return row

    old_once, recent_once = gift(long_ago), gift(lately)
    running = gift(long_ago, Frequency.MONTHLY, stripe_subscription_id="sub_run")
    ended = gift(
        long_ago,
        Frequency.MONTHLY,
        stripe_subscription_id="sub_end",
        subscription_ended_at=long_ago,
    )
    db_session.commit()

    result = runner.invoke(args=["deliver-mail"])

    db_session.expire_all()  # the command changed them in its own session
    kept = {row.id: row.contact_email for row in (old_once, recent_once, running, ended)}
    assert "2 donor address(es) no longer needed were erased." in result.output
    assert kept == {
        old_once.id: None,
        recent_once.id: "ana@example.org",
        running.id: "ana@example.org",
        ended.id: None,
    }
