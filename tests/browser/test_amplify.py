"""Sharing in a real browser: the copy button copies, and the Arabic and Hebrew cards show."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageChops

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LANGUAGES": ["en", "ar", "he"], "SHARE_CARD_DIR": str(tmp_path)}


def test_copy_link_button_puts_the_tagged_link_on_the_clipboard(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server}/organizations/ecopeace")

    page.get_by_role("button", name="Copy link").click()

    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#share-link").input_value()
    assert copied.endswith("/organizations/ecopeace?utm_source=copied-link&utm_medium=share")
    assert page.get_by_role("status").filter(has_text="Copied.").is_visible()


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_cards_a_preview_would_show_are_drawn_in_the_pages_language(
    page, live_server, language
):
    page.goto(f"{live_server}/organizations/ecopeace?lang={language}")
    card_url = page.locator('meta[property="og:image"]').first.get_attribute("content")
    served = Image.open(BytesIO(page.request.get(card_url).body())).convert("RGB")
    page.set_viewport_size({"width": 1200, "height": 630})

    page.goto(card_url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = page.locator("img").screenshot(path=SHOTS / f"share-card-{language}.png")

    shown = Image.open(BytesIO(shot)).convert("RGB")
    assert shown.size == (1200, 630)
    assert ImageChops.difference(shown, served).getbbox() is None
