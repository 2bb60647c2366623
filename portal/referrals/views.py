"""The tracked hand-off: ``/go/<slug>`` logs a referral and redirects to the donation page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from portal.referrals import campaign
from portal.referrals.handoff import HEADERS, hand_off
from portal.referrals.routing import Route
from portal.state import portal_state

bp = Blueprint("referrals", __name__)


@bp.route("/go/<slug>", methods=["GET", "POST"])
def go(slug: str):
    referrals = portal_state().referrals
    route = _route(slug)
    answer = hand_off(
        referrals,
        route,
        campaign.arrival_from_request(),
        coalition=referrals.routes.coalition(current_app.config["COALITION_SLUG"]),
        form_url=_form_url,
    )
    response = redirect(answer.location, code=answer.status)
    response.headers.update(HEADERS)
    if answer.replay_spool:
        response.call_on_close(referrals.replay_spool)
    return response


def _route(slug: str) -> Route:
    try:
        return portal_state().referrals.routes.lookup(slug) or abort(404)
    except SQLAlchemyError:
        # No database and no snapshot yet: say so rather than guess a destination.
        abort(
            503,
            description=_(
                "We can't send you on to the donation page right now. Please try again in a minute."
            ),
        )


def _form_url(slug: str | None, tags: dict[str, str]) -> str:
    """The portal's own donation form (the coalition's when ``slug`` is None), tags kept."""
    if slug is None:
        return url_for("donate.coalition", **tags)
    return url_for("donate.form", slug=slug, **tags)
