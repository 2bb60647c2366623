"""Guesses that arrive together, in several worker processes, are held to the same limit."""

from __future__ import annotations

from collections import Counter

import pytest

from portal.models import StaffRole
from tests.helpers.pages import text_of
from tests.helpers.staff import PASSWORD
from tests.helpers.workers import sign_in_guesses, worker_processes

PROCESSES = 6
PER_PROCESS = 5
WRONG = "wrong password, surely"


@pytest.mark.slow
def test_simultaneous_guesses_in_several_workers_check_no_more_than_the_limit(
    app_config, make_staff
):
    staff = make_staff()
    config = {key: value for key, value in app_config.items() if key != "SERVER_NAME"}
    context = worker_processes()
    barrier = context.Manager().Barrier(PROCESSES)
    guesses = [(config, staff.email, WRONG, PER_PROCESS, barrier)] * PROCESSES

    with context.Pool(PROCESSES) as pool:
        codes = sum(pool.starmap(sign_in_guesses, guesses), Counter())

    # LOGIN_ACCOUNT_LIMIT is 5: five passwords checked (and wrong), every other guess refused.
    assert codes == Counter({200: 5, 429: PROCESSES * PER_PROCESS - 5})


def test_the_password_page_counts_wrong_passwords_like_sign_ins(
    app, clock, login_as, post_form, sign_in
):
    me = login_as(StaffRole.VIEWER)
    new = "a brand new passphrase"
    for _ in range(5):
        wrong = post_form("/staff/password", {"current": WRONG, "new": new, "confirm": new})
        assert wrong.status_code == 400

    right = post_form("/staff/password", {"current": PASSWORD, "new": new, "confirm": new})

    assert right.status_code == 429
    assert right.headers["Retry-After"] == "900"
    assert "Too many wrong passwords. Wait 15 minutes, then try again." in text_of(right)
    assert sign_in(me.email, browser=app.test_client()).status_code == 429
    clock.advance(minutes=15, seconds=1)
    again = post_form("/staff/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert again.status_code == 303


def test_a_right_password_on_the_password_page_clears_the_count(login_as, post_form):
    login_as(StaffRole.VIEWER)
    new = "a brand new passphrase"
    for _ in range(4):
        post_form("/staff/password", {"current": WRONG, "new": new, "confirm": new})
    post_form("/staff/password", {"current": PASSWORD, "new": "short", "confirm": "short"})

    for _ in range(4):
        wrong = post_form("/staff/password", {"current": WRONG, "new": new, "confirm": new})
        assert wrong.status_code == 400
