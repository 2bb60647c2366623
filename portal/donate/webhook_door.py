"""Stripe's webhook answered before Flask: the busiest POST the portal takes, kept cheap.

On a campaign day Stripe delivers an event for every gift, every renewal and every refund, and
each one only needs its signature checked and the ledger's rules applied; Flask's request
context, session, language, CSRF and page hooks cost a fifth of the answer's CPU and serve none
of that. This middleware is only a door: it reads the raw body and the signature from the WSGI
environ and lets ``webhook.answer`` do what the Flask view has it do, then sends the same
headers the view's answer would carry (the request id, the security headers) and counts the
same metrics. Whatever it is not sure of (another path or method, a query string, a body without
a length or over the limit, a worker that has not yet checked the schema) falls through to Flask.
"""

from __future__ import annotations

import json
import logging
import time

from flask import Flask
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import ClosingIterator

from portal.donate.webhook import Answer, answer
from portal.logs import HEADER, REQUEST_ID, request_id_for
from portal.mail.mailer import sender_wake
from portal.metrics import REQUESTS, WEBHOOKS, webhook_outcome
from portal.state import portal_state

log = logging.getLogger(__name__)

PATH = "/stripe/webhook"
SCHEMES = ("http", "https")
# What a URL built for a delivery depends on (the host, the scheme, where the app is mounted).
_URL_KEYS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")
_ADAPTERS_KEPT = 16  # Stripe calls one or two hosts; anything else is not worth keeping
_BODIES_KEPT = 32  # the answers the door knows are fewer; a bound all the same


class WebhookFastPath:
    """WSGI middleware in front of the portal for ``POST /stripe/webhook``."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.limit = app.config["MAX_CONTENT_LENGTH"]
        self.state = portal_state(app)
        security = self.state.security_headers
        self.headers = {
            # Vary as the Flask view's answer does (its hooks read the session).
            scheme: [
                ("Content-Type", "application/json"),
                ("Vary", "Cookie"),
                *security.for_scheme(scheme),
            ]
            for scheme in SCHEMES
        }
        self._adapters: dict[tuple, object] = {}
        self._bodies: dict[tuple, bytes] = {}
        self._timers: dict[int, object] = {}
        self._counters: dict[str, object] = {}

    def __call__(self, environ, start_response):
        if not self._takes(environ):
            return self.wsgi_app(environ, start_response)
        urls = self._url_adapter(environ)
        if urls is None:
            return self.wsgi_app(environ, start_response)  # a host Flask refuses: it says so
        body = self._body(environ)
        if body is None:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        token = REQUEST_ID.set(request_id)
        try:
            context = self.app.app_context()
            context.url_adapter = urls
            with context:
                status, payload, mailed = self._answer(body, environ.get("HTTP_STRIPE_SIGNATURE"))
        finally:
            REQUEST_ID.reset(token)
        content = self._content(status, payload)
        headers = self.headers.get(environ.get("wsgi.url_scheme"), self.headers["http"])
        start_response(
            f"{status} {HTTP_STATUS_CODES[status].upper()}",
            [*headers, ("Content-Length", str(len(content))), (HEADER, request_id)],
        )
        self._timer(status).observe(time.perf_counter() - started)
        self._counter(webhook_outcome(status, payload)).inc()
        if mailed and (waker := sender_wake(self.app)) is not None:
            # The event queued the donor's mail: the sender looks once the answer is out.
            return ClosingIterator([content], waker)
        return [content]

    def _url_adapter(self, environ):
        """Flask's URL adapter for the host Stripe called (links in the donor's mail are built
        for it, as in a request), made once per host; None for a host Flask refuses."""
        key = tuple(environ.get(name) for name in _URL_KEYS)
        adapter = self._adapters.get(key)
        if adapter is None:
            try:
                adapter = self.app.create_url_adapter(self.app.request_class(environ))
            except Exception:
                return None
            if len(self._adapters) >= _ADAPTERS_KEPT:
                self._adapters.clear()
            self._adapters[key] = adapter
        return adapter

    def _content(self, status: int, payload: dict) -> bytes:
        """The answer's JSON, as the Flask view writes it; encoded once per answer, since the
        answers are a handful of constants (each outcome, each error)."""
        key = (status, *payload.items())
        content = self._bodies.get(key)
        if content is None:
            content = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode() + b"\n"
            if len(self._bodies) < _BODIES_KEPT:
                self._bodies[key] = content
        return content

    def _timer(self, status: int):
        # The metrics' children, looked up once: ``labels`` costs more than the observation.
        if status not in self._timers:
            self._timers[status] = REQUESTS.labels(method="POST", status=str(status))
        return self._timers[status]

    def _counter(self, outcome: str):
        if outcome not in self._counters:
            self._counters[outcome] = WEBHOOKS.labels(outcome=outcome)
        return self._counters[outcome]

    def _takes(self, environ) -> bool:
        return (
            environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") == "POST"
            and not environ.get("QUERY_STRING")
            and self.state.schema.checked
        )

    def _body(self, environ) -> bytes | None:
        """The raw body of a delivery this door can take, else None (Flask answers)."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if length < 0 or (self.limit is not None and length > self.limit):
            return None
        body = environ["wsgi.input"].read(length)
        if len(body) != length:
            return None  # a client that went away mid-body: nothing to answer
        return body

    def _answer(self, body: bytes, signature: str | None) -> Answer:
        try:
            return answer(self.state, body, signature)
        except Exception:
            # As Flask's handler would: logged with this request's id, and a 500 Stripe retries.
            log.exception("webhook failed")
            return Answer(500, {"error": "internal error"})
