"""Each worker's copy of where every recipient's hand-off goes.

The hand-off must work when the database does not, so a worker keeps the last routing table it
read and keeps using it, stale, while the database is unreachable. Every table read that differs
from the last one is also written to a snapshot file (atomically: a reader sees the old file or
the new one, never half), so a worker that starts during an outage routes from it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import astuple, dataclass
from pathlib import Path

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

    def __init__(
        self, sessions: sessionmaker[Session], max_age: float, snapshot: str | Path | None = None
    ) -> None:
        self._sessions = sessions
        self.max_age = max_age
        self._snapshot = Path(snapshot) if snapshot else None
        self._routes: dict[str, Route] | None = None
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
            if self._routes is None:
                self._routes = read_snapshot(self._snapshot)
                if self._routes is None:
                    raise
                log.warning("database unavailable; routing from the snapshot %s", self._snapshot)
            else:
                log.warning("routing table refresh failed; using the copy from before")
            return
        routes = {row.slug: Route(*row) for row in rows}
        if routes != self._routes and self._snapshot is not None:
            write_snapshot(self._snapshot, routes)
        self._routes = routes
        self._loaded_at = now


def write_snapshot(path: Path, routes: dict[str, Route]) -> None:
    """Replace the snapshot file with ``routes``; a failure is logged and changes nothing."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump([astuple(route) for route in routes.values()], handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        log.warning("routing snapshot %s could not be written", path, exc_info=True)
        temporary.unlink(missing_ok=True)


def read_snapshot(path: Path | None) -> dict[str, Route] | None:
    """The routes a snapshot holds, or None when there is no readable one."""
    if path is None:
        return None
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        routes = [_route(*row) for row in rows]
    except (OSError, ValueError, TypeError):
        return None
    return {route.slug: route for route in routes}


def _route(organization_id, slug, name, kind, mode, status, donation_url) -> Route:
    return Route(
        int(organization_id),
        str(slug),
        str(name),
        RecipientKind(kind),
        HandoffMode(mode),
        OrgStatus(status),
        None if donation_url is None else str(donation_url),
    )


_ROUTE_COLUMNS = (
    Organization.id,
    Organization.slug,
    Organization.name,
    Organization.kind,
    Organization.handoff_mode,
    Organization.status,
    Organization.donation_url,
)
