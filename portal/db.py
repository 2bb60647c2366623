"""Database engine per app, one session per app context, the declarative Base, and the
statements hot write paths prepare once."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from types import SimpleNamespace

from flask import Flask, current_app, g
from sqlalchemy import Dialect, Engine, Executable, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


SQLITE_PAGE_SIZE = 2048
LOCK_TIMEOUT_OPTION = "portal_lock_timeout_ms"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]


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
        # Every commit is on disk before it returns; the hand-off writer instead groups its
        # syncs (``HeldConnection(group_commit=True)``), which costs it far less.
        cursor.execute("PRAGMA synchronous=FULL")
        # Checkpoint in larger batches: each page is copied back once however often it changed,
        # which takes a third off the cost of a hand-off's commit. The WAL stays bounded.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.execute("PRAGMA journal_size_limit=67108864")
        cursor.execute("PRAGMA foreign_keys=ON")
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


def init_app(app: Flask) -> None:
    """Create the engine lazily-connecting (no I/O here) and register the session teardown."""
    engine = make_engine(
        app.config["DATABASE_URL"], lock_timeout_ms=app.config["DB_LOCK_TIMEOUT_MS"]
    )
    app.extensions["portal_db"] = Database(engine, sessionmaker(engine, expire_on_commit=False))
    app.teardown_appcontext(_close_session)


def database() -> Database:
    return current_app.extensions["portal_db"]


def get_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return g.db_session


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


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


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


class Prepared:
    """A Core statement compiled once, run on a DBAPI cursor: for write paths too hot for the ORM.

    Values go through the columns' own bind processing (UTC timestamps, enums) and selected
    values through their result processing, so what is written and read is what the ORM would
    write and read. Literal values in the statement (a LIMIT, a constant) are bound as compiled.
    """

    def __init__(self, statement: Executable, dialect: Dialect, *, column_keys=None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql = str(compiled)
        self._order = compiled.positiontup if compiled.positional else None
        binds = {name: compiled.binds[name] for name in compiled.params}
        self._fixed = {name: bind.value for name, bind in binds.items() if not bind.required}
        self._processors = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in binds.items()
        }
        self._columns = [
            (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in getattr(statement, "selected_columns", ())
        ]

    def execute(self, cursor, **values):
        """Run the statement with ``values`` by bind name; returns the cursor."""
        values = {**self._fixed, **values}
        params = {
            name: process(values[name]) if process else values[name]
            for name, process in self._processors.items()
        }
        if self._order is not None:
            params = tuple(params[name] for name in self._order)
        cursor.execute(self.sql, params)
        return cursor

    def first(self, cursor, **values) -> SimpleNamespace | None:
        """The first selected row, its columns as attributes; None when there is none."""
        row = self.execute(cursor, **values).fetchone()
        return None if row is None else self._namespace(row)

    def all(self, cursor, **values) -> list[SimpleNamespace]:
        """Every selected row, its columns as attributes."""
        return [self._namespace(row) for row in self.execute(cursor, **values).fetchall()]

    def _namespace(self, row) -> SimpleNamespace:
        return SimpleNamespace(
            **{
                key: process(value) if process else value
                for (key, process), value in zip(self._columns, row, strict=True)
            }
        )


class QueueTimeout(Exception):
    """A writer waited its whole lock timeout in the queue without reaching the database."""


class _FileQueue:
    """Workers take turns at SQLite's write lock through a kernel file lock, each waiting at
    most ``timeout`` seconds.

    SQLite's own busy handler sleeps 1, 2, 5, 10… up to 100 ms between tries, so under load a
    waiting writer oversleeps the lock by milliseconds; this queue tries again after 50 µs,
    doubling up to half a millisecond. The kernel has no timed flock, and a blocking one would
    keep a donor waiting behind every writer stuck ahead of it (a held database lock made some
    wait 40 s), so the wait is polled against a deadline.
    """

    _FIRST_PAUSE, _LONGEST_PAUSE = 0.00005, 0.0005

    def __init__(self, path: str, timeout: float) -> None:
        self._path = path
        self._timeout = timeout
        self._fd: int | None = None
        self.waited = 0.0

    def __enter__(self):
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        self.waited = 0.0
        if self._take():
            return self
        start = time.monotonic()
        pause = self._FIRST_PAUSE
        while True:
            time.sleep(pause)
            self.waited = time.monotonic() - start
            if self._take():
                return self
            if self.waited >= self._timeout:
                raise QueueTimeout(f"no turn at the write lock in {self._timeout:.3f} s")
            pause = min(pause * 2, self._LONGEST_PAUSE, self._timeout - self.waited)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _take(self) -> bool:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def write_queue(engine: Engine) -> AbstractContextManager:
    """The line every hot writer of this database waits in, for at most the engine's lock
    timeout (a no-op off SQLite files)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return nullcontext()
    timeout_ms = engine.get_execution_options().get(LOCK_TIMEOUT_OPTION, 5000)
    return _FileQueue(f"{database}-writers.lock", timeout_ms / 1000)


