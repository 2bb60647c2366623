"""Staff console fixtures for every folder: accounts, and signing in as a browser would."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from portal.models import AuditEntry, Staff, StaffRole, StaffStatus
from portal.staff import passwords
from tests.helpers.pages import text_of, token_on

UPLOAD = "/staff/organizations/import"
PASSWORD = "olive trees by the sea 2024"


def fresh(db_session):
    """The test's session, showing what the app has committed since (a new transaction)."""
    db_session.rollback()
    db_session.expire_all()
    return db_session


@pytest.fixture(scope="session")
def default_hash() -> str:
    """The hash of ``PASSWORD``, computed once: argon2 is slow on purpose."""
    return passwords.hash_password(PASSWORD)


@pytest.fixture
def make_staff(db_session, default_hash):
    """Factory: ``make_staff("viewer@coalition.example", role=StaffRole.VIEWER)``."""

    def _make(
        email: str = "admin@coalition.example",
        *,
        role: StaffRole = StaffRole.ADMIN,
        password: str = PASSWORD,
        status: StaffStatus = StaffStatus.ACTIVE,
    ) -> Staff:
        hashed = default_hash if password == PASSWORD else passwords.hash_password(password)
        staff = Staff(email=email, role=role, status=status, password_hash=hashed)
        db_session.add(staff)
        db_session.commit()
        return staff

    return _make


@pytest.fixture
def sign_in(client):
    """Factory: fill in and send the sign-in form; returns the response."""

    def _sign_in(email: str, password: str = PASSWORD, *, next_path=None, browser=None):
        browser = browser or client
        url = "/staff/login" + (f"?next={quote(next_path, safe='')}" if next_path else "")
        token = token_on(browser.get(url))
        return browser.post(url, data={"csrf_token": token, "email": email, "password": password})

    return _sign_in


@pytest.fixture
def login_as(make_staff, sign_in):
    """Factory: a signed-in staff member of ``role`` in the test client; returns the account."""

    def _login(role: StaffRole = StaffRole.ADMIN, email: str | None = None, *, browser=None):
        staff = make_staff(email or f"{role.value}@coalition.example", role=role)
        response = sign_in(staff.email, browser=browser)
        assert response.status_code == 303, text_of(response)
        return staff

    return _login


@pytest.fixture
def post_form(client):
    """Factory: POST as the signed-in browser would, with the token its pages carry."""

    def _post(url: str, data: dict | None = None, *, page: str = "/staff/", **kwargs):
        token = token_on(client.get(page))
        return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)

    return _post


@pytest.fixture
def audit_entries(db_session):
    def _entries() -> list[AuditEntry]:
        fresh(db_session)
        return list(db_session.scalars(select(AuditEntry).order_by(AuditEntry.id)))

    return _entries


_LOADED = re.compile(r'<input[^>]*name="loaded"[^>]*value="([^"]*)"')


def save_as_opened(browser, url: str, page, fields: dict):
    """Send an edit form as the browser that drew ``page`` would: its CSRF token and the digest
    of the values it was opened with (``portal/staff/edits.py``)."""
    match = _LOADED.search(page.get_data(as_text=True))
    assert match, f"no loaded digest on the edit page (status {page.status_code})"
    return browser.post(
        url, data={"csrf_token": token_on(page), "loaded": match.group(1), **fields}
    )
