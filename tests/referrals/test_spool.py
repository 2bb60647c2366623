"""When the database cannot take a referral, the donor still goes, and the referral waits."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from portal import create_app, dispose
from portal.models import Referral
from portal.referrals import SPOOL_CHECK_SECONDS, spool
from tests.workers import BROWSER_UA, handoffs


@pytest.fixture
def browser(client):
    client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    return client


def count_referrals(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count(Referral.id)))


class DatabaseAway:
    """Holds the database's write lock from another connection, as an outage or a stuck
    migration would: every write from the portal times out until it is released."""

    def __init__(self, database_url: str):
        self.url = database_url

    def __enter__(self):
        if self.url.startswith("sqlite"):
            self.conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            self.conn.execute("BEGIN EXCLUSIVE")
        else:
            import psycopg

            self.conn = psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql"))
            self.conn.execute("LOCK TABLE referral, daily_salt IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


@pytest.fixture
def app_config(app_config, database_url):
    """Short lock waits, so an unavailable database is noticed within a test's patience."""
    config = {**app_config, "DB_LOCK_TIMEOUT_MS": 100}
    if not database_url.startswith("sqlite"):
        config["DATABASE_URL"] = database_url
        config["DB_LOCK_TIMEOUT_MS"] = 100
    return config


def test_donor_is_redirected_and_referral_spooled_when_the_database_is_away(
    app, browser, make_org, db_session, database_url
):
    make_org("roots", donation_url="https://roots.example.org/give")
    browser.get("/go/roots")  # the worker has read its routing table once

    with DatabaseAway(database_url):
        response = browser.get("/go/roots")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://roots.example.org/give?")
    lines = Path(app.config["REFERRAL_SPOOL"]).read_text().splitlines()
    assert [json.loads(line)["ref"] for line in lines] == [
        response.headers["Location"].rsplit("portal_ref=", 1)[1]
    ]
    assert count_referrals(db_session) == 1


def test_replay_spool_command_adds_spooled_referrals_exactly_once(
    app, browser, runner, make_org, db_session, database_url
):
    make_org("roots")
    browser.get("/go/roots")
    with DatabaseAway(database_url):
        for _ in range(3):
            browser.get("/go/roots")

    first = runner.invoke(args=["replay-spool"])
    second = runner.invoke(args=["replay-spool"])

    assert "3 spooled referral(s) added" in first.output
    assert "0 spooled referral(s) added" in second.output
    assert count_referrals(db_session) == 4
    assert not spool.has_pending(app.config["REFERRAL_SPOOL"])


def test_a_replay_interrupted_before_emptying_the_spool_counts_nothing_twice(
    app, browser, make_org, db_session, database_url
):
    make_org("roots")
    browser.get("/go/roots")
    with DatabaseAway(database_url):
        browser.get("/go/roots")
    path = app.config["REFERRAL_SPOOL"]
    saved = Path(path).read_bytes()
    with app.extensions["portal_db"].sessions() as session:
        spool.replay(session, path)
    Path(path).write_bytes(saved)  # as if the process died after the commit

    with app.extensions["portal_db"].sessions() as session:
        added = spool.replay(session, path)

    assert added == 0
    assert count_referrals(db_session) == 2


def test_the_next_successful_handoff_replays_the_spool(
    app, browser, make_org, db_session, database_url
):
    make_org("roots")
    browser.get("/go/roots")
    with DatabaseAway(database_url):
        browser.get("/go/roots")
        browser.get("/go/roots")

    response = browser.get("/go/roots")
    response.close()  # the replay runs once the donor's response is done

    assert count_referrals(db_session) == 4
    assert not spool.has_pending(app.config["REFERRAL_SPOOL"])


@pytest.mark.slow
def test_database_taken_away_mid_run_loses_no_referral_and_counts_none_twice(
    app, app_config, runner, make_org, db_session, database_url
):
    make_org("roots")
    config = {key: value for key, value in app_config.items() if key != "SERVER_NAME"}
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        before = pool.starmap_async(handoffs, [(config, "roots", 150)] * 3)
        import time

        time.sleep(1.5)
        with DatabaseAway(database_url):
            time.sleep(1.0)
        results = before.get(timeout=120)

    codes = sum(results, Counter())
    assert codes == Counter({302: 450})
    runner.invoke(args=["replay-spool"])
    assert count_referrals(db_session) == 450
    db_session.rollback()
    assert db_session.scalar(select(func.count(func.distinct(Referral.ref)))) == 450
    assert db_session.execute(text("select 1")).scalar() == 1


def test_a_spool_left_by_another_worker_is_replayed_within_a_second(
    app, app_config, browser, make_org, db_session, database_url
):
    make_org("roots")
    browser.get("/go/roots")  # this worker has just looked at the spool
    other_worker = create_app(app_config).test_client()
    other_worker.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    other_worker.get("/go/roots")
    with DatabaseAway(database_url):
        other_worker.get("/go/roots")

    browser.get("/go/roots")  # within the second: the spool waits
    waiting = spool.has_pending(app.config["REFERRAL_SPOOL"])
    app.extensions["portal_referrals"].spool_checked_at -= SPOOL_CHECK_SECONDS  # a second later
    browser.get("/go/roots")

    assert waiting
    assert not spool.has_pending(app.config["REFERRAL_SPOOL"])
    assert count_referrals(db_session) == 5
    dispose(other_worker.application)