class _WalSync:
    """Makes a SQLite database's committed transactions durable: one fdatasync of its WAL file.

    Commits made with ``synchronous=NORMAL`` are in the WAL but maybe not yet on disk; syncing
    the file afterwards, outside the writers' queue, gives each commit what ``synchronous=FULL``
    gives it, while writers that committed at about the same time share one flush of the disk
    instead of each holding the lock through its own (measured in ``bench/handoff.py``).
    """

    def __init__(self, engine: Engine) -> None:
        self._path = f"{engine.url.database}-wal"
        self._fd: int | None = None
        self._inode: int | None = None

    def sync(self) -> None:
        try:
            inode = os.stat(self._path).st_ino
        except FileNotFoundError:
            return  # no WAL (not in WAL mode): SQLite synced the commit itself
        if inode != self._inode:
            # The last connection's close removes the WAL; a later one starts a new file.
            self._reopen()
        os.fdatasync(self._fd)

    def _reopen(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._fd = os.open(self._path, os.O_RDONLY)
        self._inode = os.fstat(self._fd).st_ino


def refused_data(exc: BaseException) -> bool:
    """True when the database refused the values it was given (PEP 249's DataError: a number
    out of range, a text too long or with a NUL), not because it is unavailable. A constraint
    clash (IntegrityError) is not one: a concurrent writer may cause it, and a retry may pass."""
    cause = getattr(exc, "orig", None) or exc.__cause__
    return cause is not None and any(kind.__name__ == "DataError" for kind in type(cause).__mro__)


class HeldConnection:
    """The DBAPI connection a worker keeps for one hot writer, taken in turn with every other
    writer of the database (``write_queue``).

    A database error inside ``writing()`` rolls back and comes out as ``failed``; a connection
    that cannot even roll back, or that will never write again (``needs_new_connection``), is
    dropped and opened again on the next write: a worker heals without a restart. ``on_connect``
    tunes each new connection. ``group_commit`` (SQLite files only) commits without a sync and
    syncs the write-ahead log once the writer's turn is over (``_WalSync``).
    """

    def __init__(
        self,
        engine: Engine,
        failed: type[Exception],
        *,
        on_connect: Callable[[object], None] | None = None,
        group_commit: bool = False,
    ) -> None:
        self._engine = engine
        self._failed = failed
        self._on_connect = on_connect
        self._queue = write_queue(engine)
        self._timeout_ms = engine.get_execution_options().get(LOCK_TIMEOUT_OPTION, 5000)
        self._busy_ms = self._timeout_ms
        self._errors = engine.dialect.loaded_dbapi.Error
        self._connection = None
        self._lock = threading.Lock()
        self._wal = _WalSync(engine) if group_commit else None

    @contextmanager
    def writing(self):
        """The connection, in this writer's turn; with ``group_commit``, what was committed in
        it is on disk when the block has ended without an error."""
        with self._lock:
            with self._turn() as waited:
                connection = self._connection or self._connect()
                if connection.info.get(OPENED_READ_ONLY) and sqlite_file_writable(self._engine):
                    self._recover(connection, reopen=True)
                    connection = self._connect()
                try:
                    if waited is not None:
                        self._bound_busy_wait(connection, waited)
                    yield connection
                except self._errors as exc:
                    self._recover(connection, reopen=needs_new_connection(exc))
                    # Chained, so a caller can tell a database that is down from one that
                    # refused the data (``refused_data``).
                    raise self._failed(f"{type(exc).__name__}: {exc}") from exc
                except Exception:
                    # Whatever went wrong, the kept connection must not stay inside a
                    # transaction holding the write lock for every later writer.
                    self._recover(connection)
                    raise
            if self._wal is not None:
                self._sync()

    def _sync(self) -> None:
        # After the turn, not in it: workers that committed meanwhile share one disk flush.
        try:
            self._wal.sync()
        except OSError as exc:
            raise self._failed(f"the commit could not be made durable: {exc}") from None

    @contextmanager
    def _turn(self):
        """Wait in the queue; yields how long that took (None off SQLite files)."""
        try:
            turn = self._queue.__enter__()
        except QueueTimeout as exc:
            raise self._failed(str(exc)) from None
        try:
            yield turn.waited if turn is not None else None
        finally:
            self._queue.__exit__(None, None, None)

    def _bound_busy_wait(self, connection, waited: float) -> None:
        # The queue and SQLite's busy handler share one lock timeout: what the queue used, the
        # busy handler may not use again. A wait of ordinary contention changes nothing.
        busy_ms = self._timeout_ms
        if waited > 0.001:
            busy_ms = max(1, int(self._timeout_ms - waited * 1000))
        if busy_ms != self._busy_ms:
            connection.driver_connection.execute(f"PRAGMA busy_timeout={busy_ms}")
            self._busy_ms = busy_ms

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _connect(self):
        try:
            connection = self._engine.raw_connection()
            if self._on_connect is not None:
                self._on_connect(connection.driver_connection)
        except Exception as exc:
            raise self._failed(f"{type(exc).__name__}: {exc}") from None
        self._connection = connection
        self._busy_ms = self._timeout_ms  # as every new connection starts (``_tune_sqlite``)
        return connection

    def _recover(self, connection, *, reopen: bool = False) -> None:
        try:
            connection.rollback()
        except self._errors:
            reopen = True
        if reopen:
            connection.invalidate()
            self._connection = None
