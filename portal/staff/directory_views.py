"""Directory management for admins: list, create, edit, suspend, import and export recipients."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.csv_export import csv_lines
from portal.db.session import get_session
from portal.db.writing import writing
from portal.models import (
    TEXT_LANGUAGES,
    TRANSLATED_FIELDS,
    AuditVia,
    ImportBatch,
    Organization,
    OrgStatus,
    utcnow,
)
from portal.staff import audit, auth, edits, importer, links
from portal.staff import directory_service as rules
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff
from portal.staff.forms import ActionForm, ImportForm, OrganizationForm
from portal.state import portal_state

bp = Blueprint("staff_directory", __name__, url_prefix="/staff/organizations")
bp.after_request(auth.no_store)


@bp.get("/")
@admin_required
def index():
    session = get_session()
    return render_template(
        "staff/organizations.html",
        orgs=rules.all_recipients(session),
        checks=links.last_checks(session),
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = OrganizationForm()
    if not form.validate_on_submit():
        return _edit_page(form, None)
    slug = (form.slug.data or "").strip()
    values, errors = rules.clean_fields(form.data)
    if problem := rules.slug_problem(slug):
        errors["slug"] = [problem]
    if errors:
        return _edit_page(form, None, errors)
    session = get_session()
    try:
        with writing(session):
            org = rules.create_organization(
                session, _actor(), slug, values, coalition_slug=_coalition()
            )
    except rules.DirectoryError as error:
        return _edit_page(form, None, {"slug": [str(error)]})
    return _saved(_("Added %(name)s to the directory.", name=org.name))


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(org_id: int):
    session = get_session()
    org = session.get(Organization, org_id) or abort(404)
    form = _org_form(org)
    edits.remember(form, lambda: _version(org))
    if not form.validate_on_submit():
        return _edit_page(form, org)
    values, errors = rules.clean_fields(form.data)
    if errors:
        return _edit_page(form, org, errors)
    with writing(session):
        found = edits.reread_for(session, form, Organization, org_id, _version)
        org = found.record
        if not found.conflict:
            changes = rules.update_organization(session, _actor(), org, values)
    if found.conflict:
        return edits.refused(form, found, lambda: _edit_page(form, org)[0])
    if not changes:
        flash(_("Nothing changed."), "info")
        return redirect(url_for(".index"), code=303)
    return _saved(_("Saved %(count)d change(s) to %(name)s.", count=len(changes), name=org.name))


@bp.post("/<int:org_id>/suspend")
@admin_required
def suspend(org_id: int):
    return _set_status(org_id, OrgStatus.SUSPENDED)


@bp.post("/<int:org_id>/reactivate")
@admin_required
def reactivate(org_id: int):
    return _set_status(org_id, OrgStatus.ACTIVE)


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def upload():
    form = ImportForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    data = form.file.data.read()
    _rows, file_errors = importer.read_rows(data)
    if file_errors:
        return _upload_page(form, file_errors)
    session = get_session()
    with writing(session):
        batch = importer.keep_upload(
            session, current_staff(), form.file.data.filename, data, now=utcnow()
        )
    return redirect(url_for(".preview", token=batch.token), code=303)


@bp.get("/import/<token>")
@admin_required
def preview(token: str):
    batch, checked, file_errors = _checked(token)
    return _preview_page(batch, _plan(checked, file_errors))


@bp.post("/import/<token>")
@admin_required
def confirm(token: str):
    _batch, checked, file_errors = _checked(token)  # parsed before the write lock is taken
    session = get_session()
    with writing(session):
        batch = _upload(token)  # read again inside: a twin click may have applied it
        plan = _plan(checked, file_errors)
        ready = batch.applied_at is None and plan.is_valid
        if ready:
            created, updated = importer.apply_import(
                session, _actor(via=AuditVia.IMPORT), plan, coalition_slug=_coalition()
            )
            batch.applied_at = utcnow()
    if not ready:
        return _preview_page(batch, plan, status=409 if batch.applied_at else 400)
    return _saved(
        _("Import done: %(created)d added, %(updated)d updated.", created=created, updated=updated)
    )


@bp.get("/export.csv")
@admin_required
def export():
    lines = csv_lines(importer.HEADER, importer.export_rows(get_session()))
    filename = f"directory-{utcnow():%Y-%m-%d}.csv"
    # The byte-order mark makes spreadsheet programs read Arabic and Hebrew names as UTF-8.
    return Response(
        "\ufeff" + "".join(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _upload(token: str) -> ImportBatch:
    session = get_session()
    return importer.find_upload(session, current_staff(), token, now=utcnow()) or abort(404)


def _checked(token: str) -> tuple[ImportBatch, list[importer.CheckedRow], list[str]]:
    """The upload, its rows read and validated (no write transaction needed), its file errors."""
    batch = _upload(token)
    rows, file_errors = importer.read_rows(batch.content.encode())
    return batch, importer.check_rows(rows, coalition_slug=_coalition()), file_errors


def _plan(checked: list[importer.CheckedRow], file_errors: list[str]) -> importer.ImportPlan:
    plan = importer.plan_import(get_session(), checked)
    plan.file_errors.extend(file_errors)
    return plan


def _preview_page(batch: ImportBatch, plan: importer.ImportPlan, *, status: int = 200):
    page = render_template(
        "staff/import_preview.html",
        batch=batch,
        plan=plan,
        form=ActionForm(),
        as_text=audit.as_text,
    )
    return page, status


def _set_status(org_id: int, status: OrgStatus):
    session = get_session()
    with writing(session):
        org = session.get(Organization, org_id) or abort(404)
        changed = rules.set_status(session, _actor(), org, status)
    if not changed:
        return redirect(url_for(".index"), code=303)
    if status == OrgStatus.SUSPENDED:
        return _saved(_("%(name)s is suspended: its donors go to the coalition.", name=org.name))
    return _saved(_("%(name)s is active again.", name=org.name))


def _saved(message: str):
    """The answer once a change to the directory is committed."""
    # This worker reads the directory again at once; the others within ROUTE_CACHE_SECONDS.
    portal_state().referrals.routes.invalidate()
    flash(message, "info")
    return redirect(url_for(".index"), code=303)


def _org_form(org: Organization, **kwargs) -> OrganizationForm:
    current = {name: rules.current_value(org, name) for name in rules.TRANSLATION_FIELDS}
    return OrganizationForm(obj=org, **current, **kwargs)


def _version(org: Organization) -> str:
    return edits.fingerprint(_org_form(org, formdata=None))


def _edit_page(form: OrganizationForm, org: Organization | None, errors=None):
    for name, messages in (errors or {}).items():
        form[name].errors = list(messages)
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "staff/organization_form.html", form=form, org=org, translations=_translations(form)
    )
    return page, status


def _translations(form: OrganizationForm) -> list[tuple[str, list]]:
    """Each language's fields, but the original language's only when they hold something (they
    must then be emptied: its text belongs in the main fields)."""
    original = form.original_language.data or TEXT_LANGUAGES[0]
    groups = []
    for language in TEXT_LANGUAGES:
        fields = [form[f"{name}_{language}"] for name in TRANSLATED_FIELDS]
        if language != original or any(f.data or f.errors for f in fields):
            groups.append((language, fields))
    return groups


def _upload_page(form: ImportForm, file_errors: list[str] | None = None):
    status = 400 if form.is_submitted() else 200
    return render_template(
        "staff/import_upload.html", form=form, file_errors=file_errors or []
    ), status


def _actor(via: AuditVia = AuditVia.FORM) -> Actor:
    return Actor.of(current_staff(), via)


def _coalition() -> str:
    return current_app.config["COALITION_SLUG"]
