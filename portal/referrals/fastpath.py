"""Shared links answered before Flask: the plainest, most frequent hand-off, kept cheap.

A ``GET /go/<slug>`` from a newsletter or a post, with no cookie, to a recipient whose hand-off
needs no page of the portal, needs no session, template or form. This middleware is only a door:
it reads the WSGI environ into an ``Arrival`` and lets ``handoff.hand_off`` do what the Flask
view has it do. Everything it cannot answer (POST, HEAD, cookies, hand-offs to the portal's
donation form, unknown slugs, a worker that has not yet checked the schema or loaded today's
salt) falls through to Flask untouched.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.urls import iri_to_uri
from werkzeug.wsgi import ClosingIterator

from portal.logs import HEADER, REQUEST_ID, request_id_for
from portal.models import utcnow
from portal.referrals.handoff import HEADERS, PREFETCH_HEADERS, Answer, Arrival, hand_off
from portal.state import portal_state

SCHEMES = ("http", "https")
_OWN = {name for name, _ in HEADERS}
_PREFETCH_KEYS = tuple(f"HTTP_{name.upper().replace('-', '_')}" for name in PREFETCH_HEADERS)


class HandoffFastPath:
    """WSGI middleware in front of the portal for plain shared-link hand-offs."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cookie_name = app.config["SESSION_COOKIE_NAME"] + "="
        # The Flask view's answer, header for header (its body is a courtesy link; ours is empty).
        security = portal_state(app).security_headers
        self.headers = {scheme: self._headers(security.for_scheme(scheme)) for scheme in SCHEMES}

    def __call__(self, environ, start_response):
        # Every answer names its request, as the Flask view's does (portal/logs.py).
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        token = REQUEST_ID.set(request_id)
        try:
            answer = self._try(environ)
        finally:
            REQUEST_ID.reset(token)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        location, answer = answer
        headers = self.headers.get(environ.get("wsgi.url_scheme"), self.headers["http"])
        status = f"{answer.status} {HTTP_STATUS_CODES[answer.status].upper()}"
        start_response(status, [("Location", location), *headers, (HEADER, request_id)])
        if answer.replay_spool:
            # After the donor's response is sent, as the Flask view's call_on_close does.
            return ClosingIterator([b""], portal_state(self.app).referrals.replay_spool)
        return [b""]

    @staticmethod
    def _headers(security) -> list[tuple[str, str]]:
        return [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", "0"),
            *HEADERS,
            ("Vary", "Cookie"),
            *((name, value) for name, value in security if name not in _OWN),
        ]

    def _try(self, environ) -> tuple[str, Answer] | None:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not path.startswith("/go/"):
            return None
        slug = path[4:]
        if not slug or "/" in slug or not self._plain(environ):
            return None
        referrals = portal_state(self.app).referrals
        try:
            route = referrals.routes.lookup(slug)
        except SQLAlchemyError:
            return None  # the Flask view answers with its error page
        if route is None or referrals.salts.cached(utcnow().date()) is None:
            return None
        arrival = arrival_from_environ(environ)
        answer = hand_off(referrals, route, arrival, coalition=None, form_url=None)
        if answer is None:
            return None
        url = answer.location
        return (url if url.isascii() else iri_to_uri(url)), answer

    def _plain(self, environ) -> bool:
        """No cookie, and a worker that has already seen the schema is current."""
        if self.cookie_name in environ.get("HTTP_COOKIE", ""):
            return False
        return portal_state(self.app).schema.checked


def arrival_from_environ(environ) -> Arrival:
    """A cookie-less GET read straight from the WSGI environ, as Flask's request would read it
    (query strings are UTF-8 with replacement)."""
    query = environ.get("QUERY_STRING", "")
    args: dict[str, str] = {}
    if query:
        text = query.encode("latin-1").decode("utf-8", "replace")
        for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            args.setdefault(key, value)
    purpose = ""
    if any(key in environ for key in _PREFETCH_KEYS):
        purpose = " ".join(environ.get(key, "") for key in _PREFETCH_KEYS).strip().lower()
    return Arrival(
        method="GET",
        query=args,
        user_agent=environ.get("HTTP_USER_AGENT", ""),
        client_ip=environ.get("REMOTE_ADDR") or "",
        referrer=environ.get("HTTP_REFERER"),
        host=environ.get("HTTP_HOST", ""),
        purpose=purpose,
    )
