"""Fixed-window rate limits counted in the database, so every worker sees the same count.

Visitor keys are keyed hashes under the day's rotating visitor salt (``daily_salt``), never under
the secret key: a key can be matched to an address only while that day's salt exists (two days),
and a finished window's counters are deleted at the next hit of their scope.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.db.writing import dialect_insert
from portal.models import DailySalt, RateCounter, utcnow
from portal.referrals.visitors import SaltKeeper


def visitor_key(salt: str, scope: str, client_ip: str) -> str:
    """A per-visitor key that does not contain, and cannot give back, the IP address."""
    digest = hmac.new(salt.encode(), f"{scope}\x1f{client_ip}".encode(), hashlib.sha256)
    return f"{scope}:{digest.hexdigest()[:40]}"


def todays_visitor_key(session: Session, salts: SaltKeeper, scope: str, client_ip: str) -> str:
    """``visitor_key`` under today's (UTC) visitor salt, in a writer's transaction (the salt may
    be new). Flushes, never commits."""
    return visitor_key(salts.salt_for(session, utcnow().date()), scope, client_ip)


def day_salts(session: Session, salts: SaltKeeper, day: date) -> tuple[str, ...]:
    """``day``'s visitor salt, then the day before's while it is still kept, in a writer's
    transaction (the salt may be new). Flushes, never commits."""
    today = salts.salt_for(session, day)
    before = session.scalar(select(DailySalt.salt).where(DailySalt.day == day - timedelta(days=1)))
    return (today,) if before is None else (today, before)


def hit(session: Session, key: str, *, limit: int, window_seconds: int, now: float) -> bool:
    """Count one hit for ``key``; False once the window holds more than ``limit``. Call it in a
    writer's transaction (``writing``). Flushes, never commits."""
    window = int(now // window_seconds)
    table = RateCounter.__table__
    insert = dialect_insert(session.get_bind().dialect)
    statement = (
        insert(table)
        .values(key=key, window_start=window, hits=1)
        .on_conflict_do_update(
            index_elements=[table.c.key, table.c.window_start],
            set_={"hits": table.c.hits + 1},
        )
        .returning(table.c.hits)
    )
    hits = session.execute(statement).scalar_one()
    if hits == 1:
        # First hit of a new window for this visitor: drop every finished window of the scope
        # (windows of one scope share a length), whoever's they were.
        scope = key.partition(":")[0]
        session.execute(
            delete(RateCounter).where(
                RateCounter.key.startswith(f"{scope}:", autoescape=True),
                RateCounter.window_start < window,
            )
        )
    return hits <= limit


def checkout_allowed(session: Session, salts: SaltKeeper, client_ip: str, config) -> bool:
    """Count one checkout for this visitor; False once it is over ``CHECKOUT_RATE_LIMIT`` in
    the window. The donation form and the basket share the count."""
    key = todays_visitor_key(session, salts, "checkout", client_ip)
    return hit(
        session,
        key,
        limit=config["CHECKOUT_RATE_LIMIT"],
        window_seconds=config["CHECKOUT_RATE_WINDOW_SECONDS"],
        now=time.time(),
    )
