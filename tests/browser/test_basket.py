"""A giving basket in a real browser: filled from the directory and a member page, split by
percentages in euros, paid on the sandbox's hosted page, every member's part on the thanks page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import test_giving
from tests.helpers.accessibility import blocking_violations

pytestmark = pytest.mark.browser
# The giving tests' sandbox (its hosted pages on HTTPS) and the portal served with it.
sandbox_server = test_giving.sandbox_server
app_config = test_giving.app_config
portal = test_giving.portal


def test_a_basket_built_from_the_directory_and_a_member_page_is_paid_in_euros(
    page,
    portal,
    sandbox,
):
    page.goto(portal + "/organizations?q=EcoPeace")
    page.get_by_role("button", name="Add EcoPeace Middle East to your giving basket").click()
    page.goto(portal + "/organizations/parents-circle")
    add = page.get_by_role("button", name=re.compile(r"^Add The Parents Circle.* giving basket$"))
    add.click()
    page.get_by_role("link", name="See your basket").click()

    assert blocking_violations(page) == []
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("radio", name="By percentages").check()
    page.get_by_label("Amount to split (evenly or by percentages)").fill("80")
    page.get_by_label(re.compile(r"^Part for EcoPeace")).fill("62.5")
    page.get_by_label(re.compile(r"^Part for The Parents Circle")).fill("37.5")
    page.keyboard.press("Enter")  # Enter reviews the basket; it never removes a member

    review = page.get_by_role("status").filter(has_text="Before you leave for payment")
    expect(review).to_contain_text("Total: €80.00, once.")
    expect(review).to_contain_text("€50.00")
    expect(review).to_contain_text("€30.00")
    assert blocking_violations(page) == []
    page.get_by_role("button", name="Continue to secure payment").click()

    page.wait_for_url(f"{sandbox.sandbox.public_url}/pay/**")
    expect(page.locator(".amount")).to_have_text(re.compile(r"^80\.00 EUR"))
    page.get_by_role("button", name=re.compile(r"^Donate 80\.00 EUR")).click()

    page.wait_for_url(f"{portal}/basket/thanks?session_id=*")
    expect(page.get_by_role("heading", name="Thank you for your gift")).to_be_visible(
        timeout=15_000
    )
    parts = page.get_by_role("table", name="Each member’s part")
    expect(parts.get_by_role("row", name=re.compile(r"EcoPeace.*€50\.00"))).to_be_visible()
    expect(parts.get_by_role("row", name=re.compile(r"Parents Circle.*€30\.00"))).to_be_visible()
    assert blocking_violations(page) == []
