"""Object ids with Stripe's prefixes."""

from __future__ import annotations

import secrets
import string
import time

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    """A random id such as ``pi_3Qx…`` (Stripe's ids are opaque strings after the prefix)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def session_id() -> str:
    """A Checkout Session id, long like Stripe's own ``cs_test_a1…`` ids."""
    return new_id("cs_test_a1", 56)


def now() -> int:
    """The current Unix time in whole seconds, as Stripe's ``created`` fields use."""
    return int(time.time())
