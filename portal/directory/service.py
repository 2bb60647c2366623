"""Changing the directory."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    TEXT_LANGUAGES,
    HandoffMode,
    Organization,
    OrganizationFocus,
    RecipientKind,
)

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


def load_demo(session: Session, path: Path = DEMO_FILE) -> tuple[int, int]:
    """Add the demo recipients that are not there yet, and the translations demo recipients
    lack; returns ``(recipients added, texts filled in)``. Flushes, never commits.

    Existing slugs keep everything they have, so running it twice changes nothing and never
    overwrites what staff have edited; a demo database made before the translations gains them.
    """
    entries = json.loads(path.read_text(encoding="utf-8"))["organizations"]
    existing = {org.slug: org for org in session.scalars(select(Organization))}
    added = [_demo_org(entry) for entry in entries if entry["slug"] not in existing]
    session.add_all(added)
    filled = sum(
        _fill_texts(existing[entry["slug"]], entry)
        for entry in entries
        if entry["slug"] in existing and existing[entry["slug"]].is_demo
    )
    session.flush()
    return len(added), filled


def _demo_org(entry: dict) -> Organization:
    org = Organization(
        slug=entry["slug"],
        kind=RecipientKind(entry["kind"]),
        handoff_mode=HandoffMode(entry["handoff_mode"]),
        is_demo=True,
        **{name: entry.get(name) for name in _PLAIN_FIELDS},
    )
    org.original_language = entry.get("original_language", TEXT_LANGUAGES[0])
    org.focus = [OrganizationFocus(area=area) for area in entry.get("focus_areas", [])]
    _fill_texts(org, entry)
    return org


def _fill_texts(org: Organization, entry: dict) -> int:
    """Give ``org`` each demo translation it has no text for; returns how many it got."""
    filled = 0
    for language, texts in entry.get("texts", {}).items():
        if language == org.original_language:
            continue
        for name, words in texts.items():
            if words and not org.text_in(name, language):
                org.set_text(name, language, words)
                filled += 1
    return filled
