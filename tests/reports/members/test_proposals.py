"""Members propose statements and events through their report link; only staff publish them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEntry, AuditVia, Event, PublicationStatus, Statement, utcnow
from portal.reports.members import service as report_links
from portal.staff.audit import Actor
from tests.helpers.pages import text_of, token_on
from tests.helpers.staff import fresh


@pytest.fixture
def member_browser(app, db_session):
    """Factory: a browser that opened ``org``'s report link (its token now in a cookie)."""

    def _open(org):
        now = utcnow()
        link = report_links.issue_link(
            db_session,
            app.secret_key,
            Actor.of(None),
            org,
            expires=now.date() + timedelta(days=7),
            now=now,
        )
        db_session.commit()
        browser = app.test_client()
        response = browser.get(f"/reports/member/{link.token}", follow_redirects=True)
        assert response.status_code == 200, text_of(response)
        return browser

    return _open


def send(browser, path: str, fields: dict):
    token = token_on(browser.get(path))
    return browser.post(path, data={"csrf_token": token, **fields})


def test_the_report_offers_to_propose(make_org, member_browser):
    browser = member_browser(make_org("roots"))

    html = browser.get("/reports/member/").get_data(as_text=True)

    assert 'href="/reports/member/propose/statement"' in html
    assert 'href="/reports/member/propose/event"' in html


def test_a_member_proposes_a_statement_that_waits_for_staff(
    make_org, member_browser, db_session, client, login_as
):
    org = make_org("roots")
    browser = member_browser(org)

    response = send(
        browser,
        "/reports/member/propose/statement",
        {
            "language": "ar",
            "title": "بيان من جذور",
            "summary": "",
            "body": "نص",
            "original_url": "",
        },
    )

    assert response.status_code == 303
    assert "They will review it" in text_of(browser.get(response.headers["Location"]))
    [statement] = fresh(db_session).scalars(select(Statement))
    assert (statement.organization_id, statement.status) == (org.id, PublicationStatus.PROPOSED)
    assert client.get(f"/listen/statements/{statement.id}").status_code == 404
    entries = fresh(db_session).scalars(select(AuditEntry)).all()
    assert {e.via for e in entries if e.subject_kind.value == "statement"} == {AuditVia.MEMBER_LINK}
    login_as()
    queue = client.get("/staff/listen/statements").get_data(as_text=True)
    assert queue.index("waiting for review") < queue.index("بيان من جذور") < queue.index("Drafts")


def test_a_member_proposes_an_event_for_itself_only(make_org, member_browser, db_session):
    roots = make_org("roots")
    other = make_org("ecopeace")
    browser = member_browser(roots)

    response = send(
        browser,
        "/reports/member/propose/event",
        {
            "organization_id": str(other.id),  # ignored: the link says whose it is
            "kind": "event",
            "language": "en",
            "title": "Open evening",
            "description": "",
            "starts_at": "2031-07-03T18:00",
            "ends_at": "",
            "timezone": "Asia/Jerusalem",
            "place": "Bethlehem",
            "region": "west-bank",
            "online_url": "",
        },
    )

    assert response.status_code == 303
    [event] = fresh(db_session).scalars(select(Event))
    assert (event.organization_id, event.status) == (roots.id, PublicationStatus.PROPOSED)


def test_a_proposal_with_an_address_is_explained_and_not_saved(
    make_org, member_browser, db_session
):
    browser = member_browser(make_org("roots"))

    response = send(
        browser,
        "/reports/member/propose/event",
        {
            "kind": "event",
            "language": "en",
            "title": "Meet",
            "starts_at": "2031-07-03T18:00",
            "timezone": "Asia/Jerusalem",
            "place": "5 Main Street",
        },
    )

    assert response.status_code == 400
    assert "A city or a region only" in response.get_data(as_text=True)
    assert fresh(db_session).scalars(select(Event)).all() == []


@pytest.mark.parametrize(
    "path", ["/reports/member/propose/statement", "/reports/member/propose/event"]
)
def test_without_a_report_link_nothing_can_be_proposed(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert re.search(r"open the link you were sent again", text_of(response))
