"""Several workers receiving the same event at the same moment apply it exactly once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.models import Donation, DonationStatus, StripeEvent
from tests.helpers.giving import sign
from tests.helpers.workers import deliver, worker_processes

WORKERS = 4


@pytest.mark.slow
@pytest.mark.usefixtures("recipient")
def test_concurrent_duplicate_deliveries_make_exactly_one_donation(
    app_config, give, sandbox, db_session
):
    give(preset="other", other_amount="30", frequency="monthly")
    db_session.rollback()
    first = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(first.stripe_checkout_session_id, "pay")
    subscription = next(
        e["data"]["object"]["subscription"]
        for e in sandbox.events()
        if e["type"] == "checkout.session.completed"
    )
    renewal = sandbox.renew(subscription)
    [event] = [e for e in sandbox.events() if e["data"]["object"].get("id") == renewal["id"]]
    payload = json.dumps(event).encode()
    context = worker_processes()
    barrier = context.Manager().Barrier(WORKERS)
    config = {key: value for key, value in app_config.items() if key != "SERVER_NAME"}

    with context.Pool(WORKERS) as pool:
        codes = pool.starmap(deliver, [(config, payload, sign(payload), barrier)] * WORKERS)

    assert codes == [200] * WORKERS
    db_session.rollback()
    renewals = db_session.scalars(select(Donation).filter_by(stripe_invoice_id=renewal["id"]))
    assert [row.status for row in renewals] == [DonationStatus.PAID]
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 1
