"""Member report fixtures: a link issued through the admin page, and the member's own browser."""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest

from portal.models import StaffRole
from tests.helpers.pages import text_of
from tests.helpers.reports import TODAY


@pytest.fixture
def admin(login_as):
    return login_as(StaffRole.ADMIN)


@pytest.fixture
def issue_link(client, admin, post_form):
    """Factory: create a member's link through the admin page; returns its path."""

    def _issue(org, expires=TODAY + timedelta(days=30)) -> str:
        response = post_form(
            "/staff/reports/links",
            {"member": str(org.id), "expires": expires.isoformat()},
            page="/staff/reports/links",
        )
        assert response.status_code == 200, text_of(response)
        url = unescape(re.search(r'<p class="secret"><code>([^<]+)</code>', response.text)[1])
        return urlsplit(url).path

    return _issue


@pytest.fixture
def outsider(app):
    """A browser with no staff session, as the member's would be, following the link's redirect
    (the token moves into a cookie and out of the address)."""
    browser = app.test_client()
    browser.get = functools.partial(browser.get, follow_redirects=True)
    return browser
