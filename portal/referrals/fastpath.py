"""Shared links answered before Flask: the plainest, most frequent hand-off, kept cheap.

A ``GET /go/<slug>`` from a newsletter or a post, with no cookie, to an active member that runs
its own donation page, needs no session, template or form. This middleware serves exactly that
case with the same planning, row and headers as the Flask view; everything else (POST, HEAD,
prefetch, cookies, Stripe-mode or suspended recipients, unknown slugs, a worker that has not yet
checked the schema or loaded today's salt) falls through to Flask untouched.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.urls import iri_to_uri
from werkzeug.wsgi import ClosingIterator

from portal.models import HandoffMode, utcnow
from portal.referrals import campaign
from portal.referrals.service import plan_handoff

SCHEMES = ("http", "https")
_PREFETCH_KEYS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


class HandoffFastPath:
    """WSGI middleware in front of the portal for plain shared-link hand-offs."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cookie_name = app.config["SESSION_COOKIE_NAME"] + "="
        # The Flask view's answer, header for header (its body is a courtesy link; ours is empty).
        security = app.extensions["security_headers"]
        self.headers = {scheme: self._headers(security.for_scheme(scheme)) for scheme in SCHEMES}

    def __call__(self, environ, start_response):
        answer = self._try(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        location, replay = answer
        headers = self.headers.get(environ.get("wsgi.url_scheme"), self.headers["http"])
        start_response("302 FOUND", [("Location", location), *headers])
        if replay:
            # After the donor's response is sent, as the Flask view's call_on_close does.
            return ClosingIterator([b""], self.app.extensions["portal_referrals"].replay_spool)
        return [b""]

    @staticmethod
    def _headers(security) -> list[tuple[str, str]]:
        return [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", "0"),
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "origin"),
            ("Vary", "Cookie"),
            *((name, value) for name, value in security if name != "Referrer-Policy"),
        ]

    def _try(self, environ) -> tuple[str, bool] | None:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not path.startswith("/go/"):
            return None
        slug = path[4:]
        if not slug or "/" in slug or not self._plain(environ):
            return None
        referrals = self.app.extensions["portal_referrals"]
        try:
            route = referrals.routes.lookup(slug)
        except SQLAlchemyError:
            return None  # the Flask view answers with its error page
        if route is None or not route.is_active or route.mode != HandoffMode.EXTERNAL:
            return None
        if referrals.salts.cached(utcnow().date()) is None:
            return None
        visit = campaign.link_visit_from_environ(environ)
        handoff = plan_handoff(route, visit, coalition=None, tags=referrals.tags, form_url=None)
        replay = referrals.record(handoff.record, visit)
        url = handoff.url
        return (url if url.isascii() else iri_to_uri(url)), replay

    def _plain(self, environ) -> bool:
        """No cookie, no prefetch, and a worker that has already seen the schema is current."""
        if self.cookie_name in environ.get("HTTP_COOKIE", ""):
            return False
        if any(key in environ for key in _PREFETCH_KEYS):
            return False
        return self.app.extensions.get("portal_schema", {}).get("checked", False)
