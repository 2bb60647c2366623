"""Staff cannot choose a password a guesser tries early: common, breached-pattern or their own."""

from __future__ import annotations

import pytest

from portal.models import StaffRole
from tests.helpers.pages import text_of
from tests.helpers.staff import PASSWORD

TOO_EASY = "This password is too easy to guess"
EASY = [
    "password1234",  # the classic, padded to the length rule
    "qwertyuiop123",  # a keyboard walk
    "iloveyou2024!",  # a breached favourite with a year
    "P@ssw0rd2024!",  # l33t spelling changes little
    "abcabcabcabc",  # a repeat
    "coalition2024",  # the site's own name
]


@pytest.mark.parametrize("password", EASY)
def test_an_easy_password_is_refused_when_staff_change_theirs(login_as, post_form, password):
    login_as(StaffRole.VIEWER)

    response = post_form(
        "/staff/password",
        {"current": PASSWORD, "new": password, "confirm": password},
        page="/staff/password",
    )

    assert response.status_code == 400
    assert TOO_EASY in text_of(response)


def test_a_password_made_of_ones_own_email_is_refused(login_as, post_form):
    me = login_as(StaffRole.VIEWER, email="yasmin.abuhamdan@coalition.example")
    mine = "yasminabuhamdan"

    response = post_form("/staff/password", {"current": PASSWORD, "new": mine, "confirm": mine})

    assert response.status_code == 400
    assert TOO_EASY in text_of(response)
    assert me.email not in text_of(response).split(TOO_EASY)[1]


def test_the_same_password_suits_another_account(login_as, post_form, sign_in, app):
    me = login_as(StaffRole.VIEWER)
    chosen = "yasminabuhamdan"  # refused above for Yasmin; nothing personal to this account

    response = post_form("/staff/password", {"current": PASSWORD, "new": chosen, "confirm": chosen})

    assert response.status_code == 303
    assert sign_in(me.email, chosen, browser=app.test_client()).status_code == 303


def test_the_command_line_refuses_an_easy_password(runner):
    result = runner.invoke(
        args=["create-staff", "ops@coalition.example", "--role", "admin"],
        input="password1234\npassword1234\n",
    )

    assert result.exit_code != 0
    assert TOO_EASY in result.output
    assert (
        runner.invoke(
            args=["create-staff", "ops@coalition.example", "--role", "admin"],
            input="cedar smoke over jaffa\ncedar smoke over jaffa\n",
        ).exit_code
        == 0
    )
