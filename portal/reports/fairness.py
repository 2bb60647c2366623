"""Directory fairness: where the daily rotation put each member, rebuilt day by day.

The rotation itself is the directory's (``portal.directory.rotation``); this only replays it.
Which members were listed on a past day is rebuilt from the organization rows and the audit log:
a member counts for a day when it existed and was active at the start of that day (00:00 UTC).
Its status then is the "before" value of its first status change after that moment, or its
current status if the log records no later change.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.dates import day_start
from portal.directory.rotation import rotate
from portal.models import AuditEntry, AuditSubject, Organization, OrgStatus, RecipientKind
from portal.reports.queries import Recipient


@dataclass
class Exposure:
    """One member's places in the rotation over a range of days, beside its portal clicks."""

    recipient: Recipient
    days_listed: int = 0
    first_page_days: int = 0
    expected_first_page: float = 0.0
    position_sum: int = 0
    expected_position_sum: float = 0.0
    clicks: int = 0

    @property
    def average_position(self) -> float | None:
        return self.position_sum / self.days_listed if self.days_listed else None

    @property
    def expected_average_position(self) -> float | None:
        return self.expected_position_sum / self.days_listed if self.days_listed else None


@dataclass(frozen=True)
class _Member:
    recipient: Recipient
    created_at: datetime
    status: OrgStatus
    change_times: tuple[datetime, ...]
    status_before: tuple[OrgStatus, ...]  # the status before each change in ``change_times``

    @property
    def slug(self) -> str:
        return self.recipient.slug

    def listed_at(self, moment: datetime) -> bool:
        if self.created_at > moment:
            return False
        later = bisect.bisect_right(self.change_times, moment)
        status = self.status_before[later] if later < len(self.change_times) else self.status
        return status == OrgStatus.ACTIVE


def exposure(
    session: Session, days: list[date], *, page_size: int, clicks: dict[int, int]
) -> list[Exposure]:
    """Each member's first-page days and average position on ``days``, with what chance predicts.

    Under a fair order a member listed among ``n`` lands on the first page with probability
    ``min(1, page_size / n)`` and at position ``(n + 1) / 2`` on average.
    """
    members = _members(session)
    result = {
        m.recipient.id: Exposure(m.recipient, clicks=clicks.get(m.recipient.id, 0)) for m in members
    }
    for day in days:
        start = day_start(day)
        listed = rotate([m for m in members if m.listed_at(start)], day)
        chance, middle = min(1.0, page_size / len(listed)) if listed else 0.0, (len(listed) + 1) / 2
        for position, member in enumerate(listed, start=1):
            line = result[member.recipient.id]
            line.days_listed += 1
            line.first_page_days += position <= page_size
            line.expected_first_page += chance
            line.position_sum += position
            line.expected_position_sum += middle
    return sorted(result.values(), key=lambda e: e.recipient.name.casefold())


def _members(session: Session) -> list[_Member]:
    changes: dict[int, list[tuple[datetime, OrgStatus]]] = defaultdict(list)
    for org_id, at, before in session.execute(
        select(AuditEntry.subject_id, AuditEntry.created_at, AuditEntry.before)
        .where(AuditEntry.subject_kind == AuditSubject.ORGANIZATION, AuditEntry.field == "status")
        .order_by(AuditEntry.created_at, AuditEntry.id)
    ):
        if before in {status.value for status in OrgStatus}:
            changes[org_id].append((at, OrgStatus(before)))
    rows = session.execute(
        select(
            Organization.id,
            Organization.slug,
            Organization.name,
            Organization.created_at,
            Organization.status,
        ).where(Organization.kind == RecipientKind.MEMBER)
    )
    return [
        _Member(
            Recipient(org_id, slug, name),
            created_at,
            status,
            tuple(at for at, _before in changes[org_id]),
            tuple(before for _at, before in changes[org_id]),
        )
        for org_id, slug, name, created_at, status in rows
    ]
