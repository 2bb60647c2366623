"""Podcast episodes in the database: the import by GUID, and staff edits the import respects.

Flushes, never commits: the command or view that calls commits once, so an import is all or
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.listen import podcast
from portal.listen.podcast import EpisodeData
from portal.listen.text import clean_html
from portal.models import Episode, Organization
from portal.staff import audit
from portal.staff.audit import Actor

# What the feed owns; staff's changes to the rest survive a re-import.
_FEED_FIELDS = ("published_at", "duration_seconds", "audio_url", "page_url", "language")
_EDITABLE = ("title", "description")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    skipped: int = 0


def import_episodes(
    session: Session, read: Iterable[EpisodeData], *, skipped: int = 0, is_demo: bool = False
) -> ImportResult:
    """Add new episodes and refresh known ones by GUID; running it twice changes nothing."""
    episodes = list(read)
    known = {
        e.guid: e
        for e in session.scalars(
            select(Episode).where(Episode.guid.in_([d.guid for d in episodes]))
        )
    }
    added = updated = 0
    for data in {d.guid: d for d in episodes}.values():  # a GUID twice in a feed: the last wins
        episode = known.get(data.guid)
        if episode is None:
            session.add(Episode(guid=data.guid, is_demo=is_demo, **_fields(data, _EDITABLE)))
            added += 1
        elif _refresh(episode, data):
            updated += 1
    session.flush()
    unchanged = len({d.guid for d in episodes}) - added - updated
    return ImportResult(added, updated, unchanged, skipped)


def edit_episode(
    session: Session,
    actor: Actor,
    episode: Episode,
    *,
    title: str,
    description: str,
    members: list[Organization],
) -> dict[str, tuple]:
    """Staff's changes to an episode, audited; a changed text is kept from then on. Flushes."""
    after = {
        "title": " ".join(title.split())[:300] or episode.title,
        "description": clean_html(description),
        "members": sorted(org.slug for org in members),
    }
    before = {
        "title": episode.title,
        "description": episode.description,
        "members": sorted(org.slug for org in episode.members),
    }
    changes = {name: (before[name], after[name]) for name in after if before[name] != after[name]}
    if not changes:
        return changes
    episode.title, episode.description = after["title"], after["description"]
    episode.members = list(members)
    if {"title", "description"} & changes.keys():
        episode.staff_edited = True
    audit.record(session, actor, episode, changes)
    return changes


def _refresh(episode: Episode, data: EpisodeData) -> bool:
    names = _FEED_FIELDS if episode.staff_edited else (*_FEED_FIELDS, *_EDITABLE)
    changed = False
    for name in names:
        if getattr(episode, name) != getattr(data, name):
            setattr(episode, name, getattr(data, name))
            changed = True
    return changed


def _fields(data: EpisodeData, extra: tuple[str, ...]) -> dict:
    return {name: getattr(data, name) for name in (*_FEED_FIELDS, *extra)}


def fetch_feed(url: str, *, max_bytes: int, timeout: float) -> podcast.FeedRead:
    """Fetch and read a podcast feed; raises ``PodcastError``. No database work: call it before
    the write opens, so no writer waits while the feed's server takes its time."""
    return podcast.read(podcast.fetch(url, max_bytes=max_bytes, timeout=timeout))


def import_feed(session: Session, feed: podcast.FeedRead) -> ImportResult:
    """Import a feed `fetch_feed` has read. Flushes."""
    return import_episodes(session, feed.episodes, skipped=feed.skipped)
