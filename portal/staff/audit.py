"""The audit log: every change staff make, one row per field, with the value before and after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    AuditAction,
    AuditEntry,
    AuditSubject,
    AuditVia,
    Donation,
    Episode,
    Event,
    Organization,
    Staff,
    Statement,
)

COMMAND_LINE = "command line"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, and through what: a form, an import, or a terminal command."""

    staff_id: int | None
    label: str
    via: AuditVia

    @classmethod
    def of(cls, staff: Staff | None, via: AuditVia = AuditVia.FORM) -> Actor:
        if staff is None:
            return cls(None, COMMAND_LINE, AuditVia.COMMAND)
        return cls(staff.id, staff.email, via)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    number: int
    size: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.total

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def record(
    session: Session,
    actor: Actor,
    subject: Organization | Staff | Statement | Episode | Donation | Event,
    changes: Mapping[str, tuple[object, object]],
    *,
    action: AuditAction = AuditAction.CHANGED,
) -> None:
    """Log each ``field: (before, after)`` of ``subject``. Flushes, never commits."""
    kind, label = _describe(subject)
    session.add_all(
        AuditEntry(
            actor_id=actor.staff_id,
            actor=actor.label,
            via=actor.via,
            subject_kind=kind,
            subject_id=subject.id,
            subject_label=label,
            action=action,
            field=name,
            before=as_text(before),
            after=as_text(after),
        )
        for name, (before, after) in changes.items()
    )
    session.flush()


def as_text(value: object) -> str | None:
    """How a value reads in the log (and compares between two snapshots)."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(sorted(str(item) for item in value))
    return str(value)


# Pages past this one would hold more entries than a year of daily edits ever could.
LAST_PAGE = 1_000_000


def recent(session: Session, *, number: int, size: int = 50) -> AuditPage:
    """The newest entries first, one page of them."""
    total = session.scalar(select(func.count(AuditEntry.id))) or 0
    entries = session.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc()).offset((number - 1) * size).limit(size)
    )
    return AuditPage(list(entries), number, size, total)


def _describe(
    subject: Organization | Staff | Statement | Episode | Donation | Event,
) -> tuple[AuditSubject, str]:
    if isinstance(subject, Donation):
        return AuditSubject.DONATION, f"gift {subject.id} to {subject.organization.slug}"
    if isinstance(subject, Staff):
        return AuditSubject.STAFF, subject.email
    if isinstance(subject, Statement):
        return AuditSubject.STATEMENT, subject.title[:254]
    if isinstance(subject, Episode):
        return AuditSubject.EPISODE, subject.title[:254]
    if isinstance(subject, Event):
        return AuditSubject.EVENT, subject.title[:254]
    return AuditSubject.ORGANIZATION, subject.slug
