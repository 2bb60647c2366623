"""Campaign links for staff; each link's QR code and poster are public (they show only the link)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from sqlalchemy import select

from portal.campaigns import qr, queries, service
from portal.campaigns.forms import CampaignLinkForm, MemberCampaignLinkForm
from portal.campaigns.tables import links_table
from portal.conversions.funnel import funnel, funnel_table
from portal.conversions.service import ReportError
from portal.conversions.upload import ConversionUploadForm, record_file
from portal.db.session import get_session
from portal.db.writing import writing
from portal.errors import BadInput
from portal.models import CampaignLink, LinkMaker, Organization, OrgStatus
from portal.reports.members.access import held_link
from portal.reports.members.service import LinkError
from portal.reports.responses import csv_response
from portal.staff.auth import staff_required
from portal.texts import member_texts, reader_language

bp = Blueprint("campaigns", __name__)


@bp.get("/staff/campaigns")
@staff_required
def index():
    return _page(CampaignLinkForm(recipients=_recipients()))


@bp.post("/staff/campaigns")
@staff_required
def create():
    session = get_session()
    form = CampaignLinkForm(recipients=_recipients())
    if not form.validate_on_submit():
        return _page(form, status=400)
    with writing(session):
        org = session.get(Organization, int(form.recipient.data)) or abort(404)
        link = service.make_link(
            session,
            org,
            campaign=form.campaign.data,
            source=form.source.data or "",
            medium=form.medium.data or "",
            made_by=LinkMaker.STAFF,
        )
    return redirect(url_for(".index", _anchor=f"link-{link.code}"), code=303)


@bp.post("/reports/member/campaigns")
def member_create():
    session = get_session()
    try:
        report_link = held_link()  # the report link's token, held in a cookie, never in the URL
    except LinkError as error:
        page = render_template("reports/link_error.html", message=str(error), code=error.status)
        return page, error.status
    form = MemberCampaignLinkForm()
    if not form.validate_on_submit():
        raise BadInput({str(form[name].label.text): errs for name, errs in form.errors.items()})
    link = service.make_link(
        session,
        report_link.organization,
        campaign=form.campaign.data,
        source=form.source.data or "",
        medium=form.medium.data or "",
        made_by=LinkMaker.MEMBER,
    )
    session.commit()
    target = url_for("member_reports.member_report", _anchor=f"link-{link.code}")
    return redirect(target, code=303)


@bp.post("/reports/member/conversions")
def member_upload():
    session = get_session()
    try:
        report_link = held_link()
    except LinkError as error:
        page = render_template("reports/link_error.html", message=str(error), code=error.status)
        return page, error.status
    form = ConversionUploadForm()
    if not form.validate_on_submit():
        raise BadInput({str(form[name].label.text): errs for name, errs in form.errors.items()})
    try:
        made, before = record_file(session, report_link.organization, form.file.data.read())
    except ReportError as error:
        session.rollback()
        raise BadInput({str(form.file.label.text): [str(error)]}) from None
    session.commit()
    return render_template("conversions/uploaded.html", made=made, before=before)


@bp.app_context_processor
def member_report_section() -> dict:
    """The member's report page (reports/members) draws the campaign links section with
    ``campaign_section(org)``: the campaigns package plugs it in, so reports never imports it."""
    return {"campaign_section": lambda org: member_section(get_session(), org)}


def member_section(session, org: Organization) -> dict:
    """What the member report shows of the member's own links: the form, the table, the links."""
    links = service.links_of(session, org)
    table = links_table(links, queries.link_numbers(session, links))
    return {
        "form": MemberCampaignLinkForm(),
        "upload": ConversionUploadForm(),
        "table": table,
        "links": links,
        "links_owner": org,
        "funnel": funnel_table(funnel(session, org)) if org.handoff_mode == "external" else None,
    }


@bp.get("/staff/campaigns.csv")
@staff_required
def export():
    table, _ = _table(get_session())
    return csv_response({"links": table}, "links", "campaign")


@bp.get("/campaigns/<code>/qr.<any(svg, png):kind>")
def qr_code(code: str, kind: str):
    link = _link(code)
    body, mimetype = (
        (qr.qr_svg(link), "image/svg+xml") if kind == "svg" else (qr.qr_png(link), "image/png")
    )
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    if kind == "png":
        filename = f"{link.organization.slug}-{link.code}.png"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/campaigns/<code>/poster")
def poster(code: str):
    link = _link(code)
    name = member_texts(link.organization, reader_language()).name
    return render_template("campaigns/poster.html", link=link, name=name, url=qr.link_url(link))


def _page(form: CampaignLinkForm, status: int = 200):
    table, links = _table(get_session())
    return render_template(
        "campaigns/index.html", form=form, table=table, links=links, locale=str(get_locale())
    ), status


def _table(session):
    links = service.links_of(session)  # every recipient's
    return links_table(links, queries.link_numbers(session, links)), links


def _link(code: str) -> CampaignLink:
    if len(code) > 16:
        abort(404)
    return get_session().scalar(select(CampaignLink).filter_by(code=code)) or abort(404)


def _recipients() -> list[Organization]:
    session = get_session()
    active = select(Organization).filter_by(status=OrgStatus.ACTIVE)
    coalition = current_app.config["COALITION_SLUG"]
    # The coalition first: it is the link most campaigns make.
    return sorted(session.scalars(active), key=lambda o: (o.slug != coalition, o.name.casefold()))
