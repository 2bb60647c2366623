"""The tracked hand-off: ``/go/<slug>`` logs a referral and redirects to the donation page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from portal.models import ArrivedVia
from portal.referrals import campaign, desk
from portal.referrals.service import Visit, plan_handoff
from portal.referrals.visitors import is_prefetch

bp = Blueprint("referrals", __name__)


@bp.route("/go/<slug>", methods=["GET", "POST"])
def go(slug: str):
    referrals = desk()
    try:
        route = referrals.routes.lookup(slug) or abort(404)
    except SQLAlchemyError:
        abort(503)  # no database and no snapshot yet: say so rather than guess a destination
    via = ArrivedVia.PORTAL if request.method == "POST" else campaign.link_arrival(request.args)
    visit = campaign.visit_from_request(via)
    coalition = referrals.routes.coalition(current_app.config["COALITION_SLUG"])
    handoff = plan_handoff(
        route,
        visit,
        coalition=coalition,
        tags=referrals.tags,
        form_url=lambda to: _form_url(to, visit),
    )
    response = redirect(handoff.url, code=303 if via == ArrivedVia.PORTAL else 302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "origin"
    if handoff.record is None or request.method == "HEAD" or is_prefetch(request.headers):
        return response
    if referrals.record(handoff.record, visit):
        response.call_on_close(referrals.replay_spool)
    return response


def _form_url(slug: str | None, visit: Visit) -> str:
    """The portal's own donation form (the coalition's when ``slug`` is None), tags kept."""
    if slug is None:
        return url_for("donate.coalition", **visit.campaign)
    return url_for("donate.form", slug=slug, **visit.campaign)
