"""Members propose statements and events through their signed report link.

The link's token is held in a cookie scoped to ``/reports/member/`` (see ``access``), so these
pages live under that path and beside the report. A proposal is stored as
``PROPOSED``: only staff publish it, after review.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from portal.db.session import get_session
from portal.engage import service as engage
from portal.engage.forms import EventForm
from portal.listen import service as listen
from portal.listen.forms import StatementForm
from portal.models import AuditVia, PublicationStatus
from portal.reports.members.access import held_link
from portal.reports.members.service import LinkError
from portal.staff.audit import Actor

bp = Blueprint("proposals", __name__, url_prefix="/reports/member/propose")


@bp.after_request
def _private(response):
    # Like the report itself: reached only with a member's key, so never cached or indexed.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/statement", methods=["GET", "POST"])
def statement():
    return _propose(StatementForm, listen.clean_statement, listen.create_statement, "statement")


@bp.route("/event", methods=["GET", "POST"])
def event():
    return _propose(EventForm, engage.clean_event, engage.create_event, "event")


@bp.get("/thanks")
def thanks():
    return render_template("reports/proposed.html")


def _propose(form_class, clean, create, kind: str):
    try:
        link = held_link()
    except LinkError as error:
        return render_template("reports/link_error.html", message=str(error)), error.status
    form = form_class()
    for name in ("organization_id", "translation_of_id"):  # the link says whose; no originals
        if name in form:
            del form[name]
    if not form.validate_on_submit():
        return _page(form, kind, link)
    session = get_session()
    values, errors = clean(session, {**form.data, "organization_id": link.organization.id})
    if errors:
        return _page(form, kind, link, errors)
    actor = Actor(None, f"{link.organization.slug} (report link)", AuditVia.MEMBER_LINK)
    create(session, actor, values, status=PublicationStatus.PROPOSED)
    session.commit()
    return redirect(url_for(".thanks"), code=303)


def _page(form, kind: str, link, errors=None):
    for name, messages in (errors or {}).items():
        if name in form:
            form[name].errors = list(messages)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "reports/propose.html", form=form, kind=kind, org=link.organization
    ), status
