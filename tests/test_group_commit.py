"""Group commit on SQLite: writers that committed before a sync of the WAL started share it,
and no writer returns before a sync that started after its own commit has succeeded."""

from __future__ import annotations

import os

import pytest

from portal.db.engine import make_engine
from portal.db.fastpath import HeldConnection, _WalSync


class Failed(Exception):
    pass


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE gift (id INTEGER PRIMARY KEY, amount INTEGER)")
    yield engine
    engine.dispose()


class Flushes(list):
    """Every fdatasync made, by file descriptor; ``fail_next`` makes the next one fail."""

    failing = False

    def fail_next(self) -> None:
        self.failing = True


@pytest.fixture
def flushes(monkeypatch) -> Flushes:
    made = Flushes()
    real = os.fdatasync

    def fdatasync(fd: int) -> None:
        if made.failing:
            made.failing = False
            raise OSError(5, "Input/output error")
        made.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    return made


def commit(engine, amount: int) -> None:
    held = HeldConnection(engine, Failed)  # no group commit: the write alone
    with held.writing() as connection:
        connection.driver_connection.execute("INSERT INTO gift (amount) VALUES (?)", (amount,))
    held.close()


def test_writers_that_committed_before_a_sync_started_share_it(engine, flushes):
    first, second, third = (_WalSync(engine) for _ in range(3))
    commit(engine, 100)
    second_noted = second.note()
    commit(engine, 200)
    third_noted = third.note()

    first.sync(first.note())  # started after both commits: covers them
    second.sync(second_noted)
    third.sync(third_noted)

    assert len(flushes) == 1
    assert (first.shared, second.shared, third.shared) == (0, 1, 1)


def test_a_commit_after_a_sync_started_waits_for_a_sync_of_its_own(engine, flushes):
    first, second = _WalSync(engine), _WalSync(engine)
    commit(engine, 100)
    first_noted = first.note()
    first.sync(first_noted)
    commit(engine, 200)  # after that sync started: it cannot have flushed this commit

    second.sync(second.note())

    assert len(flushes) == 2
    assert second.shared == 0


def test_a_failed_sync_covers_nobody(engine, flushes):
    first, second = _WalSync(engine), _WalSync(engine)
    commit(engine, 100)
    second_noted = second.note()
    flushes.fail_next()

    with pytest.raises(OSError):
        first.sync(first.note())
    second.sync(second_noted)  # must flush for itself

    assert len(flushes) == 1
    assert second.shared == 0


def test_a_held_connection_with_group_commit_returns_after_its_commit_is_synced(
    engine, flushes, tmp_path
):
    held = HeldConnection(engine, Failed, group_commit=True)
    with held.writing() as connection:
        connection.driver_connection.execute("INSERT INTO gift (amount) VALUES (7725)")
    held.close()

    assert len(flushes) == 1
    # The shared counters live beside the database: one sync started, one done.
    counters = (tmp_path / "portal.db-syncs").read_bytes()
    assert int.from_bytes(counters[:8], "little") == int.from_bytes(counters[8:16], "little") == 1


def test_a_turn_that_changed_nothing_waits_for_no_sync(engine, flushes):
    held = HeldConnection(engine, Failed, group_commit=True)
    with held.writing() as connection:
        # A redelivered event: its insert is ignored, and the turn rolls back.
        connection.driver_connection.execute("INSERT OR IGNORE INTO gift (id) VALUES (NULL)")
    assert len(flushes) == 1
    with held.writing() as connection:
        connection.driver_connection.execute("INSERT OR IGNORE INTO gift (id) VALUES (1)")
    held.close()

    assert len(flushes) == 1


def test_a_held_connection_goes_back_to_the_pool_syncing_each_commit(engine):
    held = HeldConnection(engine, Failed, group_commit=True)
    with held.writing() as connection:
        kept = connection.driver_connection
        assert kept.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL: synced after
    held.close()  # back in the pool, open, for any other code

    assert kept.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL, as the engine makes it
