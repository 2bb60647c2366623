"""What the members say: statements, and the coalition's podcast episodes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization
from portal.models.types import UTCDateTime, enum_column, utcnow


class PublicationStatus(StrEnum):
    """Where a statement or an event stands; only ``PUBLISHED`` is ever shown to visitors."""

    PROPOSED = "proposed"  # sent by a member through its report link, waiting for staff
    DRAFT = "draft"  # written or accepted by staff, not public yet
    PUBLISHED = "published"


class Statement(Base):
    """A member's or the coalition's statement, in one language.

    A translation is a statement of its own whose ``translation_of`` is the original: each keeps
    its own title, date and review, and a page offers the other languages of the same family.
    """

    __tablename__ = "statement"
    __table_args__ = (Index("ix_statement_status_published", "status", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when rendered
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[PublicationStatus] = mapped_column(
        enum_column(PublicationStatus), default=PublicationStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    original_url: Mapped[str | None] = mapped_column(String(1000))
    translation_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement.id", ondelete="SET NULL"), index=True
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")
    translation_of: Mapped[Statement | None] = relationship(remote_side=[id])

    @property
    def family_id(self) -> int:
        """The original's id, shared by every translation of it."""
        return self.translation_of_id or self.id

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED


episode_member = Table(
    "episode_member",
    Base.metadata,
    Column("episode_id", Integer, ForeignKey("episode.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "organization_id",
        Integer,
        ForeignKey("organization.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Episode(Base):
    """One podcast episode, imported from the feed and found again by its GUID."""

    __tablename__ = "episode"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(500), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    audio_url: Mapped[str | None] = mapped_column(String(2000))
    page_url: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str] = mapped_column(String(8), default="en")
    # Once staff change the title or description, a re-import leaves both alone.
    staff_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[Organization]] = relationship(
        secondary=episode_member, lazy="selectin", order_by=Organization.name
    )
