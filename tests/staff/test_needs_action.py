"""The staff console's first section lists what staff must act on in the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.models import (
    Dispute,
    DisputeStatus,
    Donation,
    DonationStatus,
    Frequency,
    HandoffMode,
    Refund,
    RefundStatus,
    StaffRole,
)
from tests.helpers.pages import Page, text_of


@pytest.fixture
def make_gift(db_session, make_org):
    """Factory: a paid gift to Parents Circle, in minor units."""
    org = make_org("parents-circle", name="Parents Circle", handoff_mode=HandoffMode.STRIPE)

    def _make(amount: int, **fields) -> Donation:
        fields = {"status": DonationStatus.PAID, "frequency": Frequency.ONE_TIME, **fields}
        gift = Donation(organization_id=org.id, amount=amount, currency="EUR", **fields)
        db_session.add(gift)
        db_session.commit()
        return gift

    return _make


def section(response) -> str:
    text = text_of(response)
    start = text.index("Needs action")
    return text[start : text.index("Reports", start)]


def test_open_disputes_failed_renewals_and_failed_refunds_need_action(
    client, login_as, make_gift, db_session
):
    disputed, refunded = make_gift(7725), make_gift(5000)
    make_gift(3000, status=DonationStatus.FAILED, frequency=Frequency.MONTHLY,
              stripe_invoice_id="in_failed", stripe_subscription_id="sub_1")  # fmt: skip
    make_gift(3000, status=DonationStatus.FAILED, frequency=Frequency.MONTHLY,
              stripe_invoice_id="in_ended", stripe_subscription_id="sub_2",
              subscription_ended_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    due = datetime(2026, 12, 7, 23, 59, tzinfo=UTC)
    db_session.add_all([
        Dispute(donation_id=disputed.id, stripe_dispute_id="dp_open", amount=7725,
                currency="EUR", status=DisputeStatus.NEEDS_RESPONSE, evidence_due_by=due),
        Dispute(donation_id=refunded.id, stripe_dispute_id="dp_won", amount=5000,
                currency="EUR", status=DisputeStatus.WON),
        Refund(donation_id=refunded.id, stripe_refund_id="re_failed", amount=1500,
               currency="EUR", status=RefundStatus.FAILED),
        Refund(donation_id=refunded.id, stripe_refund_id="re_ok", amount=500,
               currency="EUR", status=RefundStatus.SUCCEEDED),
    ])  # fmt: skip
    db_session.commit()
    login_as(StaffRole.VIEWER)

    shown = section(client.get("/staff/"))

    assert "dp_open" in shown and "Dec 7, 2026" in shown and "€77.25" in shown
    assert "in_failed" in shown and "€30.00" in shown
    assert "re_failed" in shown and "€15.00" in shown
    assert not {"dp_won", "in_ended", "re_ok"} & set(shown.split())


def test_each_row_links_to_the_page_of_the_payment_it_concerns(
    client, login_as, make_gift, db_session
):
    disputed, refunded = make_gift(7725), make_gift(5000)
    renewal = make_gift(3000, status=DonationStatus.FAILED, frequency=Frequency.MONTHLY,
                        stripe_invoice_id="in_failed", stripe_subscription_id="sub_1")  # fmt: skip
    db_session.add_all([
        Dispute(donation_id=disputed.id, stripe_dispute_id="dp_open", amount=7725,
                currency="EUR", status=DisputeStatus.NEEDS_RESPONSE),
        Refund(donation_id=refunded.id, stripe_refund_id="re_failed", amount=1500,
               currency="EUR", status=RefundStatus.FAILED),
    ])  # fmt: skip
    db_session.commit()
    login_as(StaffRole.VIEWER)

    page = Page(client.get("/staff/").get_data(as_text=True))
    row_links = [(a.text, a.attrs["href"]) for a in page.all("a") if a.within("action-table")]
    in_stripe = [code.text for code in page.all("code") if code.within("action-table")]

    assert list(zip(row_links, in_stripe, strict=True)) == [
        ((f"#{disputed.id}", f"/staff/payments/{disputed.id}"), "dp_open"),
        ((f"#{renewal.id}", f"/staff/payments/{renewal.id}"), "in_failed"),
        ((f"#{refunded.id}", f"/staff/payments/{refunded.id}"), "re_failed"),
    ]
    payment = text_of(client.get(row_links[2][1]))
    assert "re_failed" in payment and "€50.00" in payment


def test_a_quiet_ledger_says_nothing_needs_action(client, login_as):
    login_as(StaffRole.VIEWER)

    assert "Nothing needs action" in section(client.get("/staff/"))
