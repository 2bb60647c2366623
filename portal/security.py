"""Headers every response carries, whichever path built it, and the hosts the portal answers for."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from werkzeug.exceptions import SecurityError
from werkzeug.routing import RequestRedirect
from werkzeug.wsgi import get_host

from portal.state import portal_state

# Only a strict, same-origin policy: the portal loads no third-party script, font or pixel, and
# no page needs a <base>. ``form-action`` is added per response (see ``form_action``).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# ASVS 5.0 (3.4.1, level 2): at least a year, subdomains included.
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
STRIPE_CHECKOUT = "https://checkout.stripe.com"
# The Billing Portal, where a monthly donor's "manage my gift" form leads.
STRIPE_BILLING = "https://billing.stripe.com"


@dataclass(frozen=True, slots=True)
class SecurityHeaders:
    """The headers of this configuration: ``plain`` for http, ``secure`` adds HSTS."""

    plain: tuple[tuple[str, str], ...]
    secure: tuple[tuple[str, str], ...]
    form_targets: tuple[str, ...]

    def for_scheme(self, scheme: str) -> tuple[tuple[str, str], ...]:
        return self.secure if scheme == "https" else self.plain


def init_app(app: Flask) -> None:
    _lazy_strings_are_text()
    portal_state(app).security_headers = security_headers_for(app.config)
    app.after_request(security_headers)


def security_headers_for(config) -> SecurityHeaders:
    """The headers for this configuration; the fast path sends the same ones."""
    targets = form_targets(config)
    plain = (
        ("Content-Security-Policy", _policy(targets)),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "interest-cohort=(), browsing-topics=()"),
    )
    secure = (*plain, HSTS)
    if config.get("PREFERRED_URL_SCHEME") == "https":
        plain = secure  # served over HTTPS behind something that does not say so
    return SecurityHeaders(plain, secure, targets)


def form_targets(config) -> tuple[str, ...]:
    """Where the portal's own forms may lead: itself, Stripe Checkout and the Billing Portal.

    Browsers apply ``form-action`` to every redirect that follows a form, so the donation form's
    303 to Checkout must be allowed here. With a local sandbox (``make run``, tests) Checkout's
    pages are the sandbox's; ``STRIPE_CHECKOUT_ORIGIN`` names another place (a custom domain,
    covering the Billing Portal too, or the sandbox's HTTPS listener).
    """
    chosen = [origin_of(config.get("STRIPE_CHECKOUT_ORIGIN")), _sandbox(config)]
    origins = [origin for origin in chosen if origin] or [STRIPE_CHECKOUT, STRIPE_BILLING]
    return ("'self'", *dict.fromkeys(origins))


def _sandbox(config) -> str | None:
    """The origin of a Stripe stand-in the API calls go to (its hosted pages are there too)."""
    origin = origin_of(config.get("STRIPE_API_BASE"))
    host = urlsplit(origin or "").hostname or ""
    return None if host == "stripe.com" or host.endswith(".stripe.com") else origin


def allow_form_target(url: str | None) -> None:
    """Let this response's forms lead to ``url``'s origin (a member's own donation page).

    The member page's donate button posts to ``/go/<slug>``, which answers with a redirect to
    the member's site; without its origin in the page's ``form-action`` the browser stops there.
    """
    origin = origin_of(url)
    if origin is not None:
        g.setdefault("form_targets", []).append(origin)


def allow_framing() -> None:
    """Let any site frame this response (the donate widget at ``/embed/<slug>`` only); every
    other page keeps ``frame-ancestors 'none'``."""
    g.framable = True


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, else None."""
    parts = urlsplit(url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def security_headers(response):
    """Set the portal's security headers where a view has not chosen its own."""
    headers = portal_state().security_headers
    _keep_redirect_on_site(response)
    extra = g.pop("form_targets", None)
    for name, value in headers.for_scheme(request.scheme):
        if name == "Content-Security-Policy" and extra:
            value = _policy((*headers.form_targets, *extra))
        if name == "Content-Security-Policy" and g.pop("framable", False):
            value = value.replace("frame-ancestors 'none'", "frame-ancestors *")
        response.headers.setdefault(name, value)
    return response


def _keep_redirect_on_site(response) -> None:
    """The slash-fixing redirect as a path: werkzeug writes the request's ``Host`` into it."""
    if isinstance(request.routing_exception, RequestRedirect):
        parts = urlsplit(response.location)
        response.location = parts.path + (f"?{parts.query}" if parts.query else "")


def _policy(targets) -> str:
    return f"{CONTENT_SECURITY_POLICY}; form-action {' '.join(dict.fromkeys(targets))}"


class TrustedHosts:
    """WSGI middleware, in front of every path: a request for a host outside ``TRUSTED_HOSTS``
    gets a 400 before any view, redirect or URL can be built from the forged name."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.hosts = app.config["TRUSTED_HOSTS"]

    def __call__(self, environ, start_response):
        try:
            get_host(environ, self.hosts)
        except SecurityError:
            return self._refuse(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _refuse(self, environ, start_response):
        # Plain text: the usual error page links to the portal, and its URL needs a good host.
        with self.app.request_context(environ):
            text = _("This site does not answer for that address.")
        response = Response(text, 400, mimetype="text/plain")
        for name, value in portal_state(self.app).security_headers.plain:
            response.headers.setdefault(name, value)
        return response(environ, start_response)


def _lazy_strings_are_text() -> None:
    """Print Flask-Babel's lazy strings escaped, like any other string.

    ``LazyString.__html__`` hands its text to Jinja as ready-made HTML, so a lazy message with a
    typed value in it (``lazy_gettext("No recipient has the slug %(slug)s", slug=typed)``: form
    errors, labels, flashes) reached the page unescaped. No message of ours carries markup, so
    escaping every lazy string where it is printed closes that path for every page at once,
    including pages written later. Safe to call twice.
    """
    LazyString.__html__ = _escaped_text


def _escaped_text(text: LazyString) -> Markup:
    return escape(str(text))
