"""A portal with something on every page, and a browser signed in as an admin to walk it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import coverage
import pytest

from portal.models import HandoffMode, Staff, StaffRole
from portal.reports.members import service as member_links
from portal.staff import passwords
from portal.staff.audit import Actor
from tests.security.walk import Walker

PASSWORD = "cedar and olive grove 1984"
_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    # The walk signs in again after every POST and types wrong passwords on purpose.
    return {**app_config, "LOGIN_ACCOUNT_LIMIT": 10_000, "LOGIN_VISITOR_LIMIT": 10_000}


@pytest.fixture(scope="session")
def password_hash() -> str:
    return passwords.hash_password(PASSWORD)


@pytest.fixture
def populated(app, db_session, make_coalition, make_org, password_hash):
    """Path arguments that open real pages: slugs, ids and a member report token."""
    make_coalition()
    make_org("own-page")
    member = make_org("collected-for", handoff_mode=HandoffMode.STRIPE)
    admin = Staff(
        email="admin@coalition.example", role=StaffRole.ADMIN, password_hash=password_hash
    )
    viewer = Staff(
        email="viewer@coalition.example", role=StaffRole.VIEWER, password_hash=password_hash
    )
    db_session.add_all([admin, viewer])
    db_session.flush()
    now = datetime.now(UTC)
    link = member_links.issue_link(
        db_session,
        app.secret_key,
        Actor.of(admin),
        member,
        expires=now.date() + timedelta(days=30),
        now=now,
    )
    db_session.commit()
    return {
        "slug": member.slug,
        "org_id": member.id,
        "staff_id": viewer.id,
        "token": link.token,
    }


@pytest.fixture
def walker(app, client, populated) -> Walker:
    # The signed token a page carries stays good while the session keeps the raw token it signs
    # (until a sign-in or sign-out clears the session): reading it off a page for every POST cost
    # the walks two requests and a dashboard each.
    signed: dict[str, str] = {}

    def _raw_token() -> str | None:
        with client.session_transaction() as session:
            return session.get("csrf_token")

    def _csrf() -> str:
        raw = _raw_token()
        if raw is None or raw not in signed:
            match = _TOKEN.search(client.get("/staff/login").get_data(as_text=True))
            if match is None:  # signed in: the login page redirects
                match = _TOKEN.search(client.get("/staff/").get_data(as_text=True))
            signed.clear()
            signed[_raw_token()] = match[1]
            return match[1]
        return signed[raw]

    def _sign_in() -> None:
        # The login page sends a signed-in member on without drawing a page, and is the page
        # to sign in from otherwise: one request tells which, where the dashboard took a render.
        page = client.get("/staff/login")
        if page.status_code != 200:
            return
        token = _TOKEN.search(page.get_data(as_text=True))[1]
        data = {"csrf_token": token, "email": "admin@coalition.example", "password": PASSWORD}
        assert client.post("/staff/login", data=data).status_code == 303

    _sign_in()
    return Walker(app, client, populated, _sign_in, _csrf)


@pytest.fixture
def coverage_paused():
    """Coverage stopped while the test runs, when it is measured at all: what pytest-cov's
    ``no_cover`` marker does, except that the marker fails every test it marks under
    ``--no-cov`` (pytest-cov 7.1 pauses a controller that option leaves unset). Ask for it after
    the fixtures whose set-up should still be measured."""
    measuring = coverage.Coverage.current()
    if measuring is None:
        yield
        return
    measuring.stop()
    try:
        yield
    finally:
        measuring.start()
