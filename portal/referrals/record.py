"""The referral as it travels through the hand-off: from the plan to the fast path's insert, the
spool or the error log, as plain values (no ORM object, which a spool line could not hold)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from portal.models import ArrivedVia, HandoffMode, ReferralStatus


class ReferralRecord(TypedDict):
    """One ``referral`` row's values, keyed by column (the id is the database's to give).

    A mapping rather than a class: the fast path binds it, the spool writes it as one JSON line
    and ``insert_ignore`` takes it as it is. ``visitor_hash`` is None until the day's salt is
    known, and is then filled in (``service.commit_or_spool``).
    """

    ref: str
    created_at: datetime
    organization_id: int
    mode: HandoffMode
    status: ReferralStatus
    arrived_via: ArrivedVia
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    referrer_host: str | None
    is_bot: bool
    bot_reason: str | None
    visitor_hash: str | None
    destination_url: str
    failure_reason: str | None
