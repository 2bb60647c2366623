"""Changing the directory from the console: one set of rules for the form and the CSV import."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    TEXT_LANGUAGES,
    TRANSLATED_FIELDS,
    AuditAction,
    HandoffMode,
    Organization,
    OrganizationFocus,
    OrgStatus,
    RecipientKind,
)
from portal.referrals.links import is_https_url
from portal.staff import audit
from portal.staff.audit import Actor
from portal.vocabulary import FOCUS_AREAS, REGIONS

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_LENGTH = (2, 80)
STRIPE_ACCOUNT_PATTERN = re.compile(r"acct_[A-Za-z0-9]{1,59}")

# What the edit form changes; the import also sets the status.
FIELDS = (
    "name",
    "short_description",
    "long_description",
    "region",
    "country",
    "focus_areas",
    "website",
    "donation_url",
    "listen_url",
    "engage_url",
    "handoff_mode",
    "stripe_account_id",
    "receipt_note",
    "original_language",
)
# What members wrote, in each language other than their original one: ``name_ar`` and so on.
# The plain fields above hold the original; a blank translation shows the original instead.
TRANSLATION_FIELDS = tuple(
    f"{name}_{language}" for language in TEXT_LANGUAGES for name in TRANSLATED_FIELDS
)
EDIT_FIELDS = (*FIELDS, *TRANSLATION_FIELDS)
IMPORT_FIELDS = (*EDIT_FIELDS, "status")


class DirectoryError(Exception):
    """A change the console refuses; the message is safe to show staff."""


class _Invalid(ValueError):
    pass


def clean_fields(
    raw: Mapping[str, object], names: tuple[str, ...] = EDIT_FIELDS
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """Validate and normalise ``raw`` field by field: ``(values, errors by field)``."""
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for name in names:
        try:
            values[name] = _CLEANERS[name](raw.get(name))
        except _Invalid as problem:
            errors[name] = [str(problem)]
    _check_together(values, errors)
    return values, errors


def slug_problem(slug: str) -> str | None:
    low, high = SLUG_LENGTH
    if not (low <= len(slug) <= high and SLUG_PATTERN.fullmatch(slug)):
        return _(
            "Use %(low)d to %(high)d lowercase letters, digits and single hyphens, "
            "like hand-in-hand.",
            low=low,
            high=high,
        )
    return None


def all_recipients(session: Session) -> list[Organization]:
    """Every recipient, the coalition first, then members by name."""
    query = select(Organization).order_by(Organization.kind, Organization.name)
    return list(session.scalars(query))


def kind_for(slug: str, coalition_slug: str) -> RecipientKind:
    """The coalition is the recipient with the configured slug; everyone else is a member."""
    return RecipientKind.COALITION if slug == coalition_slug else RecipientKind.MEMBER


def current_value(org: Organization, name: str) -> object:
    """``org``'s value of a field of ``EDIT_FIELDS`` (a translation is "" where there is none)."""
    if name not in TRANSLATION_FIELDS:
        return getattr(org, name)
    field, language = name.rsplit("_", 1)
    return "" if language == org.original_language else org.text_in(field, language)


def changes_for(org: Organization, values: Mapping[str, object]) -> dict[str, tuple]:
    """``field: (before, after)`` for every value that differs from ``org``'s."""
    changes = {}
    for name, after in values.items():
        before = current_value(org, name)
        if (audit.as_text(before) or "") != (audit.as_text(after) or ""):
            changes[name] = (before, after)
    return changes


def create_organization(
    session: Session, actor: Actor, slug: str, values: Mapping[str, object], *, coalition_slug: str
) -> Organization:
    """Add a recipient and audit every field it starts with. Flushes, never commits."""
    problem = slug_problem(slug)
    if problem:
        raise DirectoryError(problem)
    if session.scalar(select(Organization.id).filter_by(slug=slug)) is not None:
        raise DirectoryError(_("Another recipient already uses the slug “%(slug)s”.", slug=slug))
    org = Organization(slug=slug, kind=kind_for(slug, coalition_slug))
    _assign(org, values)
    session.add(org)
    session.flush()
    start = {"slug": (None, slug), "kind": (None, org.kind)}
    start |= {name: (None, value) for name, value in values.items() if audit.as_text(value)}
    audit.record(session, actor, org, start, action=AuditAction.CREATED)
    return org


def update_organization(
    session: Session, actor: Actor, org: Organization, values: Mapping[str, object]
) -> dict[str, tuple]:
    """Apply the values that differ and audit each one; returns the changes. Flushes."""
    changes = changes_for(org, values)
    if changes:
        _assign(org, {name: after for name, (_before, after) in changes.items()})
        session.flush()
        audit.record(session, actor, org, changes)
    return changes


