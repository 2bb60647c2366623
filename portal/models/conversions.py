"""Gifts members report back: a per-member postback secret, and one row per gift reported."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization, Referral
from portal.models.donations import Frequency
from portal.models.types import UTCDateTime, enum_column, utcnow


class ReportedVia(StrEnum):
    POSTBACK = "postback"
    CSV = "csv"


class PostbackKey(Base):
    """A member's postback secret. Kept to check signatures; shown to an admin only when made."""

    __tablename__ = "postback_key"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Conversion(Base):
    """A gift a member's own donation page took from a donor the portal sent there.

    One per member and reference: a repeated report changes nothing. No donor data at all.
    """

    __tablename__ = "conversion"
    __table_args__ = (UniqueConstraint("organization_id", "ref", name="uq_conversion_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    # Indexed: pruning the referral log keeps every referral a conversion points to, and asks
    # for each one it would delete.
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    ref: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Integer)  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    reported_via: Mapped[ReportedVia] = mapped_column(enum_column(ReportedVia))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    referral: Mapped[Referral] = relationship()
