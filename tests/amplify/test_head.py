"""What search engines and link previews read in every public page's head, in every language."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portal.models import HandoffMode, OrgStatus
from tests.amplify.pages import LANGUAGES, Head

BASE = "http://portal.test"


@pytest.fixture
def directory(make_org, make_coalition):
    make_coalition(short_description="The alliance of peacebuilders.")
    make_org("ecopeace", name="EcoPeace Middle East", short_description="Water and land, shared.")
    make_org("roots", name="Roots", handoff_mode=HandoffMode.STRIPE)


PUBLIC_PAGES = ["/", "/organizations", "/organizations/ecopeace", "/donate", "/donate/roots"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.usefixtures("directory")
def test_public_page_names_one_canonical_url_in_its_language(head, path, language):
    page = head(f"{path}?lang={language}&utm_source=newsletter")

    assert page.lang == language
    assert page.link("canonical") == [f"{BASE}{path}?lang={language}"]
    assert page.value("og:url") == f"{BASE}{path}?lang={language}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.usefixtures("directory")
def test_public_page_lists_every_language_and_a_default(head, path):
    page = head(path)

    alternates = {link["hreflang"]: link["href"] for link in page.links if "hreflang" in link}
    assert alternates == {
        "en": f"{BASE}{path}?lang=en",
        "ar": f"{BASE}{path}?lang=ar",
        "he": f"{BASE}{path}?lang=he",
        "x-default": f"{BASE}{path}",
    }


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.usefixtures("directory")
def test_preview_shows_the_pages_title_description_and_cards_in_its_language(head, path, language):
    page = head(f"{path}?lang={language}")

    assert page.value("og:title") == page.title.strip()
    assert page.value("twitter:title") == page.title.strip()
    assert page.value("og:description") == page.value("description")
    assert page.value("twitter:description") == page.value("description")
    assert page.value("twitter:card") == "summary_large_image"
    assert page.value("og:locale") == {"en": "en_US", "ar": "ar_AR", "he": "he_IL"}[language]
    wide, square = page.values("og:image")
    assert page.value("twitter:image") == wide
    assert page.values("og:image:width") == ["1200", "1080"]
    assert page.values("og:image:height") == ["630", "1080"]
    assert f"/{language}/wide.png" in urlsplit(wide).path
    assert f"/{language}/square.png" in urlsplit(square).path


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.usefixtures("directory")
def test_member_page_previews_with_the_members_own_cards(head, fetch_png, language):
    page = head(f"/organizations/ecopeace?lang={language}")

    wide, square = page.values("og:image")
    assert urlsplit(wide).path == f"/share/ecopeace/{language}/wide.png"
    assert urlsplit(square).path == f"/share/ecopeace/{language}/square.png"
    assert fetch_png(wide)[0].size == (1200, 630)
    assert fetch_png(square)[0].size == (1080, 1080)
    assert page.value("og:title").startswith("EcoPeace Middle East ·")
    assert page.value("og:description") == "Water and land, shared."


def test_directory_page_two_keeps_its_page_in_the_canonical_url(head, make_org):
    for n in range(14):
        make_org(f"member-{n:02}")

    page = head("/organizations?page=2&q=&sort=name")

    [canonical] = page.link("canonical")
    assert parse_qs(urlsplit(canonical).query) == {"page": ["2"], "lang": ["en"]}


@pytest.mark.usefixtures("directory")
def test_one_language_portal_names_plain_urls_and_no_alternates(app, client):
    app.config["LANGUAGES"] = ["en"]

    page = head_of(client, "/organizations/ecopeace")

    assert page.link("canonical") == [f"{BASE}/organizations/ecopeace"]
    assert not [link for link in page.links if "hreflang" in link]


@pytest.mark.parametrize("path", ["/staff/login", "/organizations/nobody", "/donate/thanks"])
def test_private_and_missing_pages_are_kept_out_of_search_and_previews(client, path):
    page = head_of(client, path, expect=None)

    assert page.values("robots") == ["noindex, nofollow"] or page.values("robots") == ["noindex"]
    assert not page.link("canonical")
    assert not page.values("og:title")
    assert not page.values("og:image")


def test_suspended_member_has_no_card(client, make_org):
    make_org("gone", status=OrgStatus.SUSPENDED)

    assert client.get("/share/gone/en/wide.png").status_code == 404


def head_of(client, path, expect=200):
    response = client.get(path)
    if expect is not None:
        assert response.status_code == expect
    return Head(response.get_data(as_text=True))
