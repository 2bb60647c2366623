"""Staff find a payment, read what Stripe has reported about it, and refund it (admins only):
a form, a confirmation that states exactly what will happen, then one Stripe call
(``refunding.py``). The ledger shows the refund when Stripe's events arrive."""

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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.db.session import get_session
from portal.donate import refunds
from portal.donate.money import display, plain
from portal.gifts import payments, refunding
from portal.gifts.forms import ConfirmRefundForm, RefundForm, reason_label
from portal.models import Donation
from portal.staff import auth
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff, staff_required
from portal.stripe_gateway import GatewayError, gateway

bp = Blueprint("staff_payments", __name__, url_prefix="/staff/payments")
bp.after_request(auth.no_store)

# What each of Stripe's refusals means for staff; nothing was refunded in any of them.
_REFUSALS = {
    "charge_already_refunded": _l(
        "Stripe refused: this payment is already refunded in full (perhaps from Stripe’s "
        "Dashboard; the ledger shows it when Stripe’s events arrive). Nothing more was refunded."
    ),
    "amount_too_large": _l(
        "Stripe refused: that is more than is left to refund of this payment (another refund, "
        "perhaps from Stripe’s Dashboard, has not reached the ledger yet). Nothing was refunded."
    ),
    "charge_disputed": _l(
        "Stripe refused: the donor’s bank has disputed this payment, so it cannot be refunded; "
        "answer the dispute in Stripe instead. Nothing was refunded."
    ),
}


@bp.get("/")
@staff_required
def index():
    session, text = get_session(), request.args.get("q", "")[:100]
    found = payments.find(session, text) if text.strip() else payments.latest(session)
    return render_template("gifts/staff_payments.html", payments=found, q=text)


@bp.get("/<int:donation_id>")
@staff_required
def show(donation_id: int):
    record = payments.payment_record(get_session(), donation_id) or abort(404)
    left = refunds.refundable(record.donation)
    return render_template("gifts/staff_payment.html", record=record, left=left)


@bp.route("/<int:donation_id>/refund", methods=["GET", "POST"])
@admin_required
def refund(donation_id: int):
    donation = _refundable(donation_id)
    left = refunds.refundable(donation)
    form = RefundForm(donation.currency, left)
    if not form.is_submitted():
        form.amount.data = plain(left, donation.currency)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("gifts/staff_refund.html", donation=donation, form=form), status
    plan = refunding.new_plan(donation.id, form.amount_minor, form.reason.data)
    return _confirmation(donation, plan)


@bp.post("/<int:donation_id>/refund/confirm")
@admin_required
def confirm(donation_id: int):
    session = get_session()
    donation = session.get(Donation, donation_id) or abort(404)
    form = ConfirmRefundForm()
    try:
        plan = form.validate_on_submit() and refunding.read_plan(
            current_app.config["SECRET_KEY"], form.plan.data, donation.id
        )
    except refunding.PlanExpired:
        message = _(
            "That confirmation is more than %(minutes)s minutes old, so nothing was refunded. "
            "Check the amount and confirm again.",
            minutes=refunding.PLAN_SECONDS // 60,
        )
        flash(message, "error")
        return redirect(url_for(".refund", donation_id=donation.id), code=303)
    if not plan:
        abort(400)
    try:
        done = refunding.request_refund(
            session, gateway(), donation, plan, Actor.of(current_staff())
        )
    except GatewayError as error:
        return _refused(donation, plan, error)
    message = _(
        "Refund of %(amount)s requested (%(id)s); the ledger shows it when Stripe confirms.",
        amount=display(done["amount"], donation.currency),
        id=done["id"],
    )
    flash(message, "info")
    return redirect(url_for(".show", donation_id=donation.id), code=303)


def _refundable(donation_id: int) -> Donation:
    donation = get_session().get(Donation, donation_id) or abort(404)
    if refunds.refundable(donation) <= 0:
        flash(_("This payment has nothing left to refund."), "error")
        abort(redirect(url_for(".show", donation_id=donation_id), code=303))
    return donation


def _confirmation(donation: Donation, plan: refunding.RefundPlan, status: int = 200):
    token = refunding.plan_token(current_app.config["SECRET_KEY"], plan)
    form = ConfirmRefundForm(formdata=None, plan=token)
    outcome = refunding.outcome(donation, plan.amount)
    page = render_template(
        "gifts/staff_refund_confirm.html",
        donation=donation,
        plan=plan,
        outcome=outcome,
        form=form,
        reason=reason_label(plan.reason),
    )
    return page, status


def _refused(donation: Donation, plan: refunding.RefundPlan, error: GatewayError):
    if error.retryable:
        # The same confirmation again is safe: its key makes it one refund, whatever reached
        # Stripe the first time.
        message = _(
            "Stripe could not be reached, so this refund may not have been made. Confirm again: "
            "the same confirmation never refunds twice."
        )
        flash(message, "error")
        return _confirmation(donation, plan, 503)
    message = _REFUSALS.get(error.code or "")
    if message is None:
        message = _(
            "Stripe refused this refund (%(reason)s). Nothing was refunded.", reason=error.reason
        )
    flash(str(message), "error")
    return redirect(url_for(".show", donation_id=donation.id), code=303)
