"""Public pages of Listen: the list of statements and episodes, one statement, the feeds."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from portal.db.session import get_session
from portal.errors import BadInput
from portal.listen import feeds, queries
from portal.listen.forms import ListenQuery
from portal.listen.text import render_markdown
from portal.models import Episode, Organization, OrgStatus
from portal.security import allow_form_target
from portal.sharing import share_kit
from portal.texts import reader_language

bp = Blueprint("listen", __name__, url_prefix="/listen")


@bp.get("")
def index():
    session = get_session()
    form = ListenQuery(request.args)
    form.member.choices = member_choices(session, _("Any member"))
    if not form.validate():
        raise BadInput({str(form[name].label.text): errs for name, errs in form.errors.items()})
    filters = queries.Filters(form.member.data, form.focus.data, form.language.data)
    listing = queries.listing(
        session,
        filters,
        locale=reader_language(),
        number=form.page.data or 1,
        size=current_app.config["LISTEN_PAGE_SIZE"],
    )
    if listing.number > listing.count:
        abort(404)
    return render_template("listen/index.html", form=form, page=listing, page_url=_page_url)


@bp.get("/statements/<int:statement_id>")
def statement(statement_id: int):
    session = get_session()
    found = queries.public_statement(session, statement_id) or abort(404)
    allow_form_target(found.organization.donation_url)  # the donate button beside it leads there
    page_url = url_for(".statement", statement_id=found.id, _external=True)
    return render_template(
        "listen/statement.html",
        statement=found,
        org=found.organization,
        body=render_markdown(found.body),
        translations=queries.translations(session, found),
        share=share_kit(
            found.organization, page_url, current_app.config["LANGUAGES"], reader_language()
        ),
    )


@bp.get("/episodes/<int:episode_id>")
def episode(episode_id: int):
    found = get_session().get(Episode, episode_id) or abort(404)
    return render_template("listen/episode.html", episode=found)


@bp.get("/feed.atom")
def feed():
    items = queries.feed_items(get_session())
    return _atom(items, _("Listen: statements and podcast"), url_for(".feed", _external=True))


@bp.get("/members/<slug>/feed.atom")
def member_feed(slug: str):
    session = get_session()
    org = _active(session, slug) or abort(404)
    items = queries.feed_items(session, member=org.slug)
    title = _("%(name)s: statements and podcast", name=org.name)
    return _atom(items, title, url_for(".member_feed", slug=slug, _external=True), member=slug)


def member_choices(session, anything: str) -> list[SelectChoice]:
    """The active recipients by name, for a filter."""
    query = select(Organization.slug, Organization.name).where(
        Organization.status == OrgStatus.ACTIVE
    )
    rows = session.execute(query.order_by(Organization.name))
    return [SelectChoice("", anything), *(SelectChoice(slug, name) for slug, name in rows)]


def _atom(items, title: str, feed_url: str, *, member: str = "") -> Response:
    page_url = url_for(".index", member=member or None, _external=True)
    body = feeds.atom_feed(
        items,
        title=f"{title} · {current_app.config['PORTAL_NAME']}",
        author=current_app.config["PORTAL_NAME"],
        feed_url=feed_url,
        page_url=page_url,
        language=current_app.config["BABEL_DEFAULT_LOCALE"],
        url_for_item=_item_url,
    )
    return Response(body, mimetype="application/atom+xml")


def _item_url(item: queries.Item) -> str:
    if item.kind == "statement":
        return url_for(".statement", statement_id=item.record.id, _external=True)
    return url_for(".episode", episode_id=item.record.id, _external=True)


def _active(session, slug: str) -> Organization | None:
    if not slug.isprintable():
        return None
    return session.scalar(select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE))


def _page_url(number: int) -> str:
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return url_for(".index", **args, page=number)
