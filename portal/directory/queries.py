"""Finding members for the directory."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.directory.rotation import rotate
from portal.folding import fold
from portal.models import (
    TEXT_LANGUAGES,
    Organization,
    OrganizationFocus,
    OrgStatus,
    RecipientKind,
)
from portal.paging import Page
from portal.vocabulary import FOCUS_AREAS, REGIONS


def find_members(
    session: Session, *, text: str = "", focus: str = "", region: str = ""
) -> list[Organization]:
    """Active members matching the search words, focus area and region (in no set order).

    A word matches what the member wrote in any language, and the label of its focus areas or
    region in any language, folded alike: ``سلام`` finds ``السَّلَام``, ``שלום`` finds ``שָׁלוֹם``.
    """
    query = select(Organization).where(
        Organization.status == OrgStatus.ACTIVE, Organization.kind == RecipientKind.MEMBER
    )
    for word in filter(None, map(fold, text.split()[:8])):
        query = query.where(_matches(word))
    if focus:
        query = query.where(Organization.focus.any(OrganizationFocus.area == focus))
    if region:
        query = query.where(Organization.region == region)
    return list(session.scalars(query))


def order_members(
    members: list[Organization], sort: str, day: date, language: str = TEXT_LANGUAGES[0]
) -> list[Organization]:
    """A–Z by the names readers of ``language`` see, on request; otherwise the day's rotation,
    so that no member is always on top."""
    if sort == "name":
        return sorted(members, key=lambda org: fold(_shown_name(org, language)))
    return rotate(members, day)


def paginate(items: list, number: int, size: int) -> Page:
    start = (number - 1) * size
    return Page(items[start : start + size], number, size, len(items))


def _shown_name(org: Organization, language: str) -> str:
    return org.text_in("name", language) or org.name


def _matches(folded: str):
    pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    vocab = [key for key, labels in _vocabulary_labels().items() if folded in labels]
    return or_(
        Organization.search_text.like(pattern, escape="\\"),
        Organization.region.ilike(pattern, escape="\\"),
        Organization.focus.any(OrganizationFocus.area.ilike(pattern, escape="\\")),
        Organization.focus.any(OrganizationFocus.area.in_(vocab)),
        Organization.region.in_(vocab),
    )


def _vocabulary_labels() -> dict[str, str]:
    """Each focus area's and region's labels in every language, folded into one string."""
    labels: dict[str, list[str]] = {}
    for language in TEXT_LANGUAGES:
        with force_locale(language):
            for key, label in {**FOCUS_AREAS, **REGIONS}.items():
                labels.setdefault(key, []).append(fold(str(label)))
    return {key: "\n".join(texts) for key, texts in labels.items()}
