"""Giving through the portal in a real browser: the form, the sandbox's hosted page, and back."""

from __future__ import annotations

import csv
import io
import re
import ssl
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app, dispose
from portal.models import Donation
from portal.state import portal_state
from stripe_sandbox import SandboxServer
from tests.helpers.accessibility import blocking_violations
from tests.helpers.giving import stripe_config
from tests.helpers.screenshots import save_screenshot
from tests.helpers.serving import serve_in_background

pytestmark = pytest.mark.browser

WEBHOOK_SECRET = "whsec_browser_giving"
# The submit button names the total once an amount is chosen, "Continue …" until then.
GIVE = re.compile(r"^(Give |Continue to secure payment)")
NOTHING_CHARGED = "Your payment was not completed and nothing was charged."


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory):
    """The Stripe sandbox: its API over HTTP for the portal, its hosted pages over HTTPS.

    Checkout's pages are on HTTPS in real life; the browser is sent to the TLS listener, which
    the portal's Content-Security-Policy lets the donation form lead to (``form-action``).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed(tmp_path_factory.mktemp("sandbox-tls")))
    with SandboxServer(webhook_secret=WEBHOOK_SECRET) as server:
        pages = make_server("127.0.0.1", 0, server.app, threaded=True, ssl_context=context)
        thread = serve_in_background(pages, name="sandbox-https")
        server.sandbox.public_url = f"https://127.0.0.1:{pages.server_port}"
        yield server
        pages.shutdown()
        pages.server_close()
        thread.join(timeout=10)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (the browser context ignores HTTPS errors)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"],
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def app_config(app_config, sandbox):
    return stripe_config(app_config, sandbox, WEBHOOK_SECRET, STRIPE_SANDBOX=True)


@pytest.fixture
def portal(live_server, sandbox) -> str:
    """The live portal with the demo directory, the sandbox's webhooks pointed at it."""
    sandbox.configure_webhooks(url=f"{live_server}/stripe/webhook", secret=WEBHOOK_SECRET)
    return live_server


