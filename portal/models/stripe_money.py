"""What happens to a gift after it is paid: refunds, disputes, and a monthly gift's state.

Each row mirrors one Stripe object by its unique id. Its status only moves along its ladder
(``advances``), so Stripe's events, delivered in any order and any number of times, leave the
same rows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base
from portal.models.types import UTCDateTime, enum_column, utcnow


class RefundStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


# A refund may fail after it succeeded (a closed card); failed and canceled are final.
REFUND_RANK = {
    RefundStatus.PENDING: 0,
    RefundStatus.REQUIRES_ACTION: 0,
    RefundStatus.SUCCEEDED: 1,
    RefundStatus.FAILED: 2,
    RefundStatus.CANCELED: 2,
}
# Refunds whose money has left, or is leaving, the coalition.
LIVE_REFUNDS = (RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION, RefundStatus.SUCCEEDED)


class DisputeStatus(StrEnum):
    NEEDS_RESPONSE = "needs_response"
    UNDER_REVIEW = "under_review"
    WON = "won"
    LOST = "lost"


DISPUTE_RANK = {
    DisputeStatus.NEEDS_RESPONSE: 0,
    DisputeStatus.UNDER_REVIEW: 1,
    DisputeStatus.WON: 2,
    DisputeStatus.LOST: 2,
}
OPEN_DISPUTES = (DisputeStatus.NEEDS_RESPONSE, DisputeStatus.UNDER_REVIEW)


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLING = "cancelling"  # ends at the close of the period it is paid for
    PAST_DUE = "past_due"  # a renewal failed; Stripe retries
    UNPAID = "unpaid"  # retries exhausted; no more attempts
    ENDED = "ended"


def advances(rank: dict, current, status) -> bool:
    """Whether ``status`` is further along ``rank``'s ladder than ``current`` (None: no row)."""
    return current is None or rank[status] > rank[current]


class Refund(Base):
    """One Stripe refund of a donation, full or partial."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"), index=True)
    stripe_refund_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[int] = mapped_column(Integer)  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus))
    failure_reason: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Dispute(Base):
    """A donor's bank disputing a donation: open until Stripe says won or lost."""

    __tablename__ = "dispute"

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"), index=True)
    stripe_dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[int] = mapped_column(Integer)  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus), index=True)
    reason: Mapped[str | None] = mapped_column(String(50))
    evidence_due_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StripeSubscription(Base):
    """A monthly gift's state as Stripe last reported it (by the time of Stripe's event)."""

    __tablename__ = "stripe_subscription"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # Stripe's sub_… id
    status: Mapped[SubscriptionStatus] = mapped_column(enum_column(SubscriptionStatus))
    cancel_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What each payment charges now (minor units, the gift's currency): a donor may change it.
    amount: Mapped[int | None] = mapped_column(Integer)
    # When Stripe created the event this state came from: a later event wins, an earlier one
    # delivered late changes nothing.
    status_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StripeTransfer(Base):
    """What a destination charge sent a Connect member, and how much of it Stripe has taken
    back (a refund with ``reverse_transfer``, from the portal or Stripe's Dashboard)."""

    __tablename__ = "stripe_transfer"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # Stripe's tr_… id
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"), index=True)
    destination: Mapped[str | None] = mapped_column(String(255))  # the member's acct_… id
    amount: Mapped[int] = mapped_column(Integer)  # minor units
    amount_reversed: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
