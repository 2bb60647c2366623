"""The donation ledger and the Stripe events that move it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization, Referral
from portal.models.types import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from portal.models.baskets import Basket


class Frequency(StrEnum):
    ONE_TIME = "one_time"
    MONTHLY = "monthly"


class DonationStatus(StrEnum):
    OPEN = "open"  # checkout session created, donor has not finished
    PROCESSING = "processing"  # checkout done, an asynchronous payment is pending
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUNDED = "refunded"


# Stripe may deliver a donation's events more than once and in any order; a status only ever moves
# up this ladder, so every order of the same events ends in the same state.
STATUS_RANK = {
    DonationStatus.OPEN: 0,
    DonationStatus.PROCESSING: 1,
    DonationStatus.EXPIRED: 2,
    DonationStatus.FAILED: 2,
    DonationStatus.PAID: 3,
    DonationStatus.REFUNDED: 4,
}


def status_advances(current: DonationStatus, status: DonationStatus) -> bool:
    """Whether ``status`` is further along the ladder than ``current``."""
    return STATUS_RANK[status] > STATUS_RANK[current]


class Donation(Base):
    """One payment (or one attempt at it). A monthly gift has one row per paid invoice."""

    __tablename__ = "donation"
    __table_args__ = (Index("ix_donation_org_created", "organization_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)
    # The referral's channel and campaign, copied when the donation is made (the form's
    # ``_new_donation``, a renewal from its first payment) so that the ledger filtered by either
    # reads donations alone; rows older than that are copied by the roll-up catch-up, and until
    # then ``referral_channel`` is empty and the report looks the referral up itself.
    referral_channel: Mapped[str | None] = mapped_column(String(20))
    referral_campaign: Mapped[str | None] = mapped_column(String(100))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    # A basket's payment: ``organization`` collects it, the basket's lines say who it is for.
    basket_id: Mapped[int | None] = mapped_column(ForeignKey("basket.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)  # minor units, fee cover included
    # Minor units of ``amount`` refunded or being refunded (failed refunds give it back).
    amount_refunded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fee_cover: Mapped[int] = mapped_column(Integer, default=0)  # minor units within ``amount``
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    status: Mapped[DonationStatus] = mapped_column(
        enum_column(DonationStatus), default=DonationStatus.OPEN
    )
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    dedication: Mapped[str | None] = mapped_column(String(200))
    # The language the donor gave in: every mail about this gift is written in it.
    language: Mapped[str | None] = mapped_column(String(10))
    # Where this gift's notices go (a refund, a failed month), on its first payment only; never
    # shown or exported, and erased 180 days after the gift's last payment (``deliver-mail``).
    contact_email: Mapped[str | None] = mapped_column(String(320))
    share_email: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept only when the donor opted in to share it with the recipient.
    donor_email: Mapped[str | None] = mapped_column(String(320))
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(String(2000))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    subscription_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    referral: Mapped[Referral | None] = relationship()
    basket: Mapped[Basket | None] = relationship()

    def move_to(self, status: DonationStatus) -> bool:
        """Take ``status`` if it is further along than the current one; True if it moved."""
        if not status_advances(self.status, status):
            return False
        self.status = status
        return True


class StripeEvent(Base):
    """Each Stripe event once, by its id: the unique key is what makes a redelivery a no-op."""

    __tablename__ = "stripe_event"
    # Only the events that may wait for a donation have a related id: the others (most of
    # them, every payment's) write no entry into the index the waiting events are found by.
    __table_args__ = (
        Index(
            "ix_stripe_event_related_id",
            "related_id",
            sqlite_where=text("related_id IS NOT NULL"),
            postgresql_where=text("related_id IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(255))
    # The Stripe id that links this event to a donation we may not know yet (a refund's payment
    # intent, a cancelled subscription), so it can be applied when the donation learns that id.
    related_id: Mapped[str | None] = mapped_column(String(255))
    stripe_created: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    # The event's object, kept for the types that may wait for a donation (``related_id``), so
    # that the same rule applies it once the donation learns that id.
    payload: Mapped[str | None] = mapped_column(Text)


class RateCounter(Base):
    """Hits per key per fixed window, shared by every worker through the database."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
