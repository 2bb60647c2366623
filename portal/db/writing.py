"""The write boundary: a session's transaction made a writer's, and inserts that tolerate a twin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Dialect, event
from sqlalchemy.orm import Session


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """A writer's transaction for the block: committed when the block ends, rolled back if it
    raises. Safe to nest (the outermost block commits).

    Why it exists: SQLite lets one connection write at a time, and cannot turn a transaction
    that has read into one that writes once another connection has written since: it fails at
    once with "database is locked" instead of waiting. So a unit of work that will write starts
    as a writer (``BEGIN IMMEDIATE``), queueing for the lock before its first read; a read
    transaction still open is ended first, which changes nothing and keeps the loaded objects,
    but is a commit all the same. On PostgreSQL the block is an ordinary transaction.

    Why only views and CLI commands open it, never an access decorator or a domain service: the
    edge is the one place that knows where a unit of work begins and ends, so its commit is
    seen there rather than hidden in a helper that quietly commits its caller's reads. And the
    write lock stalls every other writer while it is held, so slow work (a Stripe call, a
    password hash, an email) belongs between two blocks, which only the edge can arrange.
    """
    if session.info.get("writing"):
        yield session
        return
    _begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _begin_write(session: Session) -> None:
    # A transaction that has only read so far is ended first; one that has already written (the
    # caller flushed changes) is left as it is: it holds the lock, or will fail on its own.
    if session.in_transaction():
        if session.get_bind().dialect.name != "sqlite":
            session.info["writing"] = True
            return
        if session.new or session.dirty or session.deleted:
            return
        session.commit()
    session.connection(execution_options={"sqlite_write": True})
    session.info["writing"] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("writing", None)


def insert_ignore(session: Session, model, values: dict | list[dict]) -> int:
    """INSERT that skips rows whose unique key already exists; returns how many were added.

    Safe to call twice and under concurrency: the database's unique constraint decides, never a
    prior SELECT.
    """
    table = model.__table__
    insert = dialect_insert(session.get_bind().dialect)
    statement = insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    # RETURNING counts the rows really added on every backend (a bulk rowcount may be -1).
    return len(session.execute(statement, values).all())


def dialect_insert(dialect: Dialect):
    """The backend's own ``insert`` construct, which knows ``ON CONFLICT``."""
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
