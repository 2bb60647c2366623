"""Languages: Flask-Babel, the active locale, the text direction, dates as each locale writes them.

Arabic keeps Latin digits (Babel's default for ``ar``): amounts must read the same as on Stripe's
payment page, the donor's card statement and the member's own reports, which all use 0-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup

from portal.extensions import babel


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=_select_locale)
    app.context_processor(
        lambda: {"html_lang": _lang(), "html_dir": _direction(), "language_choices": _choices}
    )
    app.after_request(_remember_language)
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")
    app.add_template_filter(isolate, "bdi")


def isolate(value: str) -> Markup:
    """Words of another direction inside a sentence (a Latin name or an amount in a Hebrew line),
    isolated so that neither they nor the sentence around them reorder."""
    lang = getattr(value, "lang", None)  # member texts know the language they are in
    if lang:
        return Markup('<bdi lang="{}">{}</bdi>').format(lang, value)
    return Markup("<bdi>{}</bdi>").format(value)


def active_locale() -> str:
    """The language of this request, or the default one outside a request ("en", "ar", "he")."""
    return str(get_locale() or "en")


def day(value: date) -> str:
    """A calendar day in the active language: "Nov 30, 2026", "30‏/11‏/2026", "30 בנוב׳ 2026"."""
    return format_date(value, "medium")


def short_day(value: date) -> str:
    """A day without its year, for a chart's axis: "Nov 30", "30 نوفمبر", "30 בנוב׳"."""
    return format_skeleton("MMMd", value, locale=active_locale())


def moment(value: datetime) -> str:
    """A UTC time to the second in the active language (staff tables say "UTC" in their heading)."""
    return format_datetime(value, "medium")


def _remember_language(response):
    """A language chosen with ``?lang=`` stays chosen on the next pages."""
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"] and request.cookies.get("lang") != asked:
        response.set_cookie(
            "lang",
            asked,
            max_age=365 * 86400,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI commands and background work
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in supported:
        return asked
    return request.accept_languages.best_match(supported) or supported[0]


def _lang() -> str:
    return str(get_locale() or "en").replace("_", "-")


def _direction() -> str:
    if "text_direction" not in g:
        locale = get_locale() or Locale("en")
        g.text_direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return g.text_direction


@dataclass(frozen=True)
class LanguageChoice:
    """One entry of the language switcher: the language named in itself, and where it leads."""

    code: str
    name: str
    url: str
    current: bool


def language_url(code: str) -> str:
    """This page (same path and query) in language ``code``; a relative URL, so no host leaks."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', code)])}"


def _choices() -> list[LanguageChoice]:
    if not has_request_context():
        return []
    active = _lang()
    return [
        LanguageChoice(code, _own_name(code), language_url(code), code == active)
        for code in current_app.config["LANGUAGES"]
    ]


def _own_name(code: str) -> str:
    """ "English", "العربية", "עברית": each language as its own readers write it."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
