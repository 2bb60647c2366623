"""Demo statements and podcast for ``seed-demo``, so that ``make run`` shows a living /listen."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.listen import episodes, podcast
from portal.listen.episodes import ImportResult
from portal.models import Episode, Organization, PublicationStatus, Statement

DEMO_FILE = Path(__file__).with_name("demo_statements.json")
DEMO_PODCAST = Path(__file__).with_name("demo_podcast.xml")


def load_demo_statements(session: Session, *, now: datetime, path: Path = DEMO_FILE) -> int:
    """Add the demo statements whose recipient exists and that are not there yet; returns how
    many. Flushes, never commits; running it twice changes nothing."""
    entries = json.loads(path.read_text(encoding="utf-8"))["statements"]
    orgs = {org.slug: org for org in session.scalars(select(Organization))}
    added = 0
    for entry in entries:
        org = orgs.get(entry["slug"])
        if org is None or _exists(session, org, entry["title"]):
            continue
        when = now - timedelta(days=entry["days_ago"])
        original = _statement(org, entry, when)
        session.add(original)
        session.flush()
        for translation in entry.get("translations", []):
            session.add(_statement(org, translation, when, translation_of=original))
        added += 1 + len(entry.get("translations", []))
    session.flush()
    return added


def _exists(session: Session, org: Organization, title: str) -> bool:
    query = select(Statement.id).filter_by(organization_id=org.id, title=title)
    return session.scalar(query) is not None


def _statement(
    org: Organization, entry: dict, when: datetime, translation_of: Statement | None = None
) -> Statement:
    return Statement(
        organization=org,
        title=entry["title"],
        summary=entry["summary"],
        body=entry["body"],
        language=entry["language"],
        status=PublicationStatus.PUBLISHED,
        published_at=when,
        translation_of=translation_of,
        is_demo=True,
    )


def load_demo_podcast(session: Session, path: Path = DEMO_PODCAST) -> ImportResult:
    """Import the demo feed shipped in the repository and name who speaks in each new episode.
    Flushes, never commits; running it twice changes nothing."""
    feed = podcast.read(path.read_bytes())
    result = episodes.import_episodes(session, feed.episodes, is_demo=True)
    voices = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["podcast_members"]
    orgs = {org.slug: org for org in session.scalars(select(Organization))}
    for episode in session.scalars(select(Episode).where(Episode.guid.in_(voices))):
        if not episode.members:
            episode.members = [orgs[slug] for slug in voices[episode.guid] if slug in orgs]
    session.flush()
    return result
