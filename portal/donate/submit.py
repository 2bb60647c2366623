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
retry asks Stripe again with the same idempotency key and gets the same session back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from portal.db.writing import writing
from portal.donate.service import (
    CheckoutRequest,
    Gift,
    ReturnUrls,
    checkout_request,
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
    with writing(session):
        allowed = limits is None or checkout_allowed(session, salts, visit.client_ip, limits)
        if allowed:
            donation = open_donation(session, org, visit, gift, attempt=attempt, salts=salts)
            request = checkout_request(donation, return_urls(donation), locale=locale)
    if not allowed:
        raise TooManyCheckouts()
    start_checkout(session, gateway, donation, request)
    return donation


def start_checkout(
    session: Session,
    gateway: StripeGateway,
    donation: Donation,
    request: CheckoutRequest,
    *,
    referrals: list[Referral] | None = None,
) -> str:
    """Steps 2 and 3: ask Stripe outside any transaction, then record its answer; returns
    Checkout's address. Commits.

    Raises CheckoutUnavailable after marking the referrals (default: the donation's own) and
    the donation failed.
    """
    referrals = [donation.referral] if referrals is None else referrals
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
