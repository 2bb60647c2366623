"""Starting a gift: the referral, the donation row, and the Stripe Checkout Session."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db.writing import insert_ignore
from portal.donate.ledger import apply_checkout_session
from portal.models import (
    CHECKOUT_REFERRAL,
    Donation,
    DonationStatus,
    Frequency,
    Organization,
    Referral,
)
from portal.referrals.routing import Route
from portal.referrals.service import Visit, checkout_referral
from portal.referrals.visitors import SaltKeeper
from portal.stripe_gateway import GatewayError, StripeGateway


@dataclass(frozen=True)
class Gift:
    """What the donor chose, in minor units."""

    amount: int
    fee_cover: int
    currency: str
    frequency: Frequency
    dedication: str | None = None
    share_email: bool = False
    language: str | None = None

    @property
    def total(self) -> int:
        return self.amount + self.fee_cover


@dataclass(frozen=True)
class ReturnUrls:
    success: str  # carries Stripe's {CHECKOUT_SESSION_ID} placeholder
    cancel: str


def open_donation(
    session: Session,
    org: Organization,
    visit: Visit,
    gift: Gift,
    *,
    attempt: str,
    salts: SaltKeeper,
) -> Donation:
    """The referral and open donation for this form submission, in a writer's transaction
    (``writing``). Flushes, never commits.

    ``attempt`` is the form's one-time token and becomes the referral's ref, so a double-click
    or a retried POST finds the donation it already opened instead of opening another.
    """
    existing = _donation_for_attempt(session, attempt)
    if existing is not None:
        if _same_gift(existing, gift) and existing.status != DonationStatus.FAILED:
            return existing
        attempt = secrets.token_hex(16)  # the donor changed their mind: a new hand-off
    route = Route(org.id, org.slug, org.name, org.kind, org.handoff_mode, org.status, None)
    record = checkout_referral(session, salts, route, visit, ref=attempt)
    insert_ignore(session, Referral, record)  # waits for, then yields to, a concurrent twin
    return _donation_for_attempt(session, attempt) or _new_donation(session, org, gift, attempt)


@dataclass(frozen=True)
class CheckoutRequest:
    params: dict
    idempotency_key: str


def checkout_request(donation: Donation, urls: ReturnUrls, *, locale: str) -> CheckoutRequest:
    """What to ask Stripe for this donation; the key is derived from the referral, so asking
    twice yields one session. Our ids travel in the session's metadata."""
    org, monthly = donation.organization, donation.frequency == Frequency.MONTHLY
    metadata = {
        "donation_id": str(donation.id),
        "referral_id": str(donation.referral_id),
        "referral_ref": donation.referral.ref,
        "recipient": org.slug,
    }
    price = {
        "currency": donation.currency.lower(),
        "unit_amount": donation.amount,
        "product_data": {"name": f"Donation to {org.name}"},
    }
    if monthly:
        price["recurring"] = {"interval": "month"}
    params = {
        "mode": "subscription" if monthly else "payment",
        "line_items": [{"price_data": price, "quantity": 1}],
        "client_reference_id": str(donation.referral_id),
        "metadata": metadata,
        "success_url": urls.success,
        "cancel_url": urls.cancel,
        "locale": checkout_locale(locale),
    }
    payment_data: dict = {"metadata": metadata, **connect_data(donation)}
    if monthly:
        params["subscription_data"] = payment_data
    else:
        params["submit_type"] = "donate"
        params["payment_intent_data"] = payment_data
    return CheckoutRequest(params, f"checkout-{donation.referral.ref}")