def exported(runner) -> list[dict[str, str]]:
    """The donation ledger as staff get it from ``flask export-donations``."""
    result = runner.invoke(args=["export-donations"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_monthly_gift_covering_fees_is_paid_on_stripe_and_counted(page, portal, sandbox, runner):
    page.goto(portal + "/organizations/parents-circle")
    page.get_by_role("link", name="Donate to The Parents Circle–Families Forum").click()
    page.get_by_role("radio", name="$50.00").check()
    page.get_by_role("radio", name="Every month").check()
    page.get_by_role("checkbox", name=re.compile(r"^Add 3% to cover card fees")).check()
    expect(page.locator("#fee-hint")).to_contain_text("On a gift of $50.00 this adds $1.50.")
    expect(page.locator("#give-button")).to_have_text("Give $51.50 every month")

    page.get_by_role("button", name=GIVE).click()

    page.wait_for_url(f"{sandbox.sandbox.public_url}/pay/**")
    expect(page.get_by_text("Stripe sandbox — no money moves")).to_be_visible()
    expect(page.locator(".amount")).to_have_text(re.compile(r"^51\.50 USD\s+every month"))
    page.get_by_role("button", name=re.compile(r"^Subscribe 51\.50 USD")).click()

    page.wait_for_url(f"{portal}/donate/thanks?session_id=*")
    thanks = page.get_by_role("heading", name="Thank you for your gift")
    expect(thanks).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Your gift of $51.50 to The Parents Circle")).to_be_visible()
    sandbox.wait_for_deliveries(timeout=10)
    delivered = {(d["type"], d["delivered"]) for d in sandbox.deliveries()}
    assert delivered == {
        ("customer.subscription.created", True),
        ("checkout.session.completed", True),
        ("invoice.paid", True),
        ("invoice_payment.paid", True),  # how a monthly payment learns its PaymentIntent
    }
    [row] = exported(runner)
    assert (row["recipient"], row["amount_minor"], row["currency"]) == (
        "parents-circle",
        "5150",
        "USD",
    )
    assert (row["frequency"], row["status"]) == ("monthly", "paid")


def test_cancel_on_stripe_returns_to_the_form_with_the_choices_kept(page, portal, sandbox, runner):
    page.goto(portal + "/donate/hand-in-hand")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("radio", name="Other amount").check()
    page.get_by_role("textbox", name="Your amount").fill("75")
    page.get_by_role("radio", name="Every month").check()
    page.get_by_role("button", name=GIVE).click()
    page.wait_for_url(f"{sandbox.sandbox.public_url}/pay/**")

    page.get_by_role("button", name=re.compile(r"^Cancel and go back")).click()

    page.wait_for_url(f"{portal}/donate/hand-in-hand?**")
    expect(page.get_by_role("status").filter(has_text=NOTHING_CHARGED)).to_be_visible()
    expect(page.get_by_label("Currency")).to_have_value("EUR")
    expect(page.get_by_role("radio", name="Other amount")).to_be_checked()
    expect(page.get_by_role("textbox", name="Your amount")).to_have_value("75")
    expect(page.get_by_role("radio", name="Every month")).to_be_checked()
    expect(page.get_by_role("radio", name="€25.00")).not_to_be_checked()
    assert sandbox.events() == []
    assert [row["status"] for row in exported(runner)] == ["open"]


def tab_to(page, selector: str, presses: int = 40) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_amount_is_chosen_with_the_keyboard_in_a_labelled_group(page, portal):
    page.goto(portal + "/donate")
    amounts = page.get_by_role("group", name="Amount")

    tab_to(page, "input[name=preset]")
    page.keyboard.press("ArrowDown")

    expect(amounts).to_be_visible()
    focused = page.locator(":focus")
    expect(focused).to_be_checked()
    expect(focused).to_have_accessible_name("$100.00")  # the next after the one chosen already
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"


def test_an_invalid_own_amount_is_announced_and_tied_to_its_field(page, portal):
    page.goto(portal + "/donate")
    tab_to(page, "input[name=preset]")
    page.keyboard.press("ArrowUp")  # from the $50.00 chosen already to $25.00,
    page.keyboard.press("ArrowUp")  # then round to the last choice: Other amount
    expect(page.get_by_role("radio", name="Other amount")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("fifty")

    page.keyboard.press("Enter")

    page.wait_for_load_state()
    message = "Enter the amount as a number, like 50 or 50.00."
    expect(page.get_by_role("alert")).to_contain_text(message)
    field = page.get_by_role("textbox", name="Your amount")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    page.get_by_role("alert").get_by_role("link", name=message).click()
    expect(field).to_be_focused()


@pytest.fixture
def arabic_portal(app_config, portal, serve):
    """The same portal and data with Arabic switched on."""
    app = create_app({**app_config, "LANGUAGES": ["en", "ar", "he"]})
    yield serve(app)
    dispose(app)


def shoot(page, url: str, name: str) -> dict:
    """Screenshots of ``url`` at a desktop and a phone width, with layout measures."""
    measures = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        save_screenshot(page, f"{name}-{width}.png")
        measures[width] = page.evaluate(
            """() => ({
                overflow: document.documentElement.scrollWidth - window.innerWidth,
                dir: document.documentElement.dir,
                smallTargets: [...document.querySelectorAll('.donate-form label')]
                    .filter(e => e.getBoundingClientRect().height < 24).length,
            })"""
        )
    return measures


def test_donation_form_fits_a_phone_and_a_desktop(page, portal):
    measures = shoot(page, portal + "/donate/parents-circle", "donate")

    assert {w: (m["overflow"], m["smallTargets"]) for w, m in measures.items()} == {
        1280: (0, 0),
        390: (0, 0),
    }


def test_donation_form_with_errors_fits_a_phone(page, portal):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(portal + "/donate/parents-circle")
    page.get_by_role("radio", name="Other amount").check()
    page.get_by_role("textbox", name="Your amount").fill("3")

    page.get_by_role("button", name=GIVE).click()

    save_screenshot(page, "donate-errors-390.png")
    expect(page.get_by_role("alert")).to_contain_text("Please give between $5.00 and $25,000.00.")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0


def test_donation_form_mirrors_right_to_left(page, arabic_portal):
    measures = shoot(page, arabic_portal + "/donate/parents-circle?lang=ar", "donate-rtl")

    assert {m["dir"] for m in measures.values()} == {"rtl"}
    assert {w: (m["overflow"], m["smallTargets"]) for w, m in measures.items()} == {
        1280: (0, 0),
        390: (0, 0),
    }
    button = page.get_by_role("button", name=re.compile(r"^تبرّع بـ")).bounding_box()
    assert 390 - (button["x"] + button["width"]) < 40, "the button should start on the right"


def test_form_leads_to_the_sandbox_served_over_plain_http(page, portal, sandbox):
    secure = sandbox.sandbox.public_url
    sandbox.sandbox.public_url = sandbox.url
    try:
        page.goto(portal + "/donate")
        page.get_by_role("radio", name="$25.00").check()
        page.get_by_role("button", name=GIVE).click()

        page.wait_for_url(f"{sandbox.url}/pay/**", timeout=5_000)
    finally:
        sandbox.sandbox.public_url = secure


def test_choosing_a_currency_updates_the_amounts_on_the_page(page, portal):
    page.goto(portal + "/donate/parents-circle")

    page.get_by_label("Currency").select_option("ILS")

    expect(page.get_by_role("radio", name="₪180.00")).to_be_visible()
    expect(page.locator("#currency-hint")).to_have_text("Amounts below are in ILS.")
    page.get_by_role("radio", name="₪180.00").check()
    page.get_by_role("button", name=GIVE).click()
    page.wait_for_url("**/pay/**")
    expect(page.locator(".amount")).to_contain_text("180.00 ILS")


def test_the_processing_page_updates_itself_when_the_bank_confirms(page, portal, sandbox):
    page.goto(portal + "/donate/parents-circle")
    page.get_by_role("button", name="Give $50.00 once").click()
    page.wait_for_url(f"{sandbox.sandbox.public_url}/pay/**")
    page.get_by_role("button", name=re.compile(r"by bank debit")).click()
    page.wait_for_url(f"{portal}/donate/thanks?session_id=*")
    status = page.locator("#gift-status")
    expect(status).to_contain_text("Your gift of $50.00 to The Parents Circle")
    expect(status).to_contain_text("is being processed")
    expect(status).to_have_attribute("aria-live", "polite")
    session_id = page.url.split("session_id=")[1]
    page.evaluate("window.sameDocument = true")

    sandbox.settle(session_id, "succeeded")

    expect(page.get_by_role("heading", name="Thank you for your gift")).to_be_visible(
        timeout=20_000
    )
    assert page.evaluate("window.sameDocument") is True  # updated in place, never reloaded


def test_a_monthly_gift_shows_its_total_is_thanked_by_mail_and_its_link_cancels_it(
    page, portal, sandbox, app, smtp_server
):
    app.config.update(MAIL_URL=smtp_server.url, MAIL_SEND_IN_BACKGROUND=True)
    page.goto(portal + "/donate/parents-circle")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("textbox", name="Your amount").fill("75,50")
    page.get_by_role("radio", name="Every month").check()
    page.get_by_role("checkbox", name=re.compile(r"^Add 3% to cover card fees")).check()
    expect(page.locator("#give-button")).to_have_text("Give €77.77 every month")
    expect(page.locator("#fee-hint")).to_have_text("On a gift of €75.50 this adds €2.27.")
    page.get_by_role("button", name="Give €77.77 every month").click()
    page.wait_for_url(f"{sandbox.sandbox.public_url}/pay/**")
    expect(page.locator(".amount")).to_have_text(re.compile(r"^77\.77 EUR\s+every month"))
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_role("button", name=re.compile(r"^Subscribe 77\.77 EUR")).click()
    page.wait_for_url(f"{portal}/donate/thanks?session_id=*")

    # The thank-you's own manage link, as the donor finds it in their inbox.
    [thanks] = smtp_server.wait_for(1)
    manage = re.search(r"http://\S+/gift/\S+", thanks.get_content())
    assert manage, "the thank-you carries no manage link"
    page.goto(manage.group(0))
    page.wait_for_url(f"{portal}/gift")
    expect(page.locator("#gift-state")).to_have_text(re.compile("This monthly gift is active."))
    page.get_by_role("radio", name="Now").check()
    page.get_by_role("button", name="Cancel my monthly gift").click()

    expect(page.get_by_role("status").filter(has_text="cancelled")).to_contain_text(
        "nothing more will be charged"
    )
    expect(page.locator("#gift-state")).to_have_text(re.compile("This monthly gift has ended."))
    assert "/gift/" not in page.url  # the private token left the address bar at once
    mails = {mail["Subject"]: mail for mail in smtp_server.wait_for(2)}
    assert "Thank you for your gift to The Parents Circle–Families Forum" in mails
    ended = mails["Your monthly gift to The Parents Circle–Families Forum has ended"]
    assert ended["To"] == "ana@example.org"
    sandbox.wait_for_deliveries(timeout=10)
    with portal_state(app).database.sessions() as session:
        [gift] = session.scalars(select(Donation)).all()
        assert (gift.amount, gift.currency, gift.status) == (7777, "EUR", "paid")
        assert gift.subscription_ended_at is not None  # the ledger agrees with the page


def test_a_monthly_donor_changes_the_amount_on_the_manage_page(page, portal, sandbox, app):
    page.goto(portal + "/donate/parents-circle")
    page.get_by_role("radio", name="$50.00").check()
    page.get_by_role("radio", name="Every month").check()
    page.get_by_role("button", name="Give $50.00 every month").click()
    page.wait_for_url(f"{sandbox.sandbox.public_url}/pay/**")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_role("button", name=re.compile(r"^Subscribe 50\.00 USD")).click()
    page.wait_for_url(f"{portal}/donate/thanks?session_id=*")
    page.get_by_role("link", name="Manage your gift").click()
    page.wait_for_url(f"{portal}/gift")
    expect(page.locator(".lead")).to_have_text(re.compile(r"\$50\.00 every month"))
    assert blocking_violations(page) == []

    amount = page.get_by_role("textbox", name="New monthly amount, in USD")
    amount.fill("forty")
    page.get_by_role("button", name="Change the amount").click()
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#amount-errors")).to_have_text(
        "Enter the amount as a number, like 50 or 50.00."
    )
    assert blocking_violations(page) == []
    page.get_by_role("textbox", name="New monthly amount, in USD").fill("65")
    page.get_by_role("button", name="Change the amount").click()

    expect(page.get_by_role("status").filter(has_text="now")).to_contain_text(
        "Your monthly gift is now $65.00"
    )
    expect(page.locator(".lead")).to_have_text(re.compile(r"\$65\.00 every month"))
    expect(page.locator("#gift-state")).to_contain_text("The next payment, of $65.00, is on")
    assert blocking_violations(page) == []
    sandbox.wait_for_deliveries(timeout=10)
    with portal_state(app).database.sessions() as session:
        [first] = session.scalars(select(Donation)).all()
        subscription = first.stripe_subscription_id
    sandbox.renew(subscription)
    sandbox.wait_for_deliveries(timeout=10)
    page.reload()
    expect(page.locator(".payments tbody tr")).to_have_count(2)
    expect(page.locator(".payments tbody tr").nth(1)).to_contain_text("$65.00")
    with portal_state(app).database.sessions() as session:
        amounts = [row.amount for row in session.scalars(select(Donation).order_by(Donation.id))]
        assert amounts == [5000, 6500]  # the ledger agrees with the page
