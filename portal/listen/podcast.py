"""Reading a podcast's RSS 2.0 + iTunes feed: fetched with a size cap, parsed by feedparser.

Nothing here touches the database. A feed is read whole or refused whole: one that is not
well-formed XML, too large, unreachable or holds no usable episode raises ``PodcastError``
with a message safe to show staff, so an import never stops halfway.
"""

from __future__ import annotations

import calendar
import re
import urllib.request
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

import feedparser
from flask_babel import gettext as _

from portal.listen.text import clean_html, plain_text
from portal.models.texts import TEXT_LANGUAGES

USER_AGENT = "CoalitionPortal-Podcast/1.0"
_DURATION = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})|(\d{1,6})")
LIMITS = {"guid": 500, "title": 300, "description": 20_000, "url": 2000}


class PodcastError(Exception):
    """A feed that cannot be imported; the message is safe to show staff."""


@dataclass(frozen=True)
class EpisodeData:
    """One episode as the feed states it, already cleaned."""

    guid: str
    title: str
    description: str
    published_at: datetime
    duration_seconds: int | None
    audio_url: str | None
    page_url: str | None
    language: str


@dataclass(frozen=True)
class FeedRead:
    episodes: list[EpisodeData]
    skipped: int  # entries without a title, an id or a date


def fetch(url: str, *, max_bytes: int, timeout: float) -> bytes:
    """The feed's bytes; refuses a non-web address, an error answer, or more than ``max_bytes``."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise PodcastError(_("The feed address must start with https:// or http://."))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(max_bytes + 1)
    except (URLError, OSError, ValueError) as error:
        if isinstance(error, HTTPError):
            error.close()  # an error answer still holds its connection open
        raise PodcastError(
            _("The feed could not be reached (%(reason)s).", reason=_reason(error))
        ) from error
    if len(data) > max_bytes:
        raise PodcastError(
            _("The feed is larger than %(size)d MB; nothing was imported.", size=max_bytes >> 20)
        )
    return data


def read(data: bytes) -> FeedRead:
    """Every usable episode of the feed in ``data``."""
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if isinstance(parsed.get("bozo_exception"), xml.sax.SAXException) or not parsed.get("version"):
        raise PodcastError(_("This is not a readable RSS or Atom feed; nothing was imported."))
    language = _language(parsed.feed.get("language", ""))
    episodes = [e for e in (_episode(entry, language) for entry in parsed.entries) if e]
    if parsed.entries and not episodes:
        raise PodcastError(_("No episode in the feed has a title, an id and a date."))
    return FeedRead(episodes, len(parsed.entries) - len(episodes))


def _episode(entry, language: str) -> EpisodeData | None:
    audio = _audio(entry)
    guid = (entry.get("id") or audio or entry.get("link") or "").strip()
    title = plain_text(entry.get("title", ""))
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    if not (guid and title and when) or len(guid) > LIMITS["guid"]:
        return None
    description = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
    return EpisodeData(
        guid=guid,
        title=title[: LIMITS["title"]],
        description=clean_html(description)[: LIMITS["description"]],
        published_at=datetime.fromtimestamp(calendar.timegm(when), UTC),
        duration_seconds=_duration(entry.get("itunes_duration", "")),
        audio_url=audio,
        page_url=_web_url(entry.get("link")),
        language=language,
    )


def _audio(entry) -> str | None:
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "audio/")).startswith("audio/"):
            return _web_url(enclosure.get("href"))
    return None


def _web_url(url: str | None) -> str | None:
    url = (url or "").strip()
    ok = urlsplit(url).scheme in {"http", "https"} and len(url) <= LIMITS["url"]
    return url if ok else None


def _duration(text: str) -> int | None:
    match = _DURATION.fullmatch(str(text).strip())
    if not match:
        return None
    hours, minutes, seconds, plain = match.groups()
    if plain is not None:
        return int(plain)
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def _language(code: str) -> str:
    short = code.strip().lower()[:2]
    return short if short in TEXT_LANGUAGES else TEXT_LANGUAGES[0]


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    return str(getattr(error, "code", "") or reason)[:200]
