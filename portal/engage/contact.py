"""Contact without exposing anyone: a visitor's message is relayed to a member by email.

The member's address is never on a page; the visitor's is passed on only if they tick it. The
portal keeps a count (``ContactRelay``), never the text: the outbox erases the body once sent.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.mail import Message, queue
from portal.models import ContactAddress, ContactRelay, Organization
from portal.staff import audit
from portal.staff.audit import Actor

# One address, no spaces or line breaks (a line break in Reply-To would be a header injection).
ADDRESS = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}")


def relay(
    session: Session,
    org: Organization,
    to: str,
    *,
    message: str,
    name: str,
    reply_to: str | None,
    portal_name: str,
) -> ContactRelay:
    """Queue the visitor's message for ``org`` at ``to``. Flushes, never commits."""
    sent = ContactRelay(organization_id=org.id, shared_email=reply_to is not None)
    session.add(sent)
    session.flush()
    language = org.original_language or "en"
    with force_locale(language):
        subject = _("A message for %(name)s through %(portal)s", name=org.name, portal=portal_name)
        text = _letter(message, name, reply_to, portal_name)
    queue(
        session,
        f"contact:{sent.id}",
        Message(to=to, subject=subject, text=text, reply_to=reply_to, language=language),
    )
    return sent


def set_address(session: Session, actor: Actor, org: Organization, email: str) -> bool:
    """Set or clear (``""``) where ``org``'s messages go; audited. Flushes; True if changed."""
    current = session.get(ContactAddress, org.id)
    before = current.email if current else None
    after = email or None
    if before == after:
        return False
    if after is None:
        session.delete(current)
    elif current is None:
        session.add(ContactAddress(organization_id=org.id, email=after))
    else:
        current.email = after
    audit.record(session, actor, org, {"contact_email": (before, after)})
    return True


def counts(session: Session, *, since: datetime) -> dict[int, tuple[int, int]]:
    """Messages relayed per recipient: ``{id: (since then, all time)}``."""
    recent = func.sum(case((ContactRelay.created_at >= since, 1), else_=0))
    rows = session.execute(
        select(ContactRelay.organization_id, recent, func.count()).group_by(
            ContactRelay.organization_id
        )
    )
    return {org_id: (int(last or 0), total) for org_id, last, total in rows}


def month_ago(now: datetime) -> datetime:
    return now - timedelta(days=30)


def _letter(message: str, name: str, reply_to: str | None, portal_name: str) -> str:
    sender = name or _("A visitor")
    if reply_to:
        how = _(
            "%(sender)s chose to share their email address: reply to this message to answer.",
            sender=sender,
        )
    else:
        how = _(
            "%(sender)s did not share an email address, so a reply cannot reach them.",
            sender=sender,
        )
    footer = _(
        "Relayed by %(portal)s, which keeps no copy of this message once it is delivered.",
        portal=portal_name,
    )
    return f"{sender}:\n\n{message}\n\n-- \n{how}\n{footer}\n"
