"""Signed links a donor holds: back to the form with every choice kept after cancelling on
Checkout. The token names a donation and nothing else; what it shows comes from the ledger."""

from __future__ import annotations

from itsdangerous import BadData, URLSafeTimedSerializer

RESUME_SALT = "donate-resume"
RESUME_MAX_AGE = 24 * 3600  # long enough to come back from Checkout, short for a logged URL


def resume_token(secret: str, donation_id: int) -> str:
    return URLSafeTimedSerializer(secret, salt=RESUME_SALT).dumps(donation_id)


def resumed_donation_id(secret: str, token: str) -> int | None:
    """The donation a resume token names, or None if it is forged, mangled or too old."""
    try:
        value = URLSafeTimedSerializer(secret, salt=RESUME_SALT).loads(
            token, max_age=RESUME_MAX_AGE
        )
    except BadData:
        return None
    return value if isinstance(value, int) else None
