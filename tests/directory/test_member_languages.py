"""Members in their own words in each language: the reader's language where the member has it,
else the member's original language, with a note saying which language that is."""

from __future__ import annotations

import pytest

from portal.models import HandoffMode

HEBREW = {
    "name": "מעגל ההורים",
    "short_description": "משפחות שכולות משני הצדדים.",
    "long_description": "הורים שאיבדו ילדים נפגשים ומספרים את סיפורם.",
    "receipt_note": "קבלה תישלח בדואר.",
}
ARABIC = {"name": "دائرة الأهالي", "short_description": "عائلات ثكلى من الجانبين."}


@pytest.fixture
def parents(make_org):
    return make_org(
        "parents-circle",
        name="Parents Circle",
        short_description="Bereaved families from both sides.",
        long_description="Parents who lost children meet and tell their story.",
        receipt_note="Receipts come by post.",
        texts={"he": HEBREW, "ar": ARABIC},
    )


def notes(page) -> list[str]:
    return [p.text for p in page.all("p", class_="text-note")]


def own_words(page) -> dict[str, str]:
    """Each member text on the page (isolated in ``<bdi>``) and the language it declares."""
    return {bdi.text: bdi.attrs.get("lang") for bdi in page.all("bdi")}


@pytest.mark.usefixtures("parents")
def test_hebrew_reader_sees_the_member_page_in_hebrew(client, read):
    page = read(client.get("/organizations/parents-circle?lang=he"))

    assert page.one("h1").text == HEBREW["name"]
    words = own_words(page)
    assert {words[HEBREW[name]] for name in HEBREW} == {"he"}
    # The share kit offers the English words to share on purpose; nothing else shows them.
    leaves = ("h1", "h2", "h3", "p", "li", "a", "bdi", "span", "label", "button")
    shown = [e.text for e in page.elements if e.tag in leaves and not e.within("share-kit")]
    assert not [text for text in shown if "Parents Circle" in text]
    assert notes(page) == []


@pytest.mark.usefixtures("parents")
def test_untranslated_text_falls_back_to_the_original_with_a_note(client, read):
    page = read(client.get("/organizations/parents-circle?lang=ar"))

    assert page.one("h1").text == ARABIC["name"]
    words = own_words(page)
    assert words["Parents who lost children meet and tell their story."] == "en"
    assert words[ARABIC["short_description"]] == "ar"
    [note] = notes(page)
    assert "الإنجليزية" in note  # "English", named in Arabic


@pytest.mark.usefixtures("parents")
def test_english_reader_sees_the_original_without_a_note(client, read):
    page = read(client.get("/organizations/parents-circle?lang=en"))

    assert page.one("h1").text == "Parents Circle"
    assert notes(page) == []


def test_a_member_writing_in_hebrew_is_shown_to_english_readers_as_written(client, read, make_org):
    make_org(
        "tsomet",
        name="צומת",
        short_description="מפגשים בין שכנים.",
        original_language="he",
        texts={"en": {"name": "Tsomet"}},
    )

    page = read(client.get("/organizations/tsomet"))

    assert page.one("h1").text == "Tsomet"
    assert own_words(page)["מפגשים בין שכנים."] == "he"
    [note] = notes(page)
    assert note == "This text is in Hebrew."


@pytest.mark.usefixtures("parents")
def test_directory_cards_name_members_in_the_readers_language(client, read, make_org):
    make_org("roots", name="Roots")

    page = read(client.get("/organizations?lang=he&sort=name"))

    assert sorted(page.listed_names) == sorted(["Roots", HEBREW["name"]])
    assert HEBREW["short_description"] in page.text


def test_donation_form_names_the_recipient_and_its_receipt_note_in_hebrew(client, make_org):
    make_org("parents-circle", handoff_mode=HandoffMode.STRIPE, texts={"he": HEBREW})

    html = client.get("/donate/parents-circle?lang=he").get_data(as_text=True)

    assert HEBREW["name"] in html
    assert f'<bdi lang="he">{HEBREW["receipt_note"]}</bdi>' in html
