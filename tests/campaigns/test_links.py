"""Staff build campaign links: exactly the tags chosen, a QR code that decodes to the link,
a printable poster, and the link's numbers on the page and in the CSV."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
import zxingcpp
from PIL import Image

from portal.models import LinkMaker

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _link_url(client, link) -> str:
    from tests.amplify.pages import Elements

    page = Elements(client.get("/staff/campaigns").get_data(as_text=True))
    fields = [a for a, _ in page.all("input") if a.get("aria-label") == f"Link for {link.campaign}"]
    assert fields, "the link is not listed"
    return fields[0]["value"]


def test_a_link_carries_exactly_the_tags_chosen(client, make_org, build_link):
    org = make_org("ecopeace")

    link = build_link(org, campaign="Spring appeal 2026", source="newsletter", medium="email")

    url = urlsplit(_link_url(client, link))
    assert (url.scheme, url.netloc, url.path) == ("http", "portal.test", "/go/ecopeace")
    assert parse_qs(url.query) == {
        "utm_campaign": ["Spring appeal 2026"],
        "utm_source": ["newsletter"],
        "utm_medium": ["email"],
    }
    assert link.made_by == LinkMaker.STAFF


def test_optional_tags_left_empty_are_not_in_the_link(client, make_org, build_link):
    link = build_link(make_org("ecopeace"), campaign="gala")

    assert parse_qs(urlsplit(_link_url(client, link)).query) == {"utm_campaign": ["gala"]}


def test_building_the_same_link_twice_keeps_one(make_org, build_link):
    org = make_org("ecopeace")

    first = build_link(org, campaign="gala", source="poster")
    second = build_link(org, campaign="gala", source="poster")

    assert first.id == second.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"campaign": ""}, "This field is required."),
        ({"campaign": "x" * 101}, "Field cannot be longer than 100 characters."),
        ({"campaign": "gala", "source": "a\tb"}, "Use letters, digits, spaces and punctuation"),
        ({"campaign": "gala", "recipient": "999"}, "Not a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    client, make_org, login_as, post_form, data, message
):
    org = make_org("ecopeace")
    login_as()

    form = {"recipient": str(org.id), **data}
    response = post_form("/staff/campaigns", form, page="/staff/campaigns")

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "No campaign link yet." in client.get("/staff/campaigns").get_data(as_text=True)


def test_the_campaign_page_needs_a_signed_in_staff_member(client):
    assert client.get("/staff/campaigns").status_code in (302, 303)
    assert client.get("/staff/campaigns.csv").status_code in (302, 303)


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_the_qr_code_decodes_to_the_link(client, make_org, build_link, kind):
    link = build_link(make_org("ecopeace"), campaign="gala", source="poster", medium="print")
    url = _link_url(client, link)

    response = client.get(f"/campaigns/{link.code}/qr.{kind}")

    assert response.status_code == 200
    if kind == "png":
        image = Image.open(io.BytesIO(response.data))
    else:
        assert response.mimetype == "image/svg+xml"
        # The SVG draws the same modules: its path equals the re-encoded link's.
        again = segno.make_qr(url, error="q", boost_error=False).svg_inline()
        assert _modules(response.get_data(as_text=True)) == _modules(again)
        image = Image.open(io.BytesIO(client.get(f"/campaigns/{link.code}/qr.png").data))
    [decoded] = zxingcpp.read_barcodes(image)
    assert decoded.text == url


def _modules(svg: str) -> str:
    [path] = re.findall(r'<path[^>]*stroke="[^"]+"[^>]*d="([^"]+)"', svg) or re.findall(
        r'<path[^>]*d="([^"]+)"[^>]*stroke=', svg
    )
    return path


def test_the_poster_shows_the_code_the_link_and_the_recipient(client, make_org, build_link):
    org = make_org("ecopeace", name="EcoPeace Middle East")
    link = build_link(org, campaign="gala")
    url = _link_url(client, link)

    html = client.get(f"/campaigns/{link.code}/poster").get_data(as_text=True)

    assert "Support EcoPeace Middle East" in html
    assert f'src="/campaigns/{link.code}/qr.svg"' in html
    assert f'<p class="poster-url" dir="ltr">{url.replace("&", "&amp;")}</p>' in html
    assert '<meta name="robots" content="noindex">' in html


def test_unknown_codes_have_no_qr_or_poster(client):
    assert client.get("/campaigns/nothere/qr.png").status_code == 404
    assert client.get("/campaigns/nothere/poster").status_code == 404
    assert client.get("/campaigns/nothere/qr.gif").status_code == 404
