"""Listen and Engage in a real browser: from the home page's doors to a member's donation page,
and to an event in the visitor's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.models import Event, PublicationStatus, Statement

pytestmark = pytest.mark.browser

MEMBER_PAGE = "https://member.example/donate"
NAME = "Almond Blossom Circle"


@pytest.fixture
def almond(make_org, live_server, db_session):
    """A member with its own donation page and a fresh statement, beside the demo data."""
    org = make_org("almond-blossom", name=NAME, donation_url=MEMBER_PAGE)
    db_session.add(
        Statement(
            organization_id=org.id,
            title="Bees do not know the Green Line",
            summary="Why we keep our hives together.",
            body="Our hives stand on **both sides**.",
            language="en",
            status=PublicationStatus.PUBLISHED,
            published_at=datetime.now(UTC),
        )
    )
    db_session.commit()
    return org


@pytest.mark.usefixtures("almond")
def test_home_listen_a_statement_the_member_then_its_donation_page(
    page, live_server, offsite_requests
):
    page.goto(live_server + "/")
    page.locator(".verb-list").get_by_role("link", name="Listen").click()
    page.get_by_role("link", name="Bees do not know the Green Line").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bees do not know the Green Line"
    page.locator("article.statement header").get_by_role("link", name=NAME).click()
    page.wait_for_url("**/organizations/almond-blossom")

    page.get_by_role("button", name=f"Donate on {NAME}’s website").click()

    page.wait_for_url("https://member.example/**")
    tags = parse_qs(urlsplit(page.url).query)
    assert tags["utm_medium"] == ["donate-button"]
    assert offsite_requests == []


@pytest.mark.usefixtures("almond")
def test_a_statement_page_donates_directly_too(page, live_server):
    page.goto(live_server + "/listen")
    page.get_by_role("link", name="Bees do not know the Green Line").click()

    page.get_by_role("button", name=f"Donate on {NAME}’s website").click()

    page.wait_for_url("https://member.example/**")


def test_home_engage_an_event_into_the_calendar(page, live_server, make_org, db_session):
    org = make_org("olive-grove", name="Olive Grove Friends")
    zone = ZoneInfo("Asia/Jerusalem")
    day = (datetime.now(zone) + timedelta(days=9)).date()
    start = datetime(day.year, day.month, day.day, 18, 30, tzinfo=zone)
    db_session.add(
        Event(
            organization_id=org.id,
            title="Harvest evening",
            description="Pick olives with us.",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            timezone="Asia/Jerusalem",
            place="Galilee",
            region="israel",
            status=PublicationStatus.PUBLISHED,
            published_at=datetime.now(UTC),
        )
    )
    db_session.commit()

    page.goto(live_server + "/")
    page.locator(".verb-list").get_by_role("link", name="Engage").click()
    page.get_by_role("link", name="Harvest evening").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()

    [entry] = Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")
    assert str(entry["summary"]) == "Harvest evening"
    assert entry.decoded("dtstart") == start
    assert str(entry["dtstart"].params["TZID"]) == "Asia/Jerusalem"
