"""Basket parts in the export, the staff report and the member report: they add up to what
was paid, refunded and disputed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import Donation, StaffRole
from tests.helpers.giving import state
from tests.helpers.reports import csv_table


@pytest.fixture
def refunded_basket(members, fill, pay, sandbox, live_portal, stripe_client, db_session):
    """A paid basket of three, $100 with the fee cover, $10 of it refunded."""
    fill("parents-circle", "roots", "combatants")
    pay(total="100", cover_fees="y")
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
    sandbox.wait_for_deliveries()
    intent = state(db_session, donation.id).stripe_payment_intent_id
    stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 1000})
    sandbox.wait_for_deliveries()
    return state(db_session, donation.id)


def test_export_follows_a_basket_payment_with_each_members_part(refunded_basket, runner):
    result = runner.invoke(args=["export-donations"])

    rows = list(csv.DictReader(io.StringIO(result.output)))
    payment, *parts = rows
    assert (payment["recipient"], payment["amount_minor"], payment["part_of"]) == (
        "allmep",
        "10300",
        "",
    )
    assert [p["recipient"] for p in parts] == ["parents-circle", "roots", "combatants"]
    assert sum(int(p["amount_minor"]) for p in parts) == 10300
    assert {p["part_of"] for p in parts} == {str(refunded_basket.id)}
    assert {p["basket"] for p in rows} == {refunded_basket.basket.reference}


def test_staff_report_lists_each_members_parts_and_refunds(refunded_basket, client, login_as):
    login_as(StaffRole.VIEWER)
    today = datetime.now(UTC).date().isoformat()

    header, rows = csv_table(
        client.get(f"/staff/reports/?since={today}&until={today}&format=csv&table=basket_parts")
    )

    assert header[:4] == ["member", "name", "currency", "basket_payments"]
    by_member = {row[0]: row for row in rows}
    assert set(by_member) == {"parents-circle", "roots", "combatants"}
    assert sum(float(row[4]) + float(row[5]) for row in rows) == pytest.approx(103.00)
    assert sum(float(row[6]) for row in rows) == pytest.approx(10.00)
