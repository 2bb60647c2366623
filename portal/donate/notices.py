"""What the ledger tells a donor about: a notice is decided with the change that causes it.

The ledger's rules hand each notice to their store in the same transaction as the change, so a
notice exists exactly when its change was committed, once per ``key`` (a redelivered event
changes nothing and notices nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NoticeKind(StrEnum):
    THANKS = "thanks"  # a payment succeeded (a gift, or one month of it)
    PAYMENT_FAILED = "payment_failed"  # a monthly payment failed; Stripe will retry
    REFUNDED = "refunded"  # a refund went through
    CANCELLED = "cancelled"  # a monthly gift ended


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    donation_id: int
    key: str  # what makes this notice unique for its kind: a donation, invoice, refund…

    @property
    def outbox_key(self) -> str:
        """The mail outbox's unique key for this notice (``portal.mail.outbox.queue``)."""
        return f"ledger:{self.kind}:{self.key}"
