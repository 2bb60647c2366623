"""The portal's face to other sites: icons, robots.txt, the sitemap and share cards."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from portal.amplify import share_cards, sitemap
from portal.amplify.cards import SIZES, card_file
from portal.amplify.mark import icon_bytes
from portal.amplify.share_cards import card_for
from portal.db.session import get_session
from portal.listen.queries import public_statement

bp = Blueprint("amplify", __name__)

_DAY = 86400
_ICONS = {"favicon.ico": ("ico", "image/x-icon"), "apple-touch-icon.png": ("180", "image/png")}
_ICONS |= {f"icon-{px}.png": (str(px), "image/png") for px in (192, 512)}


@bp.get("/<any('favicon.ico', 'apple-touch-icon.png', 'icon-192.png', 'icon-512.png'):name>")
def icon(name: str):
    kind, mimetype = _ICONS[name]
    return _public(Response(icon_bytes(kind), mimetype=mimetype), max_age=7 * _DAY)


@bp.get("/robots.txt")
def robots():
    return _public(Response(render_template("amplify/robots.txt"), mimetype="text/plain"))


@bp.get("/sitemap.xml")
def sitemap_xml():
    pages = sitemap.public_pages(get_session(), current_app.config["LANGUAGES"])
    body = render_template("amplify/sitemap.xml", pages=pages)
    return _public(Response(body, mimetype="application/xml"))


@bp.get("/share/<slug>/<language>/<shape>.png")
def share_card(slug: str, language: str, shape: str):
    _check(language, shape)
    return _send_card(card_for(get_session(), slug, language, shape) or abort(404))


@bp.get("/share/statements/<int:statement_id>/<language>/<shape>.png")
def statement_card(statement_id: int, language: str, shape: str):
    _check(language, shape)
    found = public_statement(get_session(), statement_id) or abort(404)
    return _send_card(share_cards.statement_card(found, language, shape))


def _check(language: str, shape: str) -> None:
    if language not in current_app.config["LANGUAGES"] or shape not in SIZES:
        abort(404)


def _send_card(card):
    path = card_file(card, Path(current_app.config["SHARE_CARD_DIR"]))
    # A URL that names this exact card may be kept for good; a bare one is checked daily.
    fixed = request.args.get("v") == card.digest
    response = send_file(path, mimetype="image/png", max_age=365 * _DAY if fixed else _DAY)
    response.cache_control.public = True
    if fixed:
        response.cache_control.immutable = True
    return response


def _public(response: Response, max_age: int = 3600) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response
