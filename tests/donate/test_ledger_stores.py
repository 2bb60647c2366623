"""The ledger's two stores (ORM session, held cursor) are interchangeable: one contract, both."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update

from portal import create_app, dispose
from portal.db.writing import writing
from portal.donate.ledger import record_stripe_event
from portal.donate.stores import CompiledLedger, CursorStore
from portal.models import (
    Donation,
    DonationStatus,
    Frequency,
    StripeEvent,
    utcnow,
)
from portal.state import portal_state
from tests.helpers.giving import LEDGER_TABLES, ledger_rows, sign


def deliver(client, event: dict):
    payload = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload)}
    return client.post("/stripe/webhook", data=payload, headers=headers)


def ledger(db_session) -> dict[str, list]:
    """The committed ledger (``ledger_rows``)."""
    db_session.rollback()  # a new transaction sees what other connections committed
    return ledger_rows(db_session)


def session_ledger(db_session, events: list[dict]) -> dict[str, list]:
    """The ledger after the session path alone applied ``events`` in that order."""
    with writing(db_session):
        for event in events:
            record_stripe_event(db_session, event)
    return ledger(db_session)


@pytest.fixture
def reset_ledger(event_history, db_session):
    """Factory: the ledger back as it was before any event (only the donations, still open)."""
    db_session.rollback()
    donations = Donation.__table__
    opened = [row._asdict() for row in db_session.execute(select(donations))]

    def _reset() -> None:
        db_session.rollback()
        for table in LEDGER_TABLES[1:]:
            db_session.execute(delete(table))
        kept = [row["id"] for row in opened]
        db_session.execute(delete(donations).where(donations.c.id.not_in(kept)))
        for row in opened:
            db_session.execute(update(donations).where(donations.c.id == row["id"]).values(row))
        db_session.commit()

    return _reset


@pytest.fixture
def writer(app):
    return portal_state(app).ledger


@pytest.fixture(params=["session", "cursor"])
def apply(request, app, writer, db_session):
    """Factory: apply one event, committed, through the ORM session store or the cursor store."""
    if request.param == "cursor":
        return lambda event: writer.record(event).outcome

    def _apply(event: dict) -> str:
        with app.app_context(), writing(db_session):  # as the thanks page and commands do
            return record_stripe_event(db_session, event)

    return _apply


def of_type(events: list[dict], kind: str) -> list[dict]:
    return [event for event in events if event["type"] == kind]


def stored_event_ids(db_session) -> set[str]:
    db_session.rollback()
    return set(db_session.scalars(select(StripeEvent.id)))


def statuses(db_session) -> list[str]:
    db_session.rollback()
    return sorted(db_session.scalars(select(Donation.status)))


def test_each_store_applies_every_event_once(apply, event_history, db_session):
    first = [apply(event) for event in event_history]
    again = [apply(event) for event in event_history]

    # A subscription is created incomplete: nothing to record until its first payment.
    expected = [
        "ignored" if event["type"] == "customer.subscription.created" else "applied"
        for event in event_history
    ]
    assert first == expected
    assert again == ["duplicate"] * len(event_history)
    assert statuses(db_session) == [
        "expired", "failed", "paid", "paid", "paid", "paid", "paid", "refunded", "refunded",
    ]  # fmt: skip


def test_a_refund_that_arrives_first_waits_for_its_payment_in_each_store(
    apply, event_history, db_session
):
    refund = of_type(event_history, "charge.refunded")[0]  # the first gift, in full
    intent = refund["data"]["object"]["payment_intent"]
    [paid] = [
        event
        for event in of_type(event_history, "checkout.session.completed")
        if event["data"]["object"]["payment_intent"] == intent
    ]

    assert apply(refund) == "unmatched"  # parked
    assert apply(paid) == "applied"

    db_session.rollback()
    donation = db_session.scalars(select(Donation).filter_by(stripe_payment_intent_id=intent))
    assert donation.one().status == DonationStatus.REFUNDED
    outcomes = dict(db_session.execute(select(StripeEvent.id, StripeEvent.outcome)).all())
    assert outcomes == {refund["id"]: "applied", paid["id"]: "applied"}


def test_a_monthly_refund_that_arrives_first_waits_for_its_invoice_in_each_store(
    apply, event_history, db_session
):
    payments = {
        event["data"]["object"]["payment"]["payment_intent"]: event
        for event in of_type(event_history, "invoice_payment.paid")
    }
    [refund] = [
        event
        for event in of_type(event_history, "refund.created")
        if event["data"]["object"]["payment_intent"] in payments
    ]
    payment = payments[refund["data"]["object"]["payment_intent"]]
    [paid] = [
        event
        for event in of_type(event_history, "invoice.paid")
        if event["data"]["object"]["id"] == payment["data"]["object"]["invoice"]
    ]
    first = of_type(event_history, "invoice.paid")[0]

    answers = [apply(event) for event in (refund, payment, first, paid)]

    assert answers == ["unmatched", "unmatched", "applied", "applied"]  # two wait, then apply
    db_session.rollback()
    renewal = db_session.scalars(
        select(Donation).filter_by(stripe_invoice_id=paid["data"]["object"]["id"])
    ).one()
    assert (renewal.status, renewal.amount_refunded) == (DonationStatus.REFUNDED, renewal.amount)
    outcomes = dict(db_session.execute(select(StripeEvent.id, StripeEvent.outcome)).all())
    assert set(outcomes.values()) == {"applied"}


def test_the_webhook_writes_the_rows_the_session_store_writes(
    event_history, reset_ledger, client, db_session
):
    expected = session_ledger(db_session, event_history)
    reset_ledger()

    answers = [deliver(client, event).status_code for event in event_history]

    assert answers == [200] * len(event_history)
    assert ledger(db_session) == expected


@pytest.fixture
def session_paths_rows(event_history, reset_ledger, db_session) -> dict[str, list]:
    """The rows the session path writes for the history in Stripe's order (the ledger reset
    before and after): the same for every example below."""
    reset_ledger()
    rows = session_ledger(db_session, event_history)
    reset_ledger()
    return rows


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_order_and_repetition_through_the_webhook_gives_the_session_paths_rows(
    event_history, reset_ledger, client, db_session, session_paths_rows, data
):
    reset_ledger()
    expected = session_paths_rows
    repeats = data.draw(st.lists(st.sampled_from(event_history), max_size=len(event_history)))
    delivery = data.draw(st.permutations(event_history + repeats))

    answers = [deliver(client, event).status_code for event in delivery]

    assert answers == [200] * len(delivery)
    assert ledger(db_session) == expected


def test_an_unreadable_event_is_refused_and_leaves_no_transaction_open(
    client, event_history, db_session
):
    broken = {"id": "evt_broken", "type": "invoice.paid", "created": 1, "data": {"object": {}}}
    completed = of_type(event_history, "checkout.session.completed")[0]

    # Refused the same whatever the type.
    expired = {**broken, "id": "evt_broken_too", "type": "checkout.session.expired"}

    assert deliver(client, broken).status_code == 400
    assert deliver(client, expired).status_code == 400
    assert {"evt_broken", "evt_broken_too"}.isdisjoint(stored_event_ids(db_session))
    assert deliver(client, completed).get_json()["outcome"] == "applied"


def test_database_trouble_on_the_fast_path_answers_503_and_stores_nothing(
    app_config, event_history, db_session
):
    url = app_config["DATABASE_URL"]
    if not url.startswith("sqlite"):
        pytest.skip("holds SQLite's write lock to make the database unavailable")
    app = create_app({**app_config, "DB_LOCK_TIMEOUT_MS": 50})
    client = app.test_client()
    completed = of_type(event_history, "checkout.session.completed")[0]
    blocker = sqlite3.connect(url.removeprefix("sqlite:///"))
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        response = deliver(client, completed)
    finally:
        blocker.rollback()
        blocker.close()

    assert response.status_code == 503
    assert stored_event_ids(db_session) == set()
    assert deliver(client, completed).get_json()["outcome"] == "applied"
    dispose(app)


def test_a_dropped_connection_answers_503_once_then_reconnects(client, event_history, db_session):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("asks PostgreSQL to end the writer's connection, as a restart would")
    first, second = of_type(event_history, "checkout.session.completed")[:2]
    assert deliver(client, first).status_code == 200  # the writer now holds its connection
    db_session.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )
    db_session.commit()

    assert deliver(client, second).status_code == 503
    assert deliver(client, second).get_json()["outcome"] == "applied"


def test_an_event_waits_for_another_transaction_on_the_same_gift(
    client, app, event_history, db_session
):
    # A refund being committed while the late payment's success arrives: the success must see
    # the refund once it lands, not write "paid" over it from a stale read.
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("row locks: on SQLite the two writers already take turns")
    [succeeded] = of_type(event_history, "checkout.session.async_payment_succeeded")
    checkout = succeeded["data"]["object"]["id"]
    [completed] = [
        event
        for event in of_type(event_history, "checkout.session.completed")
        if event["data"]["object"]["id"] == checkout
    ]
    assert deliver(client, completed).status_code == 200  # unpaid yet: processing
    gift = Donation.__table__
    other = portal_state(app).database.engine.connect()
    other.execute(
        update(gift).where(gift.c.stripe_checkout_session_id == checkout).values(status="refunded")
    )
    answers = []
    delivery = threading.Thread(target=lambda: answers.append(deliver(client, succeeded)))
    delivery.start()
    delivery.join(timeout=1)
    waited = delivery.is_alive()
    other.commit()
    other.close()
    delivery.join(timeout=10)

    assert waited, "the event did not wait for the other transaction's row lock"
    assert answers[0].status_code == 200
    db_session.rollback()
    status = db_session.scalar(
        select(Donation.status).where(Donation.stripe_checkout_session_id == checkout)
    )
    assert status == DonationStatus.REFUNDED


def test_rows_the_webhooks_transaction_holds_read_as_ended_once_their_gift_ends(
    app, make_org, add_donation
):
    # The writer keeps each row it has read, as the session's identity map does: what the
    # UPDATE changed must show on them for the rest of the transaction (a parked event applied
    # after the end reads them again), and only on them.
    org = make_org()
    first = add_donation(org, utcnow(), frequency=Frequency.MONTHLY, stripe_subscription_id="sub_1")
    renewal = add_donation(org, utcnow(), renewal=True, stripe_subscription_id="sub_1")
    other = add_donation(org, utcnow(), renewal=True, stripe_subscription_id="sub_2")
    engine = portal_state(app).database.engine
    ended = utcnow().replace(microsecond=0)
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        store = CursorStore(CompiledLedger.for_dialect(engine.dialect), cursor)
        held = [store.donation("id", d.id) for d in (first, renewal, other)]

        changed = store.end_subscription("sub_1", ended)
        again = store.end_subscription("sub_1", ended)
        connection.rollback()

    assert (changed, again) == (2, 0)
    assert [row.subscription_ended_at for row in held] == [ended, ended, None]
