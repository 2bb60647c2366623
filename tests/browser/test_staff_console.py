"""Staff in a real browser: sign in, filter a report, download its CSV, sign out for good."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from portal.models import ArrivedVia, StaffRole
from tests.helpers.reports import TODAY, at
from tests.helpers.staff import PASSWORD

pytestmark = pytest.mark.browser

SINCE = TODAY - timedelta(days=6)
# Roots in the filtered week: people, bots, unique visitors, portal clicks, shared-link visits.
ROOTS_WEEK = ["5", "1", "5", "3", "2", "0"]


@pytest.fixture
def portal(app, serve, make_org, add_referrals, report_clock) -> str:
    """Two members with referrals inside and outside the filtered week, served live."""
    roots = make_org("roots", name="Roots", created_at=at(TODAY - timedelta(days=400)))
    other = make_org("olive-grove", name="Olive Grove", created_at=at(TODAY - timedelta(days=400)))
    add_referrals(roots, at(TODAY - timedelta(days=2)), n=3)
    add_referrals(roots, at(TODAY - timedelta(days=5), 9), n=2, arrived_via=ArrivedVia.LINK)
    add_referrals(roots, at(TODAY - timedelta(days=1)), is_bot=True, bot_reason="preview")
    add_referrals(roots, at(TODAY - timedelta(days=20)), n=4)  # before the week
    add_referrals(other, at(TODAY - timedelta(days=3)), n=6)  # another member
    return serve(app)


@pytest.fixture
def viewer(make_staff):
    return make_staff("viewer@coalition.example", role=StaffRole.VIEWER)


def session_cookies(context) -> list[dict]:
    cookies = context.cookies()
    assert cookies, "signing in set no cookie"
    return cookies


def test_staff_filters_a_report_downloads_its_csv_and_signs_out_for_good(
    page, browser, portal, viewer
):
    page.goto(portal + "/staff/reports/")
    assert urlsplit(page.url).path == "/staff/login"
    page.get_by_label("Email").fill(viewer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/reports/**")
    assert page.get_by_role("heading", name="Referrals and gifts", level=1).is_visible()

    filters = page.get_by_role("group", name="Which referrals and gifts")
    filters.get_by_label("From", exact=True).fill(SINCE.isoformat())
    filters.get_by_label("Until", exact=True).fill(TODAY.isoformat())
    filters.get_by_label("Recipient", exact=True).select_option("roots")
    filters.get_by_role("button", name="Show").click()
    page.wait_for_url("**member=roots**")

    rows = page.locator("#table-members tbody tr")
    assert rows.count() == 1
    assert [" ".join(cell.split()) for cell in rows.first.locator("th, td").all_inner_texts()] == [
        "roots",
        "Roots",
        *ROOTS_WEEK,
    ]
    with page.expect_download() as info:
        page.locator("#table-members").get_by_role("link", name="Download CSV").click()
    download = info.value
    name = f"referrals-{SINCE.isoformat()}-to-{TODAY.isoformat()}-members.csv"
    assert download.suggested_filename == name
    text = download.path().read_text(encoding="utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header == [
        "member",
        "name",
        "humans",
        "bots",
        "unique_visitors",
        "portal_clicks",
        "shared_link_visits",
        "embed_clicks",
    ]
    assert lines == [["roots", "Roots", *ROOTS_WEEK]]

    saved = session_cookies(page.context)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/login**")
    assert page.get_by_text("You have signed out.").is_visible()

    replay = browser.new_context()
    try:
        replay.add_cookies(saved)
        tab = replay.new_page()
        tab.goto(portal + "/staff/reports/")
        assert urlsplit(tab.url).path == "/staff/login"
        assert tab.get_by_role("heading", name="Staff sign-in").is_visible()
    finally:
        replay.close()
