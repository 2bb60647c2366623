"""Changing the directory."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import HandoffMode, Organization, OrganizationFocus, RecipientKind

DEMO_FILE = Path(__file__).with_name("demo_organizations.json")

_PLAIN_FIELDS = (
    "name",
    "short_description",
    "long_description",
    "region",
    "country",
    "website",
    "donation_url",
    "listen_url",
    "engage_url",
)


def load_demo(session: Session, path: Path = DEMO_FILE) -> int:
    """Add the demo recipients that are not there yet; returns how many. Flushes, never commits.

    Existing slugs are left alone, so running it twice changes nothing and never overwrites what
    staff have edited.
    """
    entries = json.loads(path.read_text(encoding="utf-8"))["organizations"]
    existing = set(session.scalars(select(Organization.slug)))
    added = [_demo_org(entry) for entry in entries if entry["slug"] not in existing]
    session.add_all(added)
    session.flush()
    return len(added)


def _demo_org(entry: dict) -> Organization:
    org = Organization(
        slug=entry["slug"],
        kind=RecipientKind(entry["kind"]),
        handoff_mode=HandoffMode(entry["handoff_mode"]),
        is_demo=True,
        **{name: entry.get(name) for name in _PLAIN_FIELDS},
    )
    org.focus = [OrganizationFocus(area=area) for area in entry.get("focus_areas", [])]
    return org
