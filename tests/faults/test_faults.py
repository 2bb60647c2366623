"""Faults injected into real gunicorn workers mid-burst: every donor is redirected, and every
referral a donor was given ends up in the database exactly once (after replay)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.db.engine import make_engine
from tests.helpers.faults import add_member, disk_full, meanwhile, needs_root
from tests.helpers.outages import DatabaseAway, read_only

BURST = 400


def sqlite_only(database_url: str) -> Path:
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite file's fault; the PostgreSQL run has its own")
    return Path(database_url.removeprefix("sqlite:///"))


def copy_database(database_url: str, folder: Path) -> str:
    """The test's SQLite database, copied whole (WAL included) into ``folder``; its URL."""
    path = folder / "portal.db"
    source = sqlite3.connect(sqlite_only(database_url))
    target = sqlite3.connect(path)
    with source, target:
        source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{path}"


def assert_nothing_lost(row: dict, *, count: int) -> None:
    assert row["donors"] == count
    assert row["redirected"] == count, row["failed"]
    assert row["lost"] == 0
    assert row["duplicated"] == 0


def test_workers_killed_mid_burst(portal, tally):
    server = portal().start()

    def kill_workers():
        for _ in range(5):
            pids = server.worker_pids()
            if pids:
                os.kill(random.choice(pids), signal.SIGKILL)
            time.sleep(0.3)

    with meanwhile(kill_workers, after=0.3):
        donors = server.burst(BURST)
    server.burst(10, donors=donors)  # later hand-offs replay what was spooled
    server.flask("replay-spool")

    assert_nothing_lost(tally("workers killed (kill -9) mid-burst", donors, server), count=410)


def burst_through(server, fault, *, seconds: float = 1.5):
    """A burst of donors with ``fault`` (a context manager) held for ``seconds`` in its middle."""

    def hold():
        with fault:
            time.sleep(seconds)

    with meanwhile(hold, after=0.3):
        return server.burst(BURST)


def test_database_locked_mid_burst(portal, tally, database_url):
    server = portal().start()

    donors = burst_through(server, DatabaseAway(database_url))
    server.flask("replay-spool")

    backend = "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"
    assert_nothing_lost(tally(f"{backend} locked 1.5 s", donors, server), count=BURST)


def test_sqlite_read_only_mid_burst(portal, tally, database_url):
    needs_root()
    path = sqlite_only(database_url)
    server = portal().start()

    donors = burst_through(server, read_only(path))
    server.flask("replay-spool")

    assert_nothing_lost(tally("SQLite read-only 1.5 s", donors, server), count=BURST)


def test_sqlite_read_only_at_start_then_workers_heal(portal, tally, database_url):
    needs_root()
    path = sqlite_only(database_url)
    server = portal()
    with read_only(path):
        server.start()
        donors = server.burst(BURST // 2)
    healed_at = server.error_log.stat().st_size
    after = server.burst(BURST // 2)
    server.flask("replay-spool")

    donors.refs += after.refs
    assert_nothing_lost(tally("SQLite read-only at start", donors, server), count=BURST)
    # Healed without a restart: no hand-off after the outage went to the spool.
    assert b"spooling referral" not in server.error_log.read_bytes()[healed_at:]
    assert b"spooling referral" in server.error_log.read_bytes()[:healed_at]


def test_database_disk_full(portal, tally, tmpfs, database_url):
    sqlite_only(database_url)
    disk = tmpfs("db-disk", size="8m")
    server = portal(copy_database(database_url, disk)).start()
    donors = server.burst(5)  # a portal at work: its workers have read the routing table

    with disk_full(disk):
        os.kill(server.worker_pids()[0], signal.SIGKILL)  # its successor routes from the snapshot
        server.burst(BURST // 2, donors=donors)
    server.burst(BURST // 2, donors=donors)
    server.flask("replay-spool")

    row = tally("SQLite disk full (and a worker restarted)", donors, server)
    assert_nothing_lost(row, count=BURST + 5)


def test_database_and_spool_disks_full(portal, tally, tmpfs, database_url):
    sqlite_only(database_url)
    disk, spool_disk = tmpfs("db-disk", size="8m"), tmpfs("spool-disk", size="1m")
    server = portal(
        copy_database(database_url, disk),
        REFERRAL_SPOOL=str(spool_disk / "referral-spool.jsonl"),
    ).start()
    donors = server.burst(5)  # a portal at work: its workers have read the routing table

    with disk_full(disk), disk_full(spool_disk):
        server.burst(BURST // 2, donors=donors)
    server.burst(BURST // 2, donors=donors)
    server.flask("replay-spool")
    output = server.flask("replay-spool", "--from-log", str(server.error_log))
    from_log = int(output.split()[0])

    row = tally("SQLite and spool disks full", donors, server, from_log=from_log)
    assert_nothing_lost(row, count=BURST + 5)
    assert from_log > 0


@pytest.fixture
def own_postgres_database(database_url):
    """A database this test creates (and drops), so that refusing connections hurts no one."""
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL faults run in the PostgreSQL pass (TEST_DATABASE_URL)")
    name = f"faults_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = database_url.rsplit("/", 1)[0] + f"/{name}"
    yield url, admin, name
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgresql_connections_refused_mid_burst_and_a_worker_restarted(
    portal, tally, own_postgres_database
):
    url, admin, name = own_postgres_database
    server = portal(url)
    server.flask("init-db")
    add_member(url)
    server.start()
    donors = server.burst(5)  # a portal at work: its workers have read the routing table

    def refuse_for_a_while():
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        os.kill(server.worker_pids()[0], signal.SIGKILL)  # it restarts with no database
        time.sleep(2.0)
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    with meanwhile(refuse_for_a_while, after=0.3):
        server.burst(BURST, donors=donors)
    server.burst(10, donors=donors)
    server.flask("replay-spool")

    row = tally("PostgreSQL refusing connections 2 s (and a worker restarted)", donors, server)
    assert_nothing_lost(row, count=BURST + 15)
