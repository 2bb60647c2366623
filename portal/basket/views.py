"""The basket page: add and remove members, choose the split, review it, pay in one Checkout."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import select

from portal.basket import cart, service
from portal.basket.plan import MAX_MEMBERS, Choice, PlanError, make_plan
from portal.basket.queries import donation_parts
from portal.db.session import get_session
from portal.donate import service as donate_service
from portal.donate.forms import number_locale
from portal.donate.links import manage_token
from portal.donate.money import CURRENCIES
from portal.donate.submit import (
    CheckoutUnavailable,
    TooManyCheckouts,
    record_return,
    submit_checkout,
)
from portal.models import (
    ArrivedVia,
    Donation,
    DonationStatus,
    Frequency,
    HandoffMode,
    Organization,
    OrgStatus,
    SplitKind,
    utcnow,
)
from portal.referrals import campaign
from portal.state import portal_state
from portal.stripe_gateway import gateway
from portal.texts import reader_language

bp = Blueprint("basket", __name__)


@bp.get("/basket")
def page():
    return _render(_fields({}), attempt=secrets.token_hex(16))


@bp.post("/basket/add/<slug>")
def add(slug: str):
    _refuse_other_sites()
    org = _member(slug)
    slugs = cart.slugs_in(request)
    if org.slug not in slugs and len(slugs) < MAX_MEMBERS:
        slugs.append(org.slug)
    return cart.keep(redirect(_back(), code=303), slugs)


@bp.post("/basket/remove/<slug>")
def remove(slug: str):
    _refuse_other_sites()
    slugs = [s for s in cart.slugs_in(request) if s != slug]
    return cart.keep(redirect(_back(), code=303), slugs)


@bp.post("/basket")
def submit():
    fields = _fields(request.form)
    payable, _external = _members()
    choice = _choice(fields, list(payable))
    try:
        plan = make_plan(
            choice,
            seed=fields["attempt"],
            fee_basis_points=current_app.config["FEE_COVER_BASIS_POINTS"],
            locale=number_locale(),
        )
    except PlanError as error:
        return _render(fields, attempt=fields["attempt"], error=str(error), status=400)
    if fields["shown"] != plan.shown():
        return _render(fields, attempt=fields["attempt"], plan=plan)  # review before leaving
    # The donation form's three steps (donate/submit.py): the intent committed, then Stripe
    # asked with no write lock held, then its answer recorded.
    visit = campaign.visit_from_request(ArrivedVia.PORTAL)
    try:
        donation = submit_checkout(
            get_session(),
            gateway(),
            visit,
            lambda: _open(fields, payable, plan, visit),
            salts=portal_state().referrals.salts,
            limits=current_app.config,
        )
    except TooManyCheckouts:
        abort(429)
    except CheckoutUnavailable:
        return _render(fields, attempt=secrets.token_hex(16), stripe_failed=True, status=503)
    return redirect(donation.checkout_url, code=303)


def _open(fields, payable, plan, visit) -> tuple[Donation, donate_service.CheckoutRequest]:
    donation = service.open_basket(
        get_session(),
        _member(current_app.config["COALITION_SLUG"]),
        payable,
        plan,
        visit,
        attempt=fields["attempt"],
        salts=portal_state().referrals.salts,
        language=reader_language(),
    )
    checkout = service.checkout_request(donation, _return_urls(), locale=str(get_locale() or "en"))
    return donation, checkout


@bp.get("/basket/thanks")
def thanks():
    session = get_session()
    donation = session.scalar(
        select(Donation).where(
            Donation.stripe_checkout_session_id == request.args.get("session_id", ""),
            Donation.basket_id.is_not(None),
        )
    ) or abort(404)
    record_return(session, gateway(), donation)
    response = render_template(
        "basket/thanks.html",
        donation=donation,
        parts=donation_parts(session, donation),
        manage_url=_manage_url(donation),
    )
    return (
        cart.keep(current_app.make_response(response), [])
        if donation.status == "paid"
        else response
    )


def _manage_url(donation: Donation) -> str | None:
    # As on the single gift's thanks page: the private link only while Checkout lives, since
    # this page's address (with Stripe's session id) may reach a log.
    if donation.status != DonationStatus.PAID or utcnow() - donation.created_at > timedelta(days=1):
        return None
    token = manage_token(current_app.config["SECRET_KEY"], donation.id)
    return url_for("gifts.enter", token=token, _external=True)


def _members() -> tuple[dict[str, Organization], list[Organization]]:
    """The basket's active members: those the coalition collects for, and the others."""
    slugs = cart.slugs_in(request)
    orgs = get_session().scalars(
        select(Organization).where(
            Organization.slug.in_(slugs), Organization.status == OrgStatus.ACTIVE
        )
    )
    by_slug = {org.slug: org for org in orgs}
    ordered = [by_slug[s] for s in slugs if s in by_slug]
    payable = {o.slug: o for o in ordered if o.handoff_mode == HandoffMode.STRIPE}
    return payable, [o for o in ordered if o.handoff_mode != HandoffMode.STRIPE]


def _fields(form) -> dict:
    split = form.get("split", SplitKind.EVEN.value)
    currency = form.get("currency", "USD")
    frequency = form.get("frequency", Frequency.ONE_TIME.value)
    return {
        "split": split if split in set(SplitKind) else SplitKind.EVEN.value,
        "currency": currency if currency in CURRENCIES else "USD",
        "frequency": frequency if frequency in set(Frequency) else Frequency.ONE_TIME.value,
        "total": form.get("total", "")[:40],
        "parts": {k[5:]: v[:40] for k, v in form.items() if k.startswith("part-")},
        "cover_fees": bool(form.get("cover_fees")),
        "shown": form.get("shown", "")[:4000],
        "attempt": _attempt(form.get("attempt", "")),
    }


def _attempt(value: str) -> str:
    ok = len(value) == 32 and all(c in "0123456789abcdef" for c in value)
    return value if ok else secrets.token_hex(16)


def _choice(fields: dict, keys: list[str]) -> Choice:
    return Choice(
        keys=tuple(keys),
        split=SplitKind(fields["split"]),
        currency=fields["currency"],
        frequency=Frequency(fields["frequency"]),
        total=fields["total"],
        parts=tuple(fields["parts"].get(k, "") for k in keys),
        cover_fees=fields["cover_fees"],
    )


def _render(fields: dict, *, attempt: str, plan=None, error=None, stripe_failed=False, status=200):
    payable, external = _members()
    return render_template(
        "basket/page.html",
        payable=list(payable.values()),
        external=external,
        fields=fields,
        attempt=attempt,
        plan=plan,
        error=error,
        stripe_failed=stripe_failed,
        currencies=CURRENCIES,
        max_members=MAX_MEMBERS,
        fee_basis_points=current_app.config["FEE_COVER_BASIS_POINTS"],
    ), status


def _refuse_other_sites() -> None:
    """Refuse a toggle posted from another site.

    The toggle sits on directory and member pages, which must set no cookie while a visitor only
    browses, so it carries no session CSRF token; the browser's Fetch Metadata (or, from older
    browsers, Origin) says where the post came from instead.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site not in ("same-origin", "none"):
            abort(403)
        return
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        abort(403)


def _member(slug: str) -> Organization:
    org = get_session().scalar(select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE))
    return org or abort(404)


def _back() -> str:
    """Where the add or remove button was pressed: a path on this site, else the basket."""
    back = request.form.get("back", "")
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return back
    return url_for(".page")


def _return_urls() -> donate_service.ReturnUrls:
    success = url_for(".thanks", _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    return donate_service.ReturnUrls(success, url_for(".page", _external=True, cancelled="1"))
