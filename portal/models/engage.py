"""Ways to take part: events, and chances to volunteer or visit, of members and the coalition."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization
from portal.models.listen import PublicationStatus
from portal.models.types import UTCDateTime, enum_column, utcnow


class EventKind(StrEnum):
    EVENT = "event"  # happens at a time: has a start and an end
    OPPORTUNITY = "opportunity"  # to volunteer or visit: open until an optional closing time


class Event(Base):
    """An event or an opportunity, in one language.

    Times are stored in UTC with the IANA time zone they were given in, so a calendar shows
    "18:00 in Jerusalem" as the right instant on either side of a daylight-saving change. The
    place is a city or a region, never an address: people in a conflict zone are not located.
    """

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_status_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), default=EventKind.EVENT)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[PublicationStatus] = mapped_column(
        enum_column(PublicationStatus), default=PublicationStatus.DRAFT
    )
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jerusalem")
    online_url: Mapped[str | None] = mapped_column(String(1000))
    place: Mapped[str] = mapped_column(String(100), default="")  # a city or region, no address
    region: Mapped[str] = mapped_column(String(40), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED


class ContactAddress(Base):
    """Where the portal relays visitors' messages to a recipient. Never shown on any page."""

    __tablename__ = "contact_address"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ContactRelay(Base):
    """One visitor's message relayed to a recipient: when, and whether the visitor shared an
    email address. Neither the text nor any address is kept, so staff can count, never read."""

    __tablename__ = "contact_relay"
    __table_args__ = (Index("ix_contact_relay_org_created", "organization_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shared_email: Mapped[bool] = mapped_column(Boolean, default=False)
