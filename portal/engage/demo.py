"""Demo events for ``seed-demo``, so that ``make run`` shows a living /engage."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Event, EventKind, Organization, PublicationStatus

DEMO_FILE = Path(__file__).with_name("demo_events.json")


def load_demo_events(session: Session, *, now: datetime, path: Path = DEMO_FILE) -> int:
    """Add the demo events whose recipient exists and that are not there yet, dated from
    ``now``; returns how many. Flushes, never commits; running it twice changes nothing."""
    orgs = {org.slug: org for org in session.scalars(select(Organization))}
    titles = set(session.scalars(select(Event.title).where(Event.is_demo)))
    added = [
        _event(orgs[entry["slug"]], entry, now)
        for entry in json.loads(path.read_text(encoding="utf-8"))["events"]
        if entry["slug"] in orgs and entry["title"] not in titles
    ]
    session.add_all(added)
    session.flush()
    return len(added)


def _event(org: Organization, entry: dict, now: datetime) -> Event:
    zone = ZoneInfo(entry["timezone"])
    day = (now + timedelta(days=entry["days_ahead"])).astimezone(zone).date()
    local = datetime(day.year, day.month, day.day, entry["hour"], tzinfo=zone)
    kind = EventKind(entry["kind"])
    starts = local if kind == EventKind.EVENT else None
    ends = local + timedelta(hours=entry["hours"]) if kind == EventKind.EVENT else local
    return Event(
        organization=org,
        kind=kind,
        title=entry["title"],
        description=entry["description"],
        language=entry["language"],
        timezone=entry["timezone"],
        starts_at=starts,
        ends_at=ends,
        place=entry["place"],
        region=entry["region"],
        online_url=entry.get("online_url"),
        status=PublicationStatus.PUBLISHED,
        published_at=now,
        is_demo=True,
    )
