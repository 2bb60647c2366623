"""The donation form for recipients the coalition collects for."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from portal.db import get_session
from portal.models import HandoffMode, Organization, OrgStatus

bp = Blueprint("donate", __name__)


@bp.get("/donate")
def coalition():
    return form(current_app.config["COALITION_SLUG"])


@bp.get("/donate/<slug>")
def form(slug: str):
    org = get_session().scalar(
        select(Organization).filter_by(slug=slug, status=OrgStatus.ACTIVE)
    ) or abort(404)
    if org.handoff_mode != HandoffMode.STRIPE:
        abort(404)
    return render_template("donate/form.html", org=org)
