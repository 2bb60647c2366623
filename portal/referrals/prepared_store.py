"""The hand-off's one write: a referral row on a connection each worker keeps open.

The hand-off is the portal's hottest path, so its insert skips the ORM session: the statement
is compiled once, values pass through the same column types the models declare, and the row
is committed on a DBAPI connection the worker holds. Nothing here decides what the row says.

The INSERT runs on its own, in autocommit: a lone write statement is its own transaction. On
SQLite it takes the write lock when it starts (waiting through the busy handler, since it holds
no older snapshot that could go stale). That is what ``BEGIN IMMEDIATE; INSERT; COMMIT`` does,
in one statement instead of three. It commits without a sync and the WAL is then synced outside
the writers' queue (group commit, ``HeldConnection``), so the row is on disk when ``insert``
returns: it survives a power cut, not only a crash of the process. On PostgreSQL it is one round
trip instead of three (psycopg sends ``BEGIN`` and ``COMMIT`` as statements of their own), and
the server answers only once its WAL is flushed (``synchronous_commit=on``, the default).
"""

from __future__ import annotations

from sqlalchemy import Engine, insert

from portal.db.engine import restore_settings
from portal.db.fastpath import HeldConnection, Prepared
from portal.models import Referral
from portal.referrals.record import ReferralRecord


class WriteFailed(Exception):
    """The database did not take the row (down, locked past the timeout, disk full)."""


class ReferralWriter:
    """Inserts referral rows; one connection per worker process, used under a lock."""

    def __init__(self, engine: Engine) -> None:
        table = Referral.__table__
        names = [column.name for column in table.columns if column.name != "id"]
        self._insert = Prepared(insert(table), engine.dialect, column_keys=names)
        sqlite = engine.dialect.name == "sqlite"
        self._held = HeldConnection(
            engine,
            WriteFailed,
            on_connect=_tune_sqlite if sqlite else _autocommit,
            on_release=_untune_sqlite if sqlite else _transactions,
            group_commit=sqlite,
        )

    def insert(self, record: ReferralRecord) -> None:
        """Insert and commit one referral; raises WriteFailed if the database did not take it."""
        params = self._insert.bind(record)
        with self._held.writing() as connection:
            self._insert.run(connection.driver_connection, params)

    def close(self) -> None:
        self._held.close()


def _tune_sqlite(dbapi_connection) -> None:
    # The row's recipient was read from its table moments ago and recipients are never deleted
    # (a member is suspended instead), so the foreign-key lookup SQLite would add to every
    # hand-off proves nothing; other connections keep it.
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def _untune_sqlite(dbapi_connection) -> None:
    # Back in the pool, the connection is any other code's again: as the engine tunes it.
    restore_settings(dbapi_connection, "foreign_keys")


def _autocommit(dbapi_connection) -> None:
    dbapi_connection.autocommit = True


def _transactions(dbapi_connection) -> None:
    dbapi_connection.autocommit = False
