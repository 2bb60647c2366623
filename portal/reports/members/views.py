"""Member report links: admins issue and withdraw them; a member opens its own report with one."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.db.session import get_session
from portal.db.writing import writing
from portal.models import Organization, RecipientKind
from portal.reports.members import report, service
from portal.reports.members.access import REPORT_LINK, held_link, open_token
from portal.reports.members.forms import LinkForm, MemberReportQuery
from portal.reports.responses import check, csv_response
from portal.reports.scope import Scope, today
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff
from portal.staff.forms import ActionForm
from portal.state import portal_state

bp = Blueprint("member_reports", __name__)


@bp.after_request
def _private(response):
    # The token in the address is the key to the report: never send it on as a Referer, keep
    # the page out of caches and search engines. Admin pages here show fresh links too.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/staff/reports/links")
@admin_required
def links():
    session = get_session()
    return _links_page(LinkForm(today=today(), members=_members()), session)


@bp.post("/staff/reports/links")
@admin_required
def issue():
    session = get_session()
    form = LinkForm(today=today(), members=_members())
    if not form.validate_on_submit():
        return _links_page(form, session, status=400)
    with writing(session):
        org = session.get(Organization, int(form.member.data)) or abort(404)
        link = service.issue_link(
            session, current_app.secret_key, _actor(), org, expires=form.expires.data, now=_now()
        )
    # Shown in this response only: the link is a key, and is never stored or flashed.
    url = url_for(".open_link", token=link.token, _external=True)
    return render_template("reports/link_issued.html", link=link, url=url)


@bp.post("/staff/reports/links/<int:org_id>/withdraw")
@admin_required
def withdraw(org_id: int):
    session = get_session()
    org = session.get(Organization, org_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with writing(session):
        service.rotate_key(session, _actor(), org, now=_now())
    flash(_("Every report link of %(name)s issued so far has stopped working.", name=org.name))
    return redirect(url_for(".links"), code=303)


@bp.get("/reports/member/<token>")
def open_link(token: str):
    """The link as sent: its token moves into a cookie and leaves the address (and the logs)."""
    try:
        open_token(token)
    except service.LinkError as error:
        return link_error(error)
    return REPORT_LINK.exchange(token)


@bp.get("/reports/member/")
def member_report():
    session = get_session()
    try:
        link = held_link()
    except service.LinkError as error:
        return link_error(error)
    form = MemberReportQuery(request.args)
    check(form)
    scope = Scope(*form.days(today()), member=link.organization)
    form.show_range(scope.since, scope.until)
    csv = form.format.data == "csv"
    page = report.member_report(session, scope, form.by.data, only=form.table.data if csv else None)
    args = {"since": scope.since.isoformat(), "until": scope.until.isoformat(), "by": form.by.data}
    if csv:
        stem = f"{link.organization.slug}-{args['since']}-to-{args['until']}"
        return csv_response(page.tables, form.table.data, stem)
    return render_template(
        "reports/member.html",
        link=link,
        form=form,
        report=page,
        csv_args=args,
        locale=str(get_locale()),
    )


def link_error(error: service.LinkError):
    """The page for a report link that does not open a report."""
    page = render_template("reports/link_error.html", message=str(error), code=error.status)
    return page, error.status


def _links_page(form: LinkForm, session, status: int = 200):
    keys = service.key_versions(session)
    return render_template(
        "reports/links.html", form=form, members=_members(), keys=keys, action=ActionForm()
    ), status


def _members() -> list[Organization]:
    query = select(Organization).where(Organization.kind == RecipientKind.MEMBER)
    return sorted(get_session().scalars(query), key=lambda org: org.name.casefold())


def _actor() -> Actor:
    return Actor.of(current_staff())


def _now():
    return portal_state().clocks.reports()
