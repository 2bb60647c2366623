"""Headers every response carries, whichever path built it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app

# Only a strict, same-origin policy: the portal loads no third-party script, font or pixel.
# Forms may lead to https: only, which covers Stripe Checkout.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self' https:"
)


def init_app(app: Flask) -> None:
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
