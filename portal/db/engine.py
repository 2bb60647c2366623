"""Engines tuned for their backend: SQLite's pragmas, lock timeouts, and healing connections
that can never write again."""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

SQLITE_PAGE_SIZE = 2048
# Settings every SQLite connection of an engine has, which a hot writer may change on the
# connection it holds; it sets them back from here (``restore_settings``) before the pool has the
# connection again. Every commit is on disk before it returns (the hot writers instead group
# their syncs, ``HeldConnection(group_commit=True)``, which costs them far less), and foreign
# keys are checked.
SQLITE_SETTINGS = {"synchronous": "FULL", "foreign_keys": "ON"}
LOCK_TIMEOUT_OPTION = "portal_lock_timeout_ms"


def make_engine(url: str, *, lock_timeout_ms: int = 5000) -> Engine:
    """Build an engine tuned for its backend (SQLite WAL + IMMEDIATE writes, or a pooled server).

    ``lock_timeout_ms`` bounds how long a statement waits for another writer's lock, so that
    a stuck database turns into an error the caller can handle instead of a hung worker.
    """
    # Kept where the hot writers' queue (``write_queue``) finds it.
    options = {LOCK_TIMEOUT_OPTION: lock_timeout_ms}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": lock_timeout_ms / 1000}, execution_options=options
        )
        _tune_sqlite(engine, lock_timeout_ms)
        return engine
    return create_engine(
        url,
        execution_options=options,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"options": f"-c lock_timeout={int(lock_timeout_ms)}", "connect_timeout": 5},
    )


def restore_settings(dbapi_connection, *names: str) -> None:
    """Set ``names`` back to the engine's ``SQLITE_SETTINGS`` on a SQLite DBAPI connection."""
    for name in names:
        dbapi_connection.execute(f"PRAGMA {name}={SQLITE_SETTINGS[name]}")


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling issues a deferred BEGIN only before DML, which lets a
    # reader upgrade to writer and fail with "database is locked" at once; take control instead.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):
        record.info[OPENED_READ_ONLY] = sqlite_file_writable(engine) is False
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # Only a new, empty database takes this. A hand-off's commit writes one page per tree it
        # touches, so pages smaller than the 4 KiB default write less; below 2 KiB the trees
        # grow a level deeper, and every level is a read after another worker's commit.
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        for name, value in SQLITE_SETTINGS.items():
            cursor.execute(f"PRAGMA {name}={value}")
        # Checkpoint in larger batches: each page is copied back once however often it changed,
        # which takes a third off the cost of a hand-off's commit. The WAL stays bounded.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.execute("PRAGMA journal_size_limit=67108864")
        cursor.close()

    @event.listens_for(engine, "checkout")
    def _reopen_once_writable(_dbapi_conn, record, _proxy):
        # A connection opened on a read-only file would fail its first write; once the file can
        # be written, the pool opens a fresh one instead (the check costs nothing otherwise).
        if record.info.get(OPENED_READ_ONLY) and sqlite_file_writable(engine):
            raise DisconnectionError("the database file is writable again")

    @event.listens_for(engine, "handle_error")
    def _reopen_after(context):
        if needs_new_connection(context.original_exception):
            context.is_disconnect = True  # the pool drops it, and its siblings, for fresh ones

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# SQLite result codes after which a connection must be opened again. A database file that was
# read-only when the connection opened it stays read-only for that connection's whole life, even
# once the file is writable again; the same goes for a file that could not be opened or read.
_SQLITE_REOPEN = {
    8,  # SQLITE_READONLY
    10,  # SQLITE_IOERR
    14,  # SQLITE_CANTOPEN
}


OPENED_READ_ONLY = "portal_opened_read_only"


def sqlite_file_writable(engine: Engine) -> bool | None:
    """Whether this process may write the SQLite file now (None: not a SQLite file)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        return None
    # access() says no for a read-only mount and an immutable file, even to root.
    return os.access(path, os.W_OK)


def needs_new_connection(error: BaseException | None) -> bool:
    """True when ``error`` means the connection that raised it will never write again."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _SQLITE_REOPEN


def refused_data(exc: BaseException) -> bool:
    """True when the database refused the values it was given (PEP 249's DataError: a number
    out of range, a text too long or with a NUL), not because it is unavailable. A constraint
    clash (IntegrityError) is not one: a concurrent writer may cause it, and a retry may pass."""
    cause = getattr(exc, "orig", None) or exc.__cause__
    return cause is not None and any(kind.__name__ == "DataError" for kind in type(cause).__mro__)
