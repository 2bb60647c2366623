"""Writing statements: the rules of their fields; drafts, review and publication are shared
with events (``portal.listen.publication``). Functions flush, never commit."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.listen import publication
from portal.listen.publication import as_id, recipient_id
from portal.models import PublicationStatus, Statement
from portal.referrals.links import is_https_url
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
    values["organization_id"] = recipient_id(session, raw.get("organization_id"), errors)
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
    return publication.create(session, actor, statement, FIELDS)


def update_statement(
    session: Session, actor: Actor, statement: Statement, values: Mapping[str, object]
) -> dict[str, tuple]:
    """Apply the values that differ and audit each; returns the changes. Flushes."""
    return publication.update(session, actor, statement, values, FIELDS)


def _original_id(
    session: Session,
    raw: Mapping[str, object],
    values: dict,
    statement: Statement | None,
    errors: dict,
) -> int | None:
    wanted = as_id(raw.get("translation_of_id"))
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
