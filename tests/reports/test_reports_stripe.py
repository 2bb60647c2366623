"""The Stripe section: checkouts by how they ended, and money per currency, never mixed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from portal.models import (
    ArrivedVia,
    Dispute,
    DisputeStatus,
    DonationStatus,
    Frequency,
    HandoffMode,
    StaffRole,
    StripeSubscription,
    SubscriptionStatus,
)
from portal.reports import rollup
from tests.helpers.pages import text_of
from tests.helpers.reports import TODAY, at, csv_table, number, page_table

SINCE = TODAY - timedelta(days=40)
QUERY = f"since={SINCE}&until={TODAY}"
STAGES = {
    DonationStatus.PAID: "completed",
    DonationStatus.REFUNDED: "completed",
    DonationStatus.PROCESSING: "pending",
    DonationStatus.EXPIRED: "expired",
    DonationStatus.FAILED: "failed",
    DonationStatus.OPEN: "open",
}


@pytest.fixture
def viewer(login_as):
    return login_as(StaffRole.VIEWER)


def funnel_from(donations) -> dict[str, int]:
    counts = Counter()
    for donation in donations:
        if donation.stripe_checkout_session_id is None:
            counts["renewals"] += 1
        else:
            counts["started"] += 1
            counts[STAGES[donation.status]] += 1
    return counts


@pytest.mark.usefixtures("viewer")
def test_funnel_counts_checkouts_by_how_they_ended(client, varied):
    _header, rows = csv_table(client.get(f"/staff/reports/?{QUERY}&format=csv&table=funnel"))

    expected = funnel_from(varied.donations)
    assert {stage: int(count) for stage, count in rows} == {
        stage: expected[stage]
        for stage in ("started", "completed", "pending", "expired", "failed", "open", "renewals")
    }
    assert expected["started"] > expected["completed"] > 0


@pytest.mark.usefixtures("viewer")
def test_amounts_are_summed_per_currency_and_frequency(client, varied):
    _header, rows = csv_table(client.get(f"/staff/reports/?{QUERY}&format=csv&table=amounts"))

    sums = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for donation in varied.donations:
        if donation.status in (DonationStatus.PAID, DonationStatus.REFUNDED):
            cell = sums[donation.currency, donation.frequency.value]
            cell[0 if donation.status == DonationStatus.PAID else 2] += 1
            cell[1] += donation.amount
            if donation.status == DonationStatus.REFUNDED:
                cell[3] += donation.amount
            cell[5] = cell[1] - cell[3]
    assert {
        (currency, frequency): [
            int(paid),
            _minor(gross),
            int(back),
            _minor(refunded),
            _minor(lost),
            _minor(net),
        ]
        for currency, frequency, paid, gross, back, refunded, lost, net in rows
    } == {key: value for key, value in sums.items()}
    assert {currency for currency, *_ in rows} == {"USD", "EUR", "ILS"}


@pytest.mark.usefixtures("viewer", "report_clock")
def test_page_shows_each_currency_in_its_own_money(client, make_org, add_donation):
    org = make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)
    add_donation(org, at(TODAY), amount=125000, currency="USD")
    add_donation(org, at(TODAY), amount=18000, currency="ILS")
    add_donation(org, at(TODAY), amount=18000, currency="ILS", frequency=Frequency.MONTHLY)
    add_donation(org, at(TODAY), amount=2500, currency="EUR", status=DonationStatus.REFUNDED)

    rows = page_table(client.get("/staff/reports/"), "amounts")

    assert rows == [
        ["EUR", "One-time", "0", "€25.00", "1", "€25.00", "€0.00", "€0.00"],
        ["ILS", "One-time", "1", "₪180.00", "0", "₪0.00", "₪0.00", "₪180.00"],
        ["ILS", "Monthly", "1", "₪180.00", "0", "₪0.00", "₪0.00", "₪180.00"],
        ["USD", "One-time", "1", "$1,250.00", "0", "$0.00", "$0.00", "$1,250.00"],
    ]


@pytest.mark.usefixtures("viewer", "report_clock")
def test_renewals_count_as_money_but_not_as_checkouts(client, make_org, add_donation):
    org = make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)
    add_donation(org, at(TODAY - timedelta(days=40)), frequency=Frequency.MONTHLY)
    add_donation(org, at(TODAY - timedelta(days=10)), renewal=True)
    add_donation(org, at(TODAY - timedelta(days=9)), status=DonationStatus.EXPIRED)

    response = client.get("/staff/reports/")

    funnel = {stage: number(count) for stage, count in page_table(response, "funnel")}
    assert funnel["Checkouts started"] == 1
    assert funnel["Expired"] == 1
    assert funnel["Monthly renewals (no checkout)"] == 1
    assert page_table(response, "amounts") == [
        ["USD", "Monthly", "1", "$50.00", "0", "$0.00", "$0.00", "$50.00"]
    ]


@pytest.mark.usefixtures("viewer", "varied")
def test_own_page_mode_has_no_stripe_gifts(client):
    response = client.get(f"/staff/reports/?{QUERY}&mode=external")

    assert page_table(response, "amounts") == []
    assert "there are no Stripe gifts to show for this filter" in text_of(response)


@pytest.mark.usefixtures("viewer")
def test_member_filter_narrows_the_gifts(client, varied):
    other = varied.orgs[0]

    response = client.get(f"/staff/reports/?{QUERY}&member={other.slug}")

    assert page_table(response, "amounts") == []
    assert {n for _stage, n in page_table(response, "funnel")} == {"0"}


@pytest.mark.usefixtures("viewer", "report_clock")
@pytest.mark.parametrize("copied", [False, True], ids=["looked-up", "copied-by-the-catch-up"])
def test_channel_and_campaign_filters_follow_the_gift_to_its_referral(
    client, make_org, add_referrals, add_donation, db_session, copied
):
    org = make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)
    (from_link,) = add_referrals(org, at(TODAY), arrived_via=ArrivedVia.LINK, utm_campaign="gala")
    (from_portal,) = add_referrals(org, at(TODAY), arrived_via=ArrivedVia.PORTAL)
    add_donation(org, at(TODAY), amount=1000, referral_id=from_link["id"])
    add_donation(org, at(TODAY), amount=7000, referral_id=from_portal["id"])
    if copied:
        assert rollup.attribute_donations(db_session) == 2
        assert rollup.attribute_donations(db_session) == 0  # nothing left to copy

    by_link = page_table(client.get("/staff/reports/?arrived=link"), "amounts")
    by_campaign = page_table(client.get("/staff/reports/?campaign=gala"), "amounts")
    by_portal = page_table(client.get("/staff/reports/?arrived=portal"), "amounts")

    assert (
        by_link
        == by_campaign
        == [["USD", "One-time", "1", "$10.00", "0", "$0.00", "$0.00", "$10.00"]]
    )
    assert by_portal == [["USD", "One-time", "1", "$70.00", "0", "$0.00", "$0.00", "$70.00"]]


@pytest.mark.usefixtures("viewer", "report_clock")
def test_net_takes_partial_refunds_and_lost_disputes_off_the_gross(
    client, make_org, add_donation, db_session
):
    org = make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)
    add_donation(org, at(TODAY), amount=7725, currency="EUR", amount_refunded=1525)
    disputed = add_donation(org, at(TODAY), amount=5000, currency="EUR")
    add_donation(org, at(TODAY), amount=3000, currency="EUR", renewal=True, amount_refunded=3000,
                 status=DonationStatus.REFUNDED)  # fmt: skip
    db_session.add_all([
        Dispute(donation_id=disputed.id, stripe_dispute_id="dp_lost", amount=5000,
                currency="EUR", status=DisputeStatus.LOST),
        Dispute(donation_id=disputed.id, stripe_dispute_id="dp_won", amount=5000,
                currency="EUR", status=DisputeStatus.WON),
    ])  # fmt: skip
    db_session.commit()

    rows = page_table(client.get("/staff/reports/"), "amounts")

    # One-time: 127.25 gross, 15.25 refunded, 50.00 lost (the won dispute costs nothing): 62.00.
    assert rows == [
        ["EUR", "One-time", "2", "€127.25", "0", "€15.25", "€50.00", "€62.00"],
        ["EUR", "Monthly", "0", "€30.00", "1", "€30.00", "€0.00", "€0.00"],
    ]


@pytest.mark.usefixtures("viewer", "report_clock")
def test_active_monthly_donors_count_each_running_gift_once_per_currency(
    client, make_org, add_donation, db_session
):
    org = make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)
    monthly = {"frequency": Frequency.MONTHLY}
    ended_at = at(TODAY - timedelta(days=3))
    add_donation(
        org, at(TODAY - timedelta(days=60)), amount=2000, stripe_subscription_id="sub_a", **monthly
    )
    add_donation(
        org,
        at(TODAY - timedelta(days=30)),
        amount=2000,
        stripe_subscription_id="sub_a",
        renewal=True,
    )
    add_donation(
        org, at(TODAY - timedelta(days=5)), amount=3500, stripe_subscription_id="sub_b", **monthly
    )
    add_donation(
        org,
        at(TODAY - timedelta(days=9)),
        amount=1800,
        currency="ILS",
        stripe_subscription_id="sub_c",
        **monthly,
    )
    add_donation(
        org,
        at(TODAY - timedelta(days=50)),
        amount=9900,
        stripe_subscription_id="sub_gone",
        subscription_ended_at=ended_at,
        **monthly,
    )
    add_donation(
        org,
        at(TODAY - timedelta(days=2)),
        amount=7000,
        stripe_subscription_id="sub_unpaid",
        status=DonationStatus.EXPIRED,
        **monthly,
    )
    db_session.add(
        StripeSubscription(id="sub_b", status=SubscriptionStatus.PAST_DUE, status_at=ended_at)
    )
    db_session.commit()

    now = page_table(client.get("/staff/reports/"), "monthly")
    earlier = f"since={TODAY - timedelta(days=20)}&until={TODAY - timedelta(days=4)}"
    before_the_end = page_table(client.get(f"/staff/reports/?{earlier}"), "monthly")

    # Ended, or never paid: not donors. A renewal is the same donor, not another one.
    assert now == [["ILS", "1", "₪18.00", "0"], ["USD", "2", "$55.00", "1"]]
    # On the last day of an earlier range, the gift that has ended since was still running.
    assert before_the_end == [["ILS", "1", "₪18.00", "0"], ["USD", "3", "$154.00", "1"]]


@pytest.mark.usefixtures("viewer", "report_clock")
def test_a_monthly_gift_whose_donor_changed_its_amount_counts_the_new_amount(
    client, make_org, add_donation, db_session
):
    org = make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)
    add_donation(
        org,
        at(TODAY - timedelta(days=10)),
        amount=3000,
        stripe_subscription_id="sub_changed",
        frequency=Frequency.MONTHLY,
    )
    db_session.add(
        StripeSubscription(
            id="sub_changed",
            status=SubscriptionStatus.ACTIVE,
            status_at=at(TODAY - timedelta(days=1)),
            amount=4550,
        )
    )
    db_session.commit()

    assert page_table(client.get("/staff/reports/"), "monthly") == [["USD", "1", "$45.50", "0"]]


@pytest.mark.usefixtures("viewer", "varied")
def test_staff_report_shows_no_donor_details(client):
    pages = [client.get(f"/staff/reports/?{QUERY}")] + [
        client.get(f"/staff/reports/?{QUERY}&format=csv&table={table}")
        for table in ("members", "daily", "campaigns", "hosts", "funnel", "amounts")
    ]

    for page in pages:
        text = page.get_data(as_text=True)
        assert "donor@private.example" not in text
        assert "Grandmother Leah" not in text
        assert "visitor-" not in text


def _minor(amount: str) -> int:
    whole, _, cents = amount.partition(".")
    return int(whole) * 100 + int(cents or 0)
