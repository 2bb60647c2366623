"""Search in Arabic, Hebrew and Latin scripts: any language version of a member is found, however
the query or the text is written (vowel marks, elongation, letter variants, accents, case)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Organization
from tests.directory.test_search import listed


@pytest.fixture
def trilingual(make_org):
    make_org(
        "salam-shalom",
        name="Salam Shalom Choir",
        short_description="Singers from Haifa and Nazareth.",
        texts={
            # Written with full vowel marks, as a careful writer might.
            "ar": {"name": "جَوْقَةُ سَلَامٌ شَالُوم", "short_description": "مُغَنُّونَ مِنْ حَيْفَا وَالنَّاصِرَة."},
            "he": {"name": "מַקְהֵלַת שָׁלוֹם סָלָאם", "short_description": "זַמָּרִים מֵחֵיפָה וּמִנָּצְרַת."},
        },
    )
    make_org(
        "amal-school",
        name="Amal School Café",
        short_description="A bilingual school.",
        texts={
            "ar": {
                "name": "مدرسة أمل",
                "long_description": "مُعَلِّمُونَ عرب ويهود في صف واحد، الى المستشفى",
            },
            "he": {"name": "בית ספר תקווה"},
        },
    )
    make_org("roots", name="Roots", short_description="Neighbours meet.")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("שלום", ["Salam Shalom Choir"]),
        ("שָׁלוֹם", ["Salam Shalom Choir"]),
        ("سلام", ["Salam Shalom Choir"]),
        ("سَلَامٌ", ["Salam Shalom Choir"]),
        ("سـلام", ["Salam Shalom Choir"]),
        ("الناصره", ["Salam Shalom Choir"]),
        ("امل", ["Amal School Café"]),
        ("إمل", ["Amal School Café"]),
        ("معلمون", ["Amal School Café"]),
        ("المستشفي", ["Amal School Café"]),
        ("الي", ["Amal School Café"]),
        ("מדרסה", []),
        ("תקווה", ["Amal School Café"]),
        ("cafe", ["Amal School Café"]),
        ("CAFÉ", ["Amal School Café"]),
        ("haifa", ["Salam Shalom Choir"]),
        ("neighbours", ["Roots"]),
    ],
    ids=[
        "hebrew",
        "hebrew-with-niqqud",
        "arabic",
        "arabic-with-tashkeel",
        "arabic-with-tatweel",
        "taa-marbuta-written-as-haa",
        "bare-alef-finds-hamza-alef",
        "hamza-below-finds-hamza-above",
        "shadda-and-vowels-in-text-ignored",
        "yaa-finds-alef-maqsura",
        "alef-maqsura-in-text",
        "hebrew-letters-for-an-arabic-word",
        "hebrew-translation-only",
        "accent-folded",
        "capital-accented",
        "english-still-works",
        "untranslated-member",
    ],
)
@pytest.mark.usefixtures("trilingual")
def test_search_finds_members_in_every_script(client, read, query, found):
    assert listed(client, read, "q=" + query) == found


@pytest.mark.usefixtures("trilingual")
def test_a_hebrew_and_an_english_word_together_need_both(client, read):
    assert listed(client, read, "q=שלום+Haifa") == ["Salam Shalom Choir"]
    assert listed(client, read, "q=שלום+school") == []


@pytest.mark.usefixtures("trilingual")
def test_a_query_of_vowel_marks_alone_finds_everyone(client, read):
    assert len(listed(client, read, "q=%D9%8E%D9%8E")) == 3


@pytest.mark.usefixtures("trilingual")
def test_search_follows_a_translation_staff_change(client, read, db_session):
    roots = db_session.scalar(select(Organization).filter_by(slug="roots"))
    roots.set_text("name", "ar", "جذور")
    db_session.commit()

    assert listed(client, read, "q=جذور") == ["Roots"]
    roots.set_text("name", "ar", "")
    db_session.commit()
    assert listed(client, read, "q=جذور") == []


def test_a_to_z_follows_the_readers_language(client, read, make_org):
    make_org("aleph", name="Zebra House", texts={"he": {"name": "אלף"}})
    make_org("bet", name="Apple Tree", texts={"he": {"name": "בית"}})

    english = read(client.get("/organizations?sort=name&lang=en")).listed_names
    hebrew = read(client.get("/organizations?sort=name&lang=he")).listed_names

    assert english == ["Apple Tree", "Zebra House"]
    assert hebrew == ["אלף", "בית"]


def test_a_hebrew_word_is_found_inside_a_longer_form(client, read, make_org):
    make_org("mothers", name="Mothers", texts={"he": {"short_description": "אימהות למען שלומן."}})

    assert listed(client, read, "q=שלום") == ["Mothers"]  # final mem, ordinary mem in the text
    assert listed(client, read, "q=שלומן") == ["Mothers"]
    assert listed(client, read, "q=שלומות") == []
