"""When the database cannot take a referral, the donor still goes, and the referral waits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from portal import create_app, dispose
from portal.models import Referral
from portal.referrals import spool
from portal.referrals.pipeline import SPOOL_CHECK_SECONDS
from portal.state import portal_state
from tests.helpers.outages import DatabaseAway
from tests.helpers.workers import BROWSER_UA, handoffs, worker_processes


@pytest.fixture
def browser(client):
    client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    return client


def count_referrals(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count(Referral.id)))


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
    with portal_state(app).database.sessions() as session:
        spool.replay(session, path)
    Path(path).write_bytes(saved)  # as if the process died after the commit

    with portal_state(app).database.sessions() as session:
        replayed = spool.replay(session, path)

    assert replayed.added == 0
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
    app_config, runner, make_org, db_session, database_url
):
    make_org("roots")
    config = {key: value for key, value in app_config.items() if key != "SERVER_NAME"}
    context = worker_processes()
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
    portal_state(app).referrals.spool_checked_at -= SPOOL_CHECK_SECONDS  # a second later
    browser.get("/go/roots").close()  # the replay runs once the donor's response is done

    assert waiting
    assert not spool.has_pending(app.config["REFERRAL_SPOOL"])
    assert count_referrals(db_session) == 5
    dispose(other_worker.application)


def spool_torn_line(app) -> Path:
    """What a full disk leaves behind: a line cut off mid-write at the end of the spool."""
    path = Path(app.config["REFERRAL_SPOOL"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        handle.write(b'{"ref":"torn')
    return path


def a_second_later(app) -> None:
    """Let the worker look at the spool again, as it does once a second."""
    portal_state(app).referrals.spool_checked_at = None


def test_a_torn_spool_line_never_fails_a_shared_link(app, browser, make_org, db_session):
    make_org("roots", donation_url="https://roots.example.org/give")
    spool_torn_line(app)

    first = browser.get("/go/roots")
    first.close()
    a_second_later(app)
    second = browser.get("/go/roots")
    second.close()

    assert [first.status_code, second.status_code] == [302, 302]
    assert second.headers["Location"].startswith("https://roots.example.org/give?")
    assert count_referrals(db_session) == 2


def test_a_torn_line_is_set_aside_for_inspection_and_counted_in_the_log(
    app, browser, make_org, caplog
):
    make_org("roots")
    path = spool_torn_line(app)

    browser.get("/go/roots").close()

    assert spool.unreadable_path(path).read_bytes() == b'{"ref":"torn\n'
    assert not spool.has_pending(path)
    assert "1 unreadable spooled referral line(s) set aside" in caplog.text


def test_replay_spool_command_stores_every_good_line_around_a_torn_one(
    app, browser, runner, make_org, db_session, database_url
):
    make_org("roots")
    browser.get("/go/roots")
    with DatabaseAway(database_url):
        browser.get("/go/roots")
        path = spool_torn_line(app)
        browser.get("/go/roots")  # starts on a line of its own, not glued to the torn one

    result = runner.invoke(args=["replay-spool"])

    assert result.exit_code == 0, result.output
    assert "2 spooled referral(s) added" in result.output
    assert f"1 unreadable line(s) set aside in {spool.unreadable_path(path)}" in result.output
    assert count_referrals(db_session) == 3


@pytest.mark.parametrize(
    "line",
    [
        b"\xff\xfe not text",
        b"[1, 2]",
        b'{"ref": "x"}',
        b"null",
        b'"just a string"',
    ],
)
def test_lines_that_are_not_referrals_are_set_aside(app, runner, make_org, db_session, line):
    org = make_org("roots")
    good = {
        "ref": "a1b2c3",
        "created_at": "2026-01-02T03:04:05+00:00",
        "organization_id": org.id,
        "mode": "external",
        "status": "redirected",
        "arrived_via": "link",
        "is_bot": False,
        "destination_url": "https://roots.example.org/donate",
    }
    path = Path(app.config["REFERRAL_SPOOL"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(line + b"\n" + json.dumps(good).encode() + b"\n")

    result = runner.invoke(args=["replay-spool"])

    assert "1 spooled referral(s) added" in result.output
    assert spool.unreadable_path(path).read_bytes() == line + b"\n"
    assert count_referrals(db_session) == 1


def test_a_line_the_database_refuses_is_set_aside_and_the_rest_stored(
    app, runner, make_org, db_session
):
    org = make_org("roots")
    row = {
        "created_at": "2026-01-02T03:04:05+00:00",
        "mode": "external",
        "status": "redirected",
        "arrived_via": "link",
        "is_bot": False,
        "destination_url": "https://roots.example.org/donate",
    }
    gone = json.dumps({**row, "ref": "gone", "organization_id": org.id + 999}).encode()
    kept = json.dumps({**row, "ref": "kept", "organization_id": org.id}).encode()
    path = Path(app.config["REFERRAL_SPOOL"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gone + b"\n" + kept + b"\n")

    result = runner.invoke(args=["replay-spool"])

    assert "1 spooled referral(s) added" in result.output
    assert spool.unreadable_path(path).read_bytes() == gone + b"\n"
    db_session.rollback()
    assert db_session.scalars(select(Referral.ref)).all() == ["kept"]


def test_a_spool_that_cannot_be_opened_never_fails_a_handoff(app, browser, make_org, caplog):
    make_org("roots", donation_url="https://roots.example.org/give")
    path = Path(app.config["REFERRAL_SPOOL"])
    (path / "in-the-way").mkdir(parents=True)  # the spool's name is taken by a folder

    response = browser.get("/go/roots")
    response.close()

    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://roots.example.org/give?")
    assert "spool replay failed" in caplog.text


def error_log_of(caplog, path: Path) -> Path:
    """The lines an operator's error log would hold, stamped as a log handler stamps them."""
    stamp = "[2026-11-30 09:00:00 +0000]"
    lines = [f"{stamp} [{r.levelname}] {r.getMessage()}" for r in caplog.records]
    path.write_text("\n".join(["[2026-11-30 08:59:59 +0000] [INFO] Booting worker", *lines]) + "\n")
    return path


