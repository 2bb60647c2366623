"""Texts people wrote in their own words, shown in the reader's language when they exist in it.

A text missing in the reader's language falls back to the language it was written in, and says
which language that is, so a page never pretends a text is translated. Member pages, cards, the
donation form, the thanks page, staff lists and member reports all read member texts through
``member_texts``; anything else stored per language (statements, say) can use ``in_language``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from babel import Locale
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.models import TRANSLATED_FIELDS, Organization


class LocalText(str):
    """Words, usable wherever a string is, that also know the language they are in (``lang``)."""

    lang: str

    def __new__(cls, words: str, lang: str) -> LocalText:
        text = super().__new__(cls, words)
        text.lang = lang
        return text


class ShownTexts(dict[str, LocalText]):
    """One reader's view of a set of texts: ``shown.name``, ``shown["name"]``."""

    def __init__(self, language: str, texts: dict[str, LocalText]):
        super().__init__(texts)
        self.language = language

    def __getattr__(self, name: str) -> LocalText:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def fallback_language(self, *names: str) -> str | None:
        """The other language in which any of ``names`` is shown, if one of them has text."""
        return next(
            (self[n].lang for n in names if self[n] and self[n].lang != self.language), None
        )


def in_language(
    read: Callable[[str, str], str],
    fields: Iterable[str],
    language: str,
    original_language: str,
) -> ShownTexts:
    """Each field in ``language`` where ``read(field, language)`` has text, else the original."""
    shown = {}
    for field in fields:
        words = read(field, language)
        if words:
            shown[field] = LocalText(words, language)
        else:
            shown[field] = LocalText(read(field, original_language), original_language)
    return ShownTexts(language, shown)


def member_texts(org: Organization, language: str) -> ShownTexts:
    """A recipient's name, descriptions and receipt note as a reader of ``language`` sees them."""
    return in_language(org.text_in, TRANSLATED_FIELDS, language, org.original_language)


def reader_language() -> str:
    """The active interface language ("en" outside a request)."""
    locale = get_locale()
    return locale.language if locale else "en"


def language_note(shown: ShownTexts, *names: str) -> str:
    """ "This text is in Hebrew." when any of ``names`` fell back to another language, else ""."""
    other = shown.fallback_language(*names)
    if other is None:
        return ""
    return _("This text is in %(language)s.", language=language_name(other))


def language_name(code: str) -> str:
    """A language's name in the reader's language ("Hebrew", "العبرية", "עברית")."""
    return Locale.parse(code).get_display_name(get_locale() or "en") or code


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        texts=lambda org: member_texts(org, reader_language()),
        language_note=language_note,
        language_name=language_name,
    )
