"""Every gift has a private manage link; a monthly donor sees each payment and can stop giving,
now or at the period's end, and change the card through Stripe's Billing Portal."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.mail import deliver
from portal.models import AuditEntry, Donation, DonationStatus, Staff, StaffRole
from portal.staff import passwords

ENDED = "Your monthly gift to Parents Circle has ended"


def _words(html: str) -> str:
    """The page as read: tags dropped (names and amounts sit in <bdi>)."""
    return re.sub(r"<[^>]+>", "", html)


def test_the_manage_link_is_traded_for_a_cookie_and_leaves_the_address_bar(
    monthly_gift, managing, client
):
    location = managing(monthly_gift)

    cookie = client.get_cookie("gift", path="/gift")
    assert location == "/gift"
    assert cookie is not None and cookie.http_only and cookie.path == "/gift"


def test_a_monthly_donor_sees_each_payment(monthly_gift, managing, client, sandbox):
    sandbox.renew(monthly_gift.stripe_subscription_id)
    sandbox.wait_for_deliveries()
    managing(monthly_gift)

    html = _words(client.get("/gift").get_data(as_text=True))

    assert "Your gift to Parents Circle" in html
    assert "$30.00 every month" in html
    assert "This monthly gift is active." in html
    assert len(re.findall(r"\$30\.00\s*Paid", html)) == 2


def test_cancelling_now_ends_the_gift_at_stripe_in_the_ledger_and_by_email(
    monthly_gift, managing, client, csrf_token, sandbox, stripe_client, db_session, app, smtp_server
):
    app.config["MAIL_URL"] = smtp_server.url
    managing(monthly_gift)

    response = client.post("/gift/cancel", data={"csrf_token": csrf_token("/gift"), "when": "now"})
    sandbox.wait_for_deliveries()

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your monthly gift is cancelled: nothing more will be charged." in page
    assert "This monthly gift has ended." in page
    sub = stripe_client.v1.subscriptions.retrieve(monthly_gift.stripe_subscription_id)
    assert sub.status == "canceled"
    db_session.rollback()
    assert db_session.get(Donation, monthly_gift.id).subscription_ended_at is not None
    [entry] = db_session.scalars(select(AuditEntry)).all()
    assert (entry.subject_kind, entry.after, entry.via) == ("donation", "cancelled", "manage link")
    with app.app_context():
        deliver()
    mails = {mail["Subject"]: mail for mail in smtp_server.wait_for(2)}  # thanks, then this
    mail = mails["Your monthly gift to Parents Circle has ended"]
    assert mail["To"] == "ana@example.org"
    assert "nothing more will be charged" in mail.get_content()


def test_a_gift_ended_at_stripe_alone_is_told_to_the_donor_once(
    monthly_gift, sandbox, app, smtp_server
):
    # Ended outside the portal (Stripe's dashboard, or its retries given up): only the webhook
    # knows, and its event carries no address: the one kept from the checkout is used.
    app.config["MAIL_URL"] = smtp_server.url
    sandbox.cancel_subscription(monthly_gift.stripe_subscription_id)
    sandbox.wait_for_deliveries()

    with app.app_context():
        deliver()
        deliver()

    mails = smtp_server.wait_for(2)  # thanks, then this
    ended = [mail for mail in mails if mail["Subject"] == ENDED]
    assert len(mails) == 2 and len(ended) == 1
    assert ended[0]["To"] == "ana@example.org"
    assert "$30.00" in ended[0].get_content()


def test_cancelling_at_the_period_end_keeps_the_paid_month(
    monthly_gift, managing, client, csrf_token, stripe_client
):
    managing(monthly_gift)

    client.post("/gift/cancel", data={"csrf_token": csrf_token("/gift"), "when": "period_end"})

    sub = stripe_client.v1.subscriptions.retrieve(monthly_gift.stripe_subscription_id)
    page = client.get("/gift").get_data(as_text=True)
    assert sub.status == "active" and sub.cancel_at_period_end is True
    assert "This monthly gift ends on" in page
    assert "Cancel my monthly gift" not in page


def test_the_card_is_changed_on_stripes_billing_portal(
    monthly_gift, managing, client, csrf_token, sandbox
):
    managing(monthly_gift)

    response = client.post("/gift/card", data={"csrf_token": csrf_token("/gift")})

    portal = urlsplit(response.headers["Location"])
    assert response.status_code == 303
    assert portal.netloc == urlsplit(sandbox.url).netloc and portal.path.startswith("/p/session/")
    sandbox_page = sandbox.app.test_client()
    assert "Update card" in sandbox_page.get(portal.path).get_data(as_text=True)
    back = sandbox_page.post(
        portal.path,
        data={"subscription": monthly_gift.stripe_subscription_id, "action": "update_card"},
    )
    assert back.headers["Location"].endswith("/gift")


@pytest.mark.usefixtures("monthly_gift")
def test_a_forged_manage_link_opens_nothing(client):
    assert client.get("/gift/1.forged").status_code == 404
    assert client.get("/gift").status_code == 404


@pytest.mark.usefixtures("recipient", "live_portal")
def test_a_one_time_gift_shows_its_payment_and_no_monthly_controls(
    give, sandbox, db_session, managing, client
):
    give(preset="50")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    managing(donation)

    html = _words(client.get("/gift").get_data(as_text=True))

    assert "$50.00, given once through the coalition." in html
    assert re.search(r"\$50\.00\s*Paid", html)
    assert "Cancel my monthly gift" not in html
    db_session.rollback()
    assert db_session.get(Donation, donation.id).status == DonationStatus.PAID


@pytest.fixture
def staff_admin(client, db_session, csrf_token):
    """An admin signed in to the console in the test client."""
    password = "olive trees by the sea 2024"
    db_session.add(
        Staff(
            email="admin@coalition.example",
            role=StaffRole.ADMIN,
            password_hash=passwords.hash_password(password),
        )
    )
    db_session.commit()
    response = client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token("/staff/login"),
            "email": "admin@coalition.example",
            "password": password,
        },
    )
    assert response.status_code == 303


# The gift first: an admin signed in before it is signed out by the time the gift is made.
@pytest.mark.usefixtures("monthly_gift", "staff_admin")
def test_staff_cancel_a_monthly_gift_from_the_console(
    monthly_gift, client, csrf_token, stripe_client, sandbox, db_session, app, smtp_server
):
    app.config["MAIL_URL"] = smtp_server.url
    listed = _words(client.get("/staff/monthly-gifts/").get_data(as_text=True))
    assert f"#{monthly_gift.id}" in listed and "$30.00" in listed

    response = client.post(
        f"/staff/monthly-gifts/{monthly_gift.id}/cancel",
        data={"csrf_token": csrf_token("/staff/monthly-gifts/")},
    )
    sandbox.wait_for_deliveries()

    after = _words(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"Monthly gift #{monthly_gift.id} is cancelled" in after
    assert "No monthly gift is running." in after
    sub = stripe_client.v1.subscriptions.retrieve(monthly_gift.stripe_subscription_id)
    assert sub.status == "canceled"
    db_session.rollback()
    [entry] = db_session.scalars(select(AuditEntry)).all()
    assert (entry.actor, entry.via, entry.after) == ("admin@coalition.example", "form", "cancelled")
    with app.app_context():
        deliver()
    subjects = {mail["Subject"] for mail in smtp_server.wait_for(2)}  # thanks, then this
    assert "Your monthly gift to Parents Circle has ended" in subjects


def test_without_signing_in_nobody_cancels_a_monthly_gift_from_the_console(
    monthly_gift, client, csrf_token, stripe_client
):
    response = client.post(
        f"/staff/monthly-gifts/{monthly_gift.id}/cancel",
        data={"csrf_token": csrf_token("/staff/login")},
    )

    sub = stripe_client.v1.subscriptions.retrieve(monthly_gift.stripe_subscription_id)
    assert response.status_code in (302, 303) and "/staff/login" in response.headers["Location"]
    assert sub.status == "active"
