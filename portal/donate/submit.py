"""The donation form's submit: a referral, an open donation and a Stripe Checkout Session, in
three short transactions.

Why three, and why this module commits when services elsewhere leave that to the view: SQLite
lets one connection write at a time, and Stripe answers in hundreds of milliseconds (seconds on
a bad day). Holding the write lock across that call would make every hand-off, webhook and
sign-in wait behind one donor's round trip to Stripe. So the submit never holds the lock while
Stripe is asked:

1. record the intent: count the visitor against the rate limit, store the referral and the
   open donation, commit. A retried POST finds them again (the form's one-time token is the
   referral's ref), and the key Stripe deduplicates on is derived from the referral;
2. ask Stripe for the Checkout Session, with no transaction open;
3. record Stripe's answer, the session's id and address or why there is none, and commit.

If the worker dies between 1 and 3, the donation stays open without a session; the donor's
retry asks Stripe again with the same idempotency key and gets the same session back. When the
donor comes back from Checkout, the thanks page asks Stripe again (no transaction open) and
records a completed session in one more short write (`record_return`).

The basket takes the same steps (`submit_checkout`): only what step 1 stores differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.db.writing import writing
from portal.donate.service import (
    CheckoutRequest,
    Gift,
    ReturnUrls,
    checkout_request,
    completed_checkout,
    fulfil_checkout,
    open_donation,
)
from portal.models import Donation, DonationStatus, Organization, Referral, ReferralStatus
from portal.ratelimit import checkout_allowed
from portal.referrals.service import Visit
from portal.referrals.visitors import SaltKeeper
from portal.stripe_gateway import GatewayError, StripeGateway


class CheckoutUnavailable(Exception):
    """Stripe could not open a checkout; the referral and donation say why."""


class TooManyCheckouts(Exception):
    """This visitor opened more checkouts than the rate limit allows in its window."""


def submit_donation(
    session: Session,
    gateway: StripeGateway,
    org: Organization,
    visit: Visit,
    gift: Gift,
    *,
    attempt: str,
    salts: SaltKeeper,
    return_urls: Callable[[Donation], ReturnUrls],
    locale: str,
    limits: Mapping | None,
) -> Donation:
    """Open (or find again) ``attempt``'s donation and its Checkout Session; returns the
    donation, its ``checkout_url`` set. Commits, in the three steps the module explains.
    ``limits`` holds ``CHECKOUT_RATE_LIMIT`` and ``CHECKOUT_RATE_WINDOW_SECONDS`` (the app's
    config); None counts nothing.

    Raises TooManyCheckouts (the hit is counted) or CheckoutUnavailable (the referral and the
    donation say why).
    """

    def open_intent() -> tuple[Donation, CheckoutRequest]:
        donation = open_donation(session, org, visit, gift, attempt=attempt, salts=salts)
        return donation, checkout_request(donation, return_urls(donation), locale=locale)

    return submit_checkout(session, gateway, visit, open_intent, salts=salts, limits=limits)


def submit_checkout(
    session: Session,
    gateway: StripeGateway,
    visit: Visit,
    open_intent: Callable[[], tuple[Donation, CheckoutRequest]],
    *,
    salts: SaltKeeper,
    limits: Mapping | None,
) -> Donation:
    """The three steps for any checkout, a single gift's or a basket's: ``open_intent`` stores
    the referrals and the open donation (flushing, inside step 1's transaction) and returns the
    donation with what to ask Stripe. Returns the donation, its ``checkout_url`` set. Commits.

    Raises TooManyCheckouts or CheckoutUnavailable, as `submit_donation` does.
    """
    with writing(session):
        allowed = limits is None or checkout_allowed(session, salts, visit.client_ip, limits)
        if allowed:
            donation, request = open_intent()
    if not allowed:
        raise TooManyCheckouts()
    _start_checkout(session, gateway, donation, request)
    return donation


def record_return(session: Session, gateway: StripeGateway, donation: Donation) -> None:
    """The donor is back from Checkout: ask Stripe (no transaction open) whether the session is
    complete and, if so, record it in one short write. If the database refuses, nothing is
    lost: the webhook records it, and meanwhile the page says the payment is processing."""
    checkout = completed_checkout(gateway, donation)
    if checkout is None:
        return
    try:
        with writing(session):
            fulfil_checkout(session, checkout)
    except SQLAlchemyError:
        pass  # rolled back
    session.refresh(donation)


def _start_checkout(
    session: Session, gateway: StripeGateway, donation: Donation, request: CheckoutRequest
) -> str:
    """Steps 2 and 3: ask Stripe outside any transaction, then record its answer; returns
    Checkout's address. Commits.

    Raises CheckoutUnavailable after marking the donation's referrals (a basket's: one per
    member) and the donation failed.
    """
    referrals = _referrals(donation)
    if donation.checkout_url and donation.status == DonationStatus.OPEN:
        return donation.checkout_url
    try:
        checkout = gateway.create_checkout_session(
            request.params, idempotency_key=request.idempotency_key
        )
    except GatewayError as error:
        with writing(session):
            donation.status = DonationStatus.FAILED
            donation.failure_reason = error.reason
            for referral in referrals:
                referral.status = ReferralStatus.CHECKOUT_FAILED
                referral.failure_reason = error.reason
        raise CheckoutUnavailable(error.reason) from None
    with writing(session):
        donation.stripe_checkout_session_id = checkout.id
        donation.checkout_url = checkout.url
        for referral in referrals:
            referral.destination_url = checkout.url[:2000]
    return checkout.url


def _referrals(donation: Donation) -> list[Referral]:
    if donation.basket_id is None:
        return [donation.referral]
    return [line.referral for line in donation.basket.lines]
