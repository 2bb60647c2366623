"""The rules of an event's fields. Drafts, review and publication are shared with statements
(``portal.listen.publication``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.listen import publication
from portal.listen.publication import recipient_id
from portal.models import Event, EventKind, PublicationStatus
from portal.models.types import utcnow
from portal.referrals.links import is_https_url
from portal.staff.audit import Actor
from portal.vocabulary import CONTENT_LANGUAGES, REGIONS

FIELDS = (
    "organization_id",
    "kind",
    "title",
    "description",
    "language",
    "starts_at",
    "ends_at",
    "timezone",
    "online_url",
    "place",
    "region",
)
LIMITS = {"title": 200, "description": 20_000, "online_url": 1000, "place": 80}
# A house number, a postcode or a street word gives an address away; a city or region has none.
_ADDRESS = re.compile(
    r"\d|\b(street|st\.|road|rd\.|avenue|ave\.|lane|apt|floor|rehov|shari)\b|شارع|רחוב|רח'", re.I
)


def clean_event(
    session: Session, raw: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """Validate an event's fields; local start and end become UTC instants in its time zone."""
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {
        "title": " ".join(str(raw.get("title") or "").split()),
        "description": str(raw.get("description") or "").strip(),
        "language": str(raw.get("language") or ""),
        "online_url": str(raw.get("online_url") or "").strip() or None,
        "place": " ".join(str(raw.get("place") or "").split()),
        "region": str(raw.get("region") or ""),
        "timezone": str(raw.get("timezone") or ""),
    }
    values["kind"] = _kind(raw.get("kind"), errors)
    values["organization_id"] = recipient_id(session, raw.get("organization_id"), errors)
    _check_text(values, errors)
    zone = _zone(values["timezone"], errors)
    values["starts_at"] = _instant(raw.get("starts_at"), zone)
    values["ends_at"] = _instant(raw.get("ends_at"), zone)
    _check_times(values, errors)
    return values, errors


def create_event(
    session: Session,
    actor: Actor,
    values: Mapping[str, object],
    *,
    status: PublicationStatus = PublicationStatus.DRAFT,
) -> Event:
    """Add an event (a staff draft or a member's proposal) and audit it. Flushes."""
    event = Event(status=status, **{name: values[name] for name in FIELDS})
    return publication.create(session, actor, event, FIELDS)


def update_event(
    session: Session, actor: Actor, event: Event, values: Mapping[str, object]
) -> dict[str, tuple]:
    """Apply the values that differ and audit each; returns the changes. Flushes."""
    return publication.update(session, actor, event, values, FIELDS)


def _kind(raw: object, errors: dict) -> EventKind:
    try:
        return EventKind(str(raw or ""))
    except ValueError:
        errors["kind"] = [_("Choose an event or an opportunity.")]
        return EventKind.EVENT


def _check_text(values: dict, errors: dict) -> None:
    if not values["title"]:
        errors["title"] = [_("An event needs a title.")]
    for name, limit in LIMITS.items():
        if len(values[name] or "") > limit:
            errors[name] = [_("At most %(count)d characters.", count=limit)]
    if values["language"] not in CONTENT_LANGUAGES:
        errors["language"] = [_("Choose one of the listed languages.")]
    if values["region"] and values["region"] not in REGIONS:
        errors["region"] = [_("Choose one of the listed regions.")]
    if values["online_url"] and not is_https_url(values["online_url"]):
        errors["online_url"] = [_("A full https:// address, or nothing.")]
    if _ADDRESS.search(values["place"]):
        errors["place"] = [_("A city or a region only: no street, number or postcode.")]
    if not (values["place"] or values["online_url"]):
        errors["place"] = [_("Give a city or region, an online link, or both.")]


def _zone(name: str, errors: dict) -> ZoneInfo | None:
    if name not in available_timezones():
        errors["timezone"] = [_("Choose a time zone from the list.")]
        return None
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # listed but not installed: refuse rather than guess
        errors["timezone"] = [_("Choose a time zone from the list.")]
        return None


def _instant(raw: object, zone: ZoneInfo | None) -> datetime | None:
    """A form's local date and time, in ``zone``, as a UTC instant (None when not given)."""
    if not isinstance(raw, datetime) or zone is None:
        return None
    return raw.replace(tzinfo=zone).astimezone(utcnow().tzinfo)


def _check_times(values: dict, errors: dict) -> None:
    starts, ends = values["starts_at"], values["ends_at"]
    if values["kind"] == EventKind.EVENT and starts is None and "timezone" not in errors:
        errors["starts_at"] = [_("An event needs a start.")]
    if starts and ends and ends < starts:
        errors["ends_at"] = [_("The end comes after the start.")]
