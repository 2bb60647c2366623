"""Folding for search: marks, elongation, letter variants and case never change what is found."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.folding import fold

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
HEBREW_LETTERS = "אבגדהוזחטיכלמנסעפצקרשת"
TASHKEEL = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670", "\u0640"]  # and tatweel
NIQQUD = [chr(c) for c in range(0x05B0, 0x05BD)] + ["\u05c1", "\u05c2", "\u0591", "\u05a5"]


def sprinkled(letters: str, marks: list[str]):
    """A word of ``letters`` and the same word with marks after any of its letters."""
    word = st.text(alphabet=letters, min_size=1, max_size=12)
    return word.flatmap(
        lambda w: st.tuples(
            st.just(w),
            st.lists(st.sampled_from(["", *marks]), min_size=len(w), max_size=len(w)).map(
                lambda extra: "".join(ch + mark for ch, mark in zip(w, extra, strict=True))
            ),
        )
    )


@given(sprinkled(ARABIC_LETTERS, TASHKEEL))
def test_arabic_vowel_marks_and_tatweel_never_matter(pair):
    bare, marked = pair
    assert fold(marked) == fold(bare)


@given(sprinkled(HEBREW_LETTERS, NIQQUD))
def test_hebrew_niqqud_and_cantillation_never_matter(pair):
    bare, marked = pair
    assert fold(marked) == fold(bare)


@given(st.text(alphabet=ARABIC_LETTERS, max_size=8), st.sampled_from("أإآٱ"))
def test_every_alef_form_is_alef(rest, alef):
    assert fold(alef + rest) == fold("ا" + rest)


@given(st.text(max_size=40))
def test_folding_twice_changes_nothing(text):
    assert fold(fold(text)) == fold(text)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçüö ", max_size=30))
def test_latin_case_never_matters(text):
    assert fold(text.upper()) == fold(text)


def test_yaa_and_taa_marbuta_forms_meet():
    assert fold("مستشفى المدرسة") == fold("مستشفي المدرسه")


def test_folding_any_letter_of_these_scripts_twice_changes_nothing():
    # Latin to Arabic and Hebrew and their presentation forms, where compatibility forms hide
    # marks and tatweel inside one character.
    characters = (chr(c) for c in [*range(0x3000), *range(0xFB00, 0x10000)])

    assert [ch for ch in characters if fold(fold(ch)) != fold(ch)] == []
