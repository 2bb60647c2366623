"""Staff report pages: referrals and gifts for a range of days, and the directory's fairness."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import select

from portal.db.session import get_session
from portal.models import Organization
from portal.reports import charts, queries, staff_tables
from portal.reports.forms import RangeQuery, ReportQuery
from portal.reports.responses import check, csv_response
from portal.reports.scope import Scope, today
from portal.staff import auth
from portal.staff.auth import staff_required

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")
bp.after_request(auth.no_store)


@bp.get("/")
@staff_required
def overview():
    session = get_session()
    form = ReportQuery(request.args)
    form.offer_members(queries.recipients(session))
    check(form)
    member = session.scalar(select(Organization).filter_by(slug=form.member.data or None))
    scope = form.scope(today(), member)
    form.show_range(scope.since, scope.until)
    csv = form.format.data == "csv"
    report = staff_tables.staff_report(session, scope, only=form.table.data if csv else None)
    if csv:
        return csv_response(report.tables, form.table.data, _filename("referrals", scope))
    return render_template(
        "reports/overview.html",
        form=form,
        report=report,
        chart=charts.referrals_chart(report.days),
        csv_args=form.filter_args(scope),
        locale=str(get_locale()),
    )


@bp.get("/fairness")
@staff_required
def fairness():
    session = get_session()
    form = RangeQuery(request.args)
    check(form)
    scope = Scope(*form.days(today()))
    form.show_range(scope.since, scope.until)
    size = current_app.config["DIRECTORY_PAGE_SIZE"]
    table = staff_tables.fairness_table(session, scope, page_size=size)
    if form.format.data == "csv":
        stem = _filename("fairness", scope)
        return csv_response({table.name: table}, form.table.data or table.name, stem)
    return render_template(
        "reports/fairness.html",
        form=form,
        scope=scope,
        table=table,
        page_size=size,
        csv_url=url_for(".fairness", format="csv", table=table.name, **_range(scope)),
        locale=str(get_locale()),
    )


def _range(scope: Scope) -> dict[str, str]:
    return {"since": scope.since.isoformat(), "until": scope.until.isoformat()}


def _filename(kind: str, scope: Scope) -> str:
    return f"{kind}-{scope.since.isoformat()}-to-{scope.until.isoformat()}"
