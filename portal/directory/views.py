"""Public pages: the call to action, the member directory, and one member's page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from sqlalchemy import select

from portal.db.session import get_session
from portal.directory import queries
from portal.directory.forms import DirectoryQuery
from portal.engage import queries as engage_queries
from portal.engage.contact_views import contact_form_for
from portal.engage.queries import Filters
from portal.errors import BadInput
from portal.listen import queries as listen_queries
from portal.models import Organization, OrgStatus, utcnow
from portal.security import allow_form_target
from portal.sharing import share_kit
from portal.texts import reader_language

bp = Blueprint("directory", __name__)


@bp.get("/")
def home():
    session = get_session()
    coalition = session.scalar(
        select(Organization).filter_by(slug=current_app.config["COALITION_SLUG"])
    )
    members = queries.find_members(session)
    featured = queries.order_members(members, "rotation", utcnow().date())[:3]
    return render_template(
        "directory/home.html", coalition=coalition, featured=featured, member_count=len(members)
    )


@bp.get("/organizations")
def organizations():
    form = DirectoryQuery(request.args)
    if not form.validate():
        raise BadInput({str(form[name].label.text): errs for name, errs in form.errors.items()})
    members = queries.find_members(
        get_session(), text=form.q.data or "", focus=form.focus.data, region=form.region.data
    )
    ordered = queries.order_members(members, form.sort.data, utcnow().date(), reader_language())
    page = queries.paginate(ordered, form.page.data or 1, current_app.config["DIRECTORY_PAGE_SIZE"])
    if page.number > page.count:
        abort(404)
    return render_template("directory/list.html", form=form, page=page, page_url=_page_url)


@bp.get("/organizations/<slug>")
def organization(slug: str):
    if not slug.isprintable():  # no slug has one, and PostgreSQL refuses a NUL byte
        abort(404)
    session = get_session()
    org = session.scalar(
        select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE)
    ) or abort(404)
    page_url = url_for(".organization", slug=slug, _external=True)
    allow_form_target(org.donation_url)
    return render_template(
        "directory/organization.html",
        org=org,
        share=share_kit(org, page_url, current_app.config["LANGUAGES"], reader_language()),
        voices=listen_queries.latest_for(session, org, locale=reader_language()),
        events=engage_queries.upcoming(session, Filters(member=org.slug), now=utcnow()),
        contact_form=contact_form_for(session, org),
    )


def _page_url(number: int) -> str:
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return url_for(".organizations", **args, page=number)
