"""Finding members for the directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.directory.rotation import rotate
from portal.models import Organization, OrganizationFocus, OrgStatus, RecipientKind
from portal.vocabulary import FOCUS_AREAS, REGIONS


@dataclass(frozen=True)
class Page:
    items: list[Organization]
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def find_members(
    session: Session, *, text: str = "", focus: str = "", region: str = ""
) -> list[Organization]:
    """Active members matching the search words, focus area and region (in no set order)."""
    query = select(Organization).where(
        Organization.status == OrgStatus.ACTIVE, Organization.kind == RecipientKind.MEMBER
    )
    for word in text.split()[:8]:
        query = query.where(_matches(word))
    if focus:
        query = query.where(Organization.focus.any(OrganizationFocus.area == focus))
    if region:
        query = query.where(Organization.region == region)
    return list(session.scalars(query))


def order_members(members: list[Organization], sort: str, day: date) -> list[Organization]:
    """A–Z on request; otherwise the day's rotation, so that no member is always on top."""
    if sort == "name":
        return sorted(members, key=lambda org: org.name.casefold())
    return rotate(members, day)


def paginate(items: list, number: int, size: int) -> Page:
    start = (number - 1) * size
    return Page(items[start : start + size], number, size, len(items))


def _matches(word: str):
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    vocab = [
        key
        for key, label in {**FOCUS_AREAS, **REGIONS}.items()
        if word.casefold() in str(label).casefold()
    ]
    columns = (
        Organization.name,
        Organization.short_description,
        Organization.long_description,
        Organization.country,
        Organization.region,
    )
    return or_(
        *(column.ilike(pattern, escape="\\") for column in columns),
        Organization.focus.any(OrganizationFocus.area.ilike(pattern, escape="\\")),
        Organization.focus.any(OrganizationFocus.area.in_(vocab)),
        Organization.region.in_(vocab),
    )
