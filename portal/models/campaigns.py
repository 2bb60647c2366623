"""Campaign links: a recipient's hand-off link with tags chosen by staff or by the member."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization
from portal.models.types import UTCDateTime, enum_column, utcnow


class LinkMaker(StrEnum):
    STAFF = "staff"
    MEMBER = "member"  # through its own report link


class CampaignLink(Base):
    """One saved campaign link. Its visits are the referrals that carry exactly its tags.

    An absent source or medium is stored as "" so that the same tags cannot be saved twice (a
    unique constraint treats two NULLs as different).
    """

    __tablename__ = "campaign_link"
    __table_args__ = (
        UniqueConstraint(
            "organization_id", "campaign", "source", "medium", name="uq_campaign_link"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # names its QR code and poster
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    campaign: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100), default="")
    medium: Mapped[str] = mapped_column(String(100), default="")
    made_by: Mapped[LinkMaker] = mapped_column(enum_column(LinkMaker))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
