"""The webhook's fast path: the events every gift brings, applied without the ORM session.

Stripe sends ``checkout.session.completed`` for every gift and ``invoice.paid`` for every
monthly payment. They are applied here with statements compiled once, on a connection each
worker keeps, in one short transaction: the event row first (its unique id turns a redelivery
into a no-op), then the donation, read and locked, then the changes ``events`` decides. The
session path in ``ledger`` stays the general one: every other event type, and any case this
path leaves to it (events parked until the donation learns an id), go there.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from types import SimpleNamespace

from sqlalchemy import Engine, bindparam, literal, select, update

from portal.db import HeldConnection, Prepared, dialect_insert
from portal.donate.events import (
    APPLIED,
    DUPLICATE,
    IGNORED,
    PARKABLE,
    UNMATCHED,
    checkout_changes,
    event_row,
    invoice_changes,
    invoice_metadata,
    invoice_subscription,
    is_first_invoice,
    metadata_donation_id,
    renewal_values,
    waiting_ids,
)
from portal.models import Donation, StripeEvent, utcnow


class LedgerUnavailable(Exception):
    """The database did not take the event; the webhook answers 503 and Stripe retries."""


class LedgerWriter:
    """Records the hot event types; one connection per worker process, used under a lock."""

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        self._prepare_statements()
        self._handlers: dict[str, Callable] = {
            "checkout.session.completed": self._checkout_completed,
            "invoice.paid": self._invoice_paid,
        }
        self._begin = "BEGIN IMMEDIATE" if engine.dialect.name == "sqlite" else None
        self._held = HeldConnection(engine, LedgerUnavailable)

    def record(self, event: dict) -> str | None:
        """Store and apply ``event``, committed; its outcome, or None to leave it to the session
        path. Raises LedgerUnavailable if the database did not take it."""
        handler = self._handlers.get(event["type"])
        if handler is None:
            return None
        row = event_row(event)
        with self._held.writing() as connection:
            return self._transaction(connection, row, handler, event["data"]["object"])

    def close(self) -> None:
        self._held.close()

    def _transaction(self, connection, row: dict, handler: Callable, obj: dict) -> str | None:
        # SQLite: BEGIN IMMEDIATE takes the write lock before the first read, so the donation
        # read below cannot change before it is written. PostgreSQL: the unique event id
        # serialises redeliveries, and FOR UPDATE serialises different events of one donation.
        with closing(connection.cursor()) as cursor:
            if self._begin:
                cursor.execute(self._begin)
            outcome = self._apply(cursor, row, handler, obj)
        if outcome in {DUPLICATE, None}:
            connection.rollback()  # a duplicate wrote nothing; None: the session path starts over
        else:
            connection.commit()
        return outcome

    def _apply(self, cursor, row: dict, handler: Callable, obj: dict) -> str | None:
        if not self._insert_event.execute(cursor, **row).fetchall():
            return DUPLICATE
        outcome = handler(cursor, obj)
        if outcome is not None:
            self._set_outcome.execute(cursor, event_id=row["id"], outcome=outcome)
        return outcome

    def _checkout_completed(self, cursor, checkout: dict) -> str | None:
        donation = self._by_checkout.first(cursor, checkout=checkout["id"])
        if donation is None:
            donation = self._by_metadata(cursor, checkout.get("metadata"))
        if donation is None:
            return UNMATCHED
        return self._save(cursor, donation, checkout_changes(donation, checkout))

    def _invoice_paid(self, cursor, invoice: dict) -> str | None:
        donation = self._by_invoice.first(cursor, invoice=invoice["id"])
        if donation is None:
            donation = self._first_donation(cursor, invoice)
            if donation is None:
                return UNMATCHED
            if not is_first_invoice(invoice, donation):
                return self._add_renewal(cursor, donation, invoice)
        return self._save(cursor, donation, invoice_changes(donation, invoice))

    def _first_donation(self, cursor, invoice: dict) -> SimpleNamespace | None:
        first = self._by_metadata(cursor, invoice_metadata(invoice))
        subscription = invoice_subscription(invoice)
        if first is None and subscription is not None:
            first = self._by_subscription.first(cursor, subscription=subscription)
        return first

    def _by_metadata(self, cursor, metadata: dict | None) -> SimpleNamespace | None:
        donation_id = metadata_donation_id(metadata)
        if donation_id is None:
            return None
        return self._by_id.first(cursor, donation_id=donation_id)

    def _save(self, cursor, donation: SimpleNamespace, changes: dict) -> str | None:
        if self._events_wait(cursor, changes):
            return None
        if changes:
            values = {**changes, "updated_at": utcnow()}
            update = self._for_columns(self._update_donation, values)
            update.execute(cursor, donation_id=donation.id, **values)
        return APPLIED

    def _add_renewal(self, cursor, first: SimpleNamespace, invoice: dict) -> str | None:
        renewal = renewal_values(first, invoice)
        changes = invoice_changes(SimpleNamespace(**renewal), invoice)
        if self._events_wait(cursor, changes):
            return None
        now = utcnow()
        values = {**renewal, **changes, "created_at": now, "updated_at": now}
        self._for_columns(self._insert_donation, values).execute(cursor, **values)
        return APPLIED

    def _events_wait(self, cursor, changes: dict) -> bool:
        """Whether stored events wait for an id these changes teach (rare: a refund or a
        cancellation that arrived first); the session path applies them."""
        waiting = waiting_ids(changes)
        if not waiting:
            return False
        found = self._parked.execute(cursor, first=waiting[0], second=waiting[-1]).fetchall()
        return bool(found)

    def _prepare_statements(self) -> None:
        donations, events = Donation.__table__, StripeEvent.__table__
        dialect = self._dialect

        def donation_where(criterion):
            return Prepared(select(donations).where(criterion).with_for_update(), dialect)

        self._by_checkout = donation_where(
            donations.c.stripe_checkout_session_id == bindparam("checkout")
        )
        self._by_id = donation_where(donations.c.id == bindparam("donation_id"))
        self._by_invoice = donation_where(donations.c.stripe_invoice_id == bindparam("invoice"))
        self._by_subscription = Prepared(
            select(donations)
            .where(donations.c.stripe_subscription_id == bindparam("subscription"))
            .order_by(donations.c.id)
            .limit(1)
            .with_for_update(),
            dialect,
        )
        self._parked = Prepared(
            select(events.c.id)
            .where(
                events.c.related_id.in_([bindparam("first"), bindparam("second")]),
                events.c.type.in_([literal(kind) for kind in PARKABLE]),
                events.c.outcome != IGNORED,
            )
            .limit(1),
            dialect,
        )
        insert = dialect_insert(dialect)
        self._insert_event = Prepared(
            insert(events).on_conflict_do_nothing().returning(events.c.id),
            dialect,
            column_keys=[column.name for column in events.columns],
        )
        self._set_outcome = Prepared(
            update(events)
            .where(events.c.id == bindparam("event_id"))
            .values(outcome=bindparam("outcome")),
            dialect,
        )
        self._insert_donation = insert(donations)
        self._update_donation = update(donations).where(donations.c.id == bindparam("donation_id"))
        self._by_columns: dict[tuple, Prepared] = {}

    def _for_columns(self, statement, values: dict) -> Prepared:
        """``statement`` compiled to set the columns of ``values``, on first use of that set."""
        columns = tuple(sorted(values))
        key = (id(statement), columns)
        if key not in self._by_columns:
            self._by_columns[key] = Prepared(statement, self._dialect, column_keys=columns)
        return self._by_columns[key]
