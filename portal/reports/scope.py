"""What a report covers: whole UTC days, and the optional filters staff picked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.dates import day_range, days_between, last_days
from portal.models import ArrivedVia, HandoffMode, Organization
from portal.state import portal_state

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Scope:
    """From ``since`` to ``until``, both days included, UTC."""

    since: date
    until: date
    member: Organization | None = None
    mode: HandoffMode | None = None
    arrived_via: ArrivedVia | None = None
    campaign: str | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """``[start, end)`` as UTC datetimes."""
        return day_range(self.since, self.until)

    @property
    def member_id(self) -> int | None:
        return self.member.id if self.member is not None else None

    @property
    def days(self) -> list[date]:
        return days_between(self.since, self.until)


def default_range(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The last ``days`` days, today included."""
    return last_days(today, days)


def today() -> date:
    """Today in UTC, by the reports' clock."""
    return portal_state().clocks.reports().date()
