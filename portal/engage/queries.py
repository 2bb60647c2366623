"""Finding what visitors may take part in: upcoming events and open opportunities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.models import Event, EventKind, Organization, OrganizationFocus, OrgStatus
from portal.models import PublicationStatus as Status

MAX_LISTED = 200  # far more than a coalition publishes at once; bounds one page's work


@dataclass(frozen=True)
class Filters:
    """What a visitor narrowed ``/engage`` to; empty means "any"."""

    member: str = ""
    focus: str = ""
    region: str = ""
    language: str = ""


@dataclass(frozen=True)
class Upcoming:
    events: list[Event]
    opportunities: list[Event]


def upcoming(session: Session, filters: Filters, *, now: datetime) -> Upcoming:
    """Published events that have not ended, soonest first, and opportunities still open."""
    query = _open(now)
    if filters.member:
        query = query.where(Organization.slug == filters.member)
    if filters.focus:
        query = query.where(Organization.focus.any(OrganizationFocus.area == filters.focus))
    if filters.region:
        query = query.where(Event.region == filters.region)
    if filters.language:
        query = query.where(Event.language == filters.language)
    ordered = query.order_by(Event.starts_at.is_(None), Event.starts_at, Event.id)
    found = list(session.scalars(ordered.limit(MAX_LISTED)))
    return Upcoming(
        [e for e in found if e.kind == EventKind.EVENT],
        [e for e in found if e.kind == EventKind.OPPORTUNITY],
    )


def public_event(session: Session, event_id: int) -> Event | None:
    """A published event or opportunity of an active recipient (past ones too), or None."""
    return session.scalar(_published().where(Event.id == event_id))


def calendar_events(session: Session, *, now: datetime, member: str = "") -> list[Event]:
    """Upcoming dated events for an iCalendar feed."""
    query = _open(now).where(Event.kind == EventKind.EVENT, Event.starts_at.is_not(None))
    if member:
        query = query.where(Organization.slug == member)
    return list(session.scalars(query.order_by(Event.starts_at, Event.id).limit(MAX_LISTED)))


def _published():
    return (
        select(Event)
        .join(Event.organization)
        .where(Event.status == Status.PUBLISHED, Organization.status == OrgStatus.ACTIVE)
    )


def _open(now: datetime):
    # An event drops off once it has ended (or started, when it has no end); an opportunity
    # once its closing time has passed, and never when it has none.
    return _published().where(
        or_(
            func.coalesce(Event.ends_at, Event.starts_at) >= now,
            (Event.kind == EventKind.OPPORTUNITY) & Event.ends_at.is_(None),
        )
    )
