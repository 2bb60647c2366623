"""Who may open which console page: anonymous visitors sign in first, viewers never edit."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal.models import AuditEntry, LoginAttempt, Organization, OrgStatus, StaffRole
from tests.helpers.pages import text_of, token_on
from tests.helpers.staff import fresh

ANY_STAFF_PAGES = ["/staff/", "/staff/password"]
ADMIN_PAGES = [
    "/staff/accounts",
    "/staff/accounts/new",
    "/staff/audit",
    "/staff/organizations/",
    "/staff/organizations/new",
    "/staff/organizations/{org}/edit",
    "/staff/organizations/import",
    "/staff/organizations/import/0123456789abcdef",
    "/staff/organizations/export.csv",
]
ADMIN_FORMS = [
    "/staff/accounts/new",
    "/staff/accounts/{staff}/role",
    "/staff/accounts/{staff}/suspend",
    "/staff/accounts/{staff}/reactivate",
    "/staff/organizations/new",
    "/staff/organizations/{org}/edit",
    "/staff/organizations/{org}/suspend",
    "/staff/organizations/{org}/reactivate",
    "/staff/organizations/import",
    "/staff/organizations/import/0123456789abcdef",
]
ANY_STAFF_FORMS = ["/staff/logout", "/staff/password"]


@pytest.fixture
def ids(make_org, make_staff):
    org = make_org("roots")
    other = make_staff("colleague@coalition.example", role=StaffRole.VIEWER)
    return {"org": org.id, "staff": other.id}


def count(db_session, model) -> int:
    fresh(db_session)
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", ANY_STAFF_PAGES + ADMIN_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in_and_brought_back(client, ids, path):
    path = path.format(**ids)

    response = client.get(path)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/staff/login"
    assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize("path", ANY_STAFF_FORMS + ADMIN_FORMS)
def test_anonymous_form_post_is_sent_to_sign_in_and_changes_nothing(client, ids, db_session, path):
    token = token_on(client.get("/staff/login"))

    response = client.post(path.format(**ids), data={"csrf_token": token, "role": "admin"})

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/staff/login"
    assert count(db_session, AuditEntry) == 0


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_viewer_is_refused_admin_pages(client, ids, login_as, path):
    login_as(StaffRole.VIEWER)

    response = client.get(path.format(**ids))

    assert response.status_code == 403
    assert "You don't have access to this page" in text_of(response)


@pytest.mark.parametrize("path", ADMIN_FORMS)
def test_viewer_is_refused_admin_forms_and_nothing_changes(
    ids, login_as, post_form, db_session, path
):
    login_as(StaffRole.VIEWER)

    response = post_form(path.format(**ids), {"role": "admin", "name": "Changed"})

    assert response.status_code == 403
    assert count(db_session, AuditEntry) == 0
    assert db_session.get(Organization, ids["org"]).status == OrgStatus.ACTIVE


@pytest.mark.parametrize("path", ANY_STAFF_PAGES)
def test_viewer_reaches_the_pages_every_staff_member_has(client, login_as, path):
    login_as(StaffRole.VIEWER)

    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ANY_STAFF_FORMS + ADMIN_FORMS)
def test_form_without_csrf_token_is_refused_and_writes_nothing(
    client, ids, login_as, db_session, path
):
    login_as(StaffRole.ADMIN)

    response = client.post(path.format(**ids), data={"role": "admin", "name": "Changed"})

    assert response.status_code == 400
    assert "This form has expired or was sent from elsewhere" in text_of(response)
    assert count(db_session, AuditEntry) == 0
    assert client.get("/staff/").status_code == 200  # still signed in: logout did not happen


def test_sign_in_without_csrf_token_is_refused_and_not_counted(client, make_staff, db_session):
    staff = make_staff()

    response = client.post("/staff/login", data={"email": staff.email, "password": "x" * 12})

    assert response.status_code == 400
    assert count(db_session, LoginAttempt) == 0
    assert client.get("/staff/").status_code == 302


def test_dashboard_shows_viewers_no_admin_links(client, login_as):
    login_as(StaffRole.VIEWER)

    page = text_of(client.get("/staff/"))

    assert "Reports" in page
    assert "Audit log" not in page
    assert "Import a CSV file" not in page


def test_dashboard_shows_admins_directory_and_records(client, login_as):
    login_as(StaffRole.ADMIN)

    page = text_of(client.get("/staff/"))

    assert "Members and the coalition" in page
    assert "Import a CSV file" in page
    assert "Audit log" in page


def test_dashboard_lists_links_other_features_register(app, client, login_as):
    from portal.staff.dashboard import add_dashboard_link

    add_dashboard_link(app, "staff.audit_log", "Referral report", "Hand-offs per member")
    login_as(StaffRole.ADMIN)

    page = text_of(client.get("/staff/"))

    assert "Referral report Hand-offs per member" in page


def test_staff_link_in_the_site_header_only_for_signed_in_staff(client, login_as):
    anonymous = client.get("/").get_data(as_text=True)
    login_as(StaffRole.VIEWER)

    signed_in = client.get("/").get_data(as_text=True)

    assert 'href="/staff/"' not in anonymous
    assert 'href="/staff/"' in signed_in


def test_console_pages_are_never_cached(client, login_as):
    login_as(StaffRole.ADMIN)

    for path in ("/staff/", "/staff/organizations/", "/staff/login"):
        assert client.get(path).headers["Cache-Control"] == "no-store"
