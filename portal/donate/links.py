"""Signed links a donor holds: back to the form with every choice kept after cancelling on
Checkout, and the private link that manages a gift. A token names a donation and nothing else;
what a page shows comes from the ledger."""

from __future__ import annotations

import functools

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

RESUME_SALT = "donate-resume"
RESUME_MAX_AGE = 24 * 3600  # long enough to come back from Checkout, short for a logged URL
MANAGE_SALT = "gift-manage"


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


def manage_token(secret: str, donation_id: int) -> str:
    """The private key to a gift: no account, valid as long as the gift is."""
    return _manage_serializer(secret).dumps(donation_id)


@functools.lru_cache(maxsize=4)
def _manage_serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=MANAGE_SALT)


def managed_donation_id(secret: str, token: str) -> int | None:
    """The gift a manage token opens, or None if it is forged or mangled."""
    try:
        value = URLSafeSerializer(secret, salt=MANAGE_SALT).loads(token)
    except BadData:
        return None
    return value if isinstance(value, int) else None
