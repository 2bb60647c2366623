"""Listen fixtures: statements and episodes written as staff or the importer would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.models import Episode, Organization, PublicationStatus, Statement
from tests.staff.conftest import (  # noqa: F401 — the console's sign-in fixtures
    audit_entries,
    default_hash,
    login_as,
    make_staff,
    post_form,
    sign_in,
    text_of,
    token_on,
)

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LANGUAGES": ["en", "ar", "he"], "LISTEN_PAGE_SIZE": 3}


@pytest.fixture
def make_statement(db_session):
    """Factory: a published statement of ``org`` from ``days_ago`` days ago."""

    def _make(org: Organization, title: str = "We keep meeting", **fields) -> Statement:
        days_ago = fields.pop("days_ago", 1)
        fields.setdefault("status", PublicationStatus.PUBLISHED)
        if fields["status"] == PublicationStatus.PUBLISHED:
            fields.setdefault("published_at", NOW - timedelta(days=days_ago))
        fields.setdefault("summary", f"Summary of {title}.")
        fields.setdefault("body", f"The text of *{title}*.")
        statement = Statement(organization_id=org.id, title=title, **fields)
        db_session.add(statement)
        db_session.commit()
        return statement

    return _make


@pytest.fixture
def make_episode(db_session):
    """Factory: an imported episode, optionally with the members who speak in it."""

    def _make(title: str = "Episode one", *, members=(), days_ago: int = 1, **fields) -> Episode:
        fields.setdefault("guid", f"guid-{title}")
        fields.setdefault("description", f"<p>About {title}.</p>")
        fields.setdefault("audio_url", f"https://audio.example.org/{len(title)}.mp3")
        episode = Episode(title=title, published_at=NOW - timedelta(days=days_ago), **fields)
        episode.members = list(members)
        db_session.add(episode)
        db_session.commit()
        return episode

    return _make
