"""The portal's own pages, and the console's editor for the texts staff write on them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.db.session import get_session
from portal.db.writing import writing
from portal.listen.text import render_markdown
from portal.models import PageText
from portal.staff import auth, edits
from portal.staff.auth import admin_required
from portal.staff.edits import Versioned
from portal.texts import reader_language
from portal.vocabulary import CONTENT_LANGUAGES

EDITABLE = ("about", "terms")

bp = Blueprint("pages", __name__)
staff_bp = Blueprint("staff_pages", __name__, url_prefix="/staff/pages")
staff_bp.after_request(auth.no_store)


class PageTextForm(Versioned, FlaskForm):
    body = TextAreaField(_l("Text"), validators=[Length(max=20_000)])


@bp.get("/about")
def about():
    return _page("about")


@bp.get("/terms")
def terms():
    return _page("terms")


@bp.get("/contact")
def contact():
    return render_template("pages/contact.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@staff_bp.route("/<page>/<language>", methods=["GET", "POST"])
@admin_required
def edit(page: str, language: str):
    if page not in EDITABLE or language not in CONTENT_LANGUAGES:
        abort(404)
    session = get_session()
    text = session.get(PageText, (page, language))
    form = PageTextForm(obj=text)
    edits.remember(form, lambda: _version(text))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("pages/edit.html", form=form, page=page, language=language), status
    body = (form.body.data or "").strip()
    try:
        with writing(session):
            found = edits.reread_for(
                session, form, PageText, (page, language), _version, missing_ok=True
            )
            if not found.conflict:
                text = found.record or PageText(page=page, language=language)
                text.body = body
                session.add(text)
    except IntegrityError:
        # Another admin saved this page's first text at the same moment (on PostgreSQL both
        # saw no row to lock): theirs stands, and this save is refused like any other race.
        theirs = session.get(PageText, (page, language), populate_existing=True)
        found = edits.Reread(theirs, _version(theirs), conflict=True)
    if found.conflict:
        return edits.refused(
            form,
            found,
            lambda: render_template("pages/edit.html", form=form, page=page, language=language),
        )
    flash(_("Saved. An empty text shows the portal's own words again."), "info")
    return redirect(url_for(".edit", page=page, language=language), code=303)


def _version(text: PageText | None) -> str:
    return edits.fingerprint(PageTextForm(formdata=None, obj=text))


def _page(page: str):
    """Staff's text in the reader's language, else in English, else the portal's own words."""
    session = get_session()
    for language in dict.fromkeys((reader_language(), "en")):
        text = session.get(PageText, (page, language))
        if text and text.body:
            body = render_markdown(text.body)
            return render_template(f"pages/{page}.html", body=body, body_language=language)
    return render_template(f"pages/{page}.html", body=None, body_language=None)
