"""Where the ledger's rules read and write: the ORM session, or a held connection's cursor.

``ledger.apply_event`` decides what every Stripe event does and asks a store for rows; the two
stores below are interchangeable (the contract tests run every event against both). The session
store serves the staff commands and the thanks page; the cursor store serves the webhook, with
statements compiled once, because that is where every gift's events arrive.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Protocol

from sqlalchemy import Dialect, bindparam, func, literal, select, update
from sqlalchemy.orm import Session

from portal.db.fastpath import Prepared
from portal.db.writing import dialect_insert, insert_ignore
from portal.donate.events import IGNORED
from portal.donate.notices import Notice
from portal.models import (
    LIVE_REFUNDS,
    Dispute,
    Donation,
    Refund,
    StripeEvent,
    StripeSubscription,
    StripeTransfer,
    utcnow,
)

# The columns a donation can be found by; "subscription" finds the gift's first row.
LOOKUPS = {
    "id": "id",
    "checkout": "stripe_checkout_session_id",
    "invoice": "stripe_invoice_id",
    "payment_intent": "stripe_payment_intent_id",
    "subscription": "stripe_subscription_id",
}
# Stripe objects mirrored one row each: kind → (table, the column holding Stripe's id).
MIRRORS = {
    "refund": (Refund.__table__, "stripe_refund_id"),
    "dispute": (Dispute.__table__, "stripe_dispute_id"),
    "subscription": (StripeSubscription.__table__, "id"),
    "transfer": (StripeTransfer.__table__, "id"),
}


class LedgerStore(Protocol):
    """What the ledger's rules need from a database; each method is one statement or so."""

    def record_event(self, row: dict) -> bool:
        """Insert the event's row unless its id is stored; True if it was new."""

    def set_outcome(self, event_id: str, outcome: str) -> None: ...

    def donation(self, by: str, value) -> Donation | SimpleNamespace | None:
        """The donation whose ``LOOKUPS[by]`` column is ``value``, locked for this transaction."""

    def save(self, donation, changes: dict) -> None:
        """Write ``changes`` to the donation (and onto the object given)."""

    def add(self, values: dict) -> Donation | SimpleNamespace:
        """A new donation row; returns it with its id."""

    def end_subscription(self, subscription: str, ended: datetime) -> int:
        """Mark every row of the subscription ended (once); how many rows changed."""

    def parked(self, ids: list[str], types: tuple[str, ...]) -> list:
        """Stored events of ``types`` related to ``ids`` (id, type, related_id, stripe_created,
        payload)."""

    def mirror(self, kind: str, stripe_id: str):
        """The ``MIRRORS[kind]`` row for this Stripe id, locked; None if there is none."""

    def put_mirror(self, kind: str, stripe_id: str, values: dict, *, exists: bool) -> None:
        """Insert the mirror row (``values`` has every column), or update it if it ``exists``."""

    def refunded(self, donation_id: int) -> int:
        """Minor units refunded, or being refunded, from the donation."""

    def notify(self, notice: Notice) -> None:
        """Take a notice for the donor, in this transaction (``notices``)."""


