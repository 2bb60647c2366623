"""A member builds campaign links for itself through its signed report link, and sees them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import CampaignLink, LinkMaker, utcnow
from portal.reports.members import service as report_links
from portal.staff.audit import Actor
from portal.state import portal_state

_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


@pytest.fixture
def report_path(app, db_session):
    """Factory: the path of a fresh report link for ``org``, as an admin would send it."""

    def _issue(org) -> str:
        now = portal_state(app).clocks.reports()
        link = report_links.issue_link(
            db_session,
            app.secret_key,
            Actor.of(None),
            org,
            expires=now.date() + timedelta(days=30),
            now=now,
        )
        db_session.commit()
        return f"/reports/member/{link.token}"

    return _issue


def _open(client, report_path: str) -> str:
    """Open the report link as the member's browser would (its token moves into a cookie)."""
    return client.get(report_path, follow_redirects=True).get_data(as_text=True)


def _build(client, report_path: str, **fields):
    token = _TOKEN.search(_open(client, report_path))[1]
    return client.post("/reports/member/campaigns", data={"csrf_token": token, **fields})


def test_a_member_builds_a_link_for_itself_and_sees_it_on_its_report(
    client, db_session, make_org, report_path
):
    org = make_org("ecopeace")
    path = report_path(org)

    response = _build(client, path, campaign="gala", source="instagram")

    [link] = db_session.scalars(select(CampaignLink)).all()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/reports/member/#link-{link.code}"
    assert (link.organization_id, link.made_by) == (org.id, LinkMaker.MEMBER)
    page = _open(client, path)
    assert "http://portal.test/go/ecopeace?utm_campaign=gala&amp;utm_source=instagram" in page
    assert f"/campaigns/{link.code}/qr.svg" in page


def test_a_member_cannot_build_a_link_for_another_recipient(
    client, db_session, make_org, report_path
):
    org = make_org("ecopeace")
    other = make_org("roots")

    _build(client, report_path(org), campaign="gala", recipient=str(other.id))

    assert [link.organization_id for link in db_session.scalars(select(CampaignLink))] == [org.id]


def test_a_member_sees_only_its_own_links(client, make_org, report_path):
    org, other = make_org("ecopeace"), make_org("roots")
    _build(client, report_path(other), campaign="their-gala")

    page = _open(client, report_path(org))

    assert "their-gala" not in page
    assert "No campaign link yet." in page


def test_a_withdrawn_report_link_builds_nothing(client, db_session, make_org, report_path):
    org = make_org("ecopeace")
    path = report_path(org)
    token = _TOKEN.search(_open(client, path))[1]
    report_links.rotate_key(db_session, Actor.of(None), org, now=utcnow())
    db_session.commit()

    response = client.post(
        "/reports/member/campaigns", data={"csrf_token": token, "campaign": "gala"}
    )

    assert response.status_code == 410
    assert db_session.scalars(select(CampaignLink)).all() == []


def test_a_member_without_a_campaign_name_is_told_so(client, db_session, make_org, report_path):
    response = _build(client, report_path(make_org("ecopeace")), campaign="")

    assert response.status_code == 400
    assert "Campaign name" in response.get_data(as_text=True)
    assert db_session.scalars(select(CampaignLink)).all() == []
