"""Signed, read-only report links for one member: issued by an admin, revoked by a new key version.

A link carries the member's id, its key version and the last day it works, signed with the
portal's secret. Nothing about a link is stored: raising the member's key version makes every
link issued before it stop working at once, and both actions go to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db.writing import insert_ignore
from portal.i18n import day
from portal.models import MemberReportKey, Organization
from portal.staff import audit
from portal.staff.audit import Actor

SALT = "member-report-link"
LONGEST_DAYS = 366


class LinkError(Exception):
    """A report link that does not open a report; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Link:
    organization: Organization
    token: str
    expires: date
    version: int


def issue_link(
    session: Session, secret: str, actor: Actor, org: Organization, *, expires: date, now: datetime
) -> Link:
    """Sign a link to ``org``'s report, valid through ``expires`` (UTC). Flushes, never commits."""
    if expires < now.date() or (expires - now.date()).days > LONGEST_DAYS:
        raise ValueError("expiry out of range")  # the form checks this first
    key = _key(session, org, now)
    payload = {"m": org.id, "v": key.version, "x": expires.isoformat()}
    token = URLSafeSerializer(secret, salt=SALT).dumps(payload)
    audit.record(
        session,
        actor,
        org,
        {"report_link": (None, f"until {expires.isoformat()}, key {key.version}")},
    )
    return Link(org, token, expires, key.version)


def rotate_key(session: Session, actor: Actor, org: Organization, *, now: datetime) -> int:
    """Revoke every link of ``org`` issued so far; returns the new key version. Flushes."""
    key = _key(session, org, now)
    before = key.version
    key.version = before + 1
    key.rotated_at = now
    session.flush()
    audit.record(session, actor, org, {"report_key": (before, key.version)})
    return key.version


def open_link(session: Session, secret: str, token: str, *, now: datetime) -> Link:
    """The member a link opens the report of; raises ``LinkError`` (404 or 410) otherwise."""
    try:
        payload = URLSafeSerializer(secret, salt=SALT).loads(token)
        org_id, version = int(payload["m"]), int(payload["v"])
        expires = date.fromisoformat(payload["x"])
    except (BadData, KeyError, TypeError, ValueError):
        raise LinkError(404, _not_valid()) from None
    org = session.get(Organization, org_id)
    current = session.scalar(
        select(MemberReportKey.version).where(MemberReportKey.organization_id == org_id)
    )
    if org is None or current is None:
        raise LinkError(404, _not_valid())
    if version != current:
        raise LinkError(
            410, _("This report link has been withdrawn. Ask the coalition for a new one.")
        )
    if now.date() > expires:
        raise LinkError(
            410,
            _(
                "This report link expired on %(day)s. Ask the coalition for a new one.",
                day=day(expires),
            ),
        )
    return Link(org, token, expires, version)


def _not_valid() -> str:
    return _("This report link is not valid. Please check that it was copied whole.")


def key_versions(session: Session) -> dict[int, MemberReportKey]:
    """Every member's report key, by organization id (members without links have none)."""
    return {key.organization_id: key for key in session.scalars(select(MemberReportKey))}


def _key(session: Session, org: Organization, now: datetime) -> MemberReportKey:
    insert_ignore(
        session, MemberReportKey, {"organization_id": org.id, "version": 1, "rotated_at": now}
    )
    return session.scalar(
        select(MemberReportKey)
        .where(MemberReportKey.organization_id == org.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
