"""Signing in and out: one message for every failure, fresh sessions, real logout, timeouts."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import pytest

from portal import create_app, dispose
from portal.models import StaffRole, StaffStatus
from portal.state import portal_state
from tests.helpers.pages import text_of, token_on
from tests.helpers.staff import PASSWORD

FAILED = "That email and password do not match an account."


def session_cookie(client):
    return client.get_cookie("session", domain="portal.test")


def test_right_password_opens_the_dashboard(client, make_staff, sign_in):
    staff = make_staff()

    response = sign_in(staff.email)

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/staff/"
    assert f"Signed in as {staff.email}" in text_of(client.get("/staff/"))


def test_email_is_matched_whatever_its_case_and_spaces(make_staff, sign_in):
    make_staff("amal@coalition.example")

    response = sign_in("  Amal@Coalition.Example ")

    assert response.status_code == 303


def test_wrong_password_and_unknown_account_get_the_same_answer(make_staff, sign_in):
    staff = make_staff()

    wrong_password = sign_in(staff.email, "not the password at all")
    unknown_account = sign_in("nobody@coalition.example", "not the password at all")

    assert wrong_password.status_code == unknown_account.status_code == 200
    assert FAILED in text_of(wrong_password)
    assert text_of(wrong_password) == text_of(unknown_account)


def test_suspended_account_cannot_sign_in_and_is_told_nothing_more(make_staff, sign_in):
    staff = make_staff(status=StaffStatus.SUSPENDED)

    response = sign_in(staff.email)

    assert FAILED in text_of(response)


def test_failed_sign_in_keeps_the_email_but_never_echoes_the_password(make_staff, sign_in):
    staff = make_staff()

    html = sign_in(staff.email, "a secret guess 123").get_data(as_text=True)

    assert f'value="{staff.email}"' in html
    assert "a secret guess 123" not in html


def test_empty_form_asks_for_both_fields(sign_in):
    response = sign_in("", "")

    assert response.status_code == 400
    assert "This field is required." in text_of(response)


def test_sign_ins_are_logged_without_passwords_or_emails(make_staff, sign_in, caplog):
    staff = make_staff()
    caplog.set_level(logging.INFO, logger="portal.staff")

    sign_in(staff.email, "wrong password here")
    sign_in(staff.email)

    messages = [record.getMessage() for record in caplog.records]
    assert any("sign-in failed" in message for message in messages)
    assert any("sign-in succeeded" in message for message in messages)
    assert not any(PASSWORD in m or "wrong password" in m or staff.email in m for m in messages)


def test_session_cookie_is_httponly_and_samesite_lax(make_staff, sign_in):
    staff = make_staff()

    response = sign_in(staff.email)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_debug(app_config, make_staff, monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    make_staff()
    app = create_app({**app_config, "TESTING": False})
    browser = app.test_client()
    url = "https://portal.test/staff/login"
    token = token_on(browser.get(url))

    response = browser.post(
        url,
        data={"csrf_token": token, "email": "admin@coalition.example", "password": PASSWORD},
        headers={"Referer": url},  # over https, the CSRF check also wants the same origin
    )

    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]
    dispose(app)


def test_sign_in_starts_a_fresh_session(client, make_staff, sign_in, make_org):
    make_org("roots")
    staff = make_staff()
    client.get("/?utm_source=newsletter&utm_campaign=spring")
    before = session_cookie(client).value

    sign_in(staff.email)

    with client.session_transaction() as session:
        assert "campaign" not in session
        assert "_id" not in session  # Flask-Login's address hash is not kept
    assert session_cookie(client).value != before


def test_signed_in_staff_skip_the_sign_in_page(client, login_as):
    login_as()

    response = client.get("/staff/login")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/"


def test_sign_out_ends_the_session(client, login_as, post_form):
    login_as()

    response = post_form("/staff/logout")

    assert response.status_code == 303
    assert "You have signed out." in text_of(client.get("/staff/login"))
    assert client.get("/staff/").status_code == 302


def test_cookie_from_before_sign_out_no_longer_works(client, login_as, post_form):
    login_as()
    old_cookie = session_cookie(client).value
    post_form("/staff/logout")

    client.set_cookie("session", old_cookie, domain="portal.test")
    response = client.get("/staff/")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/login"


def test_suspending_an_account_ends_its_sessions(app, make_staff, login_as, sign_in, post_form):
    colleague_browser = app.test_client()
    colleague = make_staff("viewer@coalition.example", role=StaffRole.VIEWER)
    sign_in(colleague.email, browser=colleague_browser)
    assert colleague_browser.get("/staff/").status_code == 200
    login_as(StaffRole.ADMIN)

    post_form(f"/staff/accounts/{colleague.id}/suspend", page="/staff/accounts")

    assert colleague_browser.get("/staff/").status_code == 302


def test_session_survives_activity_within_the_idle_limit(client, clock, login_as):
    login_as()

    for _ in range(3):
        clock.advance(minutes=29)
        assert client.get("/staff/").status_code == 200


def test_session_ends_after_30_idle_minutes(client, clock, login_as):
    login_as()
    clock.advance(minutes=30, seconds=1)

    response = client.get("/staff/")

    assert response.status_code == 302
    assert "Your session has ended. Please sign in again." in text_of(client.get("/staff/login"))


def test_session_ends_after_8_hours_however_active(client, clock, login_as):
    login_as()
    for _ in range(8 * 3):
        clock.advance(minutes=20)
        assert client.get("/staff/").status_code == 200

    clock.advance(minutes=1)

    assert client.get("/staff/").status_code == 302


def test_session_limits_are_the_configured_ones_read_at_each_request(app, client, clock, login_as):
    app.config |= {"STAFF_IDLE_MINUTES": 5, "STAFF_SESSION_HOURS": 1}
    login_as()
    for _ in range(12):
        clock.advance(minutes=5)
        assert client.get("/staff/").status_code == 200

    clock.advance(seconds=1)  # an hour and a second since signing in

    assert client.get("/staff/").status_code == 302
    login_as(email="second-admin@coalition.example")
    clock.advance(minutes=5, seconds=1)
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    "target",
    ["/staff/audit", "/staff/audit?page=2", "/staff/organizations/"],
)
def test_next_brings_staff_back_to_the_page_they_asked_for(make_staff, sign_in, target):
    staff = make_staff()

    response = sign_in(staff.email, next_path=target)

    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/staff/",
        "/\\evil.example",
        "\\\\evil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%2F%2Fevil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/%09/evil.example",
        "/%0A/evil.example",
        " //evil.example",
        "https://evil.example/",
        "https:evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "evil.example",
        "/staff/\u2215\u2215evil",
    ],
)
def test_next_never_leads_off_the_site(make_staff, sign_in, target):
    staff = make_staff()

    response = sign_in(staff.email, next_path=target)

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


def test_sign_in_form_keeps_only_a_safe_next(client):
    html = client.get("/staff/login?next=//evil.example").get_data(as_text=True)

    # The language switcher links back to this same page, query and all; only the form acts on it.
    [action] = re.findall(r'<form method="post" action="([^"]*)"', html)
    assert action == "/staff/login"


def test_public_pages_still_work_for_staff_when_the_database_is_away(
    app, client, login_as, tmp_path, monkeypatch
):
    from sqlalchemy.orm import sessionmaker

    from portal.db.engine import make_engine
    from portal.db.session import Database

    login_as()
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'portal.db'}")
    monkeypatch.setattr(portal_state(app), "database", Database(engine, sessionmaker(engine)))

    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "We couldn't find that page" in text_of(response)
    engine.dispose()
