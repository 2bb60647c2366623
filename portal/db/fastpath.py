"""The fast-path machinery both hot write paths (hand-off, webhook) share: statements compiled
once, a DBAPI connection each worker holds, and the file queue writers take turns in."""

from __future__ import annotations

import ctypes
import fcntl
import mmap
import os
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import SimpleNamespace

from sqlalchemy import Dialect, Engine, Executable

from portal.db.engine import (
    LOCK_TIMEOUT_OPTION,
    OPENED_READ_ONLY,
    needs_new_connection,
    restore_settings,
    sqlite_file_writable,
)


class Prepared:
    """A Core statement compiled once, run on a DBAPI cursor: for write paths too hot for the ORM.

    Values go through the columns' own bind processing (UTC timestamps, enums) and selected or
    returned values through their result processing, so what is written and read is what the
    ORM would write and read. Literal values in the statement (a LIMIT, a constant) are bound
    as compiled.
    """

    def __init__(self, statement: Executable, dialect: Dialect, *, column_keys=None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql = str(compiled)
        binds = {name: compiled.binds[name] for name in compiled.params}
        self._fixed = {name: bind.value for name, bind in binds.items() if not bind.required}
        # Each parameter's bind processor, in the order the driver takes them (a name may come
        # twice in a positional statement).
        self._binds = [
            (name, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in (compiled.positiontup if compiled.positional else binds)
        ]
        self._positional = compiled.positional
        self._columns = [
            (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in getattr(statement, "exported_columns", ())
        ]

    def execute(self, cursor, **values):
        """Run the statement with ``values`` by bind name; returns the cursor."""
        return self.run(cursor, self.bind(values))

    def bind(self, values: Mapping[str, object]) -> list | dict:
        """The driver's parameters for ``values`` by bind name, processed: a hot writer binds
        before its turn at the write lock, so that the turn is no longer than the statement."""
        if self._fixed:
            values = {**self._fixed, **values}
        params = [
            values[name] if process is None else process(values[name])
            for name, process in self._binds
        ]
        if self._positional:
            return params
        return dict(zip((name for name, _ in self._binds), params, strict=True))

    def run(self, cursor, params: list | dict):
        """Run the statement with parameters from ``bind``; returns the cursor."""
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
    """Makes a SQLite database's committed transactions durable: an fdatasync of its WAL file,
    shared by every writer of the database that committed before it started (group commit).

    Commits made with ``synchronous=NORMAL`` are in the WAL but maybe not yet on disk; a sync of
    the file that starts after a commit has returned puts that commit on disk, whichever process
    asks for it, since the kernel flushes every dirty page of the file. The writers of one
    database (every worker process, every hot writer in it) share two counters in a small file
    beside it: how many syncs were *started*, and the number of the last one that *succeeded*.
    A writer notes the first once its commit has returned (``note``), then takes its turn at the
    file's lock (``sync``): if a sync numbered above its note has succeeded meanwhile, its commit
    is already on disk; if not, it syncs, for itself and every writer that noted before it
    started. The lock is held only through one ``fdatasync``, never through a database write.
    """

    def __init__(self, engine: Engine) -> None:
        self._path = f"{engine.url.database}-wal"
        self._counters_path = f"{engine.url.database}-syncs"
        self._fd: int | None = None
        self._inode: int | None = None
        self._lock_fd: int | None = None
        self._started: ctypes.c_uint64 | None = None
        self._synced: ctypes.c_uint64 | None = None
        self.shared = 0  # syncs this writer did not need: another's flush covered its commit

    def note(self) -> int:
        """The number of syncs started so far; taken after a commit has returned."""
        if self._lock_fd is None:
            self._open_counters()
        return self._started.value

    def sync(self, noted: int) -> None:
        """Return once a sync started after ``noted`` was taken has put the WAL on disk."""
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            if self._synced.value > noted:
                self.shared += 1
                return  # a sync started after this commit had returned, and succeeded
            number = self._started.value + 1
            self._started.value = number
            if self._flush():
                self._synced.value = number
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _flush(self) -> bool:
        """One fdatasync of the WAL; False when there is no WAL (not in WAL mode)."""
        try:
            inode = os.stat(self._path).st_ino
        except FileNotFoundError:
            return False  # not in WAL mode: SQLite synced the commit itself
        if inode != self._inode:
            # The last connection's close removes the WAL; a later one starts a new file.
            self._reopen()
        os.fdatasync(self._fd)
        return True

    def _reopen(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._fd = os.open(self._path, os.O_RDONLY)
        self._inode = os.fstat(self._fd).st_ino

    def close(self) -> None:
        for fd in (self._fd, self._lock_fd):
            if fd is not None:
                os.close(fd)
        self._fd = self._inode = self._lock_fd = None
        self._started = self._synced = None  # the last references to the mapping

    def _open_counters(self) -> None:
        # Two aligned 8-byte words in a mapped page: each is read and written by one machine
        # load or store, so a writer noting the count without the lock never sees half of one.
        fd = os.open(self._counters_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < 16:
                # Zeros, on blocks of their own: a store into a mapped page the disk has no
                # room for would kill the worker (SIGBUS); a full disk fails here instead.
                os.posix_fallocate(fd, 0, 16)
            counters = mmap.mmap(fd, 16)
        except BaseException:
            os.close(fd)
            raise
        self._started = ctypes.c_uint64.from_buffer(counters, 0)
        self._synced = ctypes.c_uint64.from_buffer(counters, 8)
        self._lock_fd = fd


class HeldConnection:
    """The DBAPI connection a worker keeps for one hot writer, taken in turn with every other
    writer of the database (``write_queue``).

    A database error inside ``writing()`` rolls back and comes out as ``failed``; a connection
    that cannot even roll back, or that will never write again (``needs_new_connection``), is
    dropped and opened again on the next write: a worker heals without a restart. ``on_connect``
    tunes each new connection and ``on_release`` undoes that before ``close`` gives it back to
    the pool. ``group_commit`` (SQLite files only) commits without a sync
    (``synchronous=NORMAL``) and, when the turn changed anything, waits after it for a sync of
    the write-ahead log that covers its commit (``_WalSync``).
    """

    def __init__(
        self,
        engine: Engine,
        failed: type[Exception],
        *,
        on_connect: Callable[[object], None] | None = None,
        on_release: Callable[[object], None] | None = None,
        group_commit: bool = False,
    ) -> None:
        self._engine = engine
        self._failed = failed
        self._on_connect = on_connect
        self._on_release = on_release
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
                changes = self._changes(connection)
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
            if self._wal is not None and self._changes(connection) != changes:
                self._sync()  # a turn that wrote nothing (a duplicate event) has nothing to sync

    def _changes(self, connection) -> int | None:
        # Rows this connection has changed since it opened; sqlite3 counts them for free.
        return connection.driver_connection.total_changes if self._wal is not None else None

    def _sync(self) -> None:
        # After the turn, not in it: writers that committed meanwhile share one disk flush.
        try:
            self._wal.sync(self._wal.note())
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
            if self._wal is not None:
                self._wal.close()
            connection, self._connection = self._connection, None
            if connection is None:
                return
            try:
                if self._wal is not None:
                    restore_settings(connection.driver_connection, "synchronous")
                if self._on_release is not None:
                    self._on_release(connection.driver_connection)
            except self._errors:
                connection.invalidate()  # never back in the pool in an unknown state
                return
            connection.close()

    def _connect(self):
        try:
            connection = self._engine.raw_connection()
            if self._wal is not None:
                # Durable all the same: the WAL is synced after the writers' turn.
                connection.driver_connection.execute("PRAGMA synchronous=NORMAL")
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
