"""The write boundary: a session's transaction made a writer's, and inserts that tolerate a twin."""

from __future__ import annotations

from sqlalchemy import Dialect, event
from sqlalchemy.orm import Session


def begin_write(session: Session) -> Session:
    """Make the session's transaction a writer's (``BEGIN IMMEDIATE`` on SQLite).

    SQLite cannot turn a reader into a writer once another connection has written (it fails at
    once with "database is locked" instead of waiting), so a transaction that has only read so
    far is ended first: committing it changes nothing and keeps the loaded objects. Safe to call
    twice; a transaction that has already written is left as it is.
    """
    if session.in_transaction() and not session.info.get("writing"):
        if session.get_bind().dialect.name != "sqlite":
            session.info["writing"] = True
            return session
        if session.new or session.dirty or session.deleted:
            return session  # pending changes: the caller began writing without us
        session.commit()
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_write": True})
        session.info["writing"] = True
    return session


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
