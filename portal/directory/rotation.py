"""The directory's fair default order: a daily rotation anyone can recompute for any past day.

Each member's place comes from a hash of the day and its own slug, so a member's rank does not
depend on who else is listed: filtering, adding or suspending others never reshuffles the rest,
and staff can rebuild the exact order shown on any day from the list of members active then.
"""

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import TypeVar

ROTATION_VERSION = "rotation-v1"

T = TypeVar("T")


def rotation_key(day: date, slug: str) -> bytes:
    """The sort key of one member on one UTC day."""
    return hashlib.sha256(f"{ROTATION_VERSION}:{day.isoformat()}:{slug}".encode()).digest()


def rotate(items: Iterable[T], day: date, *, slug=lambda item: item.slug) -> list[T]:
    """Return ``items`` in the rotation order of ``day``."""
    return sorted(items, key=lambda item: rotation_key(day, slug(item)))
