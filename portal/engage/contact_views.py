"""Writing to a member through the portal, and the console's side: addresses and counts."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.db.session import get_session
from portal.db.writing import writing
from portal.engage import contact
from portal.engage.forms import ContactForm
from portal.models import ContactAddress, Organization, OrgStatus, utcnow
from portal.ratelimit import hit, todays_visitor_key
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff
from portal.staff.directory_service import all_recipients
from portal.staff.forms import ActionForm
from portal.state import portal_state

bp = Blueprint("contact", __name__)


@bp.route("/engage/contact/<slug>", methods=["GET", "POST"])
def write(slug: str):
    session = get_session()
    org, address = _reachable(session, slug)
    form = ContactForm()
    if not form.validate_on_submit():
        return _page(form, org)
    reply_to = (form.email.data or "").strip() if form.share_email.data else None
    if reply_to is not None and not contact.ADDRESS.fullmatch(reply_to):
        form.email.errors = [_("Give an email address like name@example.org to share it.")]
        return _page(form, org)
    if form.website.data:  # only a program fills the hidden field: it is told what people are
        return redirect(url_for(".sent", slug=slug), code=303)
    with writing(session):
        allowed = _within_limit(session)
        if allowed:
            contact.relay(
                session,
                org,
                address.email,
                message=form.message.data.strip(),
                name=" ".join((form.name.data or "").split()),
                reply_to=reply_to,
                portal_name=current_app.config["PORTAL_NAME"],
            )
    if not allowed:
        abort(429)
    return redirect(url_for(".sent", slug=slug), code=303)


@bp.get("/engage/contact/<slug>/sent")
def sent(slug: str):
    org, _address = _reachable(get_session(), slug)
    return render_template("engage/contact_sent.html", org=org)


@bp.get("/staff/engage/contacts")
@admin_required
def addresses():
    session = get_session()
    kept = {a.organization_id: a.email for a in session.scalars(select(ContactAddress))}
    return (
        render_template(
            "staff/contacts.html",
            orgs=all_recipients(session),
            addresses=kept,
            counts=contact.counts(session, since=contact.month_ago(utcnow())),
            form=ActionForm(),
        ),
        200,
        {"Cache-Control": "no-store"},
    )


@bp.post("/staff/engage/contacts/<int:org_id>")
@admin_required
def set_address(org_id: int):
    session = get_session()
    org = session.get(Organization, org_id) or abort(404)
    email = (request.form.get("email") or "").strip()
    if not ActionForm().validate_on_submit():
        abort(400)
    if email and not contact.ADDRESS.fullmatch(email):
        flash(_("“%(email)s” is not an email address.", email=email[:254]), "error")
        return redirect(url_for(".addresses"), code=303)
    with writing(session):
        changed = contact.set_address(session, Actor.of(current_staff()), org, email)
    if changed:
        flash(_("Saved where messages to %(name)s go.", name=org.name), "info")
    return redirect(url_for(".addresses"), code=303)


def contact_form_for(session, org: Organization) -> ContactForm | None:
    """The form a member page shows, when the member can be written to."""
    return ContactForm() if session.get(ContactAddress, org.id) else None


def _reachable(session, slug: str) -> tuple[Organization, ContactAddress]:
    if not slug.isprintable():
        abort(404)
    org = session.scalar(select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE))
    address = session.get(ContactAddress, org.id) if org else None
    if address is None:
        abort(404)
    return org, address


def _within_limit(session) -> bool:
    config = current_app.config
    key = todays_visitor_key(
        session, portal_state().referrals.salts, "contact", request.remote_addr or ""
    )
    return hit(
        session,
        key,
        limit=config["CONTACT_RATE_LIMIT"],
        window_seconds=config["CONTACT_RATE_WINDOW_SECONDS"],
        now=time.time(),
    )


def _page(form: ContactForm, org: Organization):
    status = 400 if form.is_submitted() else 200
    return render_template("engage/contact.html", form=form, org=org), status
