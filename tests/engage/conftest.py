"""Engage fixtures: events and opportunities written as staff would, around a real clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models import Event, EventKind, Organization, PublicationStatus
from tests.helpers.clock import NOW


@pytest.fixture
def make_event(db_session):
    """Factory: a published event of ``org`` starting ``days`` from now (negative: past)."""

    def _make(org: Organization, title: str = "Open evening", *, days: float = 7, **fields):
        fields.setdefault("status", PublicationStatus.PUBLISHED)
        fields.setdefault("kind", EventKind.EVENT)
        if fields["kind"] == EventKind.EVENT:
            fields.setdefault("starts_at", NOW + timedelta(days=days))
            fields.setdefault("ends_at", fields["starts_at"] + timedelta(hours=2))
        fields.setdefault("place", "Jerusalem")
        fields.setdefault("timezone", "Asia/Jerusalem")
        fields.setdefault("description", f"Come to *{title}*.")
        event = Event(organization_id=org.id, title=title, **fields)
        db_session.add(event)
        db_session.commit()
        return event

    return _make
