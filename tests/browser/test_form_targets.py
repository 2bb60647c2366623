"""Content-Security-Policy ``form-action`` in a real Chromium: donors reach the member's page,
and a form tampered with on a portal page cannot send anyone, or anything, to another site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

MEMBER_PAGE = "https://member.example/donate"
DONATE_BUTTON = "Donate on Almond Blossom Circle’s website"


@pytest.fixture
def members(make_org, live_server):
    make_org("almond-blossom", name="Almond Blossom Circle", donation_url=MEMBER_PAGE)
    make_org("elsewhere", name="Elsewhere", donation_url="https://other.example/give")


def refused_submission(page, action: str) -> str:
    """Point the member page's donate form at ``action``, send it, and return Chromium's report
    of the form it refused to send under the page's ``form-action``."""
    form = page.locator("form[action='/go/almond-blossom']")
    with page.expect_console_message(lambda message: "form-action" in message.text) as refusal:
        form.evaluate("(form, action) => { form.action = action; form.requestSubmit(); }", action)
    return refusal.value.text


@pytest.mark.usefixtures("members")
def test_the_donate_button_reaches_the_members_own_page(page, live_server):
    refusals = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto(f"{live_server}/organizations/almond-blossom")

    page.get_by_role("button", name=DONATE_BUTTON).click()

    page.wait_for_url("https://member.example/**")
    assert urlsplit(page.url).path == "/donate"
    assert not [text for text in refusals if "form-action" in text]


@pytest.mark.usefixtures("members")
def test_a_form_pointed_at_another_site_is_not_sent(page, live_server, offsite_requests):
    page.goto(f"{live_server}/organizations/almond-blossom")

    refusal = refused_submission(page, "https://other.example/collect")

    assert "https://other.example/collect" in refusal
    assert urlsplit(page.url).path == "/organizations/almond-blossom"
    assert offsite_requests == []


@pytest.mark.usefixtures("members")
def test_a_form_bounced_through_the_portal_to_another_site_stops_at_the_redirect(
    page, live_server, offsite_requests
):
    page.goto(f"{live_server}/organizations/almond-blossom")

    refusal = refused_submission(page, f"{live_server}/go/elsewhere")

    # Chromium names the form's own address, not where the redirect pointed (that stays private).
    assert "/go/elsewhere" in refusal and "blocked" in refusal
    assert urlsplit(page.url).hostname == "127.0.0.1"
    assert offsite_requests == []
