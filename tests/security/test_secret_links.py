"""A member report link: its token is traded on first use for a cookie and a token-free address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal import create_app, dispose
from portal.reports.members import service as member_links
from portal.secret_links import redact
from portal.staff.audit import Actor


@pytest.fixture
def report_token(app, db_session, make_org) -> str:
    member = make_org("olive-press", name="Olive Press")
    now = datetime.now(UTC)
    link = member_links.issue_link(
        db_session,
        app.secret_key,
        Actor.of(None),
        member,
        expires=now.date() + timedelta(days=9),
        now=now,
    )
    db_session.commit()
    return link.token


def test_the_link_is_traded_for_a_cookie_and_an_address_without_the_token(client, report_token):
    opened = client.get(f"/reports/member/{report_token}?since=2026-01-01&by=month")

    assert opened.status_code == 303
    assert opened.headers["Location"] == "/reports/member/?since=2026-01-01&by=month"
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(f"member_report={report_token};")
    for part in ("HttpOnly", "Path=/reports/member/", "Max-Age=3600", "SameSite=Lax"):
        assert part in cookie
    assert opened.headers["Referrer-Policy"] == "no-referrer"


def test_the_report_page_names_the_member_and_never_the_token(client, report_token):
    client.get(f"/reports/member/{report_token}")

    page = client.get("/reports/member/?by=month")

    assert page.status_code == 200
    assert "Olive Press" in page.text
    assert report_token not in page.text
    assert 'action="/reports/member/"' in page.text
    assert "/reports/member/?" in page.text  # the CSV links, token-free too


@pytest.mark.usefixtures("report_token")
def test_without_the_cookie_the_page_asks_to_open_the_link_again(client):
    page = client.get("/reports/member/")

    assert page.status_code == 404
    assert "open the link you were sent again" in page.text


def test_a_link_that_does_not_open_a_report_sets_no_cookie(client, report_token):
    mangled = client.get(f"/reports/member/{report_token[:-4]}abcd")

    assert mangled.status_code == 404
    assert "Set-Cookie" not in mangled.headers


def test_over_https_the_cookie_is_secure_and_prefixed(app_config, report_token):
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    try:
        browser = app.test_client()
        opened = browser.get(f"/reports/member/{report_token}", base_url="https://portal.test")
        page = browser.get(opened.headers["Location"], base_url="https://portal.test")
    finally:
        dispose(app)

    assert opened.headers["Set-Cookie"].startswith("__Secure-member_report=")
    assert "Secure" in opened.headers["Set-Cookie"]
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        (
            '"GET /reports/member/eyJtIjoxfQ.abc_DEF-9?by=month HTTP/1.1" 303',
            '"GET /reports/member/[redacted]?by=month HTTP/1.1" 303',
        ),
        (
            "Error handling request GET /gift/MTIz.xyz",
            "Error handling request GET /gift/[redacted]",
        ),
        (
            '"GET /reports/member/?by=month HTTP/1.1" 200',
            '"GET /reports/member/?by=month HTTP/1.1" 200',
        ),
        ('"GET /gift HTTP/1.1" 200', '"GET /gift HTTP/1.1" 200'),
    ],
)
def test_log_lines_keep_the_address_and_lose_the_token(line, logged):
    assert redact(line) == logged
