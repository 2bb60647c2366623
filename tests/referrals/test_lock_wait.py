"""No donor waits longer than DB_LOCK_TIMEOUT_MS for a lock before the spool takes over."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal.referrals import spool
from tests.helpers.outages import DatabaseAway
from tests.helpers.workers import BROWSER_UA

TIMEOUT_MS = 1000


@pytest.fixture
def app_config(app_config, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the writers' queue exists only in front of a SQLite file")
    return {**app_config, "DB_LOCK_TIMEOUT_MS": TIMEOUT_MS}


@pytest.fixture
def browser(client):
    client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    return client


@contextmanager
def writer_stuck_ahead(database_url: str, *, for_seconds: float | None = None):
    """Another worker holds its turn in the writers' queue (forever, or ``for_seconds``)."""
    path = database_url.removeprefix("sqlite:///") + "-writers.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    release = threading.Timer(for_seconds or 3600, fcntl.flock, (fd, fcntl.LOCK_UN))
    release.start()
    try:
        yield
    finally:
        release.cancel()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def timed_handoff(browser) -> tuple[float, object]:
    start = time.monotonic()
    response = browser.get("/go/roots")
    return time.monotonic() - start, response


def test_a_writer_stuck_ahead_in_the_queue_delays_a_donor_at_most_the_lock_timeout(
    app, browser, make_org, database_url
):
    make_org("roots", donation_url="https://roots.example.org/give")
    browser.get("/go/roots")

    with writer_stuck_ahead(database_url):
        waited, response = timed_handoff(browser)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://roots.example.org/give?")
    assert TIMEOUT_MS / 1000 <= waited < TIMEOUT_MS / 1000 + 0.4
    assert spool.has_pending(Path(app.config["REFERRAL_SPOOL"]))


def test_queue_and_database_lock_share_one_timeout(app, browser, make_org, database_url):
    make_org("roots")
    browser.get("/go/roots")

    # 0.7 s in the queue, then the database's own lock is still held: 0.3 s are left for it.
    with DatabaseAway(database_url), writer_stuck_ahead(database_url, for_seconds=0.7):
        waited, response = timed_handoff(browser)

    assert response.status_code == 302
    assert waited < TIMEOUT_MS / 1000 + 0.4  # not 0.7 s + a whole second
    assert spool.has_pending(Path(app.config["REFERRAL_SPOOL"]))


def test_after_a_long_wait_the_next_write_has_the_whole_timeout_again(
    browser, make_org, database_url
):
    make_org("roots")
    browser.get("/go/roots")
    with writer_stuck_ahead(database_url, for_seconds=0.7):
        browser.get("/go/roots")  # stored, with what was left of the timeout

    with DatabaseAway(database_url):
        waited, response = timed_handoff(browser)

    assert response.status_code == 302
    assert waited >= TIMEOUT_MS / 1000 - 0.05
