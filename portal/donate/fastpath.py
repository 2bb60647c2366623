"""The webhook's ledger transaction: each event applied on a connection the worker keeps.

Stripe sends ``checkout.session.completed`` for every gift and ``invoice.paid`` for every
monthly payment, so the webhook skips the ORM session: the ledger's rules (``ledger``) run on
a ``CursorStore``, with statements compiled once, in one short transaction per event: the event
row first (its unique id turns a redelivery into a no-op), then the donation, read and locked,
then the changes the rules decide.

On SQLite the transaction commits with ``synchronous=NORMAL`` and the write-ahead log is synced
once the writer's turn is over (group commit, as the hand-off writer does): the event is on disk
before the webhook answers 200, so an acknowledged event survives a power cut, while workers that
commit at about the same time share one flush instead of each holding the lock through its own.
"""

from __future__ import annotations

from contextlib import closing
from typing import NamedTuple

from sqlalchemy import Engine

from portal.db.fastpath import HeldConnection
from portal.donate.events import DUPLICATE
from portal.donate.ledger import apply_event
from portal.donate.stores import CompiledLedger, CursorStore


class LedgerUnavailable(Exception):
    """The database did not take the event; the webhook answers 503 and Stripe retries."""


class Recorded(NamedTuple):
    """What recording one event did: its outcome, and how many mails it queued for the donor
    (the worker's sender is woken only when there are some)."""

    outcome: str
    mailed: int = 0


class LedgerWriter:
    """Records Stripe's events; one connection per worker process, used under a lock."""

    def __init__(self, engine: Engine, *, notices=None) -> None:
        # ``notices(store, cursor, event)`` queues the donor's mail in the event's transaction;
        # the package that writes the mail sets it (``ledger.set_notices``).
        self.notices = notices
        self._compiled = CompiledLedger.for_dialect(engine.dialect)
        sqlite = engine.dialect.name == "sqlite"
        self._begin = "BEGIN IMMEDIATE" if sqlite else None
        self._held = HeldConnection(
            engine,
            LedgerUnavailable,
            group_commit=sqlite,
        )

    def record(self, event: dict) -> Recorded:
        """Store and apply ``event``, committed; returns its outcome and the mail it queued.
        Raises LedgerUnavailable if the database did not take it."""
        with self._held.writing() as connection:
            # SQLite: BEGIN IMMEDIATE takes the write lock before the first read, so the donation
            # read cannot change before it is written. PostgreSQL: the unique event id
            # serialises redeliveries, and FOR UPDATE serialises different events of one gift.
            with closing(connection.cursor()) as cursor:
                if self._begin:
                    cursor.execute(self._begin)
                store = CursorStore(self._compiled, cursor)
                outcome = apply_event(store, event)
                mailed = 0
                if store.notices and self.notices is not None:
                    mailed = self.notices(store, cursor, event)
            if outcome == DUPLICATE:
                connection.rollback()  # a duplicate wrote nothing
            else:
                connection.commit()
            return Recorded(outcome, mailed)

    def close(self) -> None:
        self._held.close()
