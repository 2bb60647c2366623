"""How long the ledger keeps a donor's address: as long as a notice may still need it.

The address a checkout leaves (``Donation.contact_email``) is kept only to send the donor's
notices (``portal.gifts.notices``); ``flask deliver-mail`` erases it once none can come
(``after_delivery``, which ``donate.init_app`` registers with the mail package).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import aliased

from portal.models import Donation

ADDRESS_KEPT = timedelta(days=180)  # Stripe refunds a card payment for up to 180 days


def forget_addresses(session, now: datetime) -> int:
    """Erase the kept address of every gift that can no longer bring a notice: its last payment
    is over 180 days old and it is not a running monthly gift. Flushes, never commits."""
    cutoff = now - ADDRESS_KEPT
    later = aliased(Donation)
    newer_payment = (
        select(later.id)
        .where(
            later.stripe_subscription_id == Donation.stripe_subscription_id,
            later.created_at >= cutoff,
        )
        .exists()
    )
    result = session.execute(
        update(Donation)
        .where(
            Donation.contact_email.is_not(None),
            Donation.created_at < cutoff,
            or_(
                Donation.stripe_subscription_id.is_(None),
                and_(Donation.subscription_ended_at.is_not(None), ~newer_payment),
            ),
        )
        .values(contact_email=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def after_delivery(session, now: datetime) -> str | None:
    """``deliver-mail``'s upkeep for the ledger: erase the addresses no notice needs any more."""
    forgotten = forget_addresses(session, now)
    return f"{forgotten} donor address(es) no longer needed were erased." if forgotten else None
