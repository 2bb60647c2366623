"""The console's side of Engage: write, review, publish and unpublish events and opportunities."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from portal.db.session import get_session
from portal.db.writing import writing
from portal.engage import service
from portal.engage.forms import EventForm
from portal.listen import publication
from portal.listen.forms import PublishForm
from portal.listen.staff_views import publish_or_unpublish
from portal.models import Event
from portal.staff import auth, edits
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff
from portal.staff.directory_service import all_recipients
from portal.staff.forms import ActionForm

bp = Blueprint("staff_engage", __name__, url_prefix="/staff/engage")
bp.after_request(auth.no_store)


@bp.get("/events")
@admin_required
def events():
    return render_template(
        "staff/events.html",
        groups=publication.by_status(get_session(), Event),
        publish_form=PublishForm(),
        action_form=ActionForm(),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@admin_required
def new_event():
    return _save(None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_event(event_id: int):
    return _save(get_session().get(Event, event_id) or abort(404))


@bp.post("/events/<int:event_id>/publish")
@admin_required
def publish_event(event_id: int):
    return publish_or_unpublish(Event, event_id, ".events", publish=True)


@bp.post("/events/<int:event_id>/unpublish")
@admin_required
def unpublish_event(event_id: int):
    return publish_or_unpublish(Event, event_id, ".events", publish=False)


def _save(event: Event | None):
    session = get_session()
    form = EventForm(obj=event)
    form.organization_id.choices = [
        SelectChoice("", _("Choose…")),
        *(SelectChoice(str(org.id), org.name) for org in all_recipients(session)),
    ]
    if event is not None:
        edits.remember(form, lambda: _version(event))
    if not form.validate_on_submit():
        if event is not None and not form.is_submitted():
            _show_local_times(form, event)
        return _form_page(form, event)
    key = event.id if event is not None else None
    with writing(session):
        found = edits.reread_for(session, form, Event, key, _version)
        event = found.record
        if not found.conflict:
            values, errors = service.clean_event(session, form.data)
            if not errors:
                message = _save_event(session, event, values)
    if found.conflict:
        return edits.refused(form, found, lambda: _form_page(form, event)[0])
    if errors:
        return _form_page(form, event, errors)
    flash(message, "info")
    return redirect(url_for(".events"), code=303)


def _version(event: Event) -> str:
    return edits.fingerprint(EventForm(formdata=None, obj=event))


def _save_event(session, event: Event | None, values: dict) -> str:
    actor = Actor.of(current_staff())
    if event is None:
        service.create_event(session, actor, values)
        return _("Saved as a draft. Publish it from the list when it is ready.")
    changes = service.update_event(session, actor, event, values)
    return _("Saved %(count)d change(s).", count=len(changes))


def _show_local_times(form: EventForm, event: Event) -> None:
    # Staff type and read times as the clock on the wall where the event happens.
    zone = ZoneInfo(event.timezone)
    for field, instant in ((form.starts_at, event.starts_at), (form.ends_at, event.ends_at)):
        field.data = instant.astimezone(zone).replace(tzinfo=None) if instant else None


def _form_page(form: EventForm, event: Event | None, errors=None):
    for name, messages in (errors or {}).items():
        form[name].errors = list(messages)
    status = 400 if form.is_submitted() else 200
    return render_template("staff/event_form.html", form=form, event=event), status
