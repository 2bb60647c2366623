"""Each worker's copy of where every recipient's hand-off goes.

The hand-off must work when the database does not, so a worker keeps the last routing table it
read and keeps using it, stale, while the database is unreachable.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal.models import HandoffMode, Organization, OrgStatus, RecipientKind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Route:
    organization_id: int
    slug: str
    name: str
    kind: RecipientKind
    mode: HandoffMode
    status: OrgStatus
    donation_url: str | None

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE


class RouteTable:
    """Slug → Route, refreshed from the database at most every ``max_age`` seconds."""

    def __init__(self, sessions: sessionmaker[Session], max_age: float) -> None:
        self._sessions = sessions
        self.max_age = max_age
        self._routes: dict[str, Route] = {}
        self._loaded_at: float | None = None

    def lookup(self, slug: str) -> Route | None:
        """The route for ``slug``; a stale copy when the database cannot answer."""
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at > self.max_age:
            self._refresh(now)
        return self._routes.get(slug)

    def coalition(self, slug: str) -> Route | None:
        route = self.lookup(slug)
        return route if route and route.kind == RecipientKind.COALITION else None

    def invalidate(self) -> None:
        """Make the next lookup read the database (after staff change a recipient)."""
        self._loaded_at = None

    def _refresh(self, now: float) -> None:
        try:
            with self._sessions() as session:
                rows = session.execute(select(*_ROUTE_COLUMNS)).all()
        except SQLAlchemyError:
            if self._loaded_at is None:
                raise
            log.warning("routing table refresh failed; using the copy from before")
            return
        self._routes = {row.slug: Route(*row) for row in rows}
        self._loaded_at = now


_ROUTE_COLUMNS = (
    Organization.id,
    Organization.slug,
    Organization.name,
    Organization.kind,
    Organization.handoff_mode,
    Organization.status,
    Organization.donation_url,
)
