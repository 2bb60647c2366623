"""/engage and an event's page, as a visitor reads them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.models import EventKind, OrgStatus, PublicationStatus
from tests.helpers.clock import NOW
from tests.helpers.pages import text_of


def titles(response, section: str) -> list[str]:
    """The titles listed under the section whose heading has id ``section``."""
    html = response.get_data(as_text=True)
    part = html[html.index(f'id="{section}"') :]
    part = part[: part.index("</section>")]
    return re.findall(r'<a href="/engage/events/\d+"><bdi>([^<]+)</bdi></a>', part)


def test_engage_lists_upcoming_events_soonest_first_and_drops_past_ones(
    client, make_org, make_event
):
    org = make_org("roots")
    make_event(org, "Later", days=10)
    make_event(org, "Sooner", days=2)
    make_event(org, "Already over", days=-3)
    make_event(org, "A draft", status=PublicationStatus.DRAFT)

    response = client.get("/engage")

    assert response.status_code == 200
    assert titles(response, "events-title") == ["Sooner", "Later"]


def test_an_event_happening_now_is_still_listed_until_it_ends(client, make_org, make_event):
    make_event(
        make_org("roots"),
        "Under way",
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=1),
    )

    assert titles(client.get("/engage"), "events-title") == ["Under way"]


def test_open_opportunities_are_listed_and_closed_ones_dropped(client, make_org, make_event):
    org = make_org("ecopeace")
    opportunity = {"kind": EventKind.OPPORTUNITY, "starts_at": None}
    make_event(org, "Always open", ends_at=None, **opportunity)
    make_event(org, "Open a month", ends_at=NOW + timedelta(days=30), **opportunity)
    make_event(org, "Closed", ends_at=NOW - timedelta(days=1), **opportunity)

    listed = titles(client.get("/engage"), "opportunities-title")

    assert sorted(listed) == ["Always open", "Open a month"]


def test_engage_filters_by_member_focus_place_and_language(client, make_org, make_event):
    roots = make_org("roots", focus=["faith"])
    eco = make_org("ecopeace", focus=["environment"])
    make_event(roots, "Roots in Jerusalem", region="jerusalem", days=1)
    make_event(roots, "لقاء", language="ar", region="west-bank", days=2)
    make_event(eco, "Eco online", place="", online_url="https://meet.example.org/x", days=3)

    def listed(query):
        return titles(client.get(f"/engage?{query}"), "events-title")

    assert listed("member=roots") == ["Roots in Jerusalem", "لقاء"]
    assert listed("focus=environment") == ["Eco online"]
    assert listed("region=west-bank") == ["لقاء"]
    assert listed("language=ar") == ["لقاء"]


@pytest.mark.parametrize("query", ["member=nobody", "focus=weather", "region=mars", "language=fr"])
def test_a_filter_that_is_not_offered_is_a_clear_400(client, make_org, query):
    make_org("roots")

    response = client.get(f"/engage?{query}")

    assert response.status_code == 400
    assert "Please check what you entered." in text_of(response)


def test_an_events_page_shows_its_local_time_place_and_calendar_link(client, make_org, make_event):
    org = make_org("roots", name="Roots")
    start = datetime(2031, 7, 3, 18, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))
    event = make_event(org, "Summer gathering", starts_at=start, ends_at=start + timedelta(hours=2))

    response = client.get(f"/engage/events/{event.id}")
    text = text_of(response)

    assert "Thursday, July 3, 2031, 6:00 PM (Israel Time)" in text
    assert "Jerusalem" in text
    assert f'href="/engage/events/{event.id}.ics"' in response.get_data(as_text=True)
    assert 'action="/go/roots"' in response.get_data(as_text=True)
    assert "https://roots.example.org" in response.headers["Content-Security-Policy"]


def test_a_past_events_page_says_so_and_offers_no_calendar(client, make_org, make_event):
    event = make_event(make_org("roots"), "Last year", days=-300)

    response = client.get(f"/engage/events/{event.id}")

    assert "This has already taken place." in text_of(response)
    assert ".ics" not in response.get_data(as_text=True).split("<main")[1]


@pytest.mark.parametrize("status", [PublicationStatus.DRAFT, PublicationStatus.PROPOSED])
def test_an_unpublished_event_has_no_page_and_no_calendar(client, make_org, make_event, status):
    event = make_event(make_org("roots"), status=status)

    assert client.get(f"/engage/events/{event.id}").status_code == 404
    assert client.get(f"/engage/events/{event.id}.ics").status_code == 404


def test_a_suspended_members_events_leave_the_public_pages(client, make_org, make_event):
    event = make_event(make_org("roots", status=OrgStatus.SUSPENDED), "Hidden")

    assert client.get(f"/engage/events/{event.id}").status_code == 404
    assert "Hidden" not in client.get("/engage").get_data(as_text=True)


def test_a_hostile_description_reaches_the_page_harmless(client, make_org, make_event):
    event = make_event(
        make_org("roots"), description="<script>alert(1)</script>[x](javascript:alert(1))"
    )

    html = client.get(f"/engage/events/{event.id}").get_data(as_text=True)

    assert "<script>alert" not in html and 'href="javascript:' not in html


def test_a_member_page_shows_its_upcoming_events(client, make_org, make_event):
    org = make_org("roots")
    make_event(org, "Roots gathering")
    make_event(make_org("ecopeace"), "Not theirs")

    html = client.get("/organizations/roots").get_data(as_text=True)

    assert "Roots gathering" in html and "Not theirs" not in html
    assert 'href="/engage/members/roots/events.ics"' in html
