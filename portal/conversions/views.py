"""The postback endpoint members' sites call, and the admin page that makes their secrets."""

from __future__ import annotations

import json
import time

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.conversions import service, signature
from portal.conversions.funnel import funnel, funnel_table
from portal.db.session import get_session
from portal.db.writing import writing
from portal.models import (
    Conversion,
    HandoffMode,
    Organization,
    OrgStatus,
    PostbackKey,
    RecipientKind,
    ReportedVia,
)
from portal.reports.responses import csv_response
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff
from portal.staff.forms import ActionForm

bp = Blueprint("conversions", __name__)

_LARGEST_BODY = 4096


@bp.post("/conversions/<slug>")
def postback(slug: str):
    session = get_session()
    org = session.scalar(select(Organization).filter_by(slug=slug[:80]))
    key = session.get(PostbackKey, org.id) if org else None
    if key is None or not key.enabled:
        return _answer(404, "postbacks are not enabled for this member")
    body = request.get_data(cache=False)[: _LARGEST_BODY + 1]
    try:
        signature.verify(key.secret, request.headers.get(signature.HEADER), body, now=time.time())
    except signature.SignatureError as error:
        return _answer(401, str(error))
    try:
        data = json.loads(body) if len(body) <= _LARGEST_BODY else None
        reported = service.read_report(data)
        with writing(session):  # SQLite: check and insert as one writer, or fail at once
            _, made = service.record_conversion(session, org, reported, ReportedVia.POSTBACK)
    except (ValueError, service.ReportError) as error:
        session.rollback()
        return _answer(422, str(error) if isinstance(error, service.ReportError) else "send JSON")
    except IntegrityError:
        made = False  # rolled back: the same report, racing this one, was stored first
    return _answer(201 if made else 200, "recorded" if made else "already recorded")


@bp.get("/staff/conversions")
@admin_required
def keys():
    return _keys_page()


@bp.post("/staff/conversions/<int:org_id>/secret")
@admin_required
def make_secret(org_id: int):
    session = get_session()
    org = session.get(Organization, org_id) or abort(404)
    if not ActionForm().validate_on_submit() or org.handoff_mode != HandoffMode.EXTERNAL:
        abort(400)
    with writing(session):
        secret = service.new_secret(session, Actor.of(current_staff()), org)
    page = render_template("conversions/secret.html", org=org, secret=secret)
    return page, 200, {"Cache-Control": "no-store"}


def _keys_page():
    session = get_session()
    members = session.scalars(
        select(Organization)
        .filter_by(
            kind=RecipientKind.MEMBER, handoff_mode=HandoffMode.EXTERNAL, status=OrgStatus.ACTIVE
        )
        .order_by(Organization.name)
    ).all()
    keys = {key.organization_id: key for key in session.scalars(select(PostbackKey))}
    counts = dict(
        session.execute(
            select(Conversion.organization_id, func.count()).group_by(Conversion.organization_id)
        ).all()
    )
    return render_template(
        "conversions/keys.html",
        members=members,
        keys=keys,
        counts=counts,
        action=ActionForm(),
        table=funnel_table(funnel(session)),
        locale=str(get_locale()),
    )


@bp.get("/staff/conversions.csv")
@admin_required
def export():
    return csv_response({"funnel": funnel_table(funnel(get_session()))}, "funnel", "gifts-reported")


def _answer(status: int, message: str):
    return jsonify({"status": message}), status
