"""An admin working in Hebrew gives a member its Arabic texts in a real browser, by keyboard."""

from __future__ import annotations

import pytest

from tests.helpers.staff import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(app, serve, make_org) -> str:
    make_org("roots", name="Roots", short_description="Neighbours who meet.")
    return serve(app)


def test_an_admin_working_in_hebrew_adds_arabic_texts_by_keyboard(page, portal, make_staff):
    admin = make_staff()
    page.goto(portal + "/staff/login?lang=he")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_label('דוא"ל').fill(admin.email)
    page.get_by_label("סיסמה").fill(PASSWORD)
    page.get_by_role("button", name="כניסה").click()
    page.goto(portal + "/staff/organizations/")
    page.get_by_role("link", name="Roots", exact=True).click()

    arabic = page.get_by_role("group", name="בערבית")
    arabic.get_by_label("שם (ערבית)").focus()
    page.keyboard.type("جذور")
    page.keyboard.press("Tab")
    page.keyboard.type("جيران يلتقون.")
    assert arabic.get_by_label("שם (ערבית)").get_attribute("lang") == "ar"
    page.get_by_role("button", name="שמירה").press("Enter")
    page.wait_for_url("**/staff/organizations/")

    page.goto(portal + "/organizations/roots?lang=ar")
    assert page.get_by_role("heading", level=1).inner_text() == "جذور"
    assert page.get_by_text("جيران يلتقون.").is_visible()
    assert page.locator("html").get_attribute("dir") == "rtl"
