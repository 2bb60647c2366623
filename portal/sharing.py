"""Passing a page on: share links as plain URLs (no third-party script ever loads on the portal's
pages) and the share kit on member and statement pages: the page's link, words to share in every
language, the networks' links; each tagged so its visits are counted."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.models import Organization
from portal.referrals.links import tagged_url
from portal.texts import member_texts


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def share_links(page_url: str, name: str) -> list[ShareLink]:
    """Links that open each network's own share dialog for ``page_url``, tagged per network."""
    text = _("Support %(name)s, peacebuilders on the ground", name=name)

    def tagged(network: str) -> str:
        return tagged_url(page_url, {"utm_source": network, "utm_medium": "share"})

    return [
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": tagged("facebook")}),
        ),
        ShareLink(
            "x", "X", "https://x.com/intent/post?" + urlencode({"url": tagged("x"), "text": text})
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?"
            + urlencode({"url": tagged("linkedin")}),
        ),
        ShareLink(
            "whatsapp",
            "WhatsApp",
            "https://wa.me/?" + urlencode({"text": f"{text} {tagged('whatsapp')}"}),
        ),
        ShareLink(
            "email", _("Email"), f"mailto:?subject={quote(text)}&body=" + quote(tagged("email"))
        ),
    ]


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
