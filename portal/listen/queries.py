"""Finding what visitors may read: published statements and podcast episodes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from portal.models import (
    Episode,
    Organization,
    OrganizationFocus,
    OrgStatus,
    PublicationStatus,
    Statement,
)
from portal.paging import Page


@dataclass(frozen=True)
class Filters:
    """What a visitor narrowed ``/listen`` to; empty means "any"."""

    member: str = ""
    focus: str = ""
    language: str = ""


@dataclass(frozen=True)
class Item:
    """One line of ``/listen``: a statement or an episode."""

    kind: str  # "statement" or "episode"
    when: datetime
    record: Statement | Episode


def public_statement(session: Session, statement_id: int) -> Statement | None:
    """A published statement of an active recipient, or None."""
    return session.scalar(_published_statements().where(Statement.id == statement_id))


def listing(session: Session, filters: Filters, *, locale: str, number: int, size: int) -> Page:
    """One page of statements and episodes, newest first.

    The newest ``number * size`` of each kind hold the page's items, so each kind is read only
    that far and the two are merged.
    """
    statements = _statements_for(filters, locale)
    episodes = _episodes_for(filters)
    total = _count(session, statements) + _count(session, episodes)
    depth = number * size
    merged = [
        *(Item("statement", s.published_at, s) for s in _newest(session, statements, depth)),
        *(Item("episode", e.published_at, e) for e in _newest(session, episodes, depth)),
    ]
    merged.sort(key=lambda item: item.when, reverse=True)
    return Page(merged[depth - size : depth], number, size, total)


def latest_for(session: Session, org: Organization, *, locale: str, limit: int = 3) -> Page:
    """A member page's few newest statements and the episodes its people speak in."""
    return listing(session, Filters(member=org.slug), locale=locale, number=1, size=limit)


def feed_items(session: Session, *, member: str = "", limit: int = 50) -> list[Item]:
    """The newest items of every language, for an Atom feed (a reader shows each in its own)."""
    statements = _published_statements()
    if member:
        statements = statements.where(Organization.slug == member)
    episodes = _episodes_for(Filters(member=member))
    merged = [
        *(Item("statement", s.published_at, s) for s in _newest(session, statements, limit)),
        *(Item("episode", e.published_at, e) for e in _newest(session, episodes, limit)),
    ]
    merged.sort(key=lambda item: item.when, reverse=True)
    return merged[:limit]


def translations(session: Session, statement: Statement) -> list[Statement]:
    """The other published languages of ``statement``'s family (its original included)."""
    family = statement.family_id
    query = _published_statements().where(
        or_(Statement.id == family, Statement.translation_of_id == family),
        Statement.id != statement.id,
    )
    return list(session.scalars(query.order_by(Statement.language)))


def _published_statements():
    return (
        select(Statement)
        .join(Statement.organization)
        .where(
            Statement.status == PublicationStatus.PUBLISHED,
            Statement.published_at.is_not(None),
            Organization.status == OrgStatus.ACTIVE,
        )
    )


def _statements_for(filters: Filters, locale: str):
    query = _published_statements()
    if filters.member:
        query = query.where(Organization.slug == filters.member)
    if filters.focus:
        query = query.where(Organization.focus.any(OrganizationFocus.area == filters.focus))
    if filters.language:
        return query.where(Statement.language == filters.language)
    return query.where(_one_per_family(locale))


def _one_per_family(locale: str):
    """A family shows once: in the reader's language when it has that translation, otherwise
    in its original language."""
    other = aliased(Statement)
    has_locale_version = exists().where(
        other.translation_of_id == Statement.id,
        other.language == locale,
        other.status == PublicationStatus.PUBLISHED,
    )
    return or_(
        Statement.language == locale,
        and_(Statement.translation_of_id.is_(None), ~has_locale_version),
    )


def _episodes_for(filters: Filters):
    query = select(Episode)
    if filters.member:
        query = query.where(
            Episode.members.any(
                and_(Organization.slug == filters.member, Organization.status == OrgStatus.ACTIVE)
            )
        )
    if filters.focus:
        query = query.where(
            Episode.members.any(Organization.focus.any(OrganizationFocus.area == filters.focus))
        )
    if filters.language:
        query = query.where(Episode.language == filters.language)
    return query


def _count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _newest(session: Session, query, limit: int) -> list:
    entity = query.column_descriptions[0]["entity"]
    ordered = query.order_by(entity.published_at.desc(), entity.id.desc()).limit(limit)
    return list(session.scalars(ordered).unique())
