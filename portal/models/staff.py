"""Staff accounts and what the staff console keeps: sign-in attempts, audit log, link checks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization
from portal.models.types import UTCDateTime, enum_column, utcnow


class StaffRole(StrEnum):
    ADMIN = "admin"  # edits the directory, manages staff, issues member report links
    VIEWER = "viewer"  # reads reports


class StaffStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class LoginOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUSED = "refused"  # throttled: the password was not even checked


class AuditAction(StrEnum):
    CREATED = "created"
    CHANGED = "changed"


class AuditSubject(StrEnum):
    ORGANIZATION = "organization"
    STAFF = "staff"
    STATEMENT = "statement"
    EPISODE = "episode"
    DONATION = "donation"
    EVENT = "event"
    PAGE = "page"


class AuditVia(StrEnum):
    FORM = "form"
    IMPORT = "import"
    COMMAND = "command"
    MEMBER_LINK = "member link"  # a member, through its signed report link
    MANAGE_LINK = "manage link"  # the donor, through their gift's private link


class Staff(Base):
    """A coalition staff member who signs in to the console. Works as a Flask-Login user."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole), default=StaffRole.VIEWER)
    status: Mapped[StaffStatus] = mapped_column(
        enum_column(StaffStatus), default=StaffStatus.ACTIVE
    )
    # Part of every session's identity: raising it ends all of this person's sessions at once.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.status == StaffStatus.ACTIVE

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class LoginAttempt(Base):
    """One sign-in attempt, keyed by hashes: neither the typed email nor the address is kept."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_account", "account_key", "created_at"),
        Index("ix_login_attempt_visitor", "visitor_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    account_key: Mapped[str] = mapped_column(String(64))
    visitor_key: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[LoginOutcome] = mapped_column(enum_column(LoginOutcome))


class AuditEntry(Base):
    """One changed field: who changed what, when, from which value to which."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # The actor's email as it was, so the log still reads right if the account changes.
    actor: Mapped[str] = mapped_column(String(254))
    via: Mapped[AuditVia] = mapped_column(enum_column(AuditVia))
    subject_kind: Mapped[AuditSubject] = mapped_column(enum_column(AuditSubject))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class LinkCheck(Base):
    """The last time a recipient's donation URL was requested, and what came back."""

    __tablename__ = "link_check"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    url: Mapped[str] = mapped_column(String(1000))
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))

    organization: Mapped[Organization] = relationship()


class ImportBatch(Base):
    """An uploaded directory CSV between its dry-run preview and the admin's confirmation."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
