"""A monthly donor changes what they give each month, from the gift's manage page.

Stripe changes the subscription's price with ``proration_behavior`` "none": the month under way
was paid at the old amount and stays so, and every payment from the next one charges the new
amount. Nothing is billed or refunded now, which is what a donor who "changes the amount" of a
monthly gift expects; a prorated change would charge or credit a fraction of a month at once.

A basket's monthly gift is one subscription with an item per member, shared by the basket's
fixed amounts; it is refused here (``changeable``), not scaled: each member's part, its
transfer and its report would change under the donor without their choosing the new split.
The donor is told to cancel it and give a new basket.

As for a cancellation, Stripe is asked outside any transaction, and the ledger learns the new
amount from ``customer.subscription.updated``; here the change is audited and its confirmation
queued in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.donate.money import display, fee_cover
from portal.donate.service import fee_percent
from portal.gifts.service import GiftUnavailable, Subscription, read_subscription
from portal.mail import Message, queue
from portal.models import Donation
from portal.staff import audit
from portal.stripe_gateway import GatewayError, StripeGateway


@dataclass(frozen=True)
class NewAmount:
    """What the donor asked each payment to be, in the gift's currency, minor units."""

    gift: int
    fee_cover: int

    @property
    def total(self) -> int:
        return self.gift + self.fee_cover


@dataclass(frozen=True)
class AmountChanged:
    """What Stripe said after the change, and where the donor is told."""

    before: int
    state: Subscription
    email: str | None
    price_id: str


def new_amount(first: Donation, typed: int, fee_basis_points: int) -> NewAmount:
    """The new monthly amount: what the donor typed, plus the card fees when the gift has
    always covered them (same rate as the form)."""
    covers = first.fee_cover > 0
    return NewAmount(typed, fee_cover(typed, fee_basis_points) if covers else 0)


def changeable(first: Donation, state: Subscription | None) -> bool:
    """Whether the page offers the change: a running one-member monthly gift."""
    running = state is not None and not state.ended and not state.cancelling
    return running and not first.basket_id and len(state.items) == 1


def change_at_stripe(
    gateway: StripeGateway,
    first: Donation,
    state: Subscription,
    amount: NewAmount,
    *,
    connected: bool,
) -> AmountChanged:
    """Ask Stripe to charge ``amount`` from the next payment on. Call it with no transaction
    open (``connected``: whether the gift's member takes it through Connect, read before the
    read transaction ended); ``record_amount_change`` follows. Raises ``GiftUnavailable``.
    The update answers with the whole subscription, so nothing is fetched again."""
    extra = {}
    if connected and amount.fee_cover:
        extra["application_fee_percent"] = fee_percent(amount.fee_cover, amount.total)
    try:
        updated = gateway.change_subscription_amount(
            first.stripe_subscription_id, state.items[0], unit_amount=amount.total, extra=extra
        )
    except GatewayError as error:
        raise GiftUnavailable(str(error)) from None
    price = updated["items"]["data"][0]["price"]["id"]
    before = state.amount or first.amount
    return AmountChanged(before, read_subscription(updated), state.email, price)


def record_amount_change(
    session: Session,
    first: Donation,
    changed: AmountChanged,
    *,
    actor: audit.Actor,
    confirmation: Callable[[AmountChanged, str], Message],
) -> None:
    """Audit the change and queue the donor's confirmation, in a writer's transaction
    (``writing``). Flushes, never commits."""
    after = changed.state.amount or 0
    values = (display(changed.before, first.currency, "en"), display(after, first.currency, "en"))
    audit.record(session, actor, first, {"monthly amount": values})
    email = changed.email or changed.state.email or first.contact_email
    if email:
        key = f"gift:amount:{first.stripe_subscription_id}:{changed.price_id}"
        queue(session, key, confirmation(changed, email))
