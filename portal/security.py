"""Headers every response carries, whichever path built it."""

# Only a strict, same-origin policy: the portal loads no third-party script, font or pixel.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self' https:"
)


def security_headers(response):
    """Set the portal's security headers where a view has not chosen its own."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
    return response
