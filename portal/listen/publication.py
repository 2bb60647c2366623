"""What statements and events share on their way to the public pages: creation, edits, review
and publication, each change in the audit log. Functions flush, never commit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditAction, Event, Organization, PublicationStatus, Statement
from portal.staff import audit
from portal.staff.audit import Actor

Publishable = Statement | Event


class PublicationError(Exception):
    """A change the console refuses; the message is safe to show staff."""


def create(
    session: Session, actor: Actor, item: Publishable, fields: tuple[str, ...]
) -> Publishable:
    """Add ``item`` (a staff draft or a member's proposal) and audit its fields. Flushes."""
    session.add(item)
    session.flush()
    start = {name: (None, getattr(item, name)) for name in fields}
    audit.record(
        session,
        actor,
        item,
        {name: change for name, change in start.items() if audit.as_text(change[1])},
        action=AuditAction.CREATED,
    )
    return item


def update(
    session: Session,
    actor: Actor,
    item: Publishable,
    values: Mapping[str, object],
    fields: tuple[str, ...],
) -> dict[str, tuple]:
    """Apply the values that differ and audit each; returns the changes. Flushes."""
    changes = {
        name: (getattr(item, name), values[name])
        for name in fields
        if (audit.as_text(getattr(item, name)) or "") != (audit.as_text(values[name]) or "")
    }
    if changes:
        _set(session, actor, item, **{name: after for name, (_b, after) in changes.items()})
    return changes


def publish(
    session: Session, actor: Actor, item: Publishable, *, on: date | None, now: datetime
) -> None:
    """Make a draft or a proposal public, dated ``on`` (a past day) or now. Flushes.

    Something first published elsewhere keeps its original date; a date in the future would
    hide it until then, so it is refused.
    """
    if item.status == PublicationStatus.PUBLISHED:
        raise PublicationError(_("This is already published."))
    when = now if on is None or on == now.date() else datetime.combine(on, time(12), tzinfo=UTC)
    if when > now:
        raise PublicationError(_("The publication date cannot be in the future."))
    _set(session, actor, item, status=PublicationStatus.PUBLISHED, published_at=when)


def unpublish(session: Session, actor: Actor, item: Publishable) -> None:
    """Take ``item`` off the public pages; it goes back to the drafts. Flushes."""
    if item.status != PublicationStatus.PUBLISHED:
        raise PublicationError(_("This is not published."))
    _set(session, actor, item, status=PublicationStatus.DRAFT, published_at=None)


def by_status(session: Session, kind: type[Publishable]) -> dict[PublicationStatus, list]:
    """Every item of ``kind`` for the console: proposals to review first, then drafts, then
    what is public."""
    found: dict[PublicationStatus, list] = {status: [] for status in PublicationStatus}
    for item in session.scalars(select(kind).order_by(kind.updated_at.desc(), kind.id.desc())):
        found[item.status].append(item)
    return found


def recipient_id(session: Session, raw: object, errors: dict) -> int | None:
    """The id of the recipient chosen in a form, or an error under ``organization_id``."""
    wanted = as_id(raw)
    found = session.get(Organization, wanted) if wanted else None
    if found is None:
        errors["organization_id"] = [_("Choose the member, or the coalition.")]
        return None
    return found.id


def as_id(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None


def _set(session: Session, actor: Actor, item: Publishable, **after: object) -> None:
    changes = {name: (getattr(item, name), value) for name, value in after.items()}
    for name, value in after.items():
        setattr(item, name, value)
    audit.record(session, actor, item, changes)
