"""Sharing in a real browser: the copy button copies, and the Arabic and Hebrew cards show."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
from PIL import Image, ImageChops

from tests.helpers.screenshots import shot_path
from tests.helpers.serving import serve_in_background

pytestmark = pytest.mark.browser


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
    shot = page.locator("img").screenshot(path=shot_path(f"share-card-{language}.png"))

    shown = Image.open(BytesIO(shot)).convert("RGB")
    assert shown.size == (1200, 630)
    assert ImageChops.difference(shown, served).getbbox() is None


@pytest.fixture
def host_site():
    """Factory: ``host_site(html)`` serves ``html`` from another origin; returns its URL."""
    servers = []

    def _serve(html: str) -> str:
        body = html.encode()

        class Page(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        serve_in_background(server, name="host-site")
        servers.append(server)
        return f"http://localhost:{server.server_address[1]}/"

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_another_site_can_frame_the_widget_but_no_other_page(page, live_server, host_site):
    site = host_site(
        f"<!doctype html><title>A member</title>"
        f'<iframe name="widget" src="{live_server}/embed/ecopeace?lang=he"></iframe>'
        f'<iframe name="page" src="{live_server}/organizations/ecopeace"></iframe>'
    )

    page.goto(site)
    page.wait_for_load_state("load")

    widget = page.frame(name="widget")
    assert widget.url == f"{live_server}/embed/ecopeace?lang=he"
    assert widget.get_by_role("link").first.is_visible()
    assert widget.locator("html").get_attribute("dir") == "rtl"
    blocked = page.frame(name="page")
    # Refused by the page's frame-ancestors 'none': Chromium shows its own error page instead.
    assert blocked.url.startswith("chrome-error://")
