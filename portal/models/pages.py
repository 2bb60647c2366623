"""Texts staff write for the portal's own pages (About, Terms), one row per page and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base
from portal.models.types import UTCDateTime, utcnow


class PageText(Base):
    __tablename__ = "page_text"

    page: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
