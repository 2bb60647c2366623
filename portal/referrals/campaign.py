"""Inbound campaign tags: remembered from the page a donor lands on, carried to the hand-off."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import Flask, request, session

from portal.models import ArrivedVia
from portal.referrals.service import UTM_KEYS, Visit

_MAX_TAG = 100


def init_app(app: Flask) -> None:
    app.before_request(_remember_campaign)


def clean_tag(value: str | None) -> str | None:
    """A tag as it may be stored: printable, trimmed, bounded; None when nothing is left."""
    if not value:
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()[:_MAX_TAG]
    return cleaned or None


def link_arrival(args) -> ArrivedVia:
    """How a GET hand-off arrived: a member's embedded button says so (``via=embed``)."""
    return ArrivedVia.EMBED if args.get("via") == ArrivedVia.EMBED else ArrivedVia.LINK


def campaign_from(args) -> dict[str, str]:
    if not args:
        return {}
    tags = {key: clean_tag(args.get(key)) for key in UTM_KEYS}
    return {key: value for key, value in tags.items() if value}


def external_referrer_host(referrer: str | None = None, own_host: str | None = None) -> str | None:
    """The host of the page that linked here (the current request's by default), unless it is
    this site."""
    if own_host is None:
        referrer, own_host = request.referrer, request.host
    if not referrer:
        return None
    try:
        host = urlsplit(referrer or "").hostname
    except ValueError:
        return None
    if not host or host == own_host.split(":")[0]:
        return None
    return host[:255]


def _remember_campaign() -> None:
    # Only a landing that carries tags or comes from elsewhere writes the cookie; a plain visit
    # sets nothing.
    if request.method != "GET" or request.blueprint in {"static", "referrals"}:
        return
    tags = campaign_from(request.args)
    if tags:
        session["campaign"] = tags
    host = external_referrer_host()
    if host and host != session.get("landing_referrer"):
        session["landing_referrer"] = host


def visit_from_request(via: ArrivedVia, req=None) -> Visit:
    """What ``req`` (the current request by default) tells about the donor, reduced to what a
    referral may keep. Remembered landing tags come from the session cookie, if any."""
    remembered = session if req is None else {}
    req = req or request
    if via in (ArrivedVia.LINK, ArrivedVia.EMBED):
        tags = campaign_from(req.args) or dict(remembered.get("campaign") or {})
        referrer = external_referrer_host(req.referrer, req.host)
    else:
        tags = dict(remembered.get("campaign") or {})
        referrer = remembered.get("landing_referrer")
    return Visit(
        arrived_via=via,
        user_agent=req.headers.get("User-Agent", "")[:512],
        client_ip=req.remote_addr or "",
        referrer_host=referrer,
        campaign=tags,
    )


def link_visit_from_environ(environ) -> Visit:
    """A shared-link visit read straight from the WSGI environ, as Flask's request would parse
    it (query strings are UTF-8 with replacement), for the hand-off fast path."""
    query = environ.get("QUERY_STRING", "")
    args = {}
    if query:
        text = query.encode("latin-1").decode("utf-8", "replace")
        for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            args.setdefault(key, value)
    return Visit(
        arrived_via=link_arrival(args),
        user_agent=environ.get("HTTP_USER_AGENT", "")[:512],
        client_ip=environ.get("REMOTE_ADDR") or "",
        referrer_host=external_referrer_host(
            environ.get("HTTP_REFERER"), environ.get("HTTP_HOST", "")
        ),
        campaign=campaign_from(args),
    )