def connect_data(donation: Donation) -> dict:
    """A destination charge to the member's Connect account, the donor's fee cover kept.

    With ``transfer_data`` alone Stripe moves the whole charge, fee cover included, to the
    member while the coalition's balance pays Stripe's fee. The fee cover is the application
    fee: a one-time gift's exactly (``application_fee_amount``); a monthly gift's as a
    percentage of each invoice (``application_fee_percent``, two decimals, which is what
    subscriptions accept), which Stripe rounds to the minor unit.
    """
    account = donation.organization.stripe_account_id
    if not account:
        return {}
    data: dict = {"transfer_data": {"destination": account}}
    if donation.fee_cover > 0:
        if donation.frequency == Frequency.MONTHLY:
            data["application_fee_percent"] = fee_percent(donation.fee_cover, donation.amount)
        else:
            data["application_fee_amount"] = donation.fee_cover
    return data


def fee_percent(fee_cover: int, total: int) -> str:
    """A monthly destination charge's application fee: the fee cover as a percentage of each
    payment, to two decimals (what subscriptions accept)."""
    return str((Decimal(fee_cover * 100) / total).quantize(Decimal("0.01")))


# The locales Checkout accepts (Stripe refuses any other with an error; Hebrew and Arabic exist
# only in Elements, so "auto" lets Checkout follow the donor's browser instead).
CHECKOUT_LOCALES = frozenset(
    {
        "auto",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "en-GB",
        "es",
        "es-419",
        "et",
        "fi",
        "fil",
        "fr",
        "fr-CA",
        "hi-IN",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lt",
        "lv",
        "ms",
        "mt",
        "nb",
        "nl",
        "pl",
        "pt",
        "pt-BR",
        "ro",
        "ru",
        "sk",
        "sl",
        "sv",
        "th",
        "tr",
        "vi",
        "zh",
        "zh-HK",
        "zh-TW",
    }
)


def checkout_locale(locale: str) -> str:
    """The Checkout locale for the portal's ``locale`` ("en_GB" → "en-GB", "he" → "auto")."""
    tag = locale.replace("_", "-")
    for candidate in (tag, tag.split("-")[0]):
        if candidate in CHECKOUT_LOCALES:
            return candidate
    return "auto"


def completed_checkout(gateway: StripeGateway, donation: Donation) -> dict | None:
    """Stripe's Checkout Session for an unfinished donation, if the donor has completed it."""
    if donation.status != DonationStatus.OPEN or not donation.stripe_checkout_session_id:
        return None
    try:
        checkout = gateway.retrieve_checkout_session(donation.stripe_checkout_session_id)
    except GatewayError:
        return None  # the webhook will get there
    return checkout if checkout.get("status") == "complete" else None


def fulfil_checkout(session: Session, checkout: dict) -> None:
    """Apply a completed checkout fetched from Stripe, in a writer's transaction (``writing``).
    Flushes, never commits.

    The same idempotent fulfilment the webhook uses, so it never counts a gift twice.
    """
    apply_checkout_session(session, checkout)


def _donation_for_attempt(session: Session, attempt: str) -> Donation | None:
    return session.scalar(
        select(Donation)
        .join(Referral, Donation.referral_id == Referral.id)
        .where(Referral.ref == attempt, CHECKOUT_REFERRAL)
        .order_by(Donation.id)
    )


def _same_gift(donation: Donation, gift: Gift) -> bool:
    return (donation.amount, donation.currency, donation.frequency) == (
        gift.total,
        gift.currency,
        gift.frequency,
    )


def _new_donation(session: Session, org: Organization, gift: Gift, attempt: str) -> Donation:
    referral = session.scalar(select(Referral).where(Referral.ref == attempt, CHECKOUT_REFERRAL))
    donation = Donation(
        referral=referral,
        # Copied now, so the ledger filtered by channel or campaign reads donations alone.
        referral_channel=referral.arrived_via.value if referral else None,
        referral_campaign=referral.utm_campaign if referral else None,
        organization=org,
        amount=gift.total,
        fee_cover=gift.fee_cover,
        currency=gift.currency,
        frequency=gift.frequency,
        status=DonationStatus.OPEN,
        dedication=gift.dedication,
        share_email=gift.share_email,
        language=gift.language,
    )
    session.add(donation)
    session.flush()
    return donation
