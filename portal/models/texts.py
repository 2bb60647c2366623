"""What members wrote, in each language: a translation per recipient and language.

A recipient's own columns (``Organization.name`` …) hold its text in ``original_language``, the
language the member wrote it in; a row here holds the same fields in one other language. An empty
field means "not translated": readers fall back to the original (see ``portal.texts``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base

if TYPE_CHECKING:
    from portal.models.core import Organization

# The languages member texts can be stored in, the first the default original. A fourth language
# is one more code here (its CSV columns and editor fields follow) plus its interface catalogue.
TEXT_LANGUAGES = ("en", "ar", "he")

# The fields a member writes in its own words; everything else about it has no language.
TRANSLATED_FIELDS = ("name", "short_description", "long_description", "country", "receipt_note")


class OrganizationText(Base):
    __tablename__ = "organization_text"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    short_description: Mapped[str] = mapped_column(String(300), default="")
    long_description: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    receipt_note: Mapped[str] = mapped_column(String(500), default="")

    organization: Mapped[Organization] = relationship(back_populates="translations")

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in TRANSLATED_FIELDS)
