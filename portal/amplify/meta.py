"""What a page tells search engines and link previews: canonical URL, languages, share card.

One function decides it for every page, so a preview on any network, in any language, shows
the same title, description and image a visitor sees. Pages behind a sign-in or a secret
(staff, member reports, anything addressed by a token) get none of it, only ``noindex``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

# Blueprints whose pages are never shown to search engines or link previews.
PRIVATE_BLUEPRINTS = frozenset({"staff", "staff_directory", "reports", "member_reports"})
PRIVATE_ENDPOINTS = frozenset({"donate.thanks", "embed.snippet", "embed.widget"})
# Query arguments that make a different page rather than a different view of the same one.
_PAGE_ARGS = ("page",)


@dataclass(frozen=True)
class Alternate:
    hreflang: str
    url: str


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    canonical: str
    alternates: tuple[Alternate, ...]
    image: str
    square_image: str
    locale: str
    other_locales: tuple[str, ...]
    site_name: str


def is_private_page() -> bool:
    """Whether this request's page must stay out of search engines and previews."""
    return (
        request.endpoint is None
        or request.blueprint in PRIVATE_BLUEPRINTS
        or request.endpoint in PRIVATE_ENDPOINTS
        or "token" in (request.view_args or {})
    )


def page_meta(title: str, description: str, image: str = "", square_image: str = "") -> PageMeta:
    """The head metadata of the current public page, in its language."""
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    languages = current_app.config["LANGUAGES"]
    alternates = [Alternate(code, language_url(code)) for code in languages]
    alternates.append(Alternate("x-default", language_url(None)))
    return PageMeta(
        title=_plain(title),
        description=_plain(description),
        canonical=language_url(language if len(languages) > 1 else None),
        alternates=tuple(alternates),
        image=image or _coalition_card(language, "wide"),
        square_image=square_image or _coalition_card(language, "square"),
        locale=_og_locale(language),
        other_locales=tuple(_og_locale(code) for code in languages if code != language),
        site_name=current_app.config["PORTAL_NAME"],
    )


def language_url(language: str | None) -> str:
    """This page's absolute URL in ``language`` (``None``: let the visitor's browser choose)."""
    args = {k: request.args[k] for k in _PAGE_ARGS if request.args.get(k)}
    if language is not None:
        args["lang"] = language
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


def _plain(rendered: str) -> str:
    """A block's rendered HTML as the text it shows (the template escapes it once again)."""
    return Markup(rendered).striptags()  # noqa: S704 — the template rendered it, escaped


def _coalition_card(language: str, shape: str) -> str:
    slug = current_app.config["COALITION_SLUG"]
    return url_for("amplify.share_card", slug=slug, language=language, shape=shape, _external=True)


def _og_locale(language: str) -> str:
    """Open Graph wants a territory: ``ar`` alone is not one of its locales."""
    return {"en": "en_US", "ar": "ar_AR", "he": "he_IL"}.get(language, language)
