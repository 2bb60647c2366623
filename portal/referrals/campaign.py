"""Inbound campaign tags: remembered from the page a donor lands on, carried to the hand-off;
and the Flask door's reading of a request into the hand-off's ``Arrival``."""

from __future__ import annotations

from flask import Flask, request, session

from portal.models import ArrivedVia
from portal.referrals.handoff import (
    PREFETCH_HEADERS,
    Arrival,
    campaign_from,
    clean_tag,
    external_referrer_host,
    visit_of,
)
from portal.referrals.service import Visit

__all__ = ["arrival_from_request", "clean_tag", "init_app", "visit_from_request"]


def init_app(app: Flask) -> None:
    app.before_request(_remember_campaign)


def _remember_campaign() -> None:
    # Only a landing that carries tags or comes from elsewhere writes the cookie; a plain visit
    # sets nothing.
    if request.method != "GET" or request.blueprint in {"static", "referrals"}:
        return
    tags = campaign_from(request.args)
    if tags:
        session["campaign"] = tags
    host = external_referrer_host(request.referrer, request.host)
    if host and host != session.get("landing_referrer"):
        session["landing_referrer"] = host


def arrival_from_request() -> Arrival:
    """The current request as the hand-off reads it, with what the session cookie remembers."""
    headers = request.headers
    return Arrival(
        method=request.method,
        query=request.args,
        user_agent=headers.get("User-Agent", ""),
        client_ip=request.remote_addr or "",
        referrer=request.referrer,
        host=request.host,
        purpose=" ".join(headers.get(name, "") for name in PREFETCH_HEADERS).strip().lower(),
        remembered=session,
    )


def visit_from_request(via: ArrivedVia) -> Visit:
    """What the current request tells about the donor, reduced to what a referral may keep."""
    return visit_of(arrival_from_request(), via)
