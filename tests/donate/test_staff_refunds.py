"""Staff refund a payment from the console: a form, a confirmation stating what will happen, one
refund at Stripe however often the confirmation is sent, an audit entry, a message for each of
Stripe's refusals; the ledger shows the refund when Stripe's webhook arrives.

End to end: the real ``stripe`` library against the sandbox, whose signed webhooks reach the
portal served over HTTP."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.donate.money import display, plain
from portal.gifts import refunding
from portal.models import (
    AuditEntry,
    Donation,
    DonationStatus,
    HandoffMode,
    StaffRole,
    StripeTransfer,
)
from portal.state import portal_state
from portal.stripe_gateway import build_gateway
from tests.helpers.giving import state
from tests.helpers.pages import text_of, token_on


@pytest.fixture
def paid(give, sandbox, live_portal, db_session):
    """Factory: a gift given through the form and paid at the sandbox, its webhooks in."""

    def _paid(slug: str = "parents-circle", **fields) -> Donation:
        give(slug, **fields)
        db_session.rollback()
        donation = db_session.scalars(select(Donation).order_by(Donation.id.desc())).first()
        sandbox.complete_checkout(donation.stripe_checkout_session_id, "pay")
        sandbox.wait_for_deliveries()
        return state(db_session, donation.id)

    return _paid


@pytest.fixture
def euro_gift(paid, recipient):
    """€75.00 plus €2.25 fee cover: €77.25 to Parents Circle, which the coalition keeps."""
    return paid(preset="other", other_amount="75", currency="EUR", cover_fees="y")


@pytest.fixture
def admin(login_as, live_portal):
    """An admin signed in to the test client (after the portal is served: serving it changes
    the app's host name, which the session cookie follows)."""
    return login_as(StaffRole.ADMIN)


def ask(
    client, donation_id: int, amount: str, reason: str = "requested_by_customer", query: str = ""
):
    """Fill in the refund form as an admin's browser would; returns the confirmation page."""
    url = f"/staff/payments/{donation_id}/refund{query}"
    page = client.get(url)
    return client.post(url, data={"csrf_token": token_on(page), "amount": amount, "reason": reason})


def plan_on(page) -> str:
    match = re.search(r'name="plan"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no plan on the page (status {page.status_code}): {text_of(page)[:300]}"
    return match.group(1)


def send(client, donation_id: int, page):
    """Press the confirmation's button (as often as the test calls it)."""
    return client.post(
        f"/staff/payments/{donation_id}/refund/confirm",
        data={"csrf_token": token_on(page), "plan": plan_on(page)},
    )


def charge_of(stripe_client, donation: Donation):
    intent = stripe_client.v1.payment_intents.retrieve(donation.stripe_payment_intent_id)
    return stripe_client.v1.charges.retrieve(intent.latest_charge)


def refund_entries(db_session) -> list[AuditEntry]:
    db_session.rollback()
    query = select(AuditEntry).filter_by(field="refund").order_by(AuditEntry.id)
    return list(db_session.scalars(query))


@pytest.mark.usefixtures("admin")
def test_a_partial_refund_then_the_rest_reach_the_ledger_when_stripe_confirms(
    client, euro_gift, sandbox, stripe_client, db_session
):
    form = client.get(f"/staff/payments/{euro_gift.id}/refund")
    assert 'value="77.25"' in form.get_data(as_text=True)  # all that is left, prefilled

    confirmation = ask(client, euro_gift.id, "25,00")  # the donation form's way of reading
    assert "Refund €25.00 of €77.25 to the donor." in text_of(confirmation)
    assert "€52.25 will be left to refund" in text_of(confirmation)
    done = send(client, euro_gift.id, confirmation)
    page = client.get(done.headers["Location"])
    sandbox.wait_for_deliveries()

    assert done.status_code == 303
    assert "Refund of €25.00 requested" in text_of(page)
    assert "the ledger shows it when Stripe confirms" in text_of(page)
    shown = text_of(client.get(f"/staff/payments/{euro_gift.id}"))
    refunds_shown = shown[shown.index("Refunds In Stripe") :]
    assert re.search(r"re_\w+ €25\.00 Refunded", refunds_shown)
    assert "€52.25 is left to refund" in shown
    assert state(db_session, euro_gift.id).amount_refunded == 2500

    rest = client.get(f"/staff/payments/{euro_gift.id}/refund")
    assert 'value="52.25"' in rest.get_data(as_text=True)
    send(client, euro_gift.id, ask(client, euro_gift.id, "52.25", "duplicate"))
    sandbox.wait_for_deliveries()

    donation = state(db_session, euro_gift.id)
    assert (donation.status, donation.amount_refunded) == (DonationStatus.REFUNDED, 7725)
    assert charge_of(stripe_client, donation).amount_refunded == 7725
    refunds = charge_of(stripe_client, donation).refunds
    assert sorted((r.amount, r.reason) for r in refunds.data) == [
        (2500, "requested_by_customer"),
        (5225, "duplicate"),
    ]
    entries = refund_entries(db_session)
    assert [(e.actor, e.via, e.after.split(" re_")[0]) for e in entries] == [
        ("admin@coalition.example", "form", "€25.00 (requested_by_customer)"),
        ("admin@coalition.example", "form", "€52.25 (duplicate)"),
    ]
    assert "nothing left to refund" in text_of(
        client.get(f"/staff/payments/{euro_gift.id}/refund", follow_redirects=True)
    )


@pytest.mark.usefixtures("admin")
def test_a_confirmation_sent_again_and_again_refunds_once(
    client, euro_gift, sandbox, stripe_client, db_session
):
    confirmation = ask(client, euro_gift.id, "10")

    first = send(client, euro_gift.id, confirmation)
    second = send(client, euro_gift.id, confirmation)  # a double click
    sandbox.wait_for_deliveries()
    third = send(client, euro_gift.id, confirmation)  # the form sent again, later
    sandbox.wait_for_deliveries()

    assert [r.status_code for r in (first, second, third)] == [303, 303, 303]
    charge = charge_of(stripe_client, euro_gift)
    assert charge.amount_refunded == 1000
    assert len(charge.refunds.data) == 1
    assert state(db_session, euro_gift.id).amount_refunded == 1000
    assert len(refund_entries(db_session)) == 1


@pytest.mark.usefixtures("admin")
def test_two_clicks_at_the_same_moment_refund_once_and_are_audited_once(
    app, client, euro_gift, sandbox, stripe_client, db_session
):
    confirmation = ask(client, euro_gift.id, "10")
    url = f"/staff/payments/{euro_gift.id}/refund/confirm"
    data = {"csrf_token": token_on(confirmation), "plan": plan_on(confirmation)}
    tab = app.test_client()  # the same browser's session, sending at the same moment
    tab.set_cookie("session", client.get_cookie("session").value)
    together = threading.Barrier(2)

    def click(browser):
        together.wait()
        return browser.post(url, data=data).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(click, [client, tab]))
    sandbox.wait_for_deliveries()

    assert codes == [303, 303]
    charge = charge_of(stripe_client, euro_gift)
    assert (charge.amount_refunded, len(charge.refunds.data)) == (1000, 1)
    assert len(refund_entries(db_session)) == 1


@pytest.mark.usefixtures("admin")
def test_a_connect_gifts_refund_reverses_the_members_transfer(
    client, paid, make_org, sandbox, stripe_client, db_session
):
    make_org("ecopeace", handoff_mode=HandoffMode.STRIPE, stripe_account_id="acct_1Eco")
    gift = paid("ecopeace", preset="100", cover_fees="y")  # $103.00, $3.00 of it fee cover

    confirmation = ask(client, gift.id, "25")
    said = text_of(confirmation)
    send(client, gift.id, confirmation)
    sandbox.wait_for_deliveries()

    assert (
        "Refund $25.00 of $103.00 to the donor; the member’s transfer is reversed by $25.00" in said
    ), said
    assert "same share of the $3.00 fee cover" in said, said
    db_session.rollback()
    [transfer] = db_session.scalars(select(StripeTransfer)).all()
    assert (transfer.amount, transfer.amount_reversed) == (10300, 2500)
    charge = charge_of(stripe_client, gift)
    assert sandbox.application_fee_refunded(charge.id) == 300 * 2500 // 10300
    shown = text_of(client.get(f"/staff/payments/{gift.id}"))
    assert "Paid to the member" in shown and "$103.00 $25.00" in shown


@pytest.mark.usefixtures("admin", "recipient")
def test_one_month_of_a_monthly_gift_is_refunded_and_the_gift_keeps_running(
    client, paid, sandbox, stripe_client, db_session
):
    first = paid(preset="50", frequency="monthly")
    listed = client.get("/staff/monthly-gifts/").get_data(as_text=True)
    assert f'href="/staff/payments/{first.id}"' in listed

    confirmation = ask(client, first.id, "20")
    send(client, first.id, confirmation)
    sandbox.wait_for_deliveries()

    assert "Only this month is refunded; the monthly gift keeps running." in text_of(confirmation)
    month = state(db_session, first.id)
    assert (month.status, month.amount_refunded) == (DonationStatus.PAID, 2000)
    subscription = stripe_client.v1.subscriptions.retrieve(first.stripe_subscription_id)
    assert subscription.status == "active"


def _disputed(sandbox, stripe_client, gift):
    sandbox.open_dispute(gift.stripe_payment_intent_id)


def _refunded_in_part_elsewhere(sandbox, stripe_client, gift):
    # From Stripe's Dashboard, its webhook not yet in: the ledger still counts €77.25 left.
    sandbox.configure_webhooks(hold=True)
    stripe_client.v1.refunds.create(
        params={"payment_intent": gift.stripe_payment_intent_id, "amount": 5000}
    )


def _refunded_in_full_elsewhere(sandbox, stripe_client, gift):
    sandbox.configure_webhooks(hold=True)
    stripe_client.v1.refunds.create(params={"payment_intent": gift.stripe_payment_intent_id})


@pytest.mark.usefixtures("admin")
@pytest.mark.parametrize(
    ("before", "message", "refunded"),
    [
        (_disputed, "the donor’s bank has disputed this payment", 0),
        (_refunded_in_part_elsewhere, "more than is left to refund", 5000),
        (_refunded_in_full_elsewhere, "already refunded in full", 7725),
    ],
    ids=["disputed", "amount-too-large", "already-refunded"],
)
def test_each_refusal_by_stripe_is_said_and_nothing_more_is_refunded(
    client, euro_gift, sandbox, stripe_client, db_session, before, message, refunded
):
    confirmation = ask(client, euro_gift.id, "77.25")
    before(sandbox, stripe_client, euro_gift)

    answer = send(client, euro_gift.id, confirmation)
    page = client.get(answer.headers["Location"])

    assert answer.status_code == 303 and page.status_code == 200
    assert message in text_of(page) and "Stripe refused" in text_of(page)
    assert charge_of(stripe_client, euro_gift).amount_refunded == refunded
    assert refund_entries(db_session) == []


@pytest.mark.usefixtures("admin")
def test_when_stripe_cannot_be_reached_the_same_confirmation_can_be_sent_again(
    client, app, euro_gift, sandbox, stripe_client, db_session
):
    confirmation = ask(client, euro_gift.id, "5")
    working = portal_state(app).gateway
    portal_state(app).gateway = build_gateway(
        {**app.config, "STRIPE_API_BASE": "http://127.0.0.1:9"}
    )

    failed = send(client, euro_gift.id, confirmation)
    portal_state(app).gateway = working
    again = send(client, euro_gift.id, failed)
    sandbox.wait_for_deliveries()

    assert failed.status_code == 503
    assert "Stripe could not be reached" in text_of(failed)
    # The same refund (amount, reason, Stripe idempotency key), signed again: a second that
    # ticked between the two pages changes only the token's timestamp.
    secret = app.config["SECRET_KEY"]
    offered, confirmed = (
        refunding.read_plan(secret, plan_on(page), euro_gift.id) for page in (failed, confirmation)
    )
    assert confirmed is not None and offered == confirmed
    assert again.status_code == 303
    assert charge_of(stripe_client, euro_gift).amount_refunded == 500
    assert len(refund_entries(db_session)) == 1


@pytest.mark.usefixtures("admin")
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "at most €77.25"),
        ("77.26", "at most €77.25"),
        ("fifty", "Enter the amount as a number"),
        ("1.000", "could mean"),
        ("10.0051", "at most two decimals"),
        ("", "Type the amount to refund"),
    ],
)
def test_an_amount_that_cannot_be_refunded_is_refused_before_anything_is_asked(
    client, euro_gift, stripe_client, typed, message
):
    page = ask(client, euro_gift.id, typed)

    assert page.status_code == 400
    assert message in text_of(page), text_of(page)
    assert 'name="plan"' not in page.get_data(as_text=True)
    assert charge_of(stripe_client, euro_gift).amount_refunded == 0


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.usefixtures("admin")
def test_any_amount_up_to_what_is_left_is_stated_exactly_as_typed(client, euro_gift, data):
    minor = data.draw(st.integers(1, 7725))
    typed = plain(minor, "EUR")
    if data.draw(st.booleans()):
        typed = typed.replace(".", ",")  # the decimal comma reads the same

    page = ask(client, euro_gift.id, typed)

    assert page.status_code == 200, text_of(page)
    assert f"Refund {display(minor, 'EUR', 'en')} of €77.25 to the donor." in text_of(page)


