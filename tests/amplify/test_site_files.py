"""The files other sites and browsers ask every site for: icons, robots.txt, sitemap.xml."""

from __future__ import annotations

from io import BytesIO
from xml.etree import ElementTree

import pytest
from PIL import Image

from portal.models import OrgStatus

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_favicon_is_the_mark_at_three_sizes(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    icon = Image.open(BytesIO(response.data))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= icon.info["sizes"]
    assert response.cache_control.max_age == 7 * 86400


@pytest.mark.parametrize(("name", "size"), [("apple-touch-icon.png", 180), ("icon-512.png", 512)])
def test_app_icons_are_square_pngs(client, name, size):
    image = Image.open(BytesIO(client.get(f"/{name}").data))

    assert (image.format, image.size) == ("PNG", (size, size))


def test_every_page_points_at_the_icons(client):
    html = client.get("/").get_data(as_text=True)

    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in html
    assert '<link rel="icon" href="/static/icons/mark.svg" type="image/svg+xml">' in html
    svg = client.get("/static/icons/mark.svg")
    svg.close()
    assert (svg.status_code, svg.mimetype) == (200, "image/svg+xml")


def test_robots_keeps_crawlers_out_of_staff_reports_and_hand_offs(client):
    response = client.get("/robots.txt")

    lines = response.get_data(as_text=True).splitlines()
    assert response.mimetype == "text/plain"
    for private in ("/staff/", "/reports/", "/go/", "/donate/thanks"):
        assert f"Disallow: {private}" in lines
    assert "Sitemap: http://portal.test/sitemap.xml" in lines


def _sitemap(client) -> dict[str, dict[str, str]]:
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 — the portal's own output
    return {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")
        }
        for url in root.iter(f"{SITEMAP}url")
    }


def test_sitemap_lists_public_pages_and_active_members_in_every_language(
    client, make_org, make_coalition
):
    make_coalition()
    make_org("ecopeace")
    make_org("gone", status=OrgStatus.SUSPENDED)

    urls = _sitemap(client)

    paths = ["/", "/organizations", "/donate", "/organizations/ecopeace", "/listen", "/engage"]
    paths += ["/about", "/contact", "/privacy", "/terms"]
    expected = {f"http://portal.test{path}" for path in paths}
    expected |= {f"{url}?lang={code}" for url in expected for code in ("en", "ar", "he")}
    assert set(urls) == expected
    assert urls["http://portal.test/organizations/ecopeace?lang=he"] == {
        "en": "http://portal.test/organizations/ecopeace?lang=en",
        "ar": "http://portal.test/organizations/ecopeace?lang=ar",
        "he": "http://portal.test/organizations/ecopeace?lang=he",
        "x-default": "http://portal.test/organizations/ecopeace",
    }
