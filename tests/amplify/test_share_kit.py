"""The share kit on a member's page, as a supporter without script sees it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.amplify.pages import Elements

PAGE = "http://portal.test/organizations/ecopeace"


@pytest.fixture
def kit(client, make_org):
    make_org(
        "ecopeace",
        name="EcoPeace Middle East",
        texts={"ar": {"name": "إيكوبيس"}, "he": {"name": "אקופיס"}},
    )

    def _kit(language: str = "en") -> Elements:
        return Elements(client.get(f"/organizations/ecopeace?lang={language}").get_data(True))

    return _kit


def test_the_link_to_copy_is_a_selectable_field_tagged_as_a_copied_link(kit):
    tag, field, _ = kit().by_id("share-link")

    assert (tag, "readonly" in field) == ("input", True)
    url = urlsplit(field["value"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == PAGE
    assert parse_qs(url.query) == {"utm_source": ["copied-link"], "utm_medium": ["share"]}


def test_copy_buttons_wait_for_the_script_that_makes_them_work(kit):
    page = kit()

    buttons = page.all("button", type="button")
    assert [b["data-copy"] for b, _ in buttons] == [
        "share-link",
        "share-text-en",
        "share-text-ar",
        "share-text-he",
    ]
    assert all("hidden" in b for b, _ in buttons)
    assert page.all("script", src="/static/share.js", defer="")


@pytest.mark.parametrize("reader", ["en", "ar", "he"])
def test_words_to_share_are_ready_in_the_three_languages_with_the_members_own_name(kit, reader):
    page = kit(reader)

    words = {code: page.by_id(f"share-text-{code}") for code in ("en", "ar", "he")}
    _, english, en_text = words["en"]
    _, arabic, ar_text = words["ar"]
    _, hebrew, he_text = words["he"]
    assert (english["lang"], english["dir"]) == ("en", "ltr")
    assert (arabic["lang"], arabic["dir"]) == ("ar", "rtl")
    assert (hebrew["lang"], hebrew["dir"]) == ("he", "rtl")
    assert en_text.startswith("Support EcoPeace Middle East, peacebuilders on the ground: ")
    assert ar_text.startswith("ادعم إيكوبيس، بُناة السلام على الأرض: ")
    assert "אקופיס" in he_text
    for text in (en_text, ar_text, he_text):
        assert text.endswith("?utm_source=copied-link&utm_medium=share")
    labels = [text for _, text in page.all("label") if _.get("for", "").startswith("share-text")]
    assert labels == ["English", "العربية", "עברית"]


def test_network_links_say_they_open_a_new_window(kit):
    links = [(a, text) for a, text in kit().all("a", target="_blank") if "share" in a["href"]]

    assert len(links) >= 4
    for attrs, text in links:
        assert text.endswith("(opens in a new window) ↗")
        assert attrs["rel"] == "noopener noreferrer"
