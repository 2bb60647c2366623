"""A gift knows the channel and campaign that brought it from the moment it is made: the staff
ledger filtered by either reads the donation alone, with no catch-up to wait for."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Donation, Referral
from tests.helpers.giving import state


def test_a_new_gift_carries_its_referrals_channel_and_campaign_at_once(opened, client, db_session):
    client.get("/organizations/parents-circle?utm_campaign=spring-gala&utm_source=newsletter")

    donation = opened(preset="50")

    referral = db_session.get(Referral, donation.referral_id)
    assert (donation.referral_channel, donation.referral_campaign) == (
        referral.arrived_via.value,
        referral.utm_campaign,
    )
    assert (donation.referral_channel, donation.referral_campaign) == ("portal", "spring-gala")


def test_every_month_of_a_monthly_gift_is_attributed_like_the_first(
    opened, client, sandbox, live_portal, db_session
):
    client.get("/organizations/parents-circle?utm_campaign=spring-gala")
    first = opened(preset="50", frequency="monthly")
    sandbox.complete_checkout(first.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    subscription = state(db_session, first.id).stripe_subscription_id

    sandbox.renew(subscription)
    sandbox.wait_for_deliveries()

    db_session.rollback()
    rows = db_session.scalars(
        select(Donation).filter_by(stripe_subscription_id=subscription).order_by(Donation.id)
    ).all()
    assert len(rows) == 2
    assert {(row.referral_channel, row.referral_campaign) for row in rows} == {
        (first.referral_channel, first.referral_campaign)
    }
    assert (first.referral_channel, first.referral_campaign) == ("portal", "spring-gala")
