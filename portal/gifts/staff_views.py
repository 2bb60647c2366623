"""Staff end a monthly gift from the console (a donor's request by phone or mail, a card that
should no longer be charged): the same cancellation as the donor's own, audited as staff's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.db.session import get_session
from portal.gifts import mails, service
from portal.gifts.cancelling import cancel_gift
from portal.staff import auth
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff

bp = Blueprint("staff_gifts", __name__, url_prefix="/staff/monthly-gifts")
bp.after_request(auth.no_store)


@bp.get("/")
@admin_required
def index():
    gifts = service.running_monthly_gifts(get_session())
    return render_template("gifts/staff_monthly.html", gifts=gifts)


@bp.post("/<int:donation_id>/cancel")
@admin_required
def cancel(donation_id: int):
    session = get_session()
    first = service.first_payment(session, donation_id)
    if first is None or not first.stripe_subscription_id:
        abort(404)
    try:
        cancel_gift(session, first, at_period_end=False, actor=Actor.of(current_staff()))
    except service.GiftUnavailable:
        flash(mails.unavailable(), "error")
        return redirect(url_for(".index"), code=303)
    flash(_("Monthly gift #%(id)s is cancelled; the donor has been emailed.", id=first.id), "info")
    return redirect(url_for(".index"), code=303)
