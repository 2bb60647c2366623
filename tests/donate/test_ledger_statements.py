"""What the webhook's ledger transaction costs the database: statements per Stripe event.

Each statement is a round of the driver and, for writes, pages the commit writes; these tests
keep the per-event work from growing back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

import portal.donate.fastpath as fastpath
from portal.donate.events import PARKABLE
from portal.models import StripeEvent
from portal.state import portal_state


class CountingCursor:
    """A DBAPI cursor that keeps the SQL of each statement run on it."""

    def __init__(self, cursor, statements: list[str], params: list) -> None:
        self._cursor = cursor
        self._statements = statements
        self._params = params

    def execute(self, sql, params=()):
        self._statements.append(" ".join(sql.split()))
        self._params.append(repr(params))
        self._cursor.execute(sql, params)
        return self

    def __getattr__(self, name):
        return getattr(self._cursor, name)


@pytest.fixture
def bound() -> list[list[str]]:
    """The parameters of each statement in ``statements``, one list per event."""
    return []


@pytest.fixture
def statements(monkeypatch, bound) -> list[list[str]]:
    """The statements of each event the webhook's writer records, one list per event."""
    per_event: list[list[str]] = []

    class Counted(fastpath.CursorStore):
        def __init__(self, compiled, cursor) -> None:
            per_event.append([])
            bound.append([])
            super().__init__(compiled, CountingCursor(cursor, per_event[-1], bound[-1]))

    monkeypatch.setattr(fastpath, "CursorStore", Counted)
    return per_event


def test_an_event_applied_in_stripes_order_writes_its_own_row_once(app, event_history, statements):
    writer = portal_state(app).ledger
    with app.app_context():  # as the webhook calls it: the notices are drafted too
        outcomes = [writer.record(event).outcome for event in event_history]

    for event, outcome, run in zip(event_history, outcomes, statements, strict=True):
        updates = [sql for sql in run if sql.startswith("UPDATE stripe_event")]
        # Only an event that ends otherwise than expected (a subscription created before its
        # first payment is ignored) corrects its row's outcome.
        expected = 0 if outcome == "applied" else 1
        assert len(updates) == expected, (event["type"], outcome, run)


def test_no_event_reads_a_row_its_transaction_already_has(app, event_history, statements, bound):
    writer = portal_state(app).ledger
    with app.app_context():
        for event in event_history:
            writer.record(event)

    added = 0
    for event, run, params in zip(event_history, statements, bound, strict=True):
        reads = [(sql, p) for sql, p in zip(run, params, strict=True) if sql.startswith("SELECT")]
        # The refund's notice reads the sum refunded the rules just read: no second statement.
        assert len(reads) == len(set(reads)), (event["type"], reads)
        if any(sql.startswith("INSERT INTO donation ") for sql in run):
            added += 1  # a month's payment: its notice has the row the INSERT returned
            after = run[[sql.startswith("INSERT INTO donation ") for sql in run].index(True) :]
            assert not [sql for sql in after if "FROM donation WHERE donation.id =" in sql]
    assert added  # the history renews a monthly gift


def test_waiting_events_are_found_by_an_index_only_they_are_in(app, db_session):
    """A payment's event (no related id) writes no entry into the index of waiting events,
    and the query for the events waiting on a donation's new ids still searches that index."""
    connection = db_session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("the query plan read here is SQLite's")
    events = StripeEvent.__table__
    query = select(events.c.id).where(
        events.c.related_id.in_(["pi_1", "sub_1"]),
        events.c.type.in_(PARKABLE),
        events.c.outcome != "ignored",
    )
    compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
    plan = " ".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "USING INDEX ix_stripe_event_related_id" in plan
    index = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE name = 'ix_stripe_event_related_id'")
    ).scalar_one()
    assert "WHERE related_id IS NOT NULL" in index
