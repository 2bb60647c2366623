"""Demo statements for ``seed-demo``, so that a fresh ``make run`` shows a living /listen."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Organization, PublicationStatus, Statement

DEMO_FILE = Path(__file__).with_name("demo_statements.json")


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
