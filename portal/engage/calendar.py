"""iCalendar files of events, built with the icalendar library.

Each start and end is written in the event's own time zone (``TZID``) with that zone's
``VTIMEZONE`` rules, so a calendar app shows the right instant before and after a
daylight-saving change, wherever the reader is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from portal.listen.text import plain_text, render_markdown
from portal.models import Event, utcnow

PRODID = "-//Peacebuilders' Giving Portal//Engage//EN"


def calendar(
    events: Iterable[Event], *, name: str, host: str, url_for_event: Callable[[Event], str]
) -> bytes:
    """One VCALENDAR holding ``events`` (dated ones only)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        if event.starts_at is not None:
            cal.add_component(_entry(event, host, url_for_event(event)))
    cal.add_missing_timezones()
    return cal.to_ical()


def _entry(event: Event, host: str, url: str) -> CalendarEvent:
    zone = ZoneInfo(event.timezone)
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{host}")
    entry.add("dtstamp", utcnow())
    entry.add("last-modified", event.updated_at)
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    if event.ends_at is not None:
        entry.add("dtend", event.ends_at.astimezone(zone))
    text = plain_text(str(render_markdown(event.description)))
    entry.add("description", f"{event.organization.name}\n\n{text}\n\n{url}")
    entry.add("url", url)
    entry.add("location", event.online_url or event.place)
    return entry