class SessionStore:
    """The ledger in an ORM session: rows are ``Donation`` objects. Flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.notices: list[Notice] = []

    def notify(self, notice: Notice) -> None:
        self.notices.append(notice)

    def record_event(self, row: dict) -> bool:
        return bool(insert_ignore(self._session, StripeEvent, row))

    def set_outcome(self, event_id: str, outcome: str) -> None:
        events = StripeEvent.__table__  # a plain UPDATE: no ORM bookkeeping for the event row
        self._session.execute(update(events).where(events.c.id == event_id).values(outcome=outcome))

    def donation(self, by: str, value) -> Donation | None:
        if by == "id":
            return self._session.get(Donation, value, with_for_update=True, populate_existing=True)
        query = select(Donation).where(getattr(Donation, LOOKUPS[by]) == value)
        # The row lock: PostgreSQL runs deliveries side by side, and two events for one gift
        # must not both read its old status (SQLite writers already take turns).
        query = query.order_by(Donation.id).limit(1).with_for_update()
        return self._session.scalar(query.execution_options(populate_existing=True))

    def save(self, donation: Donation, changes: dict) -> None:
        for column, value in changes.items():
            setattr(donation, column, value)

    def add(self, values: dict) -> Donation:
        donation = Donation(**values)
        self._session.add(donation)
        self._session.flush()  # its id is what later rules of this event refer to
        return donation

    def end_subscription(self, subscription: str, ended: datetime) -> int:
        result = self._session.execute(
            update(Donation)
            .where(
                Donation.stripe_subscription_id == subscription,
                Donation.subscription_ended_at.is_(None),
            )
            .values(subscription_ended_at=ended, updated_at=utcnow())
        )
        return result.rowcount

    def parked(self, ids: list[str], types: tuple[str, ...]) -> list:
        return self._session.execute(_parked(types), {"ids": ids}).all()

    def mirror(self, kind: str, stripe_id: str):
        return self._session.execute(_mirror_lookup(kind), {"key": stripe_id}).first()

    def put_mirror(self, kind: str, stripe_id: str, values: dict, *, exists: bool) -> None:
        statement = _mirror_update(kind, values) if exists else _mirror_insert(kind)
        self._session.execute(statement, _mirror_values(kind, stripe_id, values, exists=exists))

    def refunded(self, donation_id: int) -> int:
        return self._session.execute(_refunded(), {"donation_id": donation_id}).scalar_one()


class CursorStore:
    """The ledger on a DBAPI cursor with statements compiled once (``CompiledLedger``).

    Like the session's identity map, one object stands for each donation row this transaction
    has read or added (an INSERT returns the whole row), so a row read again by its id (the
    notices read what the rules just wrote) or a gift's first payment read again by its
    subscription costs no statement: the transaction holds the write lock, and every change to
    those rows goes through this store. So does the sum refunded from a donation, read again
    (the refund's notice) unless a refund row was written since."""

    def __init__(self, compiled: CompiledLedger, cursor) -> None:
        self._compiled = compiled
        self._cursor = cursor
        self.notices: list[Notice] = []
        self._rows: dict[int, SimpleNamespace] = {}
        self._firsts: dict[str, int] = {}  # subscription → its first payment's id
        self._refunded: dict[int, int] = {}  # donation id → minor units refunded

    def notify(self, notice: Notice) -> None:
        self.notices.append(notice)

    def record_event(self, row: dict) -> bool:
        return bool(self._compiled.insert_event.execute(self._cursor, **row).fetchall())

    def set_outcome(self, event_id: str, outcome: str) -> None:
        self._compiled.set_outcome.execute(self._cursor, event_id=event_id, outcome=outcome)

    def donation(self, by: str, value) -> SimpleNamespace | None:
        if by == "id" and value in self._rows:
            return self._rows[value]
        if by == "subscription" and value in self._firsts:
            return self._rows[self._firsts[value]]
        row = self._compiled.lookups[by].first(self._cursor, value=value)
        if row is None:
            return None
        if row.id in self._rows:
            vars(self._rows[row.id]).update(vars(row))
            row = self._rows[row.id]
        self._rows[row.id] = row
        if by == "subscription":
            self._firsts[value] = row.id
        return row

    def save(self, donation: SimpleNamespace, changes: dict) -> None:
        if not changes:
            return
        values = {**changes, "updated_at": utcnow()}
        statement = self._compiled.for_columns("update", values)
        statement.execute(self._cursor, donation_id=donation.id, **values)
        vars(donation).update(values)

    def add(self, values: dict) -> SimpleNamespace:
        now = utcnow()
        values = {**values, "created_at": now, "updated_at": now}
        statement = self._compiled.for_columns("insert", values)
        row = statement.first(self._cursor, **values)  # the whole row, as a read returns it
        self._rows[row.id] = row
        return row

    def end_subscription(self, subscription: str, ended: datetime) -> int:
        now = utcnow()
        statement = self._compiled.end_subscription
        changed = statement.all(self._cursor, subscription=subscription, ended=ended, now=now)
        for donation_id in (row.id for row in changed):  # the kept rows as the UPDATE left them
            if (row := self._rows.get(donation_id)) is not None:
                row.subscription_ended_at, row.updated_at = ended, now
        return len(changed)

    def parked(self, ids: list[str], types: tuple[str, ...]) -> list:
        related = list(dict.fromkeys(ids))  # one to three ids a gift has just learned
        statement = self._compiled.parked(types, len(related))
        rows = statement.all(self._cursor, **{f"related_{n}": key for n, key in enumerate(related)})
        rows.sort(key=lambda row: related.index(row.related_id))  # id by id, as they were learned
        return rows

    def mirror(self, kind: str, stripe_id: str):
        return self._compiled.mirror_lookups[kind].first(self._cursor, key=stripe_id)

    def put_mirror(self, kind: str, stripe_id: str, values: dict, *, exists: bool) -> None:
        statement = self._compiled.mirror_write(kind, values, exists=exists)
        bound = _mirror_values(kind, stripe_id, values, exists=exists)
        statement.execute(self._cursor, **bound)
        if kind == "refund":
            self._refunded.clear()

    def refunded(self, donation_id: int) -> int:
        if donation_id not in self._refunded:
            statement = self._compiled.refunded
            [(total,)] = statement.execute(self._cursor, donation_id=donation_id).fetchall()
            self._refunded[donation_id] = total
        return self._refunded[donation_id]


_PARKED_COLUMNS = ("id", "type", "related_id", "stripe_created", "payload")


class CompiledLedger:
    """The cursor store's statements for one database dialect, compiled once per worker."""

    # One per kind of dialect in a process: see ``for_dialect``.
    _shared: dict[tuple[type, str], CompiledLedger] = {}

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> CompiledLedger:
        """The statements for ``dialect``'s driver and parameter style, compiled by the first
        engine of that kind in this process. Every engine of the portal comes from
        ``make_engine``, so each of one kind compiles a statement to the same SQL and processors.
        A worker has one app, so nothing changes there; a test process builds hundreds, and
        compiling took 10-21 ms of each."""
        key = (type(dialect), dialect.paramstyle)
        if (compiled := cls._shared.get(key)) is None:
            compiled = cls._shared.setdefault(key, cls(dialect))
        return compiled

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        donations, events = Donation.__table__, StripeEvent.__table__
        self.lookups = {
            by: self._lookup(getattr(donations.c, column)) for by, column in LOOKUPS.items()
        }
        self.insert_event = Prepared(
            dialect_insert(dialect)(events).on_conflict_do_nothing().returning(events.c.id),
            dialect,
            column_keys=[column.name for column in events.columns],
        )
        self.set_outcome = Prepared(
            update(events)
            .where(events.c.id == bindparam("event_id"))
            .values(outcome=bindparam("outcome")),
            dialect,
        )
        self.end_subscription = Prepared(_end_subscription(), dialect)
        self.mirror_lookups = {kind: Prepared(_mirror_lookup(kind), dialect) for kind in MIRRORS}
        self.refunded = Prepared(_refunded(), dialect)
        self._statements = {
            "insert": dialect_insert(dialect)(donations).returning(*donations.c),
            "update": update(donations).where(donations.c.id == bindparam("donation_id")),
        }
        self._by_columns: dict[tuple, Prepared] = {}
        self._parked: dict[tuple, Prepared] = {}

    def for_columns(self, kind: str, values: dict) -> Prepared:
        """The insert or update compiled for the columns of ``values``, on first use of that set."""
        key = (kind, tuple(sorted(values)))
        if key not in self._by_columns:
            self._by_columns[key] = Prepared(
                self._statements[kind], self._dialect, column_keys=key[1]
            )
        return self._by_columns[key]

    def mirror_write(self, kind: str, values: dict, *, exists: bool) -> Prepared:
        """The mirror row's insert, or its update of the columns of ``values``."""
        key = (kind, exists, tuple(sorted(values)))
        if key not in self._by_columns:
            statement = _mirror_update(kind, values) if exists else _mirror_insert(kind)
            self._by_columns[key] = Prepared(statement, self._dialect)
        return self._by_columns[key]

    def parked(self, types: tuple[str, ...], count: int) -> Prepared:
        """The parked events of ``types`` related to any of ``count`` ids (``related_0``…)."""
        key = (types, count)
        if key not in self._parked:
            events = StripeEvent.__table__
            related = [bindparam(f"related_{n}") for n in range(count)]
            query = select(*(events.c[name] for name in _PARKED_COLUMNS)).where(
                events.c.related_id.in_(related),
                events.c.type.in_([literal(kind) for kind in types]),
                events.c.outcome != literal(IGNORED),
            )
            self._parked[key] = Prepared(query, self._dialect)
        return self._parked[key]

    def _lookup(self, column) -> Prepared:
        donations = Donation.__table__
        query = (
            select(donations)
            .where(column == bindparam("value"))
            .order_by(donations.c.id)
            .limit(1)
            .with_for_update()
        )
        return Prepared(query, self._dialect)


def _end_subscription():
    donations = Donation.__table__
    return (
        update(donations)
        .where(
            donations.c.stripe_subscription_id == bindparam("subscription"),
            donations.c.subscription_ended_at.is_(None),
        )
        .values(subscription_ended_at=bindparam("ended"), updated_at=bindparam("now"))
        .returning(donations.c.id)
    )


def _parked(types: tuple[str, ...]):
    events = StripeEvent.__table__
    return select(*(events.c[name] for name in _PARKED_COLUMNS)).where(
        events.c.related_id.in_(bindparam("ids", expanding=True)),
        events.c.type.in_(types),
        events.c.outcome != IGNORED,
    )


def _mirror_lookup(kind: str):
    table, column = MIRRORS[kind]
    return select(table).where(table.c[column] == bindparam("key")).with_for_update()


def _mirror_insert(kind: str):
    table, _column = MIRRORS[kind]
    return table.insert().values({name: bindparam(name) for name in _mirror_columns(kind)})


def _mirror_update(kind: str, values: dict):
    table, column = MIRRORS[kind]
    return (
        table.update()
        .where(table.c[column] == bindparam("key"))
        .values({name: bindparam(f"new_{name}") for name in [*sorted(values), "updated_at"]})
    )


def _mirror_columns(kind: str) -> list[str]:
    table, column = MIRRORS[kind]
    return [col.name for col in table.columns if col.name != "id" or column == "id"]


def _mirror_values(kind: str, stripe_id: str, values: dict, *, exists: bool) -> dict:
    """Bind values for ``_mirror_insert`` (every column) or ``_mirror_update`` (``values``)."""
    now = utcnow()
    if exists:
        changed = {f"new_{name}": value for name, value in values.items()}
        return {**changed, "new_updated_at": now, "key": stripe_id}
    _table, column = MIRRORS[kind]
    row = {"created_at": now, "updated_at": now, **values, column: stripe_id}
    return {name: row.get(name) for name in _mirror_columns(kind)}


def _refunded():
    refunds = Refund.__table__
    return select(func.coalesce(func.sum(refunds.c.amount), 0)).where(
        refunds.c.donation_id == bindparam("donation_id"),
        refunds.c.status.in_([literal(status.value) for status in LIVE_REFUNDS]),
    )
