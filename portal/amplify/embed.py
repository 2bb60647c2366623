"""A donate button for members' own sites: a badge (a plain link and an SVG, no script) and a
small widget page, the only page another site may frame. Clicks count as the ``embed`` channel."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from babel.numbers import format_currency
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.db.session import get_session
from portal.donate.money import CURRENCIES
from portal.errors import BadInput
from portal.models import ArrivedVia, HandoffMode, Organization, OrgStatus
from portal.security import allow_framing
from portal.texts import member_texts

bp = Blueprint("embed", __name__)

_LARGEST_PRESET = 100_000  # in major units; the donation form checks each currency's own range


@dataclass(frozen=True)
class ButtonChoice:
    """What the member chose for its button: the language, and an optional preset amount."""

    language: str
    amount: int | None = None
    currency: str | None = None

    def label(self) -> str | None:
        """The preset as the button says it, in the button's language ("₪50")."""
        if not self.amount:
            return None
        return format_currency(self.amount, self.currency, locale=self.language)

    def query(self) -> dict[str, str]:
        chosen = {"lang": self.language}
        if self.amount:
            chosen |= {"amount": str(self.amount), "currency": self.currency or "USD"}
        return chosen


@bp.get("/embed/<slug>")
def widget(slug: str):
    org, choice = _recipient(slug), _choice()
    allow_framing()
    with force_locale(choice.language):
        page = render_template(
            "amplify/embed.html",
            name=_name(org, choice),
            target=_target(org, choice),
            preset=choice.label(),
        )
    response = Response(page)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/embed/<slug>/badge.svg")
def badge(slug: str):
    _recipient(slug)  # a badge only for an active recipient
    choice = _choice()
    with force_locale(choice.language):
        body = render_template("amplify/badge.svg", label=_("Donate"), rtl=_rtl(choice.language))
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    # Shown as an image on the member's own pages, which are another origin.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/embed/<slug>/snippet")
def snippet(slug: str):
    org, choice = _recipient(slug), _choice()
    return render_template(
        "amplify/snippet.html",
        org=org,
        choice=choice,
        name=_name(org, choice),
        target=_target(org, choice),
        badge_url=url_for(".badge", slug=org.slug, lang=choice.language, _external=True),
        widget_url=url_for(".widget", slug=org.slug, **choice.query(), _external=True),
        currencies=list(CURRENCIES),
    )


def _recipient(slug: str) -> Organization:
    if len(slug) > 80 or not slug.isprintable():
        abort(404)
    query = select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE)
    return get_session().scalar(query) or abort(404)


def _choice() -> ButtonChoice:
    """The button's language and preset from the query; anything else is a clear 400."""
    languages = current_app.config["LANGUAGES"]
    language = request.args.get("lang") or languages[0]
    amount_text = request.args.get("amount") or ""
    currency = (request.args.get("currency") or "USD").upper()
    errors = {}
    if language not in languages:
        errors[_("Language")] = [_("Choose one of: %(names)s.", names=", ".join(languages))]
    if currency not in CURRENCIES:
        errors[_("Currency")] = [_("Choose one of: %(names)s.", names=", ".join(CURRENCIES))]
    amount = int(amount_text) if amount_text.isdecimal() and len(amount_text) < 7 else None
    if amount_text and not (amount and amount <= _LARGEST_PRESET):
        errors[_("Amount")] = [_("Enter a whole amount between 1 and 100000.")]
    if errors:
        raise BadInput(errors)
    return ButtonChoice(language, amount, currency if amount else None)


def _target(org: Organization, choice: ButtonChoice) -> str:
    """Where the button leads: the member's tracked hand-off, marked as an embed click; for a
    recipient the coalition collects for, its donation form with the preset filled in."""
    if org.handoff_mode == HandoffMode.STRIPE:
        preset = choice.query() | {"utm_medium": "embedded-button"}
        return url_for("donate.form", slug=org.slug, **preset, _external=True)
    return url_for(
        "referrals.go",
        slug=org.slug,
        via=ArrivedVia.EMBED.value,
        lang=choice.language,
        _external=True,
    )


def _name(org: Organization, choice: ButtonChoice) -> str:
    return str(member_texts(org, choice.language).name)


def _rtl(language: str) -> bool:
    return Locale.parse(language).character_order == "right-to-left"
