"""Writing statements: staff drafts, members' proposals, review and publication.

Every change goes into the audit log like a directory change. Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditAction, Organization, PublicationStatus, Statement
from portal.referrals.links import is_https_url
from portal.staff import audit
from portal.staff.audit import Actor
from portal.vocabulary import CONTENT_LANGUAGES

FIELDS = (
    "organization_id",
    "title",
    "summary",
    "body",
    "language",
    "original_url",
    "translation_of_id",
)
LIMITS = {"title": 200, "summary": 500, "body": 20_000, "original_url": 1000}


class ListenError(Exception):
    """A change the console refuses; the message is safe to show staff."""


def clean_statement(
    session: Session, raw: Mapping[str, object], *, statement: Statement | None = None
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """Validate a statement's fields: ``(values, errors by field)``."""
    values: dict[str, object] = {
        name: " ".join(str(raw.get(name) or "").split()) for name in ("title", "summary")
    }
    values["body"] = str(raw.get("body") or "").strip()
    values["language"] = str(raw.get("language") or "")
    values["original_url"] = str(raw.get("original_url") or "").strip() or None
    errors: dict[str, list[str]] = {}
    if not values["title"]:
        errors["title"] = [_("A statement needs a title.")]
    for name, limit in LIMITS.items():
        if len(values[name] or "") > limit:
            errors[name] = [_("At most %(count)d characters.", count=limit)]
    if values["language"] not in CONTENT_LANGUAGES:
        errors["language"] = [_("Choose one of the listed languages.")]
    if values["original_url"] and not is_https_url(values["original_url"]):
        errors["original_url"] = [_("A full https:// address, or nothing.")]
    values["organization_id"] = _recipient_id(session, raw.get("organization_id"), errors)
    values["translation_of_id"] = _original_id(session, raw, values, statement, errors)
    return values, errors


def create_statement(
    session: Session,
    actor: Actor,
    values: Mapping[str, object],
    *,
    status: PublicationStatus = PublicationStatus.DRAFT,
) -> Statement:
    """Add a statement (a staff draft or a member's proposal) and audit it. Flushes."""
    statement = Statement(status=status, **{name: values[name] for name in FIELDS})
    session.add(statement)
    session.flush()
    start = {name: (None, values[name]) for name in FIELDS if audit.as_text(values[name])}
    audit.record(session, actor, statement, start, action=AuditAction.CREATED)
    return statement


def update_statement(
    session: Session, actor: Actor, statement: Statement, values: Mapping[str, object]
) -> dict[str, tuple]:
    """Apply the values that differ and audit each; returns the changes. Flushes."""
    changes = {
        name: (getattr(statement, name), values[name])
        for name in FIELDS
        if (audit.as_text(getattr(statement, name)) or "") != (audit.as_text(values[name]) or "")
    }
    for name, (_before, after) in changes.items():
        setattr(statement, name, after)
    if changes:
        audit.record(session, actor, statement, changes)
    return changes


def publish(
    session: Session, actor: Actor, statement: Statement, *, on: date | None, now: datetime
) -> None:
    """Make a draft or a proposal public, dated ``on`` (a past day) or now. Flushes.

    A statement first published elsewhere keeps its original date; a date in the future would
    hide it until then, so it is refused.
    """
    if statement.status == PublicationStatus.PUBLISHED:
        raise ListenError(_("This statement is already published."))
    when = now if on is None or on == now.date() else datetime.combine(on, time(12), tzinfo=UTC)
    if when > now:
        raise ListenError(_("The publication date cannot be in the future."))
    _set(session, actor, statement, status=PublicationStatus.PUBLISHED, published_at=when)


def unpublish(session: Session, actor: Actor, statement: Statement) -> None:
    """Take a statement off the public pages; it goes back to the drafts. Flushes."""
    if statement.status != PublicationStatus.PUBLISHED:
        raise ListenError(_("This statement is not published."))
    _set(session, actor, statement, status=PublicationStatus.DRAFT, published_at=None)


def by_status(session: Session) -> dict[PublicationStatus, list[Statement]]:
    """Every statement for the console: proposals to review first, then drafts, then public."""
    found: dict[PublicationStatus, list[Statement]] = {status: [] for status in PublicationStatus}
    query = select(Statement).order_by(Statement.updated_at.desc(), Statement.id.desc())
    for statement in session.scalars(query):
        found[statement.status].append(statement)
    return found


def _set(session: Session, actor: Actor, statement: Statement, **after: object) -> None:
    changes = {name: (getattr(statement, name), value) for name, value in after.items()}
    for name, value in after.items():
        setattr(statement, name, value)
    audit.record(session, actor, statement, changes)


def _recipient_id(session: Session, raw: object, errors: dict) -> int | None:
    found = session.get(Organization, _as_id(raw)) if _as_id(raw) else None
    if found is None:
        errors["organization_id"] = [_("Choose whose statement this is.")]
        return None
    return found.id


def _original_id(
    session: Session,
    raw: Mapping[str, object],
    values: dict,
    statement: Statement | None,
    errors: dict,
) -> int | None:
    wanted = _as_id(raw.get("translation_of_id"))
    if not wanted:
        return None
    original = session.get(Statement, wanted)
    if original is None or original.translation_of_id is not None or original is statement:
        errors["translation_of_id"] = [_("Choose an original statement (not a translation).")]
    elif original.language == values["language"]:
        errors["translation_of_id"] = [_("A translation is in another language than its original.")]
    elif original.organization_id != values["organization_id"]:
        errors["translation_of_id"] = [_("A translation belongs to the same recipient.")]
    return wanted


def _as_id(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None
