"""Share links as plain URLs: no third-party script ever loads on the portal's pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask_babel import gettext as _

from portal.referrals.links import tagged_url


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
