"""Headers every response carries, whichever path built it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

# Only a strict, same-origin policy: the portal loads no third-party script, font or pixel.
# Forms may lead to https: only, which covers Stripe Checkout.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self' https:"
)


def init_app(app: Flask) -> None:
    _lazy_strings_are_text()
    app.extensions["security_headers"] = security_headers_for(app.config)
    app.after_request(security_headers)


def security_headers_for(config) -> tuple[tuple[str, str], ...]:
    """The headers for this configuration.

    A local Stripe sandbox on plain http (``make run``) is added to ``form-action``: browsers
    apply that directive to the redirect after the donation form, and would otherwise stop the
    donor on the way to the sandbox's checkout page.
    """
    policy = CONTENT_SECURITY_POLICY
    base = config.get("STRIPE_API_BASE") or ""
    if base.startswith("http://"):
        parts = urlsplit(base)
        policy += f" {parts.scheme}://{parts.netloc}"
    return (
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "interest-cohort=(), browsing-topics=()"),
    )


def security_headers(response):
    """Set the portal's security headers where a view has not chosen its own."""
    for name, value in current_app.extensions["security_headers"]:
        response.headers.setdefault(name, value)
    return response


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