def test_a_viewer_sees_the_payment_but_cannot_refund_it(client, login_as, euro_gift, stripe_client):
    login_as(StaffRole.VIEWER)

    page = client.get(f"/staff/payments/{euro_gift.id}")
    form = client.get(f"/staff/payments/{euro_gift.id}/refund")
    token = token_on(page)
    posted = client.post(
        f"/staff/payments/{euro_gift.id}/refund",
        data={"csrf_token": token, "amount": "10", "reason": "duplicate"},
    )

    assert page.status_code == 200 and "€77.25" in text_of(page)
    assert "an admin can refund it" in text_of(page)
    assert f"/staff/payments/{euro_gift.id}/refund" not in page.get_data(as_text=True)
    assert (form.status_code, posted.status_code) == (403, 403)
    assert charge_of(stripe_client, euro_gift).amount_refunded == 0


@pytest.mark.usefixtures("admin")
def test_a_confirmation_sent_by_a_viewer_is_refused(
    app, client, login_as, euro_gift, stripe_client
):
    plan = plan_on(ask(client, euro_gift.id, "10"))
    viewer = app.test_client()
    login_as(StaffRole.VIEWER, browser=viewer)

    answer = viewer.post(
        f"/staff/payments/{euro_gift.id}/refund/confirm",
        data={"csrf_token": token_on(viewer.get("/staff/")), "plan": plan},
    )

    assert answer.status_code == 403
    assert charge_of(stripe_client, euro_gift).amount_refunded == 0


