"""Staff accounts: creating them, signing in, ending sessions, roles and suspension."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditAction, Staff, StaffRole, StaffStatus
from portal.staff import audit, passwords
from portal.staff.audit import Actor

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
EMAIL_MAX = 254


class StaffError(Exception):
    """A refused change to a staff account; the message is safe to show."""


def normalize_email(value: str) -> str:
    return value.strip().lower()


def email_problem(email: str) -> str | None:
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        return _("Give a valid email address.")
    return None


def find_staff(session: Session, email: str) -> Staff | None:
    return session.scalar(select(Staff).filter_by(email=normalize_email(email)))


def all_staff(session: Session) -> list[Staff]:
    return list(session.scalars(select(Staff).order_by(Staff.email)))


def staff_for_session(session: Session, session_id: str) -> Staff | None:
    """The active account a session belongs to, unless its sessions were ended since."""
    staff_id, _sep, version = session_id.partition(":")
    if not (staff_id.isdecimal() and version.isdecimal()):
        return None
    staff = session.get(Staff, int(staff_id))
    if staff is None or not staff.is_active or staff.session_version != int(version):
        return None
    return staff


def create_staff(
    session: Session, actor: Actor, *, email: str, role: StaffRole, password: str
) -> Staff:
    """Add an account and audit it (never the password). Flushes, never commits."""
    email = normalize_email(email)
    problem = email_problem(email) or passwords.password_problem(password, email=email)
    if problem:
        raise StaffError(problem)
    if find_staff(session, email) is not None:
        raise StaffError(_("There is already an account for %(email)s.", email=email))
    staff = Staff(email=email, role=role, password_hash=passwords.hash_password(password))
    session.add(staff)
    session.flush()
    audit.record(
        session,
        actor,
        staff,
        {"email": (None, email), "role": (None, role), "status": (None, staff.status)},
        action=AuditAction.CREATED,
    )
    return staff


def record_sign_in(session: Session, staff: Staff, password: str, now: datetime) -> None:
    """Note the sign-in; re-hash when the hashing parameters have been raised. Flushes."""
    staff.last_login_at = now
    if passwords.needs_rehash(staff.password_hash):
        staff.password_hash = passwords.hash_password(password)
    session.flush()


def end_sessions(session: Session, staff: Staff) -> None:
    """Make every session of ``staff`` invalid, whatever cookie it lives in. Flushes."""
    staff.session_version += 1
    session.flush()


def set_role(session: Session, actor: Actor, staff: Staff, role: StaffRole) -> bool:
    """Change the role; False when it already was ``role``. Flushes, never commits."""
    if staff.id == actor.staff_id:
        raise StaffError(_("You can't change your own role: ask another admin."))
    if staff.role == role:
        return False
    audit.record(session, actor, staff, {"role": (staff.role, role)})
    staff.role = role
    session.flush()
    return True


def set_status(session: Session, actor: Actor, staff: Staff, status: StaffStatus) -> bool:
    """Suspend (which ends every session) or reactivate; False when nothing changes."""
    if staff.id == actor.staff_id:
        raise StaffError(_("You can't suspend or reactivate your own account."))
    if staff.status == status:
        return False
    audit.record(session, actor, staff, {"status": (staff.status, status)})
    staff.status = status
    end_sessions(session, staff)
    return True


def change_password(
    session: Session, actor: Actor, staff: Staff, *, current: str, new: str
) -> None:
    """Replace the password and end every other session. Flushes, never commits."""
    if not passwords.verify_password(staff.password_hash, current):
        raise StaffError(_("Your current password is not right."))
    problem = passwords.password_problem(new, email=staff.email)
    if problem:
        raise StaffError(problem)
    staff.password_hash = passwords.hash_password(new)
    # The log says that the password changed, never anything about either password.
    audit.record(session, actor, staff, {"password": (None, None)})
    end_sessions(session, staff)
