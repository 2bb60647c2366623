"""An event's times as a reader sees them: in the event's own zone, in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_location
from flask_babel import get_locale


def event_time(instant: datetime | None, zone_name: str) -> str:
    """``instant`` in ``zone_name``, with the zone named: "Thursday, December 3, 2026, 6:00 PM
    (Israel Time)"."""
    if instant is None:
        return ""
    zone = ZoneInfo(zone_name)
    locale = get_locale() or "en"
    local = instant.astimezone(zone)
    day = format_date(local, "full", locale=locale)
    hour = format_time(local, "short", tzinfo=zone, locale=locale)
    return f"{day}, {hour} ({get_timezone_location(zone, locale=locale)})"
