"""Which card each page shares: a member's own, or the coalition's, in the page's language."""

from __future__ import annotations

from babel import Locale
from flask import current_app, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.amplify.cards import Card
from portal.models import Organization, OrgStatus
from portal.texts import member_texts


def card_for(session: Session, slug: str, language: str, shape: str) -> Card | None:
    """The card of the active recipient ``slug`` (the coalition's even before it is stored)."""
    org = session.scalar(select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE))
    if org is None and slug != current_app.config["COALITION_SLUG"]:
        return None
    return organization_card(org, language, shape)


def organization_card(org: Organization | None, language: str, shape: str) -> Card:
    """What ``org``'s card shows in ``language`` (its own words in that language where it has
    them, as its page shows them); ``None`` is the coalition without a row."""
    rtl = Locale.parse(language).character_order == "right-to-left"
    with force_locale(language):
        default_line = _(
            "Listen to, amplify, engage with and support Israeli, Palestinian and joint "
            "peacebuilding organizations."
        )
    portal_name = current_app.config["PORTAL_NAME"]
    shown = member_texts(org, language) if org else None
    return Card(
        name=str(shown.name) if shown else portal_name,
        line=str(shown.short_description if shown else "") or default_line,
        footer=portal_name,
        language=language,
        direction="rtl" if rtl else "ltr",
        shape=shape,
    )


def card_url(org: Organization | None, shape: str = "wide") -> str:
    """The absolute URL of ``org``'s card for the current page; it changes when the card does."""
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    card = organization_card(org, language, shape)
    slug = org.slug if org else current_app.config["COALITION_SLUG"]
    return url_for(
        "amplify.share_card",
        slug=slug,
        language=language,
        shape=shape,
        v=card.digest,
        _external=True,
    )


def statement_card(statement, language: str, shape: str) -> Card:
    """A statement's card: its title, and the member who wrote it, in ``language``."""
    base = organization_card(statement.organization, language, shape)
    return Card(
        name=statement.title,
        line=base.name,
        footer=base.footer,
        language=language,
        direction=base.direction,
        shape=shape,
    )


def statement_card_url(statement, shape: str = "wide") -> str:
    """The absolute URL of a statement's card for the current page; it changes with the card."""
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    card = statement_card(statement, language, shape)
    return url_for(
        "amplify.statement_card",
        statement_id=statement.id,
        language=language,
        shape=shape,
        v=card.digest,
        _external=True,
    )
