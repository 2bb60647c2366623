"""Headers every response carries, whichever path built it."""

# Only a strict, same-origin policy: the portal loads no third-party script, font or pixel.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self' https:"
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "interest-cohort=(), browsing-topics=()"),
)


def security_headers(response):
    """Set the portal's security headers where a view has not chosen its own."""
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response
