"""What reports keep beside the raw rows: daily roll-ups, their high-water mark, member report keys.

The roll-ups are a cache of the referral log, never a source of truth: any day can be rebuilt
from the raw rows, and the reports read raw rows for every day the roll-up has not caught up with.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.core import Organization, Referral
from portal.models.types import UTCDateTime, utcnow

# The roll-up's "any value" key: a row under it counts a day's visitors once across the values.
ANY = "*"


class ReferralDaily(Base):
    """One member's referrals on one UTC day, for one hand-off mode and one arrival channel.

    Each day is stored for every combination of a real value and ``ANY`` (a small cube), because
    unique visitors do not add up: someone who came through the portal and a shared link on the
    same day is one visitor, so the "any channel" row carries its own distinct count.
    """

    __tablename__ = "referral_daily"
    __table_args__ = ({"sqlite_with_rowid": False},)

    mode_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    arrived_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    humans: Mapped[int] = mapped_column(Integer)
    bots: Mapped[int] = mapped_column(Integer)
    visitors: Mapped[int] = mapped_column(Integer)  # distinct human visitor hashes


class ReferralSourceDaily(Base):
    """Referrals per UTC day by inbound campaign or referring host (``""`` when there was none)."""

    __tablename__ = "referral_source_daily"
    __table_args__ = ({"sqlite_with_rowid": False},)

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # "campaign" or "host"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20), primary_key=True)
    arrived_via: Mapped[str] = mapped_column(String(20), primary_key=True)
    humans: Mapped[int] = mapped_column(Integer)
    bots: Mapped[int] = mapped_column(Integer)


class RollupMark(Base):
    """How far the roll-ups have caught up with the referral log.

    Every referral with an id up to ``referral_id`` whose day is on or before ``closed_through``
    is counted in the roll-ups; anything else is read from the raw rows.
    """

    __tablename__ = "rollup_mark"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    referral_id: Mapped[int] = mapped_column(Integer, default=0)
    closed_through: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MemberReportKey(Base):
    """The version every report link of one member is signed with; raising it revokes them all."""

    __tablename__ = "member_report_key"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()


# A campaign filter reads raw rows: this index keeps that to the campaign's own rows.
Index("ix_referral_campaign_created", Referral.utm_campaign, Referral.created_at)
