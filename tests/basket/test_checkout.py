"""A basket paid through one Checkout Session: lines, referrals, and each member's part."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.basket.queries import donation_parts
from portal.models import Donation, DonationStatus, Referral, ReferralStatus
from tests.helpers.giving import state


def words(response) -> str:
    """The page's text, tags left out."""
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


def test_review_states_each_part_and_the_total_before_leaving(members, fill, pay):
    fill("parents-circle", "roots", "combatants")

    page = words(pay(confirm=False, total="100", cover_fees="y"))

    assert "Nothing has been charged yet." in page
    assert "$33.33" in page and "$33.34" in page
    assert "Total: $103.00, once." in page


def test_one_checkout_has_one_line_item_per_member_tied_to_the_basket(
    members, fill, pay, stripe_client, db_session
):
    fill("parents-circle", "roots", "combatants")

    response = pay(
        total="90",
        split="percentages",
        **{
            "part-parents-circle": "50",
            "part-roots": "25",
            "part-combatants": "25",
        },
    )

    assert response.status_code == 303
    donation = db_session.scalars(select(Donation)).one()
    items = stripe_client.v1.checkout.sessions.line_items.list(
        donation.stripe_checkout_session_id
    ).data
    assert [item.amount_total for item in items] == [4500, 2250, 2250]
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert checkout.metadata["basket"] == donation.basket.reference
    assert checkout.metadata["donation_id"] == str(donation.id)


def test_each_member_gets_its_own_referral(members, fill, pay, db_session):
    fill("parents-circle", "roots")

    pay(total="50")

    referrals = db_session.scalars(select(Referral).order_by(Referral.id)).all()
    assert [(r.organization.slug, r.status) for r in referrals] == [
        ("parents-circle", ReferralStatus.CHECKOUT_STARTED),
        ("roots", ReferralStatus.CHECKOUT_STARTED),
    ]


def test_a_paid_basket_allocates_every_part_and_a_partial_refund_back_in_proportion(
    members, fill, pay, sandbox, live_portal, stripe_client, db_session
):
    fill("parents-circle", "roots", "combatants")
    pay(total="100")
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    intent = state(db_session, donation.id).stripe_payment_intent_id

    stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 1000})
    sandbox.wait_for_deliveries()

    donation = state(db_session, donation.id)
    parts = donation_parts(db_session, donation)
    assert donation.status == DonationStatus.PAID
    assert sorted(p.amount for p in parts) == [3333, 3333, 3334]
    assert sum(p.refunded for p in parts) == 1000
    assert all(333 <= p.refunded <= 334 for p in parts)


def test_a_monthly_basket_allocates_each_renewal_like_the_first(
    members, fill, pay, sandbox, live_portal, db_session
):
    fill("parents-circle", "roots")
    pay(frequency="monthly", split="amounts", **{"part-parents-circle": "30", "part-roots": "12.5"})
    first = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(first.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    subscription = state(db_session, first.id).stripe_subscription_id

    sandbox.renew(subscription)
    sandbox.renew(subscription)
    sandbox.wait_for_deliveries()

    db_session.rollback()
    rows = db_session.scalars(select(Donation).order_by(Donation.id)).all()
    assert [row.status for row in rows] == [DonationStatus.PAID] * 3
    assert {row.basket_id for row in rows} == {first.basket_id}
    for row in rows:
        assert [p.amount for p in donation_parts(db_session, row)] == [3000, 1250]


def test_the_thanks_page_lists_every_members_part(members, fill, pay, sandbox, client, db_session):
    fill("parents-circle", "roots")
    pay(total="40", currency="EUR")
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")

    page = client.get(f"/basket/thanks?session_id={donation.stripe_checkout_session_id}")

    html = words(page)
    assert "Thank you for your gift" in html
    assert "Parents Circle" in html and "Roots" in html
    assert html.count("€20.00") == 2


def test_external_members_are_offered_their_own_tracked_link(members, fill, client):
    fill("parents-circle", "hand-in-hand")

    html = words(client.get("/basket"))

    assert "Donate on Hand in Hand’s website" in html
    assert 'action="/go/hand-in-hand"' in client.get("/basket").get_data(as_text=True)


def test_percentages_that_do_not_make_100_are_refused_with_a_clear_message(members, fill, pay):
    fill("parents-circle", "roots")

    response = pay(
        total="50", split="percentages", **{"part-parents-circle": "50", "part-roots": "40"}
    )

    assert response.status_code == 400
    assert "The percentages add up to 90%; they must make 100%." in response.get_data(as_text=True)


def test_a_basket_holds_at_most_twenty_members(make_org, make_coalition, fill, client):
    make_coalition()
    for n in range(21):
        make_org(f"member-{n:02d}")

    fill(*(f"member-{n:02d}" for n in range(21)))

    html = client.get("/basket").get_data(as_text=True)
    assert "member-19" in html and "member-20" not in html


def test_baskets_share_the_donation_forms_checkout_limit(members, fill, pay, app):
    app.config["CHECKOUT_RATE_LIMIT"] = 1
    fill("parents-circle", "roots")
    assert pay(total="50").status_code == 303

    assert pay(total="60").status_code == 429


def test_a_partial_refund_of_a_monthly_baskets_renewal_is_split_on_that_month(
    members, fill, pay, sandbox, live_portal, stripe_client, db_session
):
    fill("parents-circle", "roots")
    pay(frequency="monthly", split="amounts", **{"part-parents-circle": "30", "part-roots": "10"})
    first = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(first.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    subscription = state(db_session, first.id).stripe_subscription_id
    sandbox.renew(subscription)
    latest = sandbox.renew(subscription)
    [payment] = stripe_client.v1.invoice_payments.list(params={"invoice": latest["id"]}).data

    stripe_client.v1.refunds.create(
        params={"payment_intent": payment.payment.payment_intent, "amount": 1000}
    )
    sandbox.wait_for_deliveries()

    db_session.rollback()
    rows = db_session.scalars(select(Donation).order_by(Donation.id)).all()
    refunded = [[p.refunded for p in donation_parts(db_session, row)] for row in rows]
    assert refunded == [[0, 0], [0, 0], [750, 250]]
