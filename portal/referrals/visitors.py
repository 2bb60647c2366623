"""Who is asking: crawlers and link previews, and a privacy-safe daily visitor hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta
from functools import lru_cache

from crawlerdetect import CrawlerDetect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.db.writing import insert_ignore
from portal.models import DailySalt


@lru_cache(maxsize=8192)
def bot_reason(user_agent: str) -> str | None:
    """Why this User-Agent looks automated (the matched crawler name), or None for a browser."""
    if not user_agent.strip():
        return "no user agent"
    detector = CrawlerDetect()
    if detector.isCrawler(user_agent):
        return f"crawler: {detector.getMatches()}"[:100]
    return None


def visitor_hash(salt: str, client_ip: str, user_agent: str, recipient_id: int) -> str:
    """A keyed hash that counts unique visitors for one day and cannot be turned back into an IP."""
    mac = _keyed(salt).copy()
    mac.update(f"{client_ip}\x1f{user_agent}\x1f{recipient_id}".encode())
    return mac.hexdigest()[:32]


@lru_cache(maxsize=4)
def _keyed(salt: str) -> hmac.HMAC:
    # HMAC-SHA256 with the day's key already set up: each hand-off copies it instead of having
    # OpenSSL look the digest up and key it again.
    return hmac.new(salt.encode(), digestmod=hashlib.sha256)


class SaltKeeper:
    """Each worker's copy of today's salt; the database is the source all workers agree on."""

    def __init__(self) -> None:
        self._day: date | None = None
        self._salt: str | None = None

    def cached(self, day: date) -> str | None:
        """Today's salt if this worker already has it (no database needed)."""
        return self._salt if self._day == day else None

    def salt_for(self, session: Session, day: date) -> str:
        """Today's salt, created on first use of the day: call it in a writer's transaction
        (``writing``). Flushes, never commits."""
        if self._day != day:
            self._salt = _load_or_create_salt(session, day)
            self._day = day
        return self._salt


def _load_or_create_salt(session: Session, day: date) -> str:
    insert_ignore(session, DailySalt, {"day": day, "salt": secrets.token_hex(32)})
    # Yesterday's salt is kept so a visit just after midnight still matches; older ones go, which
    # makes every older visitor hash impossible to recompute.
    session.execute(delete(DailySalt).where(DailySalt.day < day - timedelta(days=1)))
    return session.scalar(select(DailySalt.salt).where(DailySalt.day == day))
