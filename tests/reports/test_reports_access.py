"""Who may read reports: staff of either role; member links are an admin's business."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portal.models import StaffRole
from tests.helpers.pages import text_of, token_on

STAFF_PAGES = [
    "/staff/reports/",
    "/staff/reports/?format=csv&table=members",
    "/staff/reports/fairness",
    "/staff/reports/fairness?format=csv",
]


@pytest.mark.parametrize("path", [*STAFF_PAGES, "/staff/reports/links"])
def test_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/staff/login"
    assert parse_qs(location.query)["next"] == [path]


def test_anonymous_post_to_member_links_is_sent_to_sign_in(client, make_org):
    org = make_org("roots")
    token = token_on(client.get("/staff/login"))

    issue = client.post("/staff/reports/links", data={"csrf_token": token, "member": org.id})
    withdraw = client.post(f"/staff/reports/links/{org.id}/withdraw", data={"csrf_token": token})

    for response in (issue, withdraw):
        assert response.status_code == 303
        assert urlsplit(response.headers["Location"]).path == "/staff/login"


@pytest.mark.parametrize("role", [StaffRole.VIEWER, StaffRole.ADMIN])
@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.usefixtures("report_clock")
def test_viewers_and_admins_read_reports(client, login_as, role, path):
    login_as(role)

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_viewer_is_refused_member_links(client, login_as, make_org):
    org = make_org("roots")
    login_as(StaffRole.VIEWER)
    token = token_on(client.get("/staff/password"))

    page = client.get("/staff/reports/links")
    issue = client.post(
        "/staff/reports/links",
        data={"csrf_token": token, "member": str(org.id), "expires": "2030-01-01"},
    )
    withdraw = client.post(f"/staff/reports/links/{org.id}/withdraw", data={"csrf_token": token})

    assert (page.status_code, issue.status_code, withdraw.status_code) == (403, 403, 403)


def test_dashboard_links_viewers_to_the_reports(client, login_as):
    login_as(StaffRole.VIEWER)

    html = client.get("/staff/").get_data(as_text=True)

    assert 'href="/staff/reports/"' in html
    assert 'href="/staff/reports/fairness"' in html
    assert 'href="/staff/reports/links"' not in html


def test_dashboard_links_admins_to_member_report_links(client, login_as):
    login_as(StaffRole.ADMIN)

    response = client.get("/staff/")

    assert 'href="/staff/reports/links"' in response.get_data(as_text=True)
    assert "Member report links" in text_of(response)
