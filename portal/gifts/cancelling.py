"""Ending a monthly gift, for the donor's page and the staff console alike: three short steps
that own their transactions, as the donation submit does (``donate/submit.py``).

The read that found the gift ends first, Stripe is asked with no transaction open (a Stripe call
must never hold the database's write lock), then a writer's transaction audits the change and
queues the donor's confirmation. The ledger itself moves when Stripe's events arrive.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.db.writing import writing
from portal.gifts import mails, service
from portal.models import Donation
from portal.staff import audit
from portal.stripe_gateway import gateway


def cancel_gift(session: Session, first: Donation, *, at_period_end: bool, actor: audit.Actor):
    """End the monthly gift whose first payment is ``first``, now or at the period's end.
    Raises ``service.GiftUnavailable`` when Stripe could not be asked (nothing is recorded)."""
    session.commit()  # end the read: Stripe is asked outside any transaction
    cancelled = service.cancel_at_stripe(gateway(), first, at_period_end=at_period_end)
    with writing(session):
        service.record_cancellation(
            session,
            first,
            cancelled,
            at_period_end=at_period_end,
            actor=actor,
            confirmation=lambda state, email: mails.cancelled(first, state, email),
        )
