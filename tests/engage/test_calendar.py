"""iCalendar files read back by the icalendar library: the right instants, in their zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from portal.models import EventKind
from tests.helpers.clock import NOW

JERUSALEM = ZoneInfo("Asia/Jerusalem")


def next_offset_change(zone: ZoneInfo, after: datetime) -> date:
    """The first day after ``after`` whose noon has another UTC offset than the day before."""
    day = after.astimezone(zone).date()
    for _ in range(800):
        before = datetime(day.year, day.month, day.day, 12, tzinfo=zone).utcoffset()
        day += timedelta(days=1)
        if datetime(day.year, day.month, day.day, 12, tzinfo=zone).utcoffset() != before:
            return day
    raise AssertionError(f"{zone} changes no offset within two years")


def read(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_the_feed_keeps_local_times_right_across_a_daylight_saving_change(
    client, make_org, make_event
):
    org = make_org("roots")
    change = next_offset_change(JERUSALEM, NOW + timedelta(days=1))
    before = datetime.combine(change - timedelta(days=2), datetime.min.time()).replace(
        hour=18, tzinfo=JERUSALEM
    )
    after = datetime.combine(change + timedelta(days=2), datetime.min.time()).replace(
        hour=18, tzinfo=JERUSALEM
    )
    make_event(org, "Before the change", starts_at=before, ends_at=before + timedelta(hours=2))
    make_event(org, "After the change", starts_at=after, ends_at=after + timedelta(hours=2))

    calendar = read(client, "/engage/events.ics")

    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    starts = {name: e.decoded("dtstart") for name, e in events.items()}
    # 18:00 on the wall both days: in UTC the two instants sit an hour apart in clock time.
    assert before.utcoffset() != after.utcoffset()
    assert starts["Before the change"].astimezone(UTC) == before.astimezone(UTC)
    assert starts["After the change"].astimezone(UTC) == after.astimezone(UTC)
    assert [start.astimezone(JERUSALEM).hour for start in starts.values()] == [18, 18]
    assert {str(e["dtstart"].params["TZID"]) for e in events.values()} == {"Asia/Jerusalem"}
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "Asia/Jerusalem"


def test_each_zone_keeps_its_own_instant(client, make_org, make_event):
    london = datetime(2031, 3, 20, 19, 0, tzinfo=ZoneInfo("Europe/London"))
    make_event(
        make_org("allmep"),
        "Briefing",
        starts_at=london,
        ends_at=None,
        timezone="Europe/London",
        place="",
        online_url="https://meet.example.org/b",
    )

    [event] = read(client, "/engage/events.ics").walk("VEVENT")

    assert event.decoded("dtstart").astimezone(UTC) == datetime(2031, 3, 20, 19, 0, tzinfo=UTC)
    assert str(event["location"]) == "https://meet.example.org/b"


def test_one_events_file_holds_that_event_with_its_page(client, make_org, make_event):
    event = make_event(make_org("roots", name="Roots"), "Open evening")

    calendar = read(client, f"/engage/events/{event.id}.ics")

    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Open evening"
    assert str(entry["url"]) == f"http://portal.test/engage/events/{event.id}"
    assert str(entry["uid"]) == f"event-{event.id}@portal.test"
    assert "Roots" in str(entry["description"])
    assert entry.decoded("dtstart") == event.starts_at


def test_a_members_feed_holds_only_its_upcoming_events(client, make_org, make_event):
    roots = make_org("roots")
    make_event(roots, "Roots soon")
    make_event(roots, "Roots past", days=-2)
    make_event(make_org("ecopeace"), "Eco soon")
    make_event(roots, "Roots opportunity", kind=EventKind.OPPORTUNITY, starts_at=None)

    calendar = read(client, "/engage/members/roots/events.ics")

    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Roots soon"]


def test_an_unknown_members_feed_is_404(client):
    assert client.get("/engage/members/nobody/events.ics").status_code == 404
