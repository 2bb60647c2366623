"""The manage link: ``/gift/<token>`` trades the token for a cookie, ``/gift`` shows the gift.

The token is in a URL only once (the link in the donor's email or on the thanks page); from then
on it travels in a cookie scoped to ``/gift``, so it does not sit in access logs or in the
address bar someone may share.
"""

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

from portal.basket.queries import donation_parts
from portal.db.session import get_session
from portal.db.writing import writing
from portal.donate.links import managed_donation_id
from portal.donate.service import checkout_locale
from portal.gifts import amount, mails, service
from portal.gifts.cancelling import cancel_gift
from portal.gifts.forms import AmountForm
from portal.models import AuditVia
from portal.secret_links import SecretLink
from portal.staff.audit import Actor
from portal.stripe_gateway import GatewayError, gateway

bp = Blueprint("gifts", __name__)
# As long as the gift may need managing; the cookie reaches only the /gift pages.
GIFT_LINK = SecretLink(cookie="gift", path="/gift", max_age=400 * 86400)
DONOR = Actor(None, "donor (manage link)", AuditVia.MANAGE_LINK)


@bp.get("/gift/<token>")
def enter(token: str):
    if managed_donation_id(current_app.config["SECRET_KEY"], token) is None:
        abort(404)
    return GIFT_LINK.exchange(token)


@bp.get("/gift")
def show():
    first = _gift()
    return _page(first, service.subscription(gateway(), first), AmountForm(first.currency))


@bp.post("/gift/amount")
def change_amount():
    first = _gift()
    state = service.subscription(gateway(), first)
    form = AmountForm(first.currency)
    if not amount.changeable(first, state):
        flash(mails.amount_refused(bool(first.basket_id)), "error")
        return redirect(url_for(".show"), code=303)
    if not form.validate_on_submit():
        return _page(first, state, form), 400
    new = amount.new_amount(first, form.amount_minor, current_app.config["FEE_COVER_BASIS_POINTS"])
    connected = bool(first.organization.stripe_account_id)
    session = get_session()
    session.commit()  # end the read: Stripe is asked outside any transaction
    try:
        changed = amount.change_at_stripe(gateway(), first, state, new, connected=connected)
    except service.GiftUnavailable:
        flash(mails.unavailable(), "error")
        return redirect(url_for(".show"), code=303)
    with writing(session):
        amount.record_amount_change(
            session, first, changed, actor=DONOR, confirmation=mails.amount_changed(first)
        )
    flash(mails.amount_changed_note(first, changed), "status")
    return redirect(url_for(".show"), code=303)


@bp.post("/gift/cancel")
def cancel():
    first = _gift()
    at_period_end = request.form.get("when") == "period_end"
    try:
        cancel_gift(get_session(), first, at_period_end=at_period_end, actor=DONOR)
    except service.GiftUnavailable:
        flash(mails.unavailable(), "error")
        return redirect(url_for(".show"), code=303)
    flash(mails.cancelled_note(at_period_end), "status")
    return redirect(url_for(".show"), code=303)


@bp.post("/gift/card")
def card():
    first = _gift()
    state = service.subscription(gateway(), first)
    if state is None or state.customer is None or state.ended:
        abort(409)
    try:
        url = gateway().billing_portal_url(
            state.customer,
            return_url=url_for(".show", _external=True),
            locale=checkout_locale(str(get_locale() or "en")),
        )
    except GatewayError:
        flash(mails.unavailable(), "error")
        return redirect(url_for(".show"), code=303)
    return redirect(url, code=303)


def _page(first, state, form: AmountForm):
    return render_template(
        "gifts/manage.html",
        gift=first,
        org=first.organization,
        payments=service.payments(get_session(), first),
        subscription=state,
        changeable=amount.changeable(first, state),
        form=form,
        parts=donation_parts(get_session(), first) if first.basket_id else None,
    )


def _gift():
    donation_id = managed_donation_id(current_app.config["SECRET_KEY"], GIFT_LINK.held() or "")
    first = service.first_payment(get_session(), donation_id) if donation_id else None
    if first is None:
        abort(404)
    return first
