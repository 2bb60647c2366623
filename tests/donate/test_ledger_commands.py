"""Staff commands on the donation ledger: CSV export and reconciliation with Stripe."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from portal.donate.queries import EXPORT_HEADER
from portal.models import Donation, DonationStatus
from portal.state import portal_state


def opened(give, db_session, **fields) -> Donation:
    give(**fields)
    db_session.rollback()
    return db_session.scalars(select(Donation).order_by(Donation.id.desc())).first()


@pytest.mark.usefixtures("recipient")
def test_reconcile_applies_events_the_webhook_missed_and_a_second_run_changes_nothing(
    runner, give, sandbox, db_session
):
    donation = opened(give, db_session)
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")  # no webhook URL set

    first = runner.invoke(args=["reconcile-stripe", "--since", "1d"])
    second = runner.invoke(args=["reconcile-stripe", "--since", "1d"])

    assert "1 event(s) from Stripe; 1 were missing and are now applied." in first.output
    assert "0 were missing" in second.output
    db_session.rollback()
    assert db_session.get(Donation, donation.id).status == DonationStatus.PAID


def test_reconcile_refuses_a_window_it_cannot_read(runner):
    result = runner.invoke(args=["reconcile-stripe", "--since", "forever"])

    assert result.exit_code == 2
    assert "like 3d or 12h" in result.output


def test_reconcile_reports_stripe_being_unreachable(app, runner):
    from portal.stripe_gateway import build_gateway

    portal_state(app).gateway = build_gateway(
        {**app.config, "STRIPE_API_BASE": "http://127.0.0.1:9", "STRIPE_TIMEOUT_SECONDS": 1}
    )

    result = runner.invoke(args=["reconcile-stripe"])

    assert result.exit_code == 1
    assert "Stripe did not answer" in result.output


@pytest.mark.usefixtures("recipient", "live_portal")
def test_export_lists_donations_and_shows_email_only_with_consent(
    runner, give, sandbox, db_session
):
    shared = opened(give, db_session, share_email="y", preset="100", currency="EUR")
    private = opened(give, db_session, preset="25")
    for donation in (shared, private):
        sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="d@example.org")
    sandbox.wait_for_deliveries()

    result = runner.invoke(args=["export-donations"])

    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0].keys()) == list(EXPORT_HEADER)
    assert [
        (r["recipient"], r["amount_minor"], r["currency"], r["status"], r["donor_email"])
        for r in rows
    ] == [
        ("parents-circle", "10000", "EUR", "paid", "d@example.org"),
        ("parents-circle", "2500", "USD", "paid", ""),
    ]
    assert rows[0]["stripe_payment_intent"].startswith("pi_")


def test_export_lists_the_rows_a_registered_provider_gives_under_their_payment(
    app, runner, make_org, db_session
):
    from portal.donate.queries import add_export_parts

    org = make_org("roots")
    first, second = (
        Donation(organization=org, amount=minor, currency="USD", frequency="one_time")
        for minor in (3000, 5000)
    )
    db_session.add_all([first, second])
    db_session.commit()
    blank = (None,) * (len(EXPORT_HEADER) - 3)

    def halves(session, start, end):
        assert (start, end) == (None, None)  # the whole ledger was asked for
        return {second.id: [(None, None, "half", *blank), (None, None, "other-half", *blank)]}

    add_export_parts(app, halves)

    result = runner.invoke(args=["export-donations"])

    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["donation_id"], r["recipient"]) for r in rows] == [
        (str(first.id), "roots"),
        (str(second.id), "roots"),
        ("", "half"),
        ("", "other-half"),
    ]
