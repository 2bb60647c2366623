"""The Arabic and Hebrew catalogues: every message translated, placeholders kept, none stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

TRANSLATED = ["ar", "he"]
# The same keywords `make translations` passes to `pybabel extract`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")

FIX = "run `make translations`, translate the new messages in the .po files (see README)"


def placeholders(text: str) -> list[str]:
    """Python-format placeholders in order of name, unnamed ones as ``%s``; ``%%`` included."""
    return sorted(
        f"%({name}){kind}" if name else f"%{kind}" for name, kind in _PLACEHOLDER.findall(text)
    )


@pytest.fixture(scope="module")
def source_messages(repo_root) -> set[str]:
    """Every message the code and templates ask for today, as ``pybabel extract`` finds it."""
    with (repo_root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        repo_root, method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(repo_root: Path, lang: str) -> Catalog:
    path = repo_root / "portal" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return read_po(po, locale=lang)


def translated_forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_placeholders_are_found_by_name_and_kind():
    assert placeholders("Add %(percent)s%% for %(name)s, %d left") == [
        "%%",
        "%(name)s",
        "%(percent)s",
        "%d",
    ]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_holds_every_message_of_the_code(repo_root, source_messages, lang):
    in_catalogue = {
        m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue(repo_root, lang)
    }

    missing = sorted(source_messages - in_catalogue)

    assert missing == [], f"{len(missing)} messages are not in the {lang} catalogue: {FIX}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(repo_root, lang):
    untranslated = [
        m.id
        for m in catalogue(repo_root, lang)
        if m.id and (m.fuzzy or not all(form.strip() for form in translated_forms(m)))
    ]

    assert untranslated == [], f"{len(untranslated)} messages need a {lang} translation: {FIX}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders_of_the_english(repo_root, lang):
    differ = []
    for m in catalogue(repo_root, lang):
        if not m.id or not all(translated_forms(m)):
            continue  # untranslated: the test above names it
        if isinstance(m.id, tuple):
            # A language may name "one" or "two" in words, so only the last form must keep all.
            *fewer, most = translated_forms(m)
            expected = placeholders(m.id[1])
            ok = placeholders(most) == expected and all(
                set(placeholders(form)) <= set(expected) for form in fewer
            )
        else:
            ok = placeholders(m.string) == placeholders(m.id)
        if not ok:
            differ.append(m.id)

    assert differ == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_has_no_line_numbers_to_conflict_over(repo_root, lang):
    path = repo_root / "portal" / "translations" / lang / "LC_MESSAGES" / "messages.po"

    assert not [
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#:")
    ]
