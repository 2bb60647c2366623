"""Paying a basket: its lines and referrals, one donation row, and one Checkout Session.

The coalition collects the whole payment (its ``Donation`` row names the coalition and the
basket); the basket's lines say which member each part is for. Preparing never moves money;
the webhook's ``apply_event`` confirms the payment like any other gift.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.basket.payouts import transfer_group
from portal.basket.plan import Plan
from portal.db.writing import insert_ignore
from portal.donate.service import CheckoutRequest, ReturnUrls, checkout_locale
from portal.models import (
    CHECKOUT_REFERRAL,
    Basket,
    BasketLine,
    Donation,
    DonationStatus,
    Frequency,
    Organization,
    Referral,
)
from portal.referrals.routing import Route
from portal.referrals.service import Visit, checkout_referral
from portal.referrals.visitors import SaltKeeper


def open_basket(
    session: Session,
    coalition: Organization,
    members: dict[str, Organization],
    plan: Plan,
    visit: Visit,
    *,
    attempt: str,
    salts: SaltKeeper,
    language: str | None,
) -> Donation:
    """The basket, one referral per member and the open donation, in a writer's transaction
    (``writing``). Flushes, never commits.

    ``attempt`` is the page's one-time token and becomes the basket's reference, so a retried
    POST finds the donation it already opened.
    """
    existing = _donation_for(session, attempt)
    if existing is not None:
        if (
            basket_shown(existing.basket) == plan.shown()
            and existing.status != DonationStatus.FAILED
        ):
            return existing
        attempt = secrets.token_hex(16)  # the donor changed the basket: a new one
    basket = Basket(
        reference=attempt, currency=plan.currency, frequency=plan.frequency, split=plan.split
    )
    session.add(basket)
    for position, part in enumerate(plan.lines):
        org = members[part.key]
        basket.lines.append(
            BasketLine(
                organization=org,
                position=position,
                amount=part.amount,
                fee_cover=part.fee_cover,
                share=plan.shares.get(part.key),
                referral_id=_referral(session, salts, org, visit, line_ref(attempt, position)),
            )
        )
    donation = Donation(
        organization=coalition,
        basket=basket,
        amount=plan.total,
        fee_cover=plan.fee_cover,
        currency=plan.currency,
        frequency=plan.frequency,
        status=DonationStatus.OPEN,
        language=language,
    )
    session.add(donation)
    session.flush()
    return donation


def line_ref(reference: str, position: int) -> str:
    """The referral ref of a basket's line: unique among checkout referrals, 32 characters."""
    return f"{reference[:29]}b{position:02d}"


def basket_shown(basket: Basket) -> str:
    lines = ",".join(f"{line.organization.slug}={line.total}" for line in basket.lines)
    return f"{lines}:{basket.currency}:{basket.frequency.value}"


def checkout_request(donation: Donation, urls: ReturnUrls, *, locale: str) -> CheckoutRequest:
    """One line item per member, each tagged with the basket and the member; the session and
    its payment carry our donation id and the basket's reference."""
    basket, monthly = donation.basket, donation.frequency == Frequency.MONTHLY
    metadata = {
        "donation_id": str(donation.id),
        "basket": basket.reference,
        "recipient": donation.organization.slug,
    }
    params = {
        "mode": "subscription" if monthly else "payment",
        "line_items": [_line_item(basket, line, monthly) for line in basket.lines],
        "client_reference_id": basket.reference,
        "metadata": metadata,
        "success_url": urls.success,
        "cancel_url": urls.cancel,
        "locale": checkout_locale(locale),
    }
    if monthly:
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {
            "metadata": metadata,
            "transfer_group": transfer_group(donation),
        }
    return CheckoutRequest(params, f"basket-{basket.reference}")


def _line_item(basket: Basket, line: BasketLine, monthly: bool) -> dict:
    price = {
        "currency": basket.currency.lower(),
        "unit_amount": line.total,
        "product_data": {
            "name": f"Donation to {line.organization.name}",
            "metadata": {
                "basket": basket.reference,
                "recipient": line.organization.slug,
                "line": str(line.position),
            },
        },
    }
    if monthly:
        price["recurring"] = {"interval": "month"}
    return {"price_data": price, "quantity": 1}


def _referral(session: Session, salts: SaltKeeper, org: Organization, visit: Visit, ref: str):
    route = Route(org.id, org.slug, org.name, org.kind, org.handoff_mode, org.status, None)
    insert_ignore(session, Referral, checkout_referral(session, salts, route, visit, ref=ref))
    return session.scalar(select(Referral.id).where(Referral.ref == ref, CHECKOUT_REFERRAL))


def _donation_for(session: Session, reference: str) -> Donation | None:
    return session.scalar(
        select(Donation).join(Basket).where(Basket.reference == reference).order_by(Donation.id)
    )
