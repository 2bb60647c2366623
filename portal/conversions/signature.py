"""The postback signature: HMAC-SHA256 over "<timestamp>.<body>" with the member's secret.

Header: ``Portal-Signature: t=<unix seconds>,v1=<hex digest>``. Checked in constant time, and
refused when the timestamp is more than five minutes away from the portal's clock, so a captured
request cannot be replayed later (a replay within the window is harmless: reports are idempotent).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Portal-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """Why a postback's signature is refused; safe to send back."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a member's site sends (the README's example computes the same)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, *, now: float) -> None:
    """Raise ``SignatureError`` unless ``header`` signs ``body`` with ``secret`` recently."""
    parts = dict(item.split("=", 1) for item in (header or "").split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise SignatureError("missing or malformed Portal-Signature header") from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("timestamp outside the five-minute tolerance")
    if not hmac.compare_digest(given.encode(), _digest(secret, timestamp, body).encode()):
        raise SignatureError("signature does not match")


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
