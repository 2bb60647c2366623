"""Plain shared links skip Flask, yet log the same row and send the same headers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.models import Referral
from tests.helpers.workers import BROWSER_UA

# Every column but those that identify one hand-off (its id, ref, time and tagged URL).
SAME_COLUMNS = tuple(
    column.name
    for column in Referral.__table__.columns
    if column.name not in {"id", "ref", "created_at", "destination_url"}
)
LINK = "/go/roots?utm_source=newsletter&utm_campaign=spring&utm_campaign=second"
HEADERS = {"User-Agent": BROWSER_UA, "Referer": "https://news.example.net/issue-4"}


def rows(db_session) -> list[Referral]:
    db_session.rollback()  # a new transaction sees what other connections committed
    return list(db_session.scalars(select(Referral).order_by(Referral.id)))


def test_fast_path_row_and_headers_match_the_flask_view(app, make_org, db_session):
    make_org("roots", donation_url="https://roots.example.org/give?lang=en#top")
    via_flask = app.test_client().get(LINK, headers=HEADERS)
    original = app.view_functions["referrals.go"]
    app.view_functions["referrals.go"] = None  # any use of the view now fails

    via_fast = app.test_client().get(LINK, headers=HEADERS)

    app.view_functions["referrals.go"] = original
    first, second = rows(db_session)
    assert [getattr(first, c) for c in SAME_COLUMNS] == [getattr(second, c) for c in SAME_COLUMNS]
    assert (via_flask.status_code, via_fast.status_code) == (302, 302)
    assert via_flask.headers["X-Request-Id"] and via_fast.headers["X-Request-Id"]
    strip = {"Location", "Content-Length", "X-Request-Id"}  # each request has its own
    assert {k: v for k, v in via_flask.headers if k not in strip} == {
        k: v for k, v in via_fast.headers if k not in strip
    }
    fast_query = parse_qs(urlsplit(via_fast.headers["Location"]).query)
    assert fast_query["portal_ref"] == [second.ref]
    assert fast_query["utm_campaign"] == ["spring"]
    assert second.destination_url == via_fast.headers["Location"]


@pytest.fixture
def flask_answers(app):
    """Record each time the Flask view handles a hand-off."""
    seen = []
    original = app.view_functions["referrals.go"]

    def spy(**kwargs):
        seen.append(kwargs["slug"])
        return original(**kwargs)

    app.view_functions["referrals.go"] = spy
    return seen


@pytest.fixture
def warm_client(app, make_org):
    make_org("roots")
    client = app.test_client()
    client.get("/go/roots", headers={"User-Agent": BROWSER_UA})  # schema checked, salt loaded
    return client


def test_head_goes_through_flask(warm_client, flask_answers):
    warm_client.head("/go/roots")

    assert flask_answers == ["roots"]


@pytest.mark.parametrize("header", ["Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"])
def test_a_prefetch_is_redirected_by_the_fast_path_and_not_logged(
    warm_client, flask_answers, db_session, header
):
    before = len(rows(db_session))

    response = warm_client.get("/go/roots", headers={"User-Agent": BROWSER_UA, header: "prefetch"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://roots.example.org/donate?")
    assert flask_answers == []
    assert len(rows(db_session)) == before


def test_a_visitor_with_a_session_cookie_goes_through_flask(warm_client, flask_answers):
    warm_client.set_cookie("session", "abc", domain="portal.test")

    warm_client.get("/go/roots")

    assert flask_answers == ["roots"]


def test_a_portal_click_goes_through_flask_and_its_csrf_check(warm_client, flask_answers):
    response = warm_client.post("/go/roots")

    assert response.status_code == 400
    assert flask_answers == []


def test_the_fast_path_answers_with_the_request_id_nginx_sent(warm_client, flask_answers):
    response = warm_client.get("/go/roots", headers={"X-Request-Id": "req-0123456789"})

    assert flask_answers == []
    assert response.headers["X-Request-Id"] == "req-0123456789"


def test_a_warm_plain_link_skips_flask(warm_client, flask_answers):
    response = warm_client.get("/go/roots", headers={"User-Agent": BROWSER_UA})

    assert response.status_code == 302
    assert flask_answers == []
