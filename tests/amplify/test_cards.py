"""Share cards: PNGs of the right size, drawn once, drawn again when the text changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from portal.amplify import cards
from portal.amplify.cards import Card, draw_card
from tests.amplify.pages import Head


def _card_url(client, slug: str, language: str = "en") -> str:
    page = Head(client.get(f"/organizations/{slug}?lang={language}").get_data(as_text=True))
    return page.values("og:image")[0]


def test_a_card_is_drawn_once_and_served_with_long_caching(app, client, make_org, fetch_png):
    make_org("ecopeace")
    url = _card_url(client, "ecopeace")

    first, response = fetch_png(url)
    second, _ = fetch_png(url)

    assert list(Path(app.config["SHARE_CARD_DIR"]).glob("*.png")) == [
        Path(app.config["SHARE_CARD_DIR"]) / f"{url.split('v=')[1]}-wide.png"
    ]
    assert response.cache_control.public
    assert response.cache_control.immutable
    assert response.cache_control.max_age == 365 * 86400
    assert ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox() is None


def test_a_card_url_without_its_version_is_checked_again_daily(make_org, fetch_png):
    make_org("ecopeace")

    _, response = fetch_png("/share/ecopeace/en/wide.png")

    assert response.cache_control.max_age == 86400
    assert not response.cache_control.immutable


def test_a_changed_description_gives_a_new_card_at_a_new_url(
    client, db_session, make_org, fetch_png
):
    org = make_org("ecopeace", short_description="Water and land, shared.")
    before_url = _card_url(client, "ecopeace")
    before, _ = fetch_png(before_url)

    org.short_description = "Protecting the Jordan River together."
    db_session.commit()
    after_url = _card_url(client, "ecopeace")
    after, _ = fetch_png(after_url)

    assert after_url != before_url
    assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/share/nobody/en/wide.png", 404),
        ("/share/allmep/fr/wide.png", 404),
        ("/share/allmep/en/round.png", 404),
    ],
)
def test_unknown_cards_are_not_found(client, path, status):
    assert client.get(path).status_code == status


def test_the_coalition_has_a_card_before_its_row_exists(fetch_png):
    image, _ = fetch_png("/share/allmep/ar/wide.png")

    assert image.size == (1200, 630)


def _drawn(text: str, **layout) -> Image.Image:
    image = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(image).text((10, 10), text, font=cards._font(40, False), fill=0, **layout)
    return image


def test_hebrew_is_drawn_right_to_left():
    # Hebrew letters take no contextual forms: drawn right to left, a word must look like its
    # letters reversed and forced left to right (LRO … PDF), and unlike them unreversed.
    shaped = _drawn("שלום", direction="rtl", language="he")
    reversed_ltr = _drawn("\u202dםולש\u202c", direction="ltr")
    in_typed_order = _drawn("\u202dשלום\u202c", direction="ltr")

    assert ImageChops.difference(shaped, reversed_ltr).getbbox() is None
    assert ImageChops.difference(shaped, in_typed_order).getbbox() is not None


def test_arabic_letters_are_joined():
    # Joined, "سلام" uses its contextual forms: the same glyphs as the presentation-form
    # characters of the word, which a layout without shaping draws as they are.
    font = cards._font(40, False)
    basic = ImageFont.truetype(font.path, 40, layout_engine=ImageFont.Layout.BASIC)
    shaped = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(shaped).text((10, 10), "سلام", font=font, fill=0, direction="rtl")
    joined = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(joined).text((10, 10), "\ufee1\ufefc\ufeb3", font=basic, fill=0)
    unjoined = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(unjoined).text((10, 10), "\u0645\u0627\u0644\u0633", font=basic, fill=0)

    assert ImageChops.difference(shaped, joined).getbbox() is None
    assert ImageChops.difference(shaped, unjoined).getbbox() is not None


@pytest.mark.parametrize("shape", ["wide", "square"])
def test_a_long_name_is_cut_with_an_ellipsis_inside_the_card(shape):
    card = Card("Word " * 80, "Line " * 200, "Portal", "en", "ltr", shape)

    image = draw_card(card)

    assert image.size == cards.SIZES[shape]
    assert image.getpixel((image.width - 5, image.height - 5)) == (251, 250, 247)


def test_an_arabic_page_shares_the_card_with_the_members_arabic_words(client, make_org, fetch_png):
    make_org(
        "ecopeace",
        short_description="Water and land, shared.",
        texts={"ar": {"name": "إيكوبيس", "short_description": "الماء والأرض، معًا."}},
    )
    arabic = Card(
        "إيكوبيس", "الماء والأرض، معًا.", "Peacebuilders' Giving Portal", "ar", "rtl", "wide"
    )

    url = _card_url(client, "ecopeace", "ar")
    image, _ = fetch_png(url)

    assert url.endswith(f"v={arabic.digest}")
    assert ImageChops.difference(image.convert("RGB"), draw_card(arabic)).getbbox() is None


def test_english_words_on_a_right_to_left_card_keep_their_full_stop_at_the_end():
    rtl_card = Card("Name", "Line", "Portal", "ar", "rtl", "wide")

    as_on_the_card = _drawn("Water, shared.", **cards._layout_options(rtl_card))

    assert (
        ImageChops.difference(as_on_the_card, _drawn("Water, shared.", direction="ltr")).getbbox()
        is None
    )
    assert ImageChops.difference(
        as_on_the_card, _drawn("Water, shared.", direction="rtl")
    ).getbbox()
