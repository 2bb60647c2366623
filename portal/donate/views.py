"""The donation form, the hand-off to Stripe Checkout, and the thanks page."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.validators import ValidationError

from portal.db.session import get_session
from portal.donate import service
from portal.donate.forms import DonationForm, choices_of, number_locale, prefill
from portal.donate.links import manage_token, resume_token, resumed_donation_id
from portal.donate.money import CURRENCIES, display, plain
from portal.donate.quote import button_label, fee_hint, gift_from_form, shown_total, summary
from portal.donate.submit import (
    CheckoutUnavailable,
    TooManyCheckouts,
    record_return,
    submit_donation,
)
from portal.models import (
    ArrivedVia,
    Donation,
    DonationStatus,
    HandoffMode,
    Organization,
    OrgStatus,
    utcnow,
)
from portal.referrals import campaign
from portal.state import portal_state
from portal.stripe_gateway import gateway
from portal.texts import member_texts, reader_language

bp = Blueprint("donate", __name__)


@bp.get("/donate")
def coalition():
    return form(current_app.config["COALITION_SLUG"])


@bp.get("/donate/<slug>")
def form(slug: str):
    org = _recipient(slug, hand_off=True)
    resumed = _resumed_donation(org, request.args.get("resume"))
    data = choices_of(resumed) if resumed else prefill(request.args)
    donation_form = DonationForm(formdata=None, data=data)
    donation_form.attempt.data = secrets.token_hex(16)
    return _render_form(org, donation_form, cancelled="cancelled" in request.args)


@bp.post("/donate/<slug>")
def submit(slug: str):
    org = _recipient(slug)
    donation_form = DonationForm()
    if not donation_form.validate():
        return _render_form(org, donation_form, status=400)
    gift = gift_from_form(donation_form, current_app.config["FEE_COVER_BASIS_POINTS"])
    if donation_form.shown_total.data != shown_total(gift):
        # The button did not say this total (no script kept it current): show it, then go on.
        name = member_texts(org, reader_language()).name
        return _render_form(org, donation_form, confirm=summary(gift, name, number_locale()))
    try:
        donation = submit_donation(
            get_session(),
            gateway(),
            org,
            campaign.visit_from_request(ArrivedVia.PORTAL),
            gift,
            attempt=donation_form.attempt.data,
            salts=portal_state().referrals.salts,
            return_urls=lambda donation: _return_urls(org, donation),
            locale=str(get_locale() or "en"),
            limits=current_app.config,
        )
    except TooManyCheckouts:
        abort(429)
    except CheckoutUnavailable:
        donation_form.attempt.data = secrets.token_hex(16)
        return _render_form(org, donation_form, status=503, stripe_failed=True)
    return redirect(donation.checkout_url, code=303)


@bp.get("/donate/<slug>/quote")
def quote(slug: str):
    """The button's words for the choices in the query, for the form's script."""
    _recipient(slug)
    donation_form = DonationForm(request.args, meta={"csrf": False})
    gift = _valid_gift(donation_form)
    locale = number_locale()
    body = {"button": _("Continue to secure payment"), "shown_total": "", "fee_hint": None}
    if gift is not None:
        body["button"] = button_label(gift, locale)
        body["shown_total"] = shown_total(gift)
        body["fee_hint"] = fee_hint(gift.amount, gift.currency, _fee_basis_points(), locale)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/donate/thanks")
def thanks():
    session = get_session()
    donation = session.scalar(
        select(Donation).filter_by(stripe_checkout_session_id=request.args.get("session_id", ""))
    ) or abort(404)
    record_return(session, gateway(), donation)
    return render_template(
        "donate/thanks.html",
        donation=donation,
        org=donation.organization,
        manage_url=_manage_url(donation),
    )


def _manage_url(donation: Donation) -> str | None:
    # The thanks page's address (with Stripe's session id) may reach a log, so it offers the
    # private link only for the day Checkout lives; afterwards the donor has it by email.
    if donation.status != DonationStatus.PAID or utcnow() - donation.created_at > timedelta(days=1):
        return None
    token = manage_token(current_app.config["SECRET_KEY"], donation.id)
    return url_for("gifts.enter", token=token, _external=True)


def _recipient(slug: str, *, hand_off: bool = False) -> Organization:
    org = get_session().scalar(select(Organization).filter_by(slug=slug))
    if org is None:
        abort(404)
    if org.status != OrgStatus.ACTIVE or org.handoff_mode != HandoffMode.STRIPE:
        if not hand_off:
            abort(404)
        # A member that takes gifts on its own site (or is suspended): its tracked hand-off
        # takes the donor on, tags kept, instead of a dead end.
        abort(redirect(url_for("referrals.go", slug=slug, **request.args), code=302))
    return org


def _resumed_donation(org: Organization, token: str | None) -> Donation | None:
    donation_id = token and resumed_donation_id(current_app.config["SECRET_KEY"], token)
    donation = get_session().get(Donation, donation_id) if donation_id else None
    return donation if donation is not None and donation.organization_id == org.id else None


def _render_form(
    org, donation_form, *, status=200, cancelled=False, stripe_failed=False, confirm=None
):
    currency = CURRENCIES[donation_form.currency.data or "USD"]
    gift, locale = _valid_gift(donation_form), number_locale()
    if gift is not None:
        donation_form.shown_total.data = shown_total(gift)
    return render_template(
        "donate/form.html",
        org=org,
        form=donation_form,
        currency=currency,
        currencies=CURRENCIES,
        preset_labels={
            code: [[plain(minor, code), display(minor, code, locale)] for minor in c.presets]
            for code, c in CURRENCIES.items()
        },
        fee_basis_points=_fee_basis_points(),
        button=button_label(gift, locale) if gift else _("Continue to secure payment"),
        fee_hint=fee_hint(
            gift.amount if gift else currency.presets[1], currency.code, _fee_basis_points(), locale
        ),
        confirm=confirm,
        cancelled=cancelled,
        stripe_failed=stripe_failed,
    ), status


def _valid_gift(donation_form: DonationForm):
    """The gift the form's current choices describe, or None while they describe none."""
    if donation_form.currency.data not in CURRENCIES or donation_form.frequency.data not in {
        "one_time",
        "monthly",
    }:
        return None
    try:
        donation_form.validate_preset(donation_form.preset)
    except ValidationError:
        return None
    return gift_from_form(donation_form, _fee_basis_points())


def _fee_basis_points() -> int:
    return current_app.config["FEE_COVER_BASIS_POINTS"]


def _return_urls(org: Organization, donation: Donation) -> service.ReturnUrls:
    success = url_for(".thanks", _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    # Back from Checkout, the form shows every choice again from the ledger: the link carries
    # only a signed donation id, never the dedication or the amount.
    token = resume_token(current_app.config["SECRET_KEY"], donation.id)
    cancel = url_for(".form", slug=org.slug, _external=True, resume=token, cancelled="1")
    return service.ReturnUrls(success, cancel)
