"""Folding text for search, so that a query in Arabic, Hebrew or a Latin script finds the words
however they were written: with or without vowel marks, accents, elongation or letter variants.

``fold`` is applied both to what is stored and to what is asked, so the two meet in the middle;
it is pure and stable (stored search texts depend on it: change it only with a migration that
folds them again).
"""

from __future__ import annotations

import unicodedata

_TATWEEL = "\u0640"
# Letters readers treat as one: alef wasla (no decomposition of its own), alef maqsura as yaa,
# taa marbuta as haa. Hamza-carrying alefs (أ إ آ) lose their hamza or madda in decomposition.
# Hebrew final forms become the ordinary letter, so that a word typed whole (שלום) also finds
# it inside a longer form (שלומות, בשלומם).
_SAME_LETTER = str.maketrans(
    {
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u0629": "\u0647",
        "ך": "כ",
        "ם": "מ",
        "ן": "נ",
        "ף": "פ",
        "ץ": "צ",
    }
)


def fold(text: str) -> str:
    """Lower-case, unmarked, single-spaced text: the form search compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Nonspacing marks are Latin accents, Arabic tashkeel and hamza marks, Hebrew niqqud and
    # cantillation alike. Tatweel goes after decomposition: some presentation forms hold one.
    bare = "".join(ch for ch in decomposed if ch != _TATWEEL and unicodedata.category(ch) != "Mn")
    return " ".join(bare.translate(_SAME_LETTER).casefold().split())
