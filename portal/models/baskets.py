"""A giving basket: one gift split among several members, paid through one Checkout Session."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization, Referral
from portal.models.donations import Frequency
from portal.models.types import UTCDateTime, enum_column, utcnow


class SplitKind(StrEnum):
    EVEN = "even"
    AMOUNTS = "amounts"
    PERCENTAGES = "percentages"


class Basket(Base):
    """What the donor chose at checkout; every payment of the gift is allocated by its lines."""

    __tablename__ = "basket"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public, random: the Checkout metadata and the leftover rule's seed (``allocation``).
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    split: Mapped[SplitKind] = mapped_column(enum_column(SplitKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[BasketLine]] = relationship(
        back_populates="basket", order_by="BasketLine.position"
    )


class BasketLine(Base):
    """One member's part of a basket: one Checkout line item and one referral."""

    __tablename__ = "basket_line"
    __table_args__ = (UniqueConstraint("basket_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("basket.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    position: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)  # minor units, the member's gift
    fee_cover: Mapped[int] = mapped_column(Integer, default=0)  # minor units on top of it
    # The percentage the donor chose, in hundredths of a percent (a percentage split only).
    share: Mapped[int | None] = mapped_column(Integer)

    basket: Mapped[Basket] = relationship(back_populates="lines")
    organization: Mapped[Organization] = relationship()
    referral: Mapped[Referral | None] = relationship()

    @property
    def total(self) -> int:
        return self.amount + self.fee_cover


class BasketTransfer(Base):
    """The coalition's payout of one member's part of one payment to its Connect account."""

    __tablename__ = "basket_transfer"
    __table_args__ = (UniqueConstraint("donation_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    stripe_transfer_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[int] = mapped_column(Integer)  # minor units sent
    amount_reversed: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