@pytest.mark.usefixtures("admin")
def test_a_confirmation_without_its_token_or_with_an_altered_plan_refunds_nothing(
    client, euro_gift, stripe_client
):
    confirmation = ask(client, euro_gift.id, "10")
    url = f"/staff/payments/{euro_gift.id}/refund/confirm"
    plan = plan_on(confirmation)

    no_csrf = client.post(url, data={"plan": plan})
    altered = client.post(
        url, data={"csrf_token": token_on(confirmation), "plan": plan[:-3] + "AAA"}
    )
    other_payment = client.post(
        f"/staff/payments/{euro_gift.id + 1}/refund/confirm",
        data={"csrf_token": token_on(confirmation), "plan": plan},
    )

    assert (no_csrf.status_code, altered.status_code, other_payment.status_code) == (400, 400, 404)
    assert charge_of(stripe_client, euro_gift).amount_refunded == 0


@pytest.mark.usefixtures("admin")
def test_an_old_confirmation_refunds_nothing_and_asks_again(
    client, euro_gift, stripe_client, monkeypatch
):
    confirmation = ask(client, euro_gift.id, "10")
    monkeypatch.setattr(refunding, "PLAN_SECONDS", -1)

    answer = send(client, euro_gift.id, confirmation)

    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/staff/payments/{euro_gift.id}/refund")
    assert "nothing was refunded" in text_of(client.get(answer.headers["Location"]))
    assert charge_of(stripe_client, euro_gift).amount_refunded == 0