def set_status(session: Session, actor: Actor, org: Organization, status: OrgStatus) -> bool:
    """Suspend or reactivate ``org``; False when it already had that status. Flushes."""
    return bool(update_organization(session, actor, org, {"status": status}))


def _assign(org: Organization, values: Mapping[str, object]) -> None:
    if "original_language" in values:
        # The new original's translation, if any, is superseded (validation made its fields
        # blank, so the change is audited as such).
        org.original_language = values["original_language"]
        org.translations = [t for t in org.translations if t.language != org.original_language]
    for name, value in values.items():
        if name in TRANSLATION_FIELDS:
            field, language = name.rsplit("_", 1)
            if language != org.original_language:
                org.set_text(field, language, value)
        elif name == "focus_areas":
            wanted = set(value)
            kept = [focus for focus in org.focus if focus.area in wanted]
            added = sorted(wanted - {focus.area for focus in kept})
            org.focus = kept + [OrganizationFocus(area=area) for area in added]
        else:
            setattr(org, name, value)


def _check_together(values: dict[str, object], errors: dict[str, list[str]]) -> None:
    original = values.get("original_language")
    for name in TRANSLATED_FIELDS:
        if values.get(f"{name}_{original}"):
            errors.setdefault(f"{name}_{original}", []).append(
                _("This is the member’s original language: its text goes in the main field.")
            )
    mode = values.get("handoff_mode")
    if mode == HandoffMode.EXTERNAL and "donation_url" in values and not values["donation_url"]:
        errors.setdefault("donation_url", []).append(
            _("A recipient that takes gifts on its own page needs that page's address.")
        )
    if mode == HandoffMode.EXTERNAL and values.get("stripe_account_id"):
        errors.setdefault("stripe_account_id", []).append(
            _("A Stripe account only applies when the coalition collects through Stripe.")
        )


def _text(limit: int, *, required: bool = False, multiline: bool = False) -> Callable:
    def clean(raw) -> str:
        value = str(raw or "").replace("\r\n", "\n").strip()
        if required and not value:
            raise _Invalid(_("This is required."))
        if len(value) > limit:
            raise _Invalid(_("Use at most %(count)d characters.", count=limit))
        allowed = "\n" if multiline else ""
        if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
            raise _Invalid(_("Remove the control characters (tabs, line breaks or similar)."))
        return value

    return clean


def _url(limit: int) -> Callable:
    def clean(raw) -> str | None:
        value = str(raw or "").strip()
        if not value:
            return None
        if len(value) > limit:
            raise _Invalid(_("Use at most %(count)d characters.", count=limit))
        if not is_https_url(value):
            raise _Invalid(_("Give a full address that starts with https://"))
        return value

    return clean


def _choice(options: Mapping[str, object]) -> Callable:
    def clean(raw) -> str:
        value = str(raw or "").strip()
        if value and value not in options:
            raise _Invalid(_("Choose one of the listed values."))
        return value

    return clean


def _enum(kind: type[StrEnum]) -> Callable:
    def clean(raw):
        try:
            return kind(str(raw or "").strip())
        except ValueError:
            raise _Invalid(
                _("Choose one of: %(values)s.", values=", ".join(m.value for m in kind))
            ) from None

    return clean


def _focus(raw) -> list[str]:
    areas = [str(area).strip() for area in raw or () if str(area).strip()]
    unknown = sorted(set(areas) - FOCUS_AREAS.keys())
    if unknown:
        raise _Invalid(_("Unknown focus area: %(areas)s.", areas=", ".join(unknown)))
    return sorted(set(areas))


def _language(raw) -> str:
    value = str(raw or "").strip() or TEXT_LANGUAGES[0]
    if value not in TEXT_LANGUAGES:
        raise _Invalid(_("Choose one of: %(values)s.", values=", ".join(TEXT_LANGUAGES)))
    return value


def _stripe_account(raw) -> str | None:
    value = str(raw or "").strip()
    if not value:
        return None
    if not STRIPE_ACCOUNT_PATTERN.fullmatch(value):
        raise _Invalid(_("A Stripe Connect account id looks like acct_1A2b3C4d5E6f7G8h."))
    return value


_CLEANERS: dict[str, Callable] = {
    "name": _text(200, required=True),
    "short_description": _text(300),
    "long_description": _text(5000, multiline=True),
    "region": _choice(REGIONS),
    "country": _text(100),
    "focus_areas": _focus,
    "website": _url(500),
    "donation_url": _url(1000),
    "listen_url": _url(500),
    "engage_url": _url(500),
    "handoff_mode": _enum(HandoffMode),
    "stripe_account_id": _stripe_account,
    "receipt_note": _text(500),
    "status": _enum(OrgStatus),
}
_CLEANERS |= {
    f"{name}_{language}": _CLEANERS[name] if name != "name" else _text(200)
    for name in TRANSLATED_FIELDS
    for language in TEXT_LANGUAGES
}
_CLEANERS["original_language"] = _language