def test_when_the_spool_cannot_be_written_the_referral_goes_to_the_error_log_without_address(
    app, browser, make_org, database_url, caplog
):
    make_org("roots", donation_url="https://roots.example.org/give")
    browser.get("/go/roots")
    Path(app.config["REFERRAL_SPOOL"]).mkdir(parents=True)  # nothing can be written there

    with DatabaseAway(database_url):
        response = browser.get("/go/roots", environ_base={"REMOTE_ADDR": "203.0.113.77"})

    assert response.status_code == 302
    ref = response.headers["Location"].rsplit("portal_ref=", 1)[1]
    [line] = [r.getMessage() for r in caplog.records if spool.LOG_MARKER in r.getMessage()]
    assert json.loads(line.partition(spool.LOG_MARKER)[2])["ref"] == ref
    assert "203.0.113.77" not in caplog.text


def test_replay_spool_from_log_brings_referrals_back_exactly_once(
    app, browser, runner, make_org, db_session, database_url, caplog, tmp_path
):
    make_org("roots")
    browser.get("/go/roots")
    Path(app.config["REFERRAL_SPOOL"]).mkdir(parents=True)
    with DatabaseAway(database_url):
        refs = {
            browser.get("/go/roots").headers["Location"].rsplit("portal_ref=", 1)[1]
            for _ in range(3)
        }
    log_file = error_log_of(caplog, tmp_path / "error.log")

    first = runner.invoke(args=["replay-spool", "--from-log", str(log_file)])
    second = runner.invoke(args=["replay-spool", "--from-log", str(log_file)])

    assert "3 referral(s) from the log added to the database (0 already there)" in first.output
    assert "0 referral(s) from the log added to the database (3 already there)" in second.output
    db_session.rollback()
    assert refs <= set(db_session.scalars(select(Referral.ref)))
    assert count_referrals(db_session) == 4


def test_replay_spool_from_a_json_log_brings_referrals_back(
    app, browser, runner, make_org, db_session, database_url, caplog, tmp_path
):
    make_org("roots")
    browser.get("/go/roots")
    Path(app.config["REFERRAL_SPOOL"]).mkdir(parents=True)
    with DatabaseAway(database_url):
        ref = browser.get("/go/roots").headers["Location"].rsplit("portal_ref=", 1)[1]
    log_file = tmp_path / "error.json.log"
    entries = [{"level": r.levelname, "message": r.getMessage()} for r in caplog.records]
    log_file.write_text("".join(json.dumps(entry) + "\n" for entry in entries))

    result = runner.invoke(args=["replay-spool", "--from-log", str(log_file)])

    assert "1 referral(s) from the log added to the database (0 already there)" in result.output
    db_session.rollback()
    assert ref in set(db_session.scalars(select(Referral.ref)))


def test_replay_spool_from_a_missing_log_says_so(runner):
    result = runner.invoke(args=["replay-spool", "--from-log", "/nonexistent/error.log"])

    assert result.exit_code == 2
    assert "does not exist" in result.output