@pytest.mark.usefixtures("admin")
def test_staff_find_a_payment_by_its_number_or_stripe_id(client, euro_gift):
    by_number = text_of(client.get(f"/staff/payments/?q=%23{euro_gift.id}"))
    arabic_indic = str(euro_gift.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    by_arabic_digits = text_of(client.get("/staff/payments/", query_string={"q": arabic_indic}))
    by_intent = text_of(client.get(f"/staff/payments/?q={euro_gift.stripe_payment_intent_id}"))
    latest = text_of(client.get("/staff/payments/"))
    nothing = text_of(client.get("/staff/payments/?q=pi_nobody"))

    for page in (by_number, by_arabic_digits, by_intent, latest):
        assert f"#{euro_gift.id} Parents Circle €77.25" in page
    assert "No payment has that number or Stripe id" in nothing
    assert client.get("/staff/payments/999999").status_code == 404


@pytest.mark.usefixtures("admin", "euro_gift")
@pytest.mark.parametrize("typed", ["2147483648", "99999999999999999999", "²", "١٢", "#-1", " "])
def test_a_number_no_payment_can_have_finds_nothing_and_never_fails(client, typed):
    page = client.get("/staff/payments/", query_string={"q": typed})

    assert page.status_code == 200
    if typed.strip():
        assert "No payment has that number or Stripe id" in text_of(page)


# Our own English on these pages: none may be left in Arabic or Hebrew.
ENGLISH = (
    "left to refund",
    "Refund payment",
    "to the donor",
    "processing fee",
    "Amount to refund",
    "as Stripe records it",
    "The donor asked for it",
    "Refunds",
    "Payment #",
    "Paid to the member",
)


@pytest.mark.usefixtures("admin")
@pytest.mark.parametrize("lang", ["ar", "he"])
def test_the_payment_and_refund_pages_read_in_arabic_and_hebrew(client, euro_gift, lang):
    query = f"?lang={lang}"
    pages = [
        client.get(f"/staff/payments/{query}"),
        client.get(f"/staff/payments/{euro_gift.id}{query}"),
        client.get(f"/staff/payments/{euro_gift.id}/refund{query}"),
        ask(client, euro_gift.id, "25", query=query),
    ]

    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and f'lang="{lang}" dir="rtl"' in html
        assert [phrase for phrase in ENGLISH if phrase in text_of(page)] == []
