"""Recording a reported gift, and the member's postback secret. Flush, never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, is_currency
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditAction,
    Conversion,
    Frequency,
    HandoffMode,
    Organization,
    PostbackKey,
    Referral,
    ReportedVia,
    utcnow,
)
from portal.staff import audit
from portal.staff.audit import Actor

FIELDS = frozenset({"portal_ref", "amount", "currency", "frequency"})
_LARGEST = Decimal(10_000_000)


class ReportError(ValueError):
    """A report the portal refuses; the message is safe to send back to the member."""


@dataclass(frozen=True)
class Reported:
    ref: str
    amount: int  # minor units
    currency: str
    frequency: Frequency


def read_report(data: object) -> Reported:
    """The four fields of a report, checked. Any other field is refused: the portal takes no
    donor data of any kind, so a name or an email sent by mistake is never stored."""
    if not isinstance(data, dict):
        raise ReportError("send a JSON object")
    extra = sorted(set(data) - FIELDS)
    if extra:
        raise ReportError(f"fields not accepted (no donor data): {', '.join(extra)}")
    missing = sorted(FIELDS - set(data))
    if missing:
        raise ReportError(f"missing fields: {', '.join(missing)}")
    currency = str(data["currency"]).upper()
    if not is_currency(currency):
        raise ReportError("currency must be an ISO 4217 code, like USD")
    try:
        frequency = Frequency(data["frequency"])
    except ValueError:
        raise ReportError("frequency must be one_time or monthly") from None
    return Reported(
        str(data["portal_ref"])[:32], _minor(data["amount"], currency), currency, frequency
    )


def _minor(amount: object, currency: str) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        raise ReportError("amount must be a number, like 25 or 25.50")
    try:
        major = Decimal(str(amount))
    except InvalidOperation:
        raise ReportError("amount must be a number, like 25 or 25.50") from None
    minor = major.scaleb(get_currency_precision(currency))
    if not major.is_finite() or minor != minor.to_integral_value() or not 0 < major < _LARGEST:
        raise ReportError(f"amount must be positive, with at most the decimals {currency} has")
    return int(minor)


def record_conversion(
    session: Session, org: Organization, reported: Reported, via: ReportedVia
) -> tuple[Conversion, bool]:
    """The conversion for ``reported``, and whether this call made it (False: reported before).
    The reference must be one the portal gave this member; a duplicate that races this one is
    stopped by the unique (member, reference) key, which the caller turns into "reported"."""
    existing = session.scalar(
        select(Conversion).filter_by(organization_id=org.id, ref=reported.ref)
    )
    if existing is not None:
        return existing, False
    referral = session.scalar(
        select(Referral).where(
            Referral.organization_id == org.id,
            Referral.ref == reported.ref,
            Referral.mode == HandoffMode.EXTERNAL,
        )
    )
    if referral is None:
        raise ReportError("unknown portal_ref: the portal sent no donor to you with it")
    conversion = Conversion(
        organization_id=org.id,
        referral_id=referral.id,
        ref=reported.ref,
        amount=reported.amount,
        currency=reported.currency,
        frequency=reported.frequency,
        reported_via=via,
    )
    session.add(conversion)
    session.flush()
    return conversion, True


def new_secret(session: Session, actor: Actor, org: Organization) -> str:
    """Enable postbacks for ``org`` with a fresh secret (the old one stops working); audited.
    The secret is returned to be shown once."""
    secret = secrets.token_hex(32)
    key = session.get(PostbackKey, org.id)
    action = AuditAction.CHANGED if key else AuditAction.CREATED
    if key is None:
        key = PostbackKey(organization_id=org.id)
        session.add(key)
    key.secret, key.enabled, key.rotated_at = secret, True, utcnow()
    # The secret itself never enters the audit log: only that it was made.
    audit.record(session, actor, org, {"postback_secret": ("", "new secret")}, action=action)
    session.flush()
    return secret
