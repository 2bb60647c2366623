"""Guessing passwords: refused after 5 failures per account or 20 per visitor, in every worker."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import create_app, dispose
from portal.models import LoginAttempt, LoginOutcome
from portal.state import portal_state
from tests.helpers.pages import text_of
from tests.helpers.staff import fresh

REFUSED = "Too many sign-in attempts. Wait 15 minutes, then try again."
WRONG = "wrong password, surely"


@pytest.fixture
def second_worker(app_config, clock):
    """Another app on the same database: a second gunicorn worker."""
    app = create_app(app_config)
    portal_state(app).clocks.staff = clock
    yield app.test_client()
    dispose(app)


def from_address(app, address: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


@pytest.mark.usefixtures("clock")
def test_sixth_attempt_on_one_account_is_refused_even_with_the_right_password(make_staff, sign_in):
    staff = make_staff()
    for _ in range(5):
        assert sign_in(staff.email, WRONG).status_code == 200

    response = sign_in(staff.email)

    assert response.status_code == 429
    assert REFUSED in text_of(response)
    assert response.headers["Retry-After"] == "900"


@pytest.mark.usefixtures("clock")
def test_refusal_reads_the_same_for_an_account_that_does_not_exist(make_staff, sign_in):
    staff = make_staff()
    for email in (staff.email, "nobody@coalition.example"):
        for _ in range(5):
            sign_in(email, WRONG)

    known, unknown = sign_in(staff.email, WRONG), sign_in("nobody@coalition.example", WRONG)

    assert known.status_code == unknown.status_code == 429
    assert text_of(known) == text_of(unknown)


def test_account_opens_again_once_the_window_has_passed(clock, make_staff, sign_in):
    staff = make_staff()
    for _ in range(5):
        sign_in(staff.email, WRONG)
    clock.advance(minutes=15, seconds=1)

    response = sign_in(staff.email)

    assert response.status_code == 303


@pytest.mark.usefixtures("clock")
def test_successful_sign_in_clears_the_account_count(app, make_staff, sign_in):
    staff = make_staff()
    for _ in range(4):
        sign_in(staff.email, WRONG)
    sign_in(staff.email, browser=app.test_client())

    for _ in range(4):
        assert sign_in(staff.email, WRONG).status_code == 200


@pytest.mark.usefixtures("clock")
def test_twenty_failures_from_one_visitor_refuse_every_account(app, make_staff, sign_in):
    staff = make_staff()
    guesser = from_address(app, "203.0.113.9")
    for number in range(20):
        sign_in(f"guess{number}@coalition.example", WRONG, browser=guesser)

    from_guesser = sign_in(staff.email, browser=guesser)
    from_elsewhere = sign_in(staff.email, browser=from_address(app, "198.51.100.4"))

    assert from_guesser.status_code == 429
    assert from_elsewhere.status_code == 303


def test_limits_hold_across_workers(make_staff, sign_in, second_worker):
    staff = make_staff()
    for _ in range(3):
        sign_in(staff.email, WRONG)
    for _ in range(2):
        sign_in(staff.email, WRONG, browser=second_worker)

    first, second = sign_in(staff.email), sign_in(staff.email, browser=second_worker)

    assert first.status_code == second.status_code == 429


def test_refused_attempts_do_not_check_or_extend_anything(clock, make_staff, sign_in, db_session):
    staff = make_staff()
    for _ in range(5):
        sign_in(staff.email, WRONG)
    clock.advance(minutes=10)
    for _ in range(5):
        sign_in(staff.email)
    clock.advance(minutes=5, seconds=1)

    response = sign_in(staff.email)

    assert response.status_code == 303
    fresh(db_session)
    outcomes = [row.outcome for row in db_session.scalars(select(LoginAttempt))]
    assert outcomes.count(LoginOutcome.REFUSED) == 5


@pytest.mark.usefixtures("clock")
def test_attempts_keep_neither_address_nor_email(app, make_staff, sign_in, db_session):
    staff = make_staff()
    sign_in(staff.email, WRONG, browser=from_address(app, "203.0.113.77"))

    fresh(db_session)
    [attempt] = db_session.scalars(select(LoginAttempt))
    stored = f"{attempt.account_key} {attempt.visitor_key}"
    assert "203.0.113.77" not in stored
    assert "admin" not in stored and "coalition" not in stored
    assert attempt.outcome == LoginOutcome.FAILED
