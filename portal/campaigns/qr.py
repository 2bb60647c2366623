"""A campaign link as a URL and as a QR code, in one fixed style.

Codes are only ever made from a saved link's own URL on this portal, never from text a visitor
sends, so the portal cannot be used to print a code that leads elsewhere.
"""

from __future__ import annotations

from io import BytesIO

import segno
from flask import url_for

from portal.models import CampaignLink

# Quartile error correction survives a crease or a smudge on a printed poster.
_ERROR = "q"
_STYLE = {"dark": "#1d2433", "light": "#ffffff", "border": 4}


def link_url(link: CampaignLink) -> str:
    """The link to share: the recipient's hand-off with the link's tags, absolute."""
    tags = {"utm_campaign": link.campaign}
    if link.source:
        tags["utm_source"] = link.source
    if link.medium:
        tags["utm_medium"] = link.medium
    return url_for("referrals.go", slug=link.organization.slug, **tags, _external=True)


def qr_svg(link: CampaignLink) -> bytes:
    out = BytesIO()
    _code(link).save(
        out, kind="svg", scale=8, xmldecl=False, svgclass=None, lineclass=None, **_STYLE
    )
    return out.getvalue()


def qr_png(link: CampaignLink, scale: int = 12) -> bytes:
    out = BytesIO()
    _code(link).save(out, kind="png", scale=scale, **_STYLE)
    return out.getvalue()


def _code(link: CampaignLink) -> segno.QRCode:
    return segno.make_qr(link_url(link), error=_ERROR, boost_error=False)
