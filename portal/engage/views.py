"""Public pages of Engage: upcoming events and open opportunities, one event, and calendars."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.db.session import get_session
from portal.engage import calendar, queries
from portal.engage.forms import EngageQuery
from portal.errors import BadInput
from portal.listen.text import render_markdown
from portal.listen.views import member_choices
from portal.models import Organization, OrgStatus, utcnow
from portal.security import allow_form_target

bp = Blueprint("engage", __name__, url_prefix="/engage")


@bp.get("")
def index():
    session = get_session()
    form = EngageQuery(request.args)
    form.member.choices = member_choices(session, _("Any member"))
    if not form.validate():
        raise BadInput({str(form[name].label.text): errs for name, errs in form.errors.items()})
    filters = queries.Filters(
        form.member.data, form.focus.data, form.region.data, form.language.data
    )
    found = queries.upcoming(session, filters, now=utcnow())
    return render_template("engage/index.html", form=form, upcoming=found)


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    found = queries.public_event(get_session(), event_id) or abort(404)
    allow_form_target(found.organization.donation_url)  # the donate button beside it leads there
    return render_template(
        "engage/event.html",
        event=found,
        org=found.organization,
        description=render_markdown(found.description),
        is_past=(found.ends_at or found.starts_at or utcnow()) < utcnow(),
    )


@bp.get("/events/<int:event_id>.ics")
def event_calendar(event_id: int):
    found = queries.public_event(get_session(), event_id)
    if found is None or found.starts_at is None:
        abort(404)
    return _ics([found], found.title, f"event-{found.id}.ics")


@bp.get("/events.ics")
def calendar_feed():
    events = queries.calendar_events(get_session(), now=utcnow())
    return _ics(events, _("Events of the coalition and its members"), "events.ics")


@bp.get("/members/<slug>/events.ics")
def member_calendar(slug: str):
    session = get_session()
    if not slug.isprintable():
        abort(404)
    org = session.scalar(select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE))
    if org is None:
        abort(404)
    events = queries.calendar_events(session, now=utcnow(), member=org.slug)
    return _ics(events, _("Events of %(name)s", name=org.name), f"{org.slug}-events.ics")


def _ics(events, name: str, filename: str) -> Response:
    body = calendar.calendar(
        events,
        name=name,
        host=request.host,
        url_for_event=lambda e: url_for(".event", event_id=e.id, _external=True),
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
