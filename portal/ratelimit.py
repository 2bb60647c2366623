"""Fixed-window rate limits counted in the database, so every worker sees the same count."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.db import begin_write, dialect_insert
from portal.models import RateCounter


def visitor_key(secret: str, scope: str, client_ip: str) -> str:
    """A per-visitor key that does not contain, and cannot give back, the IP address."""
    digest = hmac.new(secret.encode(), f"{scope}\x1f{client_ip}".encode(), hashlib.sha256)
    return f"{scope}:{digest.hexdigest()[:40]}"


def hit(session: Session, key: str, *, limit: int, window_seconds: int, now: float) -> bool:
    """Count one hit for ``key``; False once the window holds more than ``limit``. Flushes."""
    begin_write(session)
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
        # First hit of a new window: drop this key's finished windows.
        session.execute(
            delete(RateCounter).where(RateCounter.key == key, RateCounter.window_start < window)
        )
    return hits <= limit
