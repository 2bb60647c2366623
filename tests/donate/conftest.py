"""Fixtures for giving: the local Stripe sandbox, a portal served over HTTP, a donor's form."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.models import Donation, HandoffMode
from tests.helpers import sandbox as giving_fixtures

# Shared with every folder that gives through the sandbox.
sandbox_server = giving_fixtures.sandbox_server
app_config = giving_fixtures.app_config
stripe_client = giving_fixtures.stripe_client
live_portal = giving_fixtures.live_portal


@pytest.fixture
def recipient(make_org):
    """A member the coalition collects for through Stripe."""
    return make_org("parents-circle", name="Parents Circle", handoff_mode=HandoffMode.STRIPE)


@pytest.fixture
def give(client):
    """Factory: load the donation form like a browser without script, then submit it with
    ``fields``; when the page asks to confirm the total it was not showing, confirm it
    (``confirm=False`` returns that page instead)."""

    def _give(slug: str = "parents-circle", *, query: str = "", confirm: bool = True, **fields):
        html = client.get(f"/donate/{slug}{query}").get_data(as_text=True)
        form = {
            "csrf_token": _hidden(html, "csrf_token"),
            "attempt": _hidden(html, "attempt"),
            "shown_total": _hidden(html, "shown_total"),
            "currency": "USD",
            "preset": "50",
            "frequency": "one_time",
        }
        form.update(fields)
        form = {key: value for key, value in form.items() if value is not None}  # None: unset
        response = client.post(f"/donate/{slug}", data=form)
        page = response.get_data(as_text=True)
        if confirm and response.status_code == 200 and 'id="gift-summary"' in page:
            form["shown_total"] = _hidden(page, "shown_total")
            response = client.post(f"/donate/{slug}", data=form)
        return response

    return _give


@pytest.fixture
def opened(give, recipient, db_session):
    """Factory: a donation whose checkout is open at the sandbox."""

    def _open(**fields) -> Donation:
        give(**fields)
        db_session.rollback()  # a new transaction sees what other connections committed
        return db_session.scalars(select(Donation).order_by(Donation.id.desc())).first()

    return _open


@pytest.fixture
def event_history(give, recipient, make_org, sandbox, stripe_client, db_session):
    """Real events from the sandbox for every way a gift goes: refunded, settled late then
    disputed and won, partly refunded with a refund that failed then disputed and lost,
    monthly (renewed, a renewal failed then recovered and refunded, its amount changed, set to
    end at the period's end, then cancelled now), expired, a bank debit that failed, and a
    Connect member's gift partly refunded with its transfer reversed: every event type the
    ledger handles."""
    give(preset="50")
    give(preset="100", currency="EUR")
    give(preset="other", other_amount="30", frequency="monthly")
    give(preset="25")
    give(preset="100")
    give(preset="250")
    db_session.rollback()
    refunded, late, monthly, expired, partly, bounced = db_session.scalars(
        select(Donation).order_by(Donation.id)
    )
    sandbox.complete_checkout(refunded.stripe_checkout_session_id, "pay")
    sandbox.refund(refunded.stripe_checkout_session_id)
    sandbox.complete_checkout(late.stripe_checkout_session_id, "pay_async")
    sandbox.settle(late.stripe_checkout_session_id, "succeeded")
    _dispute(sandbox, stripe_client, late.stripe_checkout_session_id, "won")
    sandbox.complete_checkout(partly.stripe_checkout_session_id, "pay")
    intent = stripe_client.v1.checkout.sessions.retrieve(
        partly.stripe_checkout_session_id
    ).payment_intent
    stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 2500})
    failing = stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 1000})
    sandbox.fail_refund(failing.id)
    _dispute(sandbox, stripe_client, partly.stripe_checkout_session_id, "lost")
    sandbox.complete_checkout(monthly.stripe_checkout_session_id, "pay")
    subscription_id = stripe_client.v1.checkout.sessions.retrieve(
        monthly.stripe_checkout_session_id
    ).subscription
    sandbox.renew(subscription_id)
    failed = sandbox.renew(subscription_id, outcome="failed")
    sandbox.retry_invoice(failed["id"])
    [payment] = stripe_client.v1.invoice_payments.list(params={"invoice": failed["id"]}).data
    stripe_client.v1.refunds.create(params={"payment_intent": payment.payment.payment_intent})
    _change_amount(stripe_client, subscription_id, 4500)
    stripe_client.v1.subscriptions.update(subscription_id, params={"cancel_at_period_end": True})
    sandbox.cancel_subscription(subscription_id)
    sandbox.expire(expired.stripe_checkout_session_id)
    sandbox.complete_checkout(bounced.stripe_checkout_session_id, "pay_async")
    sandbox.settle(bounced.stripe_checkout_session_id, "failed")
    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    give("ecopeace", preset="100")
    db_session.rollback()
    connect = db_session.scalars(select(Donation).order_by(Donation.id.desc())).first()
    sandbox.complete_checkout(connect.stripe_checkout_session_id, "pay")
    intent = stripe_client.v1.checkout.sessions.retrieve(
        connect.stripe_checkout_session_id
    ).payment_intent
    stripe_client.v1.refunds.create(
        params={"payment_intent": intent, "amount": 4000, "reverse_transfer": True}
    )
    db_session.rollback()
    return sandbox.events()


def _change_amount(stripe_client, subscription_id: str, amount: int) -> None:
    """Change a monthly gift's amount at Stripe, as the manage page does."""
    item = stripe_client.v1.subscriptions.retrieve(subscription_id)["items"]["data"][0]
    price = {
        "currency": item["price"]["currency"],
        "product": item["price"]["product"],
        "recurring": {"interval": "month"},
        "unit_amount": amount,
    }
    stripe_client.v1.subscriptions.update(
        subscription_id,
        params={"items": [{"id": item["id"], "price_data": price}], "proration_behavior": "none"},
    )


def _dispute(sandbox, stripe_client, checkout_id: str, outcome: str) -> None:
    intent = stripe_client.v1.checkout.sessions.retrieve(checkout_id).payment_intent
    dispute = sandbox.open_dispute(intent, amount=3000 if outcome == "lost" else None)
    stripe_client.v1.disputes.update(
        dispute["id"], params={"evidence": {"uncategorized_text": "A gift."}}
    )
    sandbox.close_dispute(dispute["id"], outcome)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden {name} on the form"
    return match.group(1)


@pytest.fixture
def monthly_gift(give, recipient, sandbox, live_portal, db_session):
    """A paid monthly gift of $30.00 whose webhooks reached the portal; returns its first row."""
    give(preset="other", other_amount="30", frequency="monthly")
    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay", email="ana@example.org")
    sandbox.wait_for_deliveries()
    db_session.rollback()
    return db_session.get(Donation, donation.id)


@pytest.fixture
def managing(client):
    """Factory: open the manage link from the thanks page, as the donor would; returns /gift."""

    def _open(donation: Donation) -> str:
        thanks = client.get(f"/donate/thanks?session_id={donation.stripe_checkout_session_id}")
        link = re.search(r'<a href="([^"]+)">Manage your gift</a>', thanks.get_data(as_text=True))
        assert link, "the thanks page offers no manage link"
        entered = client.get(urlsplit(link.group(1)).path)
        assert entered.status_code == 303
        return entered.headers["Location"]

    return _open
