"""Recipients, referrals and the daily salt behind visitor hashes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    event,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.db.base import Base
from portal.folding import fold
from portal.models.texts import TEXT_LANGUAGES, OrganizationText
from portal.models.types import UTCDateTime, enum_column, utcnow


class RecipientKind(StrEnum):
    MEMBER = "member"
    COALITION = "coalition"


class HandoffMode(StrEnum):
    EXTERNAL = "external"
    STRIPE = "stripe"


class OrgStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ArrivedVia(StrEnum):
    PORTAL = "portal"
    LINK = "link"
    EMBED = "embed"  # a member's donate button or widget on its own site


class ReferralStatus(StrEnum):
    REDIRECTED = "redirected"  # sent to the member's own page
    REROUTED = "rerouted"  # member suspended: sent to the coalition's page instead
    CHECKOUT_STARTED = "checkout_started"
    CHECKOUT_FAILED = "checkout_failed"


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[RecipientKind] = mapped_column(
        enum_column(RecipientKind), default=RecipientKind.MEMBER
    )
    short_description: Mapped[str] = mapped_column(String(300), default="")
    long_description: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str] = mapped_column(String(40), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str | None] = mapped_column(String(500))
    donation_url: Mapped[str | None] = mapped_column(String(1000))
    handoff_mode: Mapped[HandoffMode] = mapped_column(
        enum_column(HandoffMode), default=HandoffMode.EXTERNAL
    )
    status: Mapped[OrgStatus] = mapped_column(enum_column(OrgStatus), default=OrgStatus.ACTIVE)
    listen_url: Mapped[str | None] = mapped_column(String(500))
    engage_url: Mapped[str | None] = mapped_column(String(500))
    receipt_note: Mapped[str] = mapped_column(String(500), default="")
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The language the member wrote its name and descriptions in (the columns above); the other
    # languages are ``translations``.
    original_language: Mapped[str] = mapped_column(String(8), default=TEXT_LANGUAGES[0])
    # Every language version, folded (``portal.folding``) and kept current on each flush, so that
    # search is one LIKE on one column on SQLite and PostgreSQL alike.
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)

    focus: Mapped[list[OrganizationFocus]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", lazy="selectin"
    )
    translations: Mapped[list[OrganizationText]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def focus_areas(self) -> list[str]:
        return sorted(f.area for f in self.focus)

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    def text_in(self, field: str, language: str) -> str:
        """What the member wrote for ``field`` in ``language``; "" where nothing is."""
        if language == self.original_language:
            return getattr(self, field) or ""
        version = self._translation(language)
        return (getattr(version, field) or "") if version else ""

    def set_text(self, field: str, language: str, value: str) -> None:
        """Store ``field`` in ``language``; a translation left with no text at all is dropped."""
        if language == self.original_language:
            setattr(self, field, value)
            return
        version = self._translation(language)
        if version is None:
            if not value:
                return
            version = OrganizationText(language=language)
            self.translations.append(version)
        setattr(version, field, value)
        if version.is_empty:
            self.translations.remove(version)

    def folded_text(self) -> str:
        """What search compares a query with: every language version, folded."""
        versions = [self, *self.translations]
        parts = [
            getattr(version, name) or ""
            for version in versions
            for name in ("name", "short_description", "long_description", "country")
        ]
        return fold(" ".join(parts))

    def _translation(self, language: str) -> OrganizationText | None:
        return next((t for t in self.translations if t.language == language), None)


@event.listens_for(Session, "before_flush")
def _refresh_search_text(session: Session, _context, _instances) -> None:
    """Every write path (console, import, demo loader, tests) keeps ``search_text`` current."""
    touched = {obj for obj in (*session.new, *session.dirty) if isinstance(obj, Organization)}
    touched |= {
        obj.organization
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, OrganizationText) and obj.organization is not None
    }
    for org in touched:
        folded = org.folded_text()
        if "search_text" not in org.__dict__ or org.search_text != folded:
            org.search_text = folded


class OrganizationFocus(Base):
    __tablename__ = "organization_focus"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    organization: Mapped[Organization] = relationship(back_populates="focus")


class Referral(Base):
    """One hand-off of a donor to a recipient, of either mode. Never holds a raw IP address."""

    __tablename__ = "referral"
    # Every hand-off writes one page per index, so there are few. Recipient, then time, then ref:
    # reports read a recipient's days from it, ``created_within`` reads everyone's, and its
    # uniqueness is what makes a spool replay exactly-once (a replayed row repeats all three).
    # The donation form finds its referral again by ``ref``: only those rows are indexed by it.
    __table_args__ = (
        Index("ix_referral_org_created", "organization_id", "created_at", "ref", unique=True),
        Index(
            "uq_referral_checkout_ref",
            "ref",
            unique=True,
            sqlite_where=text("mode = 'stripe'"),
            postgresql_where=text("mode = 'stripe'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Opaque, unguessable reference made before the insert, so a spooled referral keeps its
    # identity. For the donation form it is the form's one-time token (see ``CHECKOUT_REFERRAL``).
    ref: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    mode: Mapped[HandoffMode] = mapped_column(enum_column(HandoffMode))
    status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus))
    arrived_via: Mapped[ArrivedVia] = mapped_column(enum_column(ArrivedVia))
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    referrer_host: Mapped[str | None] = mapped_column(String(255))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    bot_reason: Mapped[str | None] = mapped_column(String(100))
    visitor_hash: Mapped[str | None] = mapped_column(String(32))
    destination_url: Mapped[str] = mapped_column(String(2000))
    failure_reason: Mapped[str | None] = mapped_column(String(300))

    organization: Mapped[Organization] = relationship()


# The condition, written as the unique index on checkout refs states it, under which a lookup by
# ``ref`` can use that index (a bound parameter would not let the database see the match).
CHECKOUT_REFERRAL = literal_column("referral.mode") == literal_column("'stripe'")


def created_within(
    start: datetime | None, end: datetime | None, *, organization_id: int | None = None
) -> list[ColumnElement[bool]]:
    """Conditions for referrals created in ``[start, end)`` (a bound may be open), of one
    recipient or, by default, of every recipient.

    Naming every recipient is what lets the database walk ``ix_referral_org_created`` once per
    recipient, a short walk each, instead of reading the whole table.
    """
    if organization_id is not None:
        recipients = Referral.organization_id == organization_id
    else:
        recipients = _EveryRecipient()
    conditions = [recipients]
    if start is not None:
        conditions.append(Referral.created_at >= start)
    if end is not None:
        conditions.append(Referral.created_at < end)
    return conditions


class DailySalt(Base):
    """The secret behind one UTC day's visitor hashes; rows older than two days are deleted."""

    __tablename__ = "daily_salt"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class _EveryRecipient(ColumnElement[bool]):
    """The referral's recipient is any recipient, said so that the index walks one per recipient.

    SQLite walks once per id of ``IN (SELECT …)``; PostgreSQL hash-joins that and reads the whole
    table, but takes ``= ANY(ARRAY(SELECT …))`` as an index condition, one descent per id.
    """

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True

    @property
    def _from_objects(self):
        return [Referral.__table__]


@compiles(_EveryRecipient)
def _in_recipients(element, compiler, **kw) -> str:
    return compiler.process(Referral.organization_id.in_(select(Organization.id)), **kw)


@compiles(_EveryRecipient, "postgresql")
def _any_recipient(element, compiler, **kw) -> str:
    ids = compiler.process(select(Organization.id).scalar_subquery(), **kw)
    return compiler.process(Referral.organization_id, **kw) + " = ANY(ARRAY" + ids + ")"
