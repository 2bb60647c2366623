"""The hand-off's one write: a referral row on a connection each worker keeps open.

The hand-off is the portal's hottest path, so its insert skips the ORM session: the statement
is compiled once, values pass through the same column types the models declare, and the row
is committed on a DBAPI connection the worker holds. Nothing here decides what the row says.

On SQLite the INSERT runs on its own, in autocommit: a lone write statement is its own
transaction, takes the write lock when it starts (waiting through the busy handler, since it
holds no older snapshot that could go stale) and is durable when it returns. That is what
``BEGIN IMMEDIATE; INSERT; COMMIT`` does, in one statement instead of three.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, insert

from portal.db import write_queue
from portal.models import Referral


class WriteFailed(Exception):
    """The database did not take the row (down, locked past the timeout, disk full)."""


class ReferralWriter:
    """Inserts referral rows; one connection per worker process, used under a lock."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        table = Referral.__table__
        names = [column.name for column in table.columns if column.name != "id"]
        compiled = insert(table).compile(dialect=dialect, column_keys=names)
        self._sql = str(compiled)
        # Each value's bind processor, in the order the statement takes its parameters.
        self._binds = [
            (name, table.columns[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in (compiled.positiontup if compiled.positional else names)
        ]
        self._positional = compiled.positional
        self._autocommit = dialect.name == "sqlite"
        self._queue = write_queue(engine)
        self._errors = dialect.loaded_dbapi.Error
        self._engine = engine
        self._connection = None
        self._lock = threading.Lock()

    def insert(self, record: dict) -> None:
        """Insert and commit one referral; raises WriteFailed if the database did not take it."""
        params = self._params(record)
        with self._lock, self._queue:
            connection = self._connection or self._connect()
            try:
                if self._autocommit:
                    connection.driver_connection.execute(self._sql, params)
                else:
                    cursor = connection.cursor()
                    cursor.execute(self._sql, params)
                    cursor.close()
                    connection.commit()
            except self._errors as exc:
                self._recover(connection)
                raise WriteFailed(f"{type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _params(self, record: dict):
        values = [
            record[name] if process is None else process(record[name])
            for name, process in self._binds
        ]
        if self._positional:
            return values
        return dict(zip((name for name, _ in self._binds), values, strict=True))

    def _connect(self):
        try:
            self._connection = self._engine.raw_connection()
            if self._autocommit:
                # The row's recipient was read from its table moments ago and recipients are
                # never deleted (a member is suspended instead), so the foreign-key lookup
                # SQLite would add to every hand-off proves nothing; other connections keep it.
                self._connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        except Exception as exc:
            raise WriteFailed(f"{type(exc).__name__}: {exc}") from None
        return self._connection

    def _recover(self, connection) -> None:
        try:
            connection.rollback()
        except self._errors:
            # The connection itself is broken: drop it and reconnect on the next hand-off.
            connection.invalidate()
            self._connection = None
