"""Sign-in attempts are counted under the day's rotating salt: after two days, no address."""

from __future__ import annotations

import pytest

from tests.helpers.traces import kept_keys, traced

GUESSER = "203.0.113.77"
NETWORK = "203.0.113.0/24"
WRONG = "wrong password, surely"


def from_address(app, address: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def test_an_attempt_leads_back_to_its_address_for_two_days_at_most(
    app, clock, make_staff, sign_in, db_session
):
    staff = make_staff()
    sign_in(staff.email, WRONG, browser=from_address(app, GUESSER))
    # While its salt is kept the day's count works, so the key can be matched, as it must be.
    assert traced(db_session, kept_keys(db_session, app.secret_key), NETWORK) == {GUESSER}

    clock.advance(days=2)
    sign_in(staff.email, WRONG, browser=from_address(app, "198.51.100.1"))

    assert traced(db_session, kept_keys(db_session, app.secret_key), NETWORK) == set()


@pytest.mark.usefixtures("clock")
def test_the_secret_key_leads_back_to_no_address(app, make_staff, sign_in, db_session):
    staff = make_staff()

    sign_in(staff.email, WRONG, browser=from_address(app, GUESSER))

    assert traced(db_session, [app.secret_key], NETWORK) == set()


def test_attempts_just_before_midnight_still_count_after_it(clock, make_staff, sign_in):
    staff = make_staff()
    clock.now = clock.now.replace(hour=23, minute=55)
    for _ in range(5):
        sign_in(staff.email, WRONG)

    clock.advance(minutes=10)  # a new day, a new salt, the same 15-minute window

    assert sign_in(staff.email).status_code == 429
