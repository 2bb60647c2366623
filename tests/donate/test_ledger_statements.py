"""What the webhook's ledger transaction costs the database: statements per Stripe event.

Each statement is a round of the driver and, for writes, pages the commit writes; these tests
keep the per-event work from growing back."""

from __future__ import annotations

import pytest

import portal.donate.fastpath as fastpath
from portal.state import portal_state


class CountingCursor:
    """A DBAPI cursor that keeps the SQL of each statement run on it."""

    def __init__(self, cursor, statements: list[str]) -> None:
        self._cursor = cursor
        self._statements = statements

    def execute(self, sql, params=()):
        self._statements.append(" ".join(sql.split()))
        self._cursor.execute(sql, params)
        return self

    def __getattr__(self, name):
        return getattr(self._cursor, name)


@pytest.fixture
def statements(monkeypatch) -> list[list[str]]:
    """The statements of each event the webhook's writer records, one list per event."""
    per_event: list[list[str]] = []

    class Counted(fastpath.CursorStore):
        def __init__(self, compiled, cursor) -> None:
            per_event.append([])
            super().__init__(compiled, CountingCursor(cursor, per_event[-1]))

    monkeypatch.setattr(fastpath, "CursorStore", Counted)
    return per_event


def test_an_event_applied_in_stripes_order_writes_its_own_row_once(app, event_history, statements):
    writer = portal_state(app).ledger
    outcomes = [writer.record(event) for event in event_history]

    for event, outcome, run in zip(event_history, outcomes, statements, strict=True):
        updates = [sql for sql in run if sql.startswith("UPDATE stripe_event")]
        # Only an event that ends otherwise than expected (a subscription created before its
        # first payment is ignored) corrects its row's outcome.
        expected = 0 if outcome == "applied" else 1
        assert len(updates) == expected, (event["type"], outcome, run)
