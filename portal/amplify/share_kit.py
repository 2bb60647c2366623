"""The share kit on a member's page: its link, words to share in every language, network links."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.directory.sharing import ShareLink, share_links
from portal.models import Organization
from portal.referrals.links import tagged_url
from portal.texts import member_texts


@dataclass(frozen=True)
class ShareText:
    language: str
    language_name: str  # in its own language: a reader finds "العربية", not "Arabic"
    direction: str
    text: str


@dataclass(frozen=True)
class ShareKit:
    link: str
    texts: tuple[ShareText, ...]
    networks: list[ShareLink]


def share_kit(org: Organization, page_url: str, languages: list[str], reader: str) -> ShareKit:
    """Everything a supporter needs to pass ``org``'s page on, tagged so its visits are counted."""
    link = tagged_url(page_url, {"utm_source": "copied-link", "utm_medium": "share"})
    return ShareKit(
        link=link,
        texts=tuple(_text(org, link, code) for code in languages),
        networks=share_links(page_url, member_texts(org, reader).name),
    )


def _text(org: Organization, link: str, language: str) -> ShareText:
    locale = Locale.parse(language)
    with force_locale(language):
        words = _(
            "Support %(name)s, peacebuilders on the ground",
            name=member_texts(org, language).name,
        )
    return ShareText(
        language=language,
        language_name=locale.get_display_name(language),
        direction="rtl" if locale.character_order == "right-to-left" else "ltr",
        text=f"{words}: {link}",
    )
