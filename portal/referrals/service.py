"""Hand-offs: where a donor goes, what the referral row says, and how it is made durable."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal import metrics
from portal.db.writing import writing
from portal.models import ArrivedVia, HandoffMode, ReferralStatus, utcnow
from portal.referrals import spool
from portal.referrals.links import tagged_url
from portal.referrals.prepared_store import ReferralWriter, WriteFailed
from portal.referrals.record import ReferralRecord
from portal.referrals.routing import Route
from portal.referrals.visitors import SaltKeeper, bot_reason, visitor_hash

log = logging.getLogger(__name__)

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
# Per arrival channel: the outbound ``utm_medium`` and the redirect's status (303 after a form's
# POST, 302 for a link). A new channel is one more ``ArrivedVia`` member, a line in each, and
# how ``handoff.Arrival.via`` recognises it.
_MEDIUM = {
    ArrivedVia.PORTAL: "donate-button",
    ArrivedVia.LINK: "shared-link",
    ArrivedVia.EMBED: "embedded-button",
}
REDIRECT_STATUS = {ArrivedVia.PORTAL: 303, ArrivedVia.LINK: 302, ArrivedVia.EMBED: 302}


@dataclass(frozen=True, slots=True)
class Visit:
    """What the request tells about the donor, reduced to what the referral may keep."""

    arrived_via: ArrivedVia
    user_agent: str
    client_ip: str
    referrer_host: str | None = None
    campaign: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Handoff:
    """Where the donor goes, and the referral to log (None when the donation form logs it)."""

    url: str
    record: ReferralRecord | None


@dataclass(frozen=True, slots=True)
class TagSettings:
    utm_source: str
    ref_param: str


def new_ref() -> str:
    """An opaque, unguessable referral reference (the id members see in their analytics)."""
    return secrets.token_hex(8)


def plan_handoff(
    route: Route,
    visit: Visit,
    *,
    coalition: Route | None,
    tags: TagSettings,
    form_url: Callable[[str | None, dict[str, str]], str] | None,
) -> Handoff | None:
    """Decide where ``route``'s hand-off goes; ``form_url(slug, tags)`` is the portal's donation
    form (the coalition's for ``None``), or None where the portal's pages cannot be reached
    (the WSGI fast path): then a hand-off that needs them is None.

    A recipient in Stripe mode goes to the form, which logs the referral when the donor submits.
    A suspended member's donors go to the coalition instead, and that is logged as a reroute.
    """
    if route.is_active:
        if route.mode == HandoffMode.STRIPE:
            return None if form_url is None else Handoff(form_url(route.slug, visit.campaign), None)
        return _tagged_handoff(route, route.donation_url, visit, tags, ReferralStatus.REDIRECTED)
    if coalition is not None and coalition.mode == HandoffMode.EXTERNAL:
        destination = coalition.donation_url
        return _tagged_handoff(route, destination, visit, tags, ReferralStatus.REROUTED)
    if form_url is None:
        return None
    url, ref = form_url(None, visit.campaign), new_ref()
    return Handoff(
        url, referral_record(route, visit, ref=ref, destination=url, status=ReferralStatus.REROUTED)
    )


def _tagged_handoff(
    route: Route, destination: str, visit: Visit, tags: TagSettings, status: ReferralStatus
) -> Handoff:
    ref = new_ref()
    url = tagged_url(
        destination,
        {
            "utm_source": tags.utm_source,
            "utm_medium": _MEDIUM[visit.arrived_via],
            "utm_campaign": visit.campaign.get("utm_campaign") or "portal",
            "utm_content": visit.campaign.get("utm_source"),
            tags.ref_param: ref,
        },
    )
    return Handoff(url, referral_record(route, visit, ref=ref, destination=url, status=status))


def referral_record(
    route: Route, visit: Visit, *, ref: str, destination: str, status: ReferralStatus
) -> ReferralRecord:
    """The referral row for a hand-off, as plain values (it may have to go to the spool)."""
    reason = bot_reason(visit.user_agent)
    campaign = visit.campaign
    return {
        "ref": ref,
        "created_at": utcnow(),
        "organization_id": route.organization_id,
        "mode": route.mode,
        "status": status,
        "arrived_via": visit.arrived_via,
        "utm_source": campaign.get("utm_source"),
        "utm_medium": campaign.get("utm_medium"),
        "utm_campaign": campaign.get("utm_campaign"),
        "referrer_host": visit.referrer_host,
        "is_bot": reason is not None,
        "bot_reason": reason,
        "visitor_hash": None,
        "destination_url": destination[:2000],
        "failure_reason": None,
    }


def commit_or_spool(
    writer: ReferralWriter,
    salts: SaltKeeper,
    sessions: sessionmaker[Session],
    record: ReferralRecord,
    visit: Visit,
    *,
    spool_path: str,
) -> bool:
    """Make the referral durable before the donor is redirected; True if it reached the database.

    Commits itself, because the redirect may only leave once the row is safe somewhere. When the
    database cannot take it, the row goes to the local spool instead; when even that fails the
    donor is still redirected (never block a gift) and the row goes to the error log.
    """
    metrics.count_handoff(record)
    try:
        _count_visitor(record, visit, _salt(salts, sessions, record["created_at"].date()))
        writer.insert(record)
        return True
    except (SQLAlchemyError, WriteFailed) as exc:
        log.warning(
            "database unavailable (%s); spooling referral %s", type(exc).__name__, record["ref"]
        )
    try:
        spool.append(spool_path, record)
        metrics.SPOOLED.inc()
    except OSError as exc:
        # The last copy: one line in the error log (no address in it), which
        # ``replay-spool --from-log`` brings back.
        kept = spool.LOG_MARKER + spool.encode(record)
        log.error("spool unwritable (%s); %s", type(exc).__name__, kept)
        metrics.LOGGED.inc()
    return False


def checkout_referral(
    session: Session, salts: SaltKeeper, route: Route, visit: Visit, *, ref: str
) -> ReferralRecord:
    """The referral row of a donation-form submission, hashed like every hand-off's.

    It is written in the form's own transaction, with its donation, not by the hand-off's
    writer: a checkout referral and its open donation are stored together or not at all.
    Flushes, never commits (the day's salt may be created).
    """
    record = referral_record(
        route, visit, ref=ref, destination="stripe-checkout", status=ReferralStatus.CHECKOUT_STARTED
    )
    _count_visitor(record, visit, salts.salt_for(session, record["created_at"].date()))
    metrics.count_handoff(record)  # counted as traffic; the reports count what is stored
    return record


def _count_visitor(record: ReferralRecord, visit: Visit, salt: str) -> None:
    record["visitor_hash"] = visitor_hash(
        salt, visit.client_ip, visit.user_agent, record["organization_id"]
    )


def _salt(salts: SaltKeeper, sessions: sessionmaker[Session], day: date) -> str:
    salt = salts.cached(day)
    if salt is None:
        with sessions() as session, writing(session):
            salt = salts.salt_for(session, day)
    return salt
